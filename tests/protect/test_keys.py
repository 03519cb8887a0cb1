"""The workspace master key: key file (0600) or environment, clear errors, rotation staging."""

from __future__ import annotations

import stat

import pytest

from svidok.protect import keys as keyfiles
from svidok.protect.errors import MasterKeyError
from svidok.protect.sealing import SecretKey


def test_a_missing_key_is_created_private_only_when_asked(tmp_path, monkeypatch):
    monkeypatch.delenv(keyfiles.ENV_VAR, raising=False)
    with pytest.raises(MasterKeyError, match="no master key"):
        keyfiles.load(tmp_path)
    keys = keyfiles.load(tmp_path, create=True)
    path = tmp_path / keyfiles.KEY_FILE
    assert keys.created and stat.S_IMODE(path.stat().st_mode) == 0o600
    again = keyfiles.load(tmp_path)
    assert again.current == keys.current and not again.created


def test_the_environment_wins_over_the_file(tmp_path, monkeypatch):
    keyfiles.load(tmp_path, create=True)
    env_key = SecretKey.generate()
    monkeypatch.setenv(keyfiles.ENV_VAR, keyfiles.format_key(env_key))
    keys = keyfiles.load(tmp_path)
    assert keys.current == env_key and keys.source == f"${keyfiles.ENV_VAR}"


@pytest.mark.parametrize("text", ["", "hello", "svidok-master-key-v1:AAAA", "svidok-master-key-v1:" + "A" * 80])
def test_a_malformed_key_is_refused_without_echoing_it(tmp_path, monkeypatch, text):
    monkeypatch.setenv(keyfiles.ENV_VAR, text or "x")
    with pytest.raises(MasterKeyError) as err:
        keyfiles.load(tmp_path)
    if len(text) > 5:
        assert text[5:] not in str(err.value)


def test_a_master_key_is_never_overwritten(tmp_path):
    keyfiles.create_key_file(tmp_path / "k")
    with pytest.raises(MasterKeyError, match="never overwritten"):
        keyfiles.create_key_file(tmp_path / "k")


def test_a_staged_next_key_is_loaded_beside_the_current_one_until_promoted(tmp_path, monkeypatch):
    monkeypatch.delenv(keyfiles.ENV_VAR, raising=False)
    old = keyfiles.load(tmp_path, create=True).current
    new = keyfiles.stage_next(tmp_path)
    assert keyfiles.stage_next(tmp_path) == new  # a crash before promotion reuses the staged key
    keys = keyfiles.load(tmp_path)
    assert keys.current == old and keys.get(new.id) == new
    keyfiles.promote_next(tmp_path)
    keys = keyfiles.load(tmp_path)
    assert keys.current == new and not keys.others
    with pytest.raises(MasterKeyError, match=f"needs master key {old.id}"):
        keys.get(old.id)


def test_the_keyring_repr_shows_key_ids_only(tmp_path, monkeypatch):
    monkeypatch.delenv(keyfiles.ENV_VAR, raising=False)
    keys = keyfiles.load(tmp_path, create=True)
    text = repr(keys)
    assert keys.current.id in text and keyfiles.format_key(keys.current).split(":")[1] not in text
