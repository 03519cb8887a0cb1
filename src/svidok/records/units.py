"""Units and their presence: linkage evidence from a crime to a perpetrator organisation.

standards.md section 10.10: a unit (armed-forces unit, Rosgvardia, FSB, PMC, occupation
administration, staff of a place of detention) with its designation (e.g. military unit number
``в/ч NNNNN``), parent unit and names in several scripts; a unit presence places a unit at a
place during an EDTF time window, graded for credibility and resting on a claim.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Required, TypedDict

import sqlalchemy as sa
from sqlalchemy.orm import Session

from svidok.db.schema import unit, unit_presence
from svidok.records import service
from svidok.records.fields import Field
from svidok.records.kinds import Kind, register
from svidok.records.naming import NameIn, add_names
from svidok.records.service import Record

if TYPE_CHECKING:
    from svidok.workspace import Txn

__all__ = ["PresenceIn", "UnitIn", "create_presence", "create_unit", "presences"]

UNIT = register(
    Kind(
        "unit",
        "UNIT",
        unit,
        (
            Field("name", "str", required=True, max_len=300, help="the name in its original script"),
            Field("unit_type", "code", required=True, vocab="unit_types"),
            Field("designation", "str", max_len=100, help="e.g. military unit number в/ч 12345"),
            Field("parent_id", "ref", kinds=("unit",)),
            Field("country", "str", max_len=2, pattern=r"[A-Z]{2}", pattern_hint="an ISO 3166-1 alpha-2 code such as RU"),
        ),
        label="Unit",
        title="name",
        names="record_name",
    )
)

PRESENCE = register(
    Kind(
        "unit_presence",
        "UP",
        unit_presence,
        (
            Field("unit_id", "ref", required=True, kinds=("unit",)),
            Field("place_id", "ref", required=True, kinds=("place",)),
            Field("date", "edtf", required=True, help="EDTF time window of the presence"),
            Field("credibility", "code", vocab="admiralty_credibility"),
            Field("claim_id", "ref", kinds=("claim",)),
            Field("note", "text"),
        ),
        label="Unit presence",
        title="date",
    )
)


class UnitIn(TypedDict, total=False):
    """Fields of a new unit."""

    name: Required[str]
    unit_type: Required[str]
    designation: str
    parent_id: str
    country: str


class PresenceIn(TypedDict, total=False):
    """Fields of a new unit presence."""

    unit_id: Required[str]
    place_id: Required[str]
    date: Required[str]
    credibility: str
    claim_id: str
    note: str


def create_unit(
    txn: Txn, data: UnitIn | Mapping[str, Any], names: Sequence[NameIn | Mapping[str, Any]] = (), *, id: str | None = None, path: str = ""
) -> str:
    """Record a unit, its name in the original spelling and its variants; returns its id."""
    unit_id = service.create(txn, "unit", data, id=id, path=path)
    add_names(txn, f"unit:{unit_id}", data["name"], names, path=path)
    return unit_id


def create_presence(txn: Txn, data: PresenceIn | Mapping[str, Any], *, id: str | None = None, path: str = "") -> str:
    """Record that a unit was at a place during a time window; returns its id."""
    return service.create(txn, "unit_presence", data, id=id, path=path)


def presences(session: Session, *, unit_id: str | None = None, place_id: str | None = None) -> list[Record]:
    """Presences of a unit or at a place, earliest first."""
    t = unit_presence
    q = sa.select(t)
    if unit_id is not None:
        q = q.where(t.c.unit_id == unit_id)
    if place_id is not None:
        q = q.where(t.c.place_id == place_id)
    return [service.record_of("unit_presence", r) for r in session.execute(q.order_by(t.c.date_earliest, t.c.id)).mappings()]
