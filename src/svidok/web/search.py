"""The simplest search that works: case-insensitive substring matching over the text columns
of incidents, places, claims, units and interviews' narratives, filtered to what the user
may see, with a facet of record types. It reads every row of those tables and matches in
Python with Unicode case folding (SQLite's ``lower()`` folds ASCII only, so Cyrillic could not be
matched in SQL the same way on both databases): fine for a field team's locker, linear in size.

It sits behind the :class:`Searcher` protocol so that the multilingual engine (stemming,
transliteration across Ukrainian, Russian and Latin spellings, extracted text) can replace it
without touching the pages.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

from svidok.db.schema import claim, incident, interview, place, unit
from svidok.errors import InputError
from svidok.protect.roles import Principal

__all__ = ["KINDS", "Hit", "Results", "Searcher", "SimpleSearch", "MAX_QUERY"]

MAX_QUERY = 200

#: kind -> (table, title column, further text columns)
_TARGETS = {
    "incident": (incident, "title", ("title", "description")),
    "place": (place, "name", ("name",)),
    "claim": (claim, "statement", ("statement",)),
    "unit": (unit, "name", ("name", "designation")),
    "interview": (interview, "id", ("narrative",)),
}

KINDS = tuple(_TARGETS)


@dataclass(frozen=True)
class Hit:
    """One matching record: its reference, kind and a title to show."""

    ref: str
    kind: str
    title: str


@dataclass
class Results:
    """Hits (at most ``limit``), the total number, and counts per kind (the type facet)."""

    query: str
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    facets: dict[str, int] = field(default_factory=dict)


class Searcher(Protocol):
    """What the search page needs from a search engine."""

    def search(self, session: Session, p: Principal, query: str, *, kind: str | None = None, limit: int = 50) -> Results: ...


class SimpleSearch:
    """Substring search over record text (see the module docstring)."""

    def search(self, session: Session, p: Principal, query: str, *, kind: str | None = None, limit: int = 50) -> Results:
        from svidok.api.policy import visible

        q = " ".join(query.split())
        if not q:
            return Results(query="")
        if len(q) > MAX_QUERY:
            raise InputError(f"the search text is {len(q)} characters long; at most {MAX_QUERY}", field="q")
        if kind is not None and kind not in _TARGETS:
            raise InputError(f"unknown record type {kind!r}; one of {', '.join(_TARGETS)}", field="kind")
        needle = q.casefold()
        found: list[Hit] = []
        for name, (table, title_col, cols) in _TARGETS.items():
            rows = session.execute(sa.select(table.c.id, table.c[title_col], *[table.c[c] for c in cols]).order_by(table.c.id))
            for r in rows:
                if any(v is not None and needle in str(v).casefold() for v in r[2:]):
                    found.append(Hit(f"{name}:{r[0]}", name, str(r[1])))
        ok = visible(session, p, [h.ref for h in found])
        shown = [h for h in found if h.ref in ok]
        facets = dict(sorted(Counter(h.kind for h in shown).items()))
        if kind is not None:
            shown = [h for h in shown if h.kind == kind]
        return Results(query=q, hits=shown[:limit], total=len(shown), facets=facets)
