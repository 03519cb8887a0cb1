"""Figures of the dashboard: incidents the user may see, counted by crime category, locality
and month, placed on a map and in a timeline.

Reads the record projections only; the principal's compartments decide what counts
(:func:`svidok.api.policy.visible`: an incident is shown only when the user may read it, and
restricted incidents, which need an audited view, are left out of the totals). Months come from
the earliest bound of the incident's EDTF date (ISO 8601 ``YYYY-MM``); incidents with no known
date are counted under ``"unknown"``. Markers at the same coordinates are kept as separate
points; the page spreads them apart (leaflet.markercluster "spiderfy").
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from svidok.db.schema import incident, place
from svidok.protect.roles import Principal

__all__ = ["Dashboard", "build"]


@dataclass
class Dashboard:
    """Counts (label -> number, most first), map markers and the timeline of one view."""

    total: int = 0
    by_category: list[tuple[str, int]] = field(default_factory=list)
    by_locality: list[tuple[str, int]] = field(default_factory=list)
    by_month: list[tuple[str, int]] = field(default_factory=list)
    markers: list[dict[str, Any]] = field(default_factory=list)
    timeline: list[dict[str, Any]] = field(default_factory=list)


def build(session: Session, p: Principal, case: str | None = None) -> Dashboard:
    """The dashboard of everything ``p`` may see, or of one case (``case`` a case reference)."""
    from svidok.api.policy import visible
    from svidok.db.schema import record_link

    q = sa.select(incident.c.id, incident.c.title, incident.c.incident_type, incident.c.date, incident.c.date_earliest,
                  place.c.name.label("place_name"), place.c.lat, place.c.lon).select_from(
        incident.outerjoin(place, place.c.id == incident.c.place_id)).order_by(incident.c.date_earliest, incident.c.id)  # fmt: skip
    rows = session.execute(q).all()
    if case is not None:
        linked = set(session.execute(sa.select(record_link.c.target).where(
            record_link.c.source == f"case:{case}", record_link.c.target.like("incident:%"), record_link.c.removed_idx.is_(None))).scalars())  # fmt: skip
        linked |= set(session.execute(sa.select(record_link.c.source).where(
            record_link.c.target == f"case:{case}", record_link.c.source.like("incident:%"), record_link.c.removed_idx.is_(None))).scalars())  # fmt: skip
        rows = [r for r in rows if f"incident:{r.id}" in linked]
    ok = visible(session, p, [f"incident:{r.id}" for r in rows])
    rows = [r for r in rows if f"incident:{r.id}" in ok]
    cat: Counter[str] = Counter()
    loc: Counter[str] = Counter()
    month: Counter[str] = Counter()
    out = Dashboard(total=len(rows))
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
