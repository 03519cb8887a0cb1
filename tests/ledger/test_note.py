"""Tests of svidok.ledger.note against the published golang.org/x/mod/sumdb/note example."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from svidok.errors import FormatError, InputError, SignatureError
from svidok.ledger.note import (
    MAX_SIGNATURES,
    Signer,
    Verifier,
    generate_key,
    key_id,
    open_note,
    parse_note,
    sign_note,
)

EM = "\u2014"


@pytest.fixture(scope="module")
def vec(testdata: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((testdata / "transparency-log-vectors.json").read_text("utf-8"))
    return data["signed_note"]  # type: ignore[no-any-return]


# --- the published vector -------------------------------------------------------------------


def test_signing_reproduces_published_note_byte_for_byte(vec: dict[str, Any]) -> None:
    signer = Signer.from_key(vec["signer_key"])
    signed = sign_note(vec["text"], signer)
    assert signed == vec["signed_note"]
    assert signed.encode("utf-8") == vec["signed_note"].encode("utf-8")


def test_verifier_key_derived_from_signer_key_equals_published(vec: dict[str, Any]) -> None:
    signer = Signer.from_key(vec["signer_key"])
    assert signer.verifier_key() == vec["verifier_key"]
    assert signer.name == "PeterNeumann"
    assert signer.key_hash == 0xC74F20A3
    assert signer.verifier() == Verifier.from_key(vec["verifier_key"])


def test_published_verifier_key_opens_published_note(vec: dict[str, Any]) -> None:
    verifier = Verifier.from_key(vec["verifier_key"])
    assert verifier.name == "PeterNeumann"
    assert verifier.key_hash == 0xC74F20A3
    assert verifier.verifier_key() == vec["verifier_key"]
    for signed in (vec["signed_note"], vec["signed_note"].encode("utf-8")):
        note = open_note(signed, [verifier])
        assert note.text == vec["text"]
        assert [(s.name, s.key_hash) for s in note.verified_signatures] == [("PeterNeumann", 0xC74F20A3)]
        assert note.unverified_signatures == ()


def test_key_id_is_sha256_of_name_newline_type_and_key(vec: dict[str, Any]) -> None:
    verifier = Verifier.from_key(vec["verifier_key"])
    assert key_id("PeterNeumann", verifier.public_key) == 0xC74F20A3
    # the key data in the verifier key is 0x01 || public key
    raw = base64.b64decode(vec["verifier_key"].split("+", 2)[2])
    assert raw == b"\x01" + verifier.public_key


# --- rejections -----------------------------------------------------------------------------


def test_tampered_text_is_rejected(vec: dict[str, Any]) -> None:
    verifier = Verifier.from_key(vec["verifier_key"])
    tampered = vec["signed_note"].replace("cryptography", "cryptographY", 1)
    with pytest.raises(SignatureError, match="invalid signature"):
        open_note(tampered, [verifier])


def test_tampered_signature_is_rejected(vec: dict[str, Any]) -> None:
    verifier = Verifier.from_key(vec["verifier_key"])
    text, sig_line = vec["signed_note"].rsplit("\n\n", 1)
    prefix, b64 = sig_line.rstrip("\n").rsplit(" ", 1)
    raw = bytearray(base64.b64decode(b64))
    raw[10] ^= 0x01  # inside the Ed25519 signature, after the 4-byte key ID
    bad = f"{text}\n\n{prefix} {base64.b64encode(bytes(raw)).decode()}\n"
    with pytest.raises(SignatureError, match="invalid signature by known key PeterNeumann"):
        open_note(bad, [verifier])


def test_wrong_key_is_rejected(vec: dict[str, Any]) -> None:
    _, other_vkey = generate_key("SomeoneElse")
    with pytest.raises(SignatureError, match="no signature from a known key") as info:
        open_note(vec["signed_note"], [Verifier.from_key(other_vkey)])
    assert info.value.fields["signers"] == [("PeterNeumann", 0xC74F20A3)]


def test_same_name_different_key_is_ignored_not_verified(vec: dict[str, Any]) -> None:
    # c2sp.org/signed-note: unknown keys are ignored even if they share a name with a known key.
    _, impostor = generate_key("PeterNeumann")
    with pytest.raises(SignatureError, match="no signature from a known key"):
        open_note(vec["signed_note"], [Verifier.from_key(impostor)])


def test_no_verifiers_rejects(vec: dict[str, Any]) -> None:
    with pytest.raises(SignatureError):
        open_note(vec["signed_note"], [])


def test_forged_signature_with_known_key_id_rejects_whole_note(vec: dict[str, Any]) -> None:
    """A second line claiming the known key but with a bad signature fails the note (SHOULD)."""
    verifier = Verifier.from_key(vec["verifier_key"])
    forged = base64.b64encode(bytes.fromhex("c74f20a3") + bytes(64)).decode()
    signed = vec["signed_note"] + f"{EM} PeterNeumann {forged}\n"
    with pytest.raises(SignatureError, match="invalid signature"):
        open_note(signed, [verifier])


# --- several signers ------------------------------------------------------------------------


def test_multiple_signers_and_unknown_signatures(vec: dict[str, Any]) -> None:
    peter = Signer.from_key(vec["signer_key"])
    skey, vkey = generate_key("example.com/witness")
    witness = Signer.from_key(skey)
    signed = sign_note(vec["text"], peter, witness)
    assert signed.startswith(vec["signed_note"])  # deterministic first line, then the witness
    assert signed.count(f"\n{EM} ") == 2

    only_peter = open_note(signed, [peter.verifier()])
    assert [s.name for s in only_peter.verified_signatures] == ["PeterNeumann"]
    assert [s.name for s in only_peter.unverified_signatures] == ["example.com/witness"]

    both = open_note(signed, [peter.verifier(), Verifier.from_key(vkey)])
    assert [s.name for s in both.verified_signatures] == ["PeterNeumann", "example.com/witness"]
    assert both.unverified_signatures == ()


def test_duplicate_signature_lines_reported_once(vec: dict[str, Any]) -> None:
    verifier = Verifier.from_key(vec["verifier_key"])
    sig_line = vec["signed_note"].rsplit("\n\n", 1)[1]
    note = open_note(vec["signed_note"] + sig_line, [verifier])
    assert len(note.verified_signatures) == 1


def test_generated_key_round_trip() -> None:
    skey, vkey = generate_key("svidok.example/log")
    assert skey.startswith("PRIVATE+KEY+svidok.example/log+")
    signer = Signer.from_key(skey)
    assert signer.verifier_key() == vkey
    text = "hello\n\nwith an empty line inside\n"
    note = open_note(sign_note(text, signer), [Verifier.from_key(vkey)])
    assert note.text == text
    # PRIVATE+KEY+<name>+<hash>+<base64 key>; the base64 may itself hold "+" (and end with it),
    # so split off the four fields before it rather than taking whatever follows the last "+".
    secret = skey.split("+", 4)[4]
    assert len(secret) > 40
    assert "PRIVATE" not in repr(signer) and secret not in repr(signer)


def test_verifier_verify_bare_signature() -> None:
    skey, vkey = generate_key("k")
    signer, verifier = Signer.from_key(skey), Verifier.from_key(vkey)
    sig = signer.sign(b"msg")
    assert len(sig) == 64
    assert verifier.verify(b"msg", sig)
    assert not verifier.verify(b"msG", sig)
    assert not verifier.verify(b"msg", sig[:-1])


def test_parse_note_lists_all_signatures_unverified(vec: dict[str, Any]) -> None:
    note = parse_note(vec["signed_note"])
    assert note.text == vec["text"]
    assert note.verified_signatures == ()
    assert [(s.name, s.key_hash) for s in note.unverified_signatures] == [("PeterNeumann", 0xC74F20A3)]


# --- malformed notes ------------------------------------------------------------------------


def _good_sig_line(vec: dict[str, Any]) -> str:
    return str(vec["signed_note"].rsplit("\n\n", 1)[1])


@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(lambda s: s.rstrip("\n"), id="no-final-newline"),
        pytest.param(lambda s: s.replace("\n\n", "\n"), id="no-blank-line"),
        pytest.param(lambda s: s.replace(EM, "-"), id="hyphen-not-em-dash"),
        pytest.param(lambda s: s.replace(f"{EM} ", EM), id="no-space-after-dash"),
        pytest.param(lambda s: s.replace("PeterNeumann ", "Peter+Neumann "), id="plus-in-name"),
        pytest.param(lambda s: s.replace(f"{EM} PeterNeumann ", f"{EM}  "), id="empty-name"),
        pytest.param(lambda s: s.replace("PeterNeumann x08", "PeterNeumann\u00a0x08"), id="nbsp-in-name"),
        pytest.param(lambda s: s.replace("AM=\n", "AM\n"), id="base64-missing-padding"),
        pytest.param(lambda s: s.replace("AM=\n", "AN=\n"), id="base64-noncanonical-bits"),
        pytest.param(lambda s: s.replace("AM=\n", "AM= \n"), id="trailing-space"),
        pytest.param(lambda s: s.replace("AM=\n", "AM=\r\n"), id="crlf"),
        pytest.param(lambda s: s.replace("problem,", "problem,\t"), id="tab-in-text"),
        pytest.param(lambda s: s + "\n", id="blank-line-after-signatures"),
        pytest.param(lambda s: s + "trailing garbage\n", id="garbage-after-signatures"),
        pytest.param(lambda s: s.split(" x08")[0] + " AAAA\n", id="signature-too-short"),
        pytest.param(lambda s: s.split("\n\n")[0] + "\n\n", id="no-signature-lines"),
    ],
)
def test_malformed_notes_rejected(vec: dict[str, Any], mutate: Any) -> None:
    verifier = Verifier.from_key(vec["verifier_key"])
    bad = mutate(vec["signed_note"])
    assert bad != vec["signed_note"]
    with pytest.raises(FormatError):
        open_note(bad, [verifier])


def test_invalid_utf8_rejected(vec: dict[str, Any]) -> None:
    verifier = Verifier.from_key(vec["verifier_key"])
    raw = vec["signed_note"].encode("utf-8").replace(b"problem,", b"problem\xff,", 1)
    with pytest.raises(FormatError, match="UTF-8"):
        open_note(raw, [verifier])


def test_too_many_signatures_rejected(vec: dict[str, Any]) -> None:
    verifier = Verifier.from_key(vec["verifier_key"])
    line = _good_sig_line(vec)
    # 16 signatures must be accepted (c2sp.org/signed-note); more than MAX_SIGNATURES are not.
    assert open_note(vec["text"] + "\n" + line * 16, [verifier]).text == vec["text"]
    with pytest.raises(FormatError, match="more than"):
        open_note(vec["text"] + "\n" + line * (MAX_SIGNATURES + 1), [verifier])


# --- malformed keys -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "",
        "PeterNeumann",
        "PeterNeumann+c74f20a3",
        "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # 7 hex digits
        "PeterNeumann+c74f20ag+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # not hex
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # wrong key ID
        "PeterNeumanm+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # other name
        "PeterNeumann+c74f20a3+Apc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # bad base64
        "PeterNeumann+c74f20a3+Alpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # type 0x02
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10Q=",  # 31 bytes
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # space
        "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # empty name
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
    ],
)
def test_malformed_verifier_keys_rejected(key: str) -> None:
    with pytest.raises(FormatError):
        Verifier.from_key(key)


@pytest.mark.parametrize(
    "key",
    [
        "",
        "PRIVATE+KEY+PeterNeumann+c74f20a3",
        "PRIVATE+KEYS+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
        "private+key+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
        "PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",  # key ID
        "PRIVATE+KEY+PeterNeumanm+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",  # name
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AoEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",  # type 2
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDF",  # base64
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # a verifier key
    ],
)
def test_malformed_signer_keys_rejected(key: str) -> None:
    with pytest.raises(FormatError):
        Signer.from_key(key)


@pytest.mark.parametrize("name", ["", "a+b", "a b", "a\tb", "a\u2003b", "a\nb", "a\x00b"])
def test_invalid_key_names_rejected(name: str) -> None:
    with pytest.raises(InputError):
        generate_key(name)
    with pytest.raises(InputError):
        Verifier(name, bytes(32))


def test_sign_note_rejects_bad_text_and_no_signers(vec: dict[str, Any]) -> None:
    signer = Signer.from_key(vec["signer_key"])
    with pytest.raises(InputError, match="newline"):
        sign_note("no newline", signer)
    with pytest.raises(InputError):
        sign_note("control \x07 char\n", signer)
    with pytest.raises(InputError, match="signer"):
        sign_note("text\n")


def test_ambiguous_verifier_list_rejected() -> None:
    """Two different keys with the same name and key ID make the verifier list unusable."""

    class Colliding(Verifier):
        @property
        def key_hash(self) -> int:
            return 1

    a, b = Colliding("n", bytes(32)), Colliding("n", bytes([1]) * 32)
    skey, _ = generate_key("n")
    with pytest.raises(InputError, match="ambiguous"):
        open_note(sign_note("x\n", Signer.from_key(skey)), [a, b])
