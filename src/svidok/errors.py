"""The one error hierarchy of Svidok.

Every error carries a human message and structured fields, so that the CLI and the API can
report bad input clearly without a traceback (STYLE.md habit 5)::

    SvidokError
    ├── ConfigError            workspace missing, unreadable or misconfigured
    ├── InputError             bad input from a user (names the field and the reason)
    ├── NotFound               a record, entry or object that does not exist
    ├── IntegrityError         stored data does not match what was committed to
    │   ├── ProofError         an inclusion or consistency proof does not verify
    │   ├── SignatureError     a signed note or checkpoint signature does not verify
    │   └── ConsistencyError   a checkpoint would contradict one signed before
    ├── FormatError            a file in a standard format (note, checkpoint, proof) is malformed
    ├── StorageError           the blob store or database failed
    └── TimestampError         an RFC 3161 authority failed or a token does not verify

The base classes are defined in :mod:`svidok_verify.errors` (the standalone offline verifier,
which must not depend on this package) and re-exported here; only the classes the verifier
does not need are defined in this module.
"""

from __future__ import annotations

from svidok_verify.errors import (
    ConsistencyError,
    FormatError,
    InputError,
    IntegrityError,
    NotFound,
    ProofError,
    SignatureError,
    StorageError,
    SvidokError,
    TimestampError,
)

__all__ = [
    "SvidokError",
    "ConfigError",
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


class ConfigError(SvidokError):
    """The workspace is missing, unreadable or misconfigured."""
