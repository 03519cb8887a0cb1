"""Figures of the dashboard: incidents the user may see, counted by crime category, locality
and month, placed on a map and in a timeline.

Reads the record projections only; the principal's compartments decide what counts
(:func:`svidok.api.policy.visible`: an incident is shown only when the user may read it, and
restricted incidents, which need an audited view, are left out of the totals). The candidates
are narrowed in SQL first (incidents linked to one of the user's cases, or their own drafts:
no other incident can be visible), and every candidate is still decided by the policy. Months
come from the earliest bound of the incident's EDTF date (ISO 8601 ``YYYY-MM``); incidents with
no known date are counted under ``"unknown"``. Markers at the same coordinates are kept as
separate points; the page spreads them apart (leaflet.markercluster "spiderfy"). The markers
are served apart from the page as JSON (``/web/dashboard/markers``) and the timeline is shown
a page at a time, most recent first, so that a workspace of ten thousand incidents does not
make a page of ten thousand rows.

:func:`cached` keeps computed dashboards per principal view and case while the ledger does not
grow (:class:`svidok.web.viewcache.LedgerCache`): a change anywhere is seen by the next request.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from svidok.db.schema import incident, place, record_link
from svidok.protect.roles import Principal
from svidok.web.viewcache import LedgerCache, visibility_key

__all__ = ["TIMELINE_PAGE", "Dashboard", "build", "cached"]

#: Timeline entries shown per page.
TIMELINE_PAGE = 50


@dataclass
class Dashboard:
    """Counts (label -> number, most first), map markers and the timeline of one view."""

    total: int = 0
    by_category: list[tuple[str, int]] = field(default_factory=list)
    by_locality: list[tuple[str, int]] = field(default_factory=list)
    by_month: list[tuple[str, int]] = field(default_factory=list)
    markers: list[dict[str, Any]] = field(default_factory=list)
    #: Every visible incident, most recent first (by the earliest bound of its date; undated last).
    timeline: list[dict[str, Any]] = field(default_factory=list)

    @property
    def markers_json(self) -> bytes:
        """The markers as the JSON the map loads (computed once per dashboard)."""
        cached_json: bytes | None = self.__dict__.get("_markers_json")
        if cached_json is None:
            cached_json = json.dumps(self.markers, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            self.__dict__["_markers_json"] = cached_json
        return cached_json

    def timeline_page(self, page: int) -> list[dict[str, Any]]:
        """Entries of timeline page ``page`` (1-based)."""
        start = (max(page, 1) - 1) * TIMELINE_PAGE
        return self.timeline[start : start + TIMELINE_PAGE]

    @property
    def timeline_pages(self) -> int:
        return max(1, -(-len(self.timeline) // TIMELINE_PAGE))


def _candidates(p: Principal, case: str | None) -> sa.Select:  # type: ignore[type-arg]
    """Incidents that can be visible to ``p`` (linked to one of its cases by an active link in
    either direction, or created by it), or linked to ``case`` only."""
    cases = [case] if case is not None else sorted(p.cases)
    refs = [f"case:{c}" for c in cases]
    t = record_link
    inc_ref = sa.literal("incident:") + incident.c.id
    # For one case: its active links (as the case filter always was); for all cases: any link,
    # a superset of what the policy counts (it reads the active ones).
    live = t.c.removed_idx.is_(None) if case is not None else sa.true()
    linked = sa.or_(
        sa.exists().where(live, t.c.source.in_(refs), t.c.target == inc_ref),
        sa.exists().where(live, t.c.target.in_(refs), t.c.source == inc_ref),
    ) if refs else sa.false()  # fmt: skip
    where = linked if case is not None else sa.or_(linked, incident.c.created_by == p.actor)
    return (sa.select(incident.c.id, incident.c.title, incident.c.incident_type, incident.c.date, incident.c.date_earliest,
                      place.c.name.label("place_name"), place.c.lat, place.c.lon)
            .select_from(incident.outerjoin(place, place.c.id == incident.c.place_id)).where(where))  # fmt: skip


def build(session: Session, p: Principal, case: str | None = None) -> Dashboard:
    """The dashboard of everything ``p`` may see, or of one case (``case`` a case reference)."""
    from svidok.api.policy import visible

    rows = session.execute(_candidates(p, case)).all()
    ok = visible(session, p, [f"incident:{r.id}" for r in rows])
    rows = [r for r in rows if f"incident:{r.id}" in ok]
    cat: Counter[str] = Counter()
    loc: Counter[str] = Counter()
    month: Counter[str] = Counter()
    out = Dashboard(total=len(rows))
    rows.sort(key=lambda r: r.id, reverse=True)
    rows.sort(key=lambda r: (r.date_earliest is not None, r.date_earliest or ""), reverse=True)  # stable: newest first, undated last
    for r in rows:
        cat[r.incident_type] += 1
        loc[r.place_name or "unknown"] += 1
        month[(r.date_earliest or "")[:7] or "unknown"] += 1
        if r.lat is not None and r.lon is not None:
            out.markers.append({"id": r.id, "title": r.title, "lat": r.lat, "lon": r.lon, "type": r.incident_type})
        out.timeline.append({"id": r.id, "title": r.title, "date": r.date, "earliest": r.date_earliest, "type": r.incident_type})
    out.by_category = sorted(cat.items(), key=lambda kv: (-kv[1], kv[0]))
    out.by_locality = sorted(loc.items(), key=lambda kv: (-kv[1], kv[0]))
    out.by_month = sorted(month.items())
    return out


CACHE: LedgerCache[Dashboard] = LedgerCache(max_entries=16)


def cached(session: Session, p: Principal, case: str | None = None) -> Dashboard:
    """:func:`build`, reused while the ledger has not grown, per principal view and case."""
    return CACHE.get(session, ("dashboard", visibility_key(p), case), lambda: build(session, p, case))
