"""The base error hierarchy of Svidok, shared by the main package and the standalone verifier.

Every error carries a human message and structured fields, so that the CLI and the API can
report bad input clearly without a traceback (STYLE.md habit 5)::

    SvidokError
    ├── ConfigError            (svidok.errors) workspace missing, unreadable or misconfigured
    ├── InputError             bad input from a user (names the field and the reason)
    ├── NotFound               a record, entry or object that does not exist
    ├── IntegrityError         stored data does not match what was committed to
    │   ├── ProofError         an inclusion or consistency proof does not verify
    │   ├── SignatureError     a signed note or checkpoint signature does not verify
    │   └── ConsistencyError   a checkpoint would contradict one signed before
    ├── FormatError            a file in a standard format (note, checkpoint, proof) is malformed
    ├── StorageError           the blob store or database failed
    └── TimestampError         an RFC 3161 authority failed or a token does not verify

The classes live here, in the ``svidok-verify`` distribution, so that the offline verifier
needs nothing else; :mod:`svidok.errors` re-exports them and adds only what the verifier does
not need, so there is still one hierarchy.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "SvidokError",
    "InputError",
    "NotFound",
    "IntegrityError",
    "ProofError",
    "SignatureError",
    "ConsistencyError",
    "FormatError",
    "StorageError",
    "TimestampError",
]


class SvidokError(Exception):
    """Base class. ``message`` is for people; ``fields`` are for programs."""

    def __init__(self, message: str, **fields: Any) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields

    def __str__(self) -> str:
        return self.message


class InputError(SvidokError):
    """Bad input from a user; ``fields['field']`` names what was wrong where known."""


class NotFound(SvidokError):
    """A record, ledger entry or stored object does not exist."""


class IntegrityError(SvidokError):
    """Stored data does not match what the ledger committed to."""


class ProofError(IntegrityError):
    """An RFC 6962/9162 inclusion or consistency proof does not verify."""


class SignatureError(IntegrityError):
    """A C2SP signed-note signature is missing or does not verify."""


class ConsistencyError(IntegrityError):
    """A new checkpoint would be inconsistent with one the ledger signed before."""


class FormatError(SvidokError):
    """A note, checkpoint, proof or entry is not well-formed for its specification."""


class StorageError(SvidokError):
    """The blob store or the database failed."""


class TimestampError(SvidokError):
    """An RFC 3161 timestamp authority failed, or a token does not verify."""
