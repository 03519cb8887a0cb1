"""The workspace master key: where it comes from, how it is created and rotated.

The master key wraps every person's data key and every TOTP secret
(:mod:`svidok.protect.sealing`); it is never stored in the database, the ledger or a log.

Sources, in order:

1. the environment variable ``SVIDOK_MASTER_KEY`` (for servers whose secret manager injects it);
2. the key file ``<home>/keys/master.key`` (mode 0600), created by ``svidok init``, or lazily,
   with a clear message, the first time an older workspace needs it.

Both hold one line ``svidok-master-key-v1:<base64url of 32 random bytes>``.

Rotation (``svidok vault rotate-master``, :func:`svidok.protect.vault.rotate_master`):

1. a new key is written to ``keys/master.key.next`` (0600, fsync) - or, for a key from the
   environment, to the file the operator names;
2. every wrapped key is re-wrapped under the new key in one database transaction, and a
   ``vault.master_rotated`` ledger entry names both key ids (never the keys);
3. ``master.key.next`` atomically replaces ``master.key``; the old key is gone.

A crash between steps leaves ``master.key.next`` beside ``master.key``; both are loaded (each
wrapped row names the key id it needs) and the next rotation completes the switch. After an
erasure (crypto-shredding), rotating the master key also makes any copy of the destroyed data
key that survives in backups, free database pages or PostgreSQL's dead tuples unusable.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from svidok.protect.errors import MasterKeyError
from svidok.protect.sealing import KEY_BYTES, SecretKey, b64d, b64e

__all__ = ["ENV_VAR", "KEY_FILE", "MasterKeys", "create_key_file", "format_key", "load", "parse_key"]

log = logging.getLogger(__name__)

ENV_VAR = "SVIDOK_MASTER_KEY"
KEY_FILE = "keys/master.key"
NEXT_SUFFIX = ".next"
_PREFIX = "svidok-master-key-v1:"


def format_key(key: SecretKey) -> str:
    """The one-line text form of a master key."""
    return _PREFIX + b64e(key.material())


def parse_key(text: str, where: str) -> SecretKey:
    """A master key from its text form; MasterKeyError naming ``where`` (never the text)."""
    line = text.strip()
    if not line.startswith(_PREFIX):
        raise MasterKeyError(f"{where} does not hold a Svidok master key (expected one line starting {_PREFIX!r})", where=where)
    try:
        raw = b64d(line[len(_PREFIX):])
    except (ValueError, TypeError):
        raw = b""
    if len(raw) != KEY_BYTES:
        raise MasterKeyError(f"{where} holds a malformed master key (expected {KEY_BYTES} bytes in base64url)", where=where)
    return SecretKey(raw)


@dataclass
class MasterKeys:
    """The current master key and any other keys a wrapped row may still name (rotation)."""

    current: SecretKey
    source: str
    others: dict[str, SecretKey] = field(default_factory=dict)
    created: bool = False
    #: The workspace's name-index key (:mod:`svidok.protect.blind_index`), set by
    #: :func:`svidok.protect.vault.master_keys`: not a master key, and it does not rotate with it.
    name_index: bytes | None = field(default=None, repr=False)

    def get(self, key_id: str) -> SecretKey:
        """The master key with ``key_id``; MasterKeyError if this workspace does not hold it."""
        if key_id == self.current.id:
            return self.current
        try:
            return self.others[key_id]
        except KeyError:
            raise MasterKeyError(
                f"a wrapped key needs master key {key_id}, but {self.source} holds master key {self.current.id}"
                + (f" (and {', '.join(sorted(self.others))})" if self.others else "")
                + "; was the master key rotated without updating the environment?",
                key_id=key_id,
            ) from None

    def __repr__(self) -> str:
        return f"MasterKeys(current={self.current.id}, source={self.source!r}, others={sorted(self.others)})"


def _write_private(path: Path, text: str) -> None:
    """Write a new 0600 file (refusing to overwrite) and fsync it and its folder."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, (text + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    dfd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)


def create_key_file(path: Path) -> SecretKey:
    """Generate a master key into a new file (mode 0600); InputError-free: refuses to overwrite."""
    key = SecretKey.generate()
    try:
        _write_private(path, format_key(key))
    except FileExistsError:
        raise MasterKeyError(f"{path} already exists; a master key is never overwritten", path=str(path)) from None
    return key


def _read_file(path: Path) -> SecretKey:
    try:
        mode = path.stat().st_mode & 0o777
        text = path.read_text(encoding="ascii")
    except PermissionError:
        raise MasterKeyError(f"cannot read the master key at {path} (permission denied)", path=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MasterKeyError(f"cannot read the master key at {path}: {type(exc).__name__}", path=str(path)) from None
    if mode & 0o077:
        log.warning("master key file %s is readable by other users (mode %o); run: chmod 600 %s", path, mode, path)
    return parse_key(text, str(path))


def load(home: Path, *, create: bool = False) -> MasterKeys:
    """The workspace's master keys. With ``create``, a missing key file is generated (the
    caller decides that nothing wrapped under another key exists)."""
    env = os.environ.get(ENV_VAR)
    path = home / KEY_FILE
    nxt = path.with_name(path.name + NEXT_SUFFIX)
    others: dict[str, SecretKey] = {}
    if nxt.exists():
        k = _read_file(nxt)
        others[k.id] = k
    if env:
        keys = MasterKeys(parse_key(env, f"${ENV_VAR}"), f"${ENV_VAR}", others)
    elif path.exists():
        keys = MasterKeys(_read_file(path), str(path), others)
    elif create:
        key = create_key_file(path)
        log.warning("created a new vault master key at %s (key id %s); back it up apart from the database", path, key.id)
        keys = MasterKeys(key, str(path), others, created=True)
    else:
        raise MasterKeyError(
            f"no master key: set ${ENV_VAR} or restore the key file {path}; without it the identity vault cannot be opened",
            path=str(path),
        )
    keys.others.pop(keys.current.id, None)
    return keys


def next_key_path(home: Path) -> Path:
    """Where rotation stages the new key file."""
    path = home / KEY_FILE
    return path.with_name(path.name + NEXT_SUFFIX)


def stage_next(home: Path) -> SecretKey:
    """Generate the next master key into ``master.key.next`` (or reuse a staged one)."""
    nxt = next_key_path(home)
    if nxt.exists():
        return _read_file(nxt)
    return create_key_file(nxt)


def promote_next(home: Path) -> None:
    """Atomically make ``master.key.next`` the master key (the old key file is replaced)."""
    path = home / KEY_FILE
    os.replace(next_key_path(home), path)
    dfd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)
