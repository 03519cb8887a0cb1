"""Likely duplicates of persons and places already recorded (a first version of linkage).

With 50,000+ proceedings and many collectors, the same victim or village arrives many times
under different spellings (standards.md sections 0.11 and 8.5; uwazi#2750). Candidates are found
in two steps: the blocking keys of the names given (:func:`svidok.language.names.blocking_keys`)
select, through ``name_key``, the records sharing a key; their names are then scored with
:func:`svidok.language.names.rank_candidates`. For places a same KATOTTH code is a strong sign,
and distance counts: many villages share a name (there are several Вербівка), so a namesake
more than :data:`FAR_M` away is scored down. A full record-linkage engine comes later.

Names held only in the identity vault are indexed by keyed hashes of their blocking keys (a
*blind index*, :mod:`svidok.protect.blind_index`); a caller who holds the workspace's index key
passes the blind keys of the query names as ``blind``, and persons sharing them are scored by the
share of those keys they hold, without any name being read or shown. This module never loads
a key.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from svidok.db.schema import name_key, person, person_name, place, record_name
from svidok.language.names import rank_candidates
from svidok.records.naming import index_keys
from svidok.records.places import distance_m

__all__ = ["BLIND_REASON", "FAR_M", "DuplicateCandidate", "person_candidates", "place_candidates"]

#: Beyond this distance a place with a similar name is probably another place.
FAR_M = 25_000.0
_FAR_FACTOR = 0.6
_BLOCK_LIMIT = 50
#: The reason given for a person found through the blind index of vault names.
BLIND_REASON = "matches a name held in the identity vault (keyed index)"


@dataclass(frozen=True)
class DuplicateCandidate:
    """An existing record that may be the same person or place, with the evidence for it."""

    ref: str
    label: str
    name: str
    score: float
    reasons: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {"ref": self.ref, "label": self.label, "name": self.name, "score": self.score, "reasons": list(self.reasons)}


def _blocked_owners(
    session: Session,
    kind: str,
    names: Sequence[tuple[str, str | None]],
    exclude: set[str],
    common_key: int = 1000,
    block_limit: int = _BLOCK_LIMIT,
) -> list[str]:
    """Owners sharing blocking keys with ``names``, most shared keys first.

    Keys that too many names share (a common given name) do not select candidates: the usual
    blocking practice of record linkage. They still rank the candidates the rarer keys
    selected, so a namesake who shares both given name and surname comes first. When every key
    is common, the rarest one selects.
    """
    keys: set[str] = set()
    for text, lang in names:
        keys.update(index_keys(text, lang))
    return [o for o, _ in _owners_by_keys(session, kind, keys, exclude, common_key, block_limit)]


def _owners_by_keys(
    session: Session, kind: str, keys: set[str], exclude: set[str], common_key: int, block_limit: int
) -> list[tuple[str, int]]:
    """Owners of ``kind`` sharing ``keys`` with their number of shared keys, most first (the
    blocking of :func:`_blocked_owners`)."""
    if not keys:
        return []
    prefix = f"{kind}:%"
    freq: dict[str, int] = dict(
        session.execute(
            sa.select(name_key.c.key, sa.func.count())
            .where(name_key.c.key.in_(sorted(keys)), name_key.c.owner.like(prefix))
            .group_by(name_key.c.key)
        ).all()
    )
    if not freq:
        return []
    selective = sorted(k for k, n in freq.items() if n <= common_key)
    if not selective:
        selective = [min(freq, key=lambda k: (freq[k], k))]
    chosen = sa.select(name_key.c.owner).where(name_key.c.key.in_(selective), name_key.c.owner.like(prefix))
    hits = sa.func.count(sa.distinct(name_key.c.key))
    q = (
        sa.select(name_key.c.owner, hits)
        .where(name_key.c.key.in_(sorted(freq)), name_key.c.owner.in_(chosen))
        .group_by(name_key.c.owner)
        .order_by(hits.desc(), name_key.c.owner)
        .limit(block_limit + len(exclude))
    )
    return [(str(r[0]), int(r[1])) for r in session.execute(q) if r[0] not in exclude][:block_limit]


def _rank(
    queries: Sequence[tuple[str, str | None]], candidates: list[tuple[str, str, str | None]], threshold: float
) -> dict[str, tuple[float, str, tuple[str, ...]]]:
    best: dict[str, tuple[float, str, tuple[str, ...]]] = {}
    for text, lang in queries:
        for c in rank_candidates(text, candidates, lang=lang, threshold=threshold, limit=len(candidates) or 1):
            owner = str(c.id)
            if owner not in best or c.score > best[owner][0]:
                best[owner] = (c.score, c.name, c.reasons)
    return best


def person_candidates(
    session: Session,
    names: Sequence[tuple[str, str | None]],
    *,
    blind: Sequence[str] = (),
    exclude: Iterable[str] = (),
    threshold: float = 75.0,
    limit: int = 5,
    common_key: int = 1000,
    block_limit: int = _BLOCK_LIMIT,
) -> list[DuplicateCandidate]:
    """Persons whose recorded names resemble any of ``names`` (``(name, ISO 639 lang)``),
    best first; ``exclude`` lists ``person:<id>`` references to leave out; ``common_key`` is
    the number of names beyond which a blocking key is too common to search by, and at most
    ``block_limit`` persons are scored.

    ``blind`` are the blind keys of the same names (:func:`svidok.protect.blind_index.blind_keys`,
    computed by a caller holding the index key): persons whose vault names share them score
    100 x shared / ``len(blind)``, with :data:`BLIND_REASON` and no name. Per person the best
    score of the two ways wins."""
    excluded = set(exclude)
    owners = _blocked_owners(session, "person", names, excluded, common_key, block_limit)
    best: dict[str, tuple[float, str, tuple[str, ...]]] = {}
    if owners:
        ids = [o.split(":", 1)[1] for o in owners]
        rows = session.execute(
            sa.select(person_name.c.person_id, person_name.c.name, person_name.c.lang).where(
                person_name.c.person_id.in_(ids), person_name.c.status == "active"
            )
        ).all()
        best = _rank(names, [(f"person:{r.person_id}", r.name, r.lang) for r in rows], threshold)
    query = {k for k in blind if isinstance(k, str) and k}
    for owner, shared in _owners_by_keys(session, "person", query, excluded, common_key, block_limit):
        score = round(100.0 * shared / len(query), 1)
        if score >= threshold and (owner not in best or score > best[owner][0]):
            best[owner] = (score, "", (BLIND_REASON,))
    if not best:
        return []
    codes = dict(session.execute(sa.select(person.c.id, person.c.code).where(person.c.id.in_([o.split(":", 1)[1] for o in best]))).all())
    out = [DuplicateCandidate(o, codes.get(o.split(":", 1)[1], o), n, s, r) for o, (s, n, r) in best.items()]
    return sorted(out, key=lambda c: (-c.score, c.ref))[:limit]


def place_candidates(
    session: Session,
    names: Sequence[tuple[str, str | None]],
    *,
    lat: float | None = None,
    lon: float | None = None,
    katotth: str | None = None,
    exclude: Iterable[str] = (),
    threshold: float = 75.0,
    limit: int = 5,
    common_key: int = 1000,
    block_limit: int = _BLOCK_LIMIT,
) -> list[DuplicateCandidate]:
    """Places whose names resemble any of ``names`` or that share the KATOTTH code, best first.
    With coordinates on both sides, the distance is a reason, and a namesake farther than
    :data:`FAR_M` is scored down."""
    excluded = set(exclude)
    owners = _blocked_owners(session, "place", names, excluded, common_key, block_limit)
    rows = session.execute(
        sa.select(record_name.c.owner, record_name.c.name, record_name.c.lang).where(record_name.c.owner.in_(owners), record_name.c.status == "active")
    ).all() if owners else []
    best = {o: (s, n, r) for o, (s, n, r) in _rank(names, [(r.owner, r.name, r.lang) for r in rows], threshold).items()}
    if katotth:
        for pid, pname in session.execute(sa.select(place.c.id, place.c.name).where(place.c.katotth == katotth)).all():
            o = f"place:{pid}"
            if o in excluded:
                continue
            prev = best.get(o)
            reasons = ("same KATOTTH code " + katotth,) + (prev[2] if prev else ())
            best[o] = (100.0, prev[1] if prev else pname, reasons)
    if not best:
        return []
    info = {
        f"place:{r.id}": r
        for r in session.execute(sa.select(place.c.id, place.c.name, place.c.lat, place.c.lon).where(place.c.id.in_([o.split(":", 1)[1] for o in best])))
    }
    out = []
    for o, (score, name, reasons) in best.items():
        r = info[o]
        if lat is not None and lon is not None and r.lat is not None and r.lon is not None:
            d = distance_m(lat, lon, r.lat, r.lon)
            if d > FAR_M and not reasons[0].startswith("same KATOTTH"):
                score = round(score * _FAR_FACTOR, 1)
                reasons = reasons + (f"but {d / 1000:.1f} km apart: probably a namesake",)
            else:
                reasons = reasons + (f"{d / 1000:.1f} km apart",)
        if score >= threshold:
            out.append(DuplicateCandidate(o, r.name, name, score, reasons))
    return sorted(out, key=lambda c: (-c.score, c.ref))[:limit]
