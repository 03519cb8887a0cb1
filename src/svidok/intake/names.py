"""File names as they are on disk (bytes) and as people read them.

POSIX names are bytes; they need not be UTF-8 (old cameras, FAT cards written on other
systems). Svidok keeps the exact bytes (hex) when they are not UTF-8 and shows a readable
form where each undecodable byte is written ``\\xNN``. Names that differ only by Unicode
normalisation (NFC vs NFD, e.g. macOS vs Linux writers; UAX #15) are different files on
Linux but look identical, so the walker reports them.
"""

from __future__ import annotations

import unicodedata


def readable(raw: bytes) -> str:
    """A readable, valid-Unicode form of a raw name or path: UTF-8, else ``\\xNN`` escapes."""
    return raw.decode("utf-8", "backslashreplace")


def raw_hex(raw: bytes) -> str | None:
    """The hex of ``raw`` when it is not valid UTF-8 (so it can be kept losslessly), else None."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.hex()
    return None


def normal_key(raw: bytes) -> str:
    """The key under which two names look the same: NFC of the decoded name (UAX #15)."""
    return unicodedata.normalize("NFC", raw.decode("utf-8", "replace"))
