"""HTTP range requests for evidence downloads (RFC 9110 section 14), pure functions.

Only a single byte range is served (``bytes=a-b``, ``bytes=a-``, ``bytes=-n``). As RFC 9110
section 14.2 allows, a Range header that is not understood (another unit, several ranges, bad
syntax) is ignored and the whole representation is sent; a well-formed range that starts past
the end is unsatisfiable (416 with ``Content-Range: bytes */<size>``, section 15.5.17).
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

__all__ = ["ByteRange", "Unsatisfiable", "content_range", "parse_range", "repr_digest"]

_SPEC = re.compile(r"bytes=(\d*)-(\d*)")


@dataclass(frozen=True)
class ByteRange:
    """Bytes ``start`` to ``end`` inclusive (as in ``Content-Range``)."""

    start: int
    end: int

    @property
    def length(self) -> int:
        return self.end - self.start + 1


class Unsatisfiable(Exception):
    """A well-formed range that selects no byte of the representation."""


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The range a ``Range`` header asks for, or None to send everything; Unsatisfiable when
    it selects nothing (RFC 9110 sections 14.1.2 and 14.2)."""
    if not header:
        return None
    m = _SPEC.fullmatch(header.strip())
    if m is None:
        return None
    first, last = m.group(1), m.group(2)
    if not first and not last:
        return None
    if not first:  # suffix range: the last n bytes
        n = int(last)
        if n == 0 or size == 0:
            raise Unsatisfiable
        return ByteRange(max(0, size - n), size - 1)
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None  # invalid: ignored, as RFC 9110 section 14.1.1 says
    if start >= size:
        raise Unsatisfiable
    return ByteRange(start, min(end, size - 1))


def content_range(r: ByteRange | None, size: int) -> str:
    """The ``Content-Range`` value of a partial response (``bytes */size`` when None)."""
    return f"bytes */{size}" if r is None else f"bytes {r.start}-{r.end}/{size}"


def repr_digest(digest: str) -> str:
    """The RFC 9530 ``Repr-Digest`` field value of a ``sha256:<hex>`` digest
    (``sha-256=:<base64>:``), so a client can check what it assembled."""
    algo, _, hexpart = digest.partition(":")
    if algo != "sha256":
        raise ValueError(f"unsupported digest algorithm {algo!r}")
    return f"sha-256=:{base64.b64encode(bytes.fromhex(hexpart)).decode('ascii')}:"
