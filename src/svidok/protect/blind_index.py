"""A keyed blind index of the names in the identity vault, so that likely duplicates are found
among persons whose names only the vault holds.

The technique is the *blind index* of CipherSweet (Paragon Initiative Enterprises, "CipherSweet:
Blind Indexes", https://ciphersweet.paragonie.com/internals/blind-index) and of the "searchable
encryption" literature: an index of an encrypted value is a keyed hash (HMAC-SHA256, RFC 2104,
FIPS 198-1) of a normalised form of it, under a secret *index key* that is kept apart from the
encryption keys. Here the hashed forms are the blocking keys of every vault name
(:func:`svidok.records.naming.index_keys`: consonant skeletons of every Latin transliteration of
every word and given-name equivalence classes), so that a Russian spelling of a Ukrainian name,
or a Latin one, finds the same person without anyone reading the name::

    blind_keys(key, names) = sorted {"bx:" + hex(HMAC-SHA256(key, k))[:40]
                                     for k in index_keys(name) for name in names}

40 hex digits (160 bits) keep collisions out of reach and fit ``name_key.key``.

The index key is a random 32-byte secret in ``<home>/keys/name-index.key`` (mode 0600, one
line ``svidok-name-index-key-v1:<base64url>``), or ``$SVIDOK_NAME_INDEX_KEY`` in the same form,
created the first time it is needed. It is deliberately *not* derived from the vault master
key: the master key rotates (``svidok vault rotate-master``), and a rotation must not turn every
hash already in the ledger into a stranger. Back it up with the master key. If it is lost, a
new key is created with a warning: vault names indexed under the old one are no longer found
as duplicates (the names themselves are safe in the vault).

What the index reveals: whoever holds the index key can test a guessed name against the keys
(blocking keys are short, so guessing is cheap with the key); whoever holds only the database or
the ledger sees which persons share blocking keys - that two persons' names are probably
spellings of one name - but not the names. ``vault.put`` entries carry the keyed hashes; an
erasure removes the person's rows from ``name_key`` but the ledger keeps the hashes.

Apart from :func:`workspace_key` (which reads or creates the key file), the functions are pure.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import weakref
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from svidok.protect.errors import MasterKeyError
from svidok.protect.keys import _write_private
from svidok.protect.sealing import KEY_BYTES, b64d, b64e, key_id
from svidok.records.naming import index_keys

if TYPE_CHECKING:
    from svidok.workspace import Workspace

__all__ = ["ENV_VAR", "HEX_CHARS", "KEY_FILE", "PREFIX", "blind_key", "blind_keys", "index_key_id", "load_key", "workspace_key"]

log = logging.getLogger(__name__)

ENV_VAR = "SVIDOK_NAME_INDEX_KEY"
KEY_FILE = "keys/name-index.key"
#: Prefix of a blind key in ``name_key.key`` (clear blocking keys start ``s:``, ``e:``, ``n:``).
PREFIX = "bx:"
#: Hex digits of the HMAC kept (160 bits).
HEX_CHARS = 40
_TEXT_PREFIX = "svidok-name-index-key-v1:"
_ID_LABEL = b"svidok/name-index-key-id/v1"


def _parse(text: str, where: str) -> bytes:
    line = text.strip()
    raw = b""
    if line.startswith(_TEXT_PREFIX):
        try:
            raw = b64d(line[len(_TEXT_PREFIX) :])
        except (ValueError, TypeError):
            raw = b""
    if len(raw) != KEY_BYTES:
        raise MasterKeyError(f"{where} does not hold a name-index key (one line {_TEXT_PREFIX}<base64url of {KEY_BYTES} bytes>)", where=where)
    return raw


def load_key(home: Path, *, has_rows: bool = False) -> bytes:
    """The name-index key of the workspace at ``home``: ``$SVIDOK_NAME_INDEX_KEY``, else the
    key file, else a new key file (logged; ``has_rows`` says that names were indexed under a
    key that is now missing, which the warning then says)."""
    env = os.environ.get(ENV_VAR)
    if env:
        return _parse(env, f"${ENV_VAR}")
    path = home / KEY_FILE
    try:
        return _parse(path.read_text(encoding="ascii"), str(path))
    except FileNotFoundError:
        pass
    except (OSError, UnicodeDecodeError) as exc:
        raise MasterKeyError(f"cannot read the name-index key at {path}: {type(exc).__name__}", path=str(path)) from None
    material = os.urandom(KEY_BYTES)
    try:
        _write_private(path, _TEXT_PREFIX + b64e(material))
    except FileExistsError:  # another process created it meanwhile
        return _parse(path.read_text(encoding="ascii"), str(path))
    if has_rows:
        log.warning("the name-index key %s was missing and a new one was created: vault names indexed under the old key are no longer found as duplicates", path)
    else:
        log.info("created the name-index key %s (key id %s); back it up with the master key", path, index_key_id(material))
    return material


_CACHE: weakref.WeakKeyDictionary[Any, bytes] = weakref.WeakKeyDictionary()


def workspace_key(ws: Workspace) -> bytes:
    """The workspace's name-index key (cached per workspace), created on first need."""
    cached = _CACHE.get(ws)
    if cached is not None:
        return cached
    has_rows = False
    if not os.environ.get(ENV_VAR) and not (ws.home / KEY_FILE).exists():
        import sqlalchemy as sa

        from svidok.db.schema import name_key

        with ws.db.read() as s:
            has_rows = s.execute(sa.select(name_key.c.key).where(name_key.c.key.like(PREFIX + "%")).limit(1)).first() is not None
    key = load_key(ws.home, has_rows=has_rows)
    _CACHE[ws] = key
    return key


def index_key_id(key: bytes) -> str:
    """A short public identifier of an index key (a hash of it under its own label), carried
    next to the blind keys so that keys made under different index keys can be told apart."""
    return key_id(key, _ID_LABEL)


def blind_key(key: bytes, blocking_key: str) -> str:
    """The blind form of one blocking key: ``bx:`` + the first 40 hex digits of its HMAC-SHA256."""
    return PREFIX + hmac.new(key, blocking_key.encode("utf-8"), hashlib.sha256).hexdigest()[:HEX_CHARS]


def blind_keys(key: bytes, names: Iterable[str | tuple[str, str | None]]) -> list[str]:
    """The sorted blind keys of every name (a text, or ``(text, ISO 639 lang)``)."""
    if len(key) != KEY_BYTES:
        raise ValueError(f"a name-index key has {KEY_BYTES} bytes")
    out: set[str] = set()
    for n in names:
        text, lang = (n, None) if isinstance(n, str) else n
        out.update(blind_key(key, k) for k in index_keys(text, lang))
    return sorted(out)
