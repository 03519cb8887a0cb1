"""Incidents (events) and acts: who did what to whom, where and when.

The HURIDOCS Events Standard Formats model (standards.md section 10.3): an *incident* is an
event in time and place (a shelling, a detention episode, a killing) with counts given as ranges
(``4-6 killed``; Every Casualty standards, section 0.9) and chain-of-events relations to other
incidents; an *act* is the atomic "who did what to whom" inside it: act type, method or weapon,
resulting harm, its victims (persons in the role ``victim``) and perpetrators (persons in the
role ``suspect`` with a degree of involvement, or units linked with one).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Required, TypedDict

import sqlalchemy as sa
from sqlalchemy.orm import Session

from svidok.db.schema import act, incident
from svidok.errors import InputError
from svidok.records import links, service, vocab
from svidok.records.fields import Field, join_path, require_mapping
from svidok.records.kinds import Kind, register
from svidok.records.service import Record

if TYPE_CHECKING:
    from svidok.workspace import Txn

__all__ = [
    "ActIn",
    "CountIn",
    "IncidentIn",
    "acts_of",
    "add_perpetrator",
    "add_victim",
    "create_act",
    "create_incident",
    "relate_incidents",
]

_MAX_COUNT = 10_000_000


class CountIn(TypedDict, total=False):
    """A count as a range: what is counted, of whom (civilian, combatant, all...), min and max
    (max omitted when the upper bound is unknown)."""

    what: Required[str]
    status: str
    min: Required[int]
    max: int


def check_counts(value: Any, path: str) -> list[dict[str, Any]] | None:
    """Validate counts (a list of :class:`CountIn`); each (what, status) once."""
    if not isinstance(value, (list, tuple)):
        raise InputError(f"{path}: expected a list of counts like {{\"what\": \"killed\", \"min\": 4, \"max\": 6}}", field=path)
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for i, item in enumerate(value):
        p = f"{path}[{i}]"
        item = require_mapping(item, p)
        for key in item:
            if key not in ("what", "status", "min", "max"):
                raise InputError(f"{p}.{key}: a count has no field {key!r}; its fields are: what, status, min, max", field=f"{p}.{key}")
        what = vocab.check("count_units", item.get("what"), f"{p}.what")
        status = vocab.check("combatant_statuses", item.get("status", "all"), f"{p}.status")
        lo, hi = item.get("min"), item.get("max")
        if isinstance(lo, bool) or not isinstance(lo, int) or not 0 <= lo <= _MAX_COUNT:
            raise InputError(f"{p}.min: give a whole number from 0 to {_MAX_COUNT}", field=f"{p}.min")
        if hi is not None and (isinstance(hi, bool) or not isinstance(hi, int) or not lo <= hi <= _MAX_COUNT):
            raise InputError(f"{p}.max: give a whole number from min ({lo}) to {_MAX_COUNT}, or leave it out if unknown", field=f"{p}.max")
        if (what, status) in seen:
            raise InputError(f"{p}: {what} ({status}) is counted twice", field=p)
        seen.add((what, status))
        entry: dict[str, Any] = {"what": what, "status": status, "min": lo}
        if hi is not None:
            entry["max"] = hi
        out.append(entry)
    return out or None


INCIDENT = register(
    Kind(
        "incident",
        "INC",
        incident,
        (
            Field("title", "str", required=True, max_len=300),
            Field("incident_type", "code", required=True, vocab="incident_types"),
            Field("description", "text"),
            Field("date", "edtf", help="EDTF, e.g. 2022-03-1X? or 2022-03-05/2022-03-10"),
            Field("place_id", "ref", kinds=("place",), help="the main place; further places are incident_place links"),
            Field("counts", "json", check=check_counts, help="ranges: [{what, status, min, max}]"),
            Field("target_type", "code", vocab="target_types"),
            Field("weapons", "codes", vocab="weapon_types"),
            Field("verification_status", "code", vocab="verification_statuses", default="unverified"),
            Field("sensitivity", "code", vocab="sensitivity", default="internal"),
        ),
        label="Incident",
        title="title",
    )
)

ACT = register(
    Kind(
        "act",
        "ACT",
        act,
        (
            Field("incident_id", "ref", required=True, kinds=("incident",)),
            Field("act_type", "code", required=True, vocab="act_types"),
            Field("description", "text"),
            Field("date", "edtf"),
            Field("place_id", "ref", kinds=("place",)),
            Field("methods", "codes", vocab="methods_of_violence"),
            Field("weapons", "codes", vocab="weapon_types"),
            Field("harms", "codes", vocab="harm_types"),
        ),
        label="Act",
        title="act_type",
    )
)


class IncidentIn(TypedDict, total=False):
    """Fields of a new incident."""

    title: Required[str]
    incident_type: Required[str]
    description: str
    date: str
    place_id: str
    counts: list[CountIn]
    target_type: str
    weapons: list[str]
    verification_status: str
    sensitivity: str


class ActIn(TypedDict, total=False):
    """Fields of a new act."""

    incident_id: Required[str]
    act_type: Required[str]
    description: str
    date: str
    place_id: str
    methods: list[str]
    weapons: list[str]
    harms: list[str]


def create_incident(txn: Txn, data: IncidentIn | Mapping[str, Any], *, id: str | None = None, path: str = "") -> str:
    """Record an incident; returns its id."""
    return service.create(txn, "incident", data, id=id, path=path)


def create_act(txn: Txn, data: ActIn | Mapping[str, Any], *, id: str | None = None, path: str = "") -> str:
    """Record an act within an incident; returns its id."""
    return service.create(txn, "act", data, id=id, path=path)


def add_victim(
    txn: Txn,
    act_id: str,
    person_id: str,
    *,
    subtype: str | None = "direct",
    harms: Sequence[str] | None = None,
    combatant_status: str | None = None,
    certainty: str | None = None,
    path: str = "",
) -> str:
    """A person as a victim of an act (a ``victim`` role in the act's context); returns the
    role id."""
    from svidok.records.persons import add_role

    data = {"subtype": subtype, "harms": list(harms) if harms else None, "combatant_status": combatant_status, "certainty": certainty}
    return add_role(txn, person_id, "victim", f"act:{act_id}", {k: v for k, v in data.items() if v is not None}, path=path)


def add_perpetrator(
    txn: Txn,
    act_id: str,
    *,
    person_id: str | None = None,
    unit_id: str | None = None,
    involvement: str = "unknown",
    certainty: str | None = None,
    rank: str | None = None,
    position: str | None = None,
    path: str = "",
) -> str:
    """An alleged perpetrator of an act: a person (a ``suspect`` role with the degree of
    involvement, possibly with their unit) or a unit alone (an ``act_unit`` link). Returns the
    role or link id."""
    from svidok.records.persons import add_role

    if person_id is None and unit_id is None:
        raise InputError(f"{join_path(path, 'person')}: name the person or the unit", field=join_path(path, "person"))
    if person_id is None:
        assert unit_id is not None
        attrs = {"involvement": involvement, "certainty": certainty}
        return links.link(txn, "act_unit", f"act:{act_id}", unit_id, {k: v for k, v in attrs.items() if v}, path=path)
    data = {"subtype": "alleged", "involvement": involvement, "certainty": certainty, "unit_id": unit_id, "rank": rank, "position": position}
    return add_role(txn, person_id, "suspect", f"act:{act_id}", {k: v for k, v in data.items() if v is not None}, path=path)


def relate_incidents(txn: Txn, incident_id: str, other: str, relation: str, *, note: str | None = None) -> str:
    """Chain of events: ``incident_id`` is ``part_of``, ``caused_by`` or ``followed_by`` ``other``."""
    attrs = {"relation": relation, **({"note": note} if note else {})}
    return links.link(txn, "incident_relation", incident_id, other, attrs)


def acts_of(session: Session, incident_id: str) -> list[Record]:
    """The acts of an incident, oldest first."""
    rows = session.execute(sa.select(act).where(act.c.incident_id == incident_id).order_by(act.c.created_idx)).mappings()
    return [service.record_of("act", r) for r in rows]
