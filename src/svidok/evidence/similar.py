"""Near-duplicate evidence by perceptual hash: the items whose images look alike.

PDQ (Meta, "The TMK+PDQF Video-Hashing Algorithm and the PDQ Image Similarity Algorithm",
ThreatExchange ``hashing/pdq``) hashes an image to 256 bits; two images are near-duplicates
(the same photograph re-encoded, resized or lightly cropped) when their hashes differ in few
bits. The PDQ documentation's matching threshold is a Hamming distance of at most 31 bits
(:data:`THRESHOLD`); hashes of quality below 50 are unreliable and are not compared
(:data:`MIN_QUALITY`). The hashes are stored by the processing stage on each content
(``content.pdq``, ``content.pdq_quality``; :mod:`svidok.intake.perceptual`).

:func:`distance` and :func:`rank` are pure; :func:`near_duplicates` reads the hashed contents
and compares them all (a linear scan, PDQ's own brute-force matcher: fine for a field team's
locker; a multi-index hash table is the known next step for millions of images).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from svidok.db.schema import content, evidence_item
from svidok.errors import InputError

__all__ = ["MIN_QUALITY", "THRESHOLD", "Similar", "distance", "near_duplicates", "rank"]

#: Hamming distance (bits of 256) up to which two PDQ hashes count as the same image.
THRESHOLD = 31
#: PDQ quality (0-100) below which a hash is not used for matching.
MIN_QUALITY = 50
_HEX256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Similar:
    """An item that looks like the one compared: its id, case, digest and the distance."""

    item: str
    case: str
    digest: str
    mime: str | None
    distance: int


def distance(a: str, b: str) -> int:
    """Bits that differ between two 256-bit PDQ hashes written as 64 hex digits."""
    for value in (a, b):
        if not isinstance(value, str) or not _HEX256.fullmatch(value.lower()):
            raise InputError(f"{value!r} is not a 256-bit PDQ hash in 64 hex digits", field="pdq")
    return (int(a, 16) ^ int(b, 16)).bit_count()


def rank(target: str, candidates: Iterable[tuple[str, str]], threshold: int = THRESHOLD) -> list[tuple[str, int]]:
    """``(key, distance)`` of the candidates ``(key, hash)`` within ``threshold`` bits of
    ``target``, nearest first (then by key, so the order is stable)."""
    out = []
    for key, h in candidates:
        d = distance(target, h)
        if d <= threshold:
            out.append((key, d))
    return sorted(out, key=lambda kd: (kd[1], kd[0]))


def near_duplicates(
    session: Session,
    digest: str,
    *,
    keep: Callable[[list[str]], set[str]] | None = None,
    threshold: int = THRESHOLD,
    min_quality: int = MIN_QUALITY,
    limit: int = 20,
) -> list[Similar]:
    """Items whose content's PDQ hash is within ``threshold`` bits of the content ``digest``'s
    (other contents only: copies of the same bytes are the same content, not near-duplicates).
    ``keep`` filters ``evidence:<id>`` references (the caller's compartments); [] when the
    content has no usable hash."""
    row = session.execute(sa.select(content.c.pdq, content.c.pdq_quality).where(content.c.digest == digest)).first()
    if row is None or row.pdq is None or (row.pdq_quality or 0) < min_quality:
        return []
    others = session.execute(
        sa.select(content.c.digest, content.c.pdq, content.c.mime).where(
            content.c.pdq.is_not(None), content.c.pdq_quality >= min_quality, content.c.digest != digest
        )
    ).all()
    mimes = {r.digest: r.mime for r in others}
    close = rank(row.pdq, [(r.digest, r.pdq) for r in others], threshold)
    if not close:
        return []
    near = dict(close)
    items = session.execute(
        sa.select(evidence_item.c.id, evidence_item.c.case_ref, evidence_item.c.digest).where(evidence_item.c.digest.in_(list(near)))
    ).all()
    if keep is not None:
        allowed = keep([f"evidence:{r.id}" for r in items])
        items = [r for r in items if f"evidence:{r.id}" in allowed]
    found = [Similar(r.id, r.case_ref, r.digest, mimes.get(r.digest), near[r.digest]) for r in items]
    return sorted(found, key=lambda s: (s.distance, s.item))[:limit]
