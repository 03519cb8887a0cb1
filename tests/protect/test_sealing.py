"""Envelope encryption: AES-256-GCM values under per-person data keys, wrapped by the master key."""

from __future__ import annotations

import pickle
import traceback

import pytest

from svidok.errors import IntegrityError
from svidok.protect.sealing import (
    DataKey,
    SecretKey,
    b64d,
    b64e,
    check_commitment,
    open_value,
    seal_value,
    unwrap_key,
    wrap_key,
)
from tests.protect.helpers import synthetic_name


def test_a_sealed_value_opens_with_its_key_and_matches_its_commitment():
    dk = DataKey(SecretKey.generate().material())
    name = synthetic_name()
    sealed = seal_value(dk, "PER-1", "name", [name])
    assert name.encode() not in repr(sealed.as_payload()).encode()
    value, salt = open_value(dk, "PER-1", "name", sealed)
    assert value == [name]
    assert check_commitment(sealed.commitment, salt, [name])
    assert not check_commitment(sealed.commitment, salt, [name + "x"])


def test_each_sealing_uses_a_fresh_nonce_and_salt():
    dk = DataKey(SecretKey.generate().material())
    a, b = seal_value(dk, "PER-1", "name", ["x"]), seal_value(dk, "PER-1", "name", ["x"])
    assert a.nonce != b.nonce and a.ciphertext != b.ciphertext and a.commitment != b.commitment


@pytest.mark.parametrize("person,field", [("PER-2", "name"), ("PER-1", "address")])
def test_a_ciphertext_moved_to_another_person_or_field_does_not_open(person, field):
    dk = DataKey(SecretKey.generate().material())
    sealed = seal_value(dk, "PER-1", "name", ["x"])
    with pytest.raises(IntegrityError, match="does not decrypt"):
        open_value(dk, person, field, sealed)


def test_an_altered_ciphertext_does_not_open():
    dk = DataKey(SecretKey.generate().material())
    sealed = seal_value(dk, "PER-1", "name", ["x"])
    raw = bytearray(b64d(sealed.ciphertext))
    raw[0] ^= 1
    from dataclasses import replace

    with pytest.raises(IntegrityError):
        open_value(dk, "PER-1", "name", replace(sealed, ciphertext=b64e(bytes(raw))))


def test_a_data_key_unwraps_only_with_its_master_key_and_person():
    master, other = SecretKey.generate(), SecretKey.generate()
    dk = DataKey(SecretKey.generate().material())
    wrapped = wrap_key(master, "PER-1", dk)
    assert unwrap_key(master, "PER-1", wrapped) == dk
    with pytest.raises(IntegrityError, match="wrong master key"):
        unwrap_key(other, "PER-1", wrapped)
    with pytest.raises(IntegrityError):
        unwrap_key(master, "PER-2", wrapped)


def test_keys_never_show_their_bytes_in_repr_str_errors_or_pickles():
    key = SecretKey.generate()
    raw = key.material()
    shown = [repr(key), str(key), f"{key}", repr([key]), repr({"k": key})]
    for text in shown:
        assert raw.hex() not in text and b64e(raw) not in text and str(raw) not in text
    assert key.id in repr(key)
    with pytest.raises(TypeError):
        pickle.dumps(key)
    try:
        unwrap_key(SecretKey.generate(), "PER-1", wrap_key(key, "PER-1", DataKey(SecretKey.generate().material())))
    except IntegrityError:
        tb = traceback.format_exc()
    assert raw.hex() not in tb and b64e(raw) not in tb


def test_an_error_about_a_value_never_contains_the_value():
    dk = DataKey(SecretKey.generate().material())
    name = synthetic_name()
    sealed = seal_value(dk, "PER-1", "name", [name])
    try:
        open_value(dk, "PER-1", "address", sealed)
    except IntegrityError as exc:
        assert name not in str(exc) and name not in repr(exc.fields)
