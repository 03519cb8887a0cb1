"""Content-addressed storage of evidence blobs (originals and derivatives).

Every blob is named by its SHA-256 digest, ``sha256:<hex>``, and is written once and never
changed. Two backends implement the :class:`BlobStore` protocol: :class:`LocalBlobStore`
(files on a POSIX file system, crash-safe) and :class:`S3BlobStore` (an S3-compatible object
store, with Object Lock when the bucket has it). :func:`open_store` builds one from configuration.
Reads can be verified end to end with :meth:`BlobStore.read_verified` and :meth:`BlobStore.verify`.
"""

from svidok.blobs.base import (
    CHUNK_SIZE,
    DIGEST_ALGO,
    BlobStore,
    PutResult,
    format_digest,
    parse_digest,
)
from svidok.blobs.factory import open_store
from svidok.blobs.local import LocalBlobStore
from svidok.blobs.s3 import S3BlobStore

__all__ = [
    "CHUNK_SIZE",
    "DIGEST_ALGO",
    "BlobStore",
    "LocalBlobStore",
    "PutResult",
    "S3BlobStore",
    "format_digest",
    "open_store",
    "parse_digest",
]
