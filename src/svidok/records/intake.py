"""Incident-centred intake: one call records a violation with everything around it.

Entering one violation should not mean creating and linking five records by hand
(uwazi#2750, anchors.md (c) item 1). :func:`intake_incident` takes one document that describes
an incident with its acts, the persons involved (new ones, or existing ones by id or pseudonym
code) in their roles, its places and units (new or existing) and the evidence items that show
it, and records all of it in the caller's transaction: either everything is recorded or, on the
first bad value, nothing (the error names the path, ``acts[1].victims[0].person``).

New persons and places are compared with those already recorded before anything is written;
the likely duplicates come back with the result (:mod:`svidok.records.duplicates`), for a person
to decide, never merged automatically.

The document (JSON), every part but ``incident`` optional::

    {
      "case": "IZM-2022-001",
      "proceedings": ["PRC-..."],
      "places": [{"key": "p1", "name": "Вербівка", "place_type": "settlement", "lat": 49.2,
                  "lon": 37.25, "names": [{"name": "Вербовка", "lang": "ru"}]},
                 {"key": "p2", "existing": "LOC-..."}],
      "units": [{"key": "u1", "name": "...", "unit_type": "armed_forces"}],
      "incident": {"title": "...", "incident_type": "detention", "date": "2022-03-1X?",
                   "place_id": "p1", "counts": [{"what": "detained", "min": 4, "max": 6}]},
      "persons": [{"key": "v1", "sex": "male", "age_min": 40, "age_max": 50,
                   "names": [{"name": "Сергій Петренко", "lang": "uk"}],
                   "roles": [{"role": "witness", "subtype": "eyewitness"}]},
                  {"key": "w1", "existing": "W-0042", "roles": [{"role": "witness"}]}],
      "acts": [{"act_type": "torture", "place_id": "p1", "methods": ["beating"],
                "victims": [{"person": "v1", "harms": ["physical_injury"]}],
                "perpetrators": [{"unit": "u1", "involvement": "direct_perpetrator"}]}],
      "evidence": [{"evidence": "EV-...", "record": "acts[0]", "role": "depicts_victim"}]
    }

A role's ``context`` is ``incident`` (the default) or ``case``; an evidence link's ``record``
is ``incident``, ``acts[<i>]``, or a local key of a person, place or unit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Required, TypedDict

from svidok.errors import InputError, NotFound
from svidok.records import cases, incidents, links, persons, places, service, units
from svidok.records.duplicates import DuplicateCandidate, person_candidates, place_candidates
from svidok.records.fields import require_mapping
from svidok.records.naming import NameIn

if TYPE_CHECKING:
    from svidok.workspace import Txn

__all__ = ["DuplicateReport", "IntakeIn", "IntakeResult", "intake_incident"]

_KEY = re.compile(r"[A-Za-z0-9_.-]{1,40}")
_TOP = ("case", "proceedings", "places", "units", "incident", "persons", "acts", "evidence")
_ROLE_KEYS = ("role", "context", "subtype", "involvement", "harms", "combatant_status", "unit_id", "rank", "position", "certainty")
_VICTIM_KEYS = ("person", "subtype", "harms", "combatant_status", "certainty")
_PERP_KEYS = ("person", "unit", "involvement", "certainty", "rank", "position")
_EVIDENCE_KEYS = ("evidence", "record", "role", "page_from", "page_to", "time_from", "time_to", "note")


class PlaceEntry(places.PlaceIn, total=False):
    """A place of the intake: ``key`` plus either ``existing`` or the fields of a new place."""

    key: Required[str]
    existing: str
    names: list[NameIn]


class PersonEntry(TypedDict, total=False):
    """A person of the intake: ``key`` plus either ``existing`` (id or code) or new fields."""

    key: Required[str]
    existing: str
    code: str
    sex: str
    age_min: int
    age_max: int
    status: str
    sensitivity: str
    names: list[NameIn]
    roles: list[dict[str, Any]]


class IntakeIn(TypedDict, total=False):
    """The intake document (see the module docstring)."""

    case: str
    proceedings: list[str]
    places: list[PlaceEntry]
    units: list[dict[str, Any]]
    incident: Required[dict[str, Any]]
    persons: list[PersonEntry]
    acts: list[dict[str, Any]]
    evidence: list[dict[str, Any]]


@dataclass(frozen=True)
class DuplicateReport:
    """Existing records that may be the same as a person or place this intake created."""

    key: str
    kind: str
    id: str
    candidates: list[DuplicateCandidate]

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "kind": self.kind, "id": self.id, "candidates": [c.as_dict() for c in self.candidates]}


@dataclass
class IntakeResult:
    """What an intake recorded: ids by local key, and likely duplicates to review."""

    incident: str
    acts: list[str] = field(default_factory=list)
    ids: dict[str, str] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)
    roles: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    duplicates: list[DuplicateReport] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "incident": self.incident,
            "acts": list(self.acts),
            "ids": dict(self.ids),
            "codes": dict(self.codes),
            "roles": list(self.roles),
            "links": list(self.links),
            "duplicates": [d.as_dict() for d in self.duplicates],
        }


def _list(doc: Mapping[str, Any], name: str) -> list[Any]:
    value = doc.get(name, [])
    if not isinstance(value, list):
        raise InputError(f"{name}: expected a list", field=name)
    return value


def _only(entry: Mapping[str, Any], allowed: Sequence[str], path: str) -> None:
    for k in entry:
        if k not in allowed:
            raise InputError(f"{path}.{k}: unknown field here; allowed: {', '.join(allowed)}", field=f"{path}.{k}")


class _Keys:
    """Local keys of the document: which key names which new or existing record."""

    def __init__(self) -> None:
        self.kind: dict[str, str] = {}
        self.ids: dict[str, str] = {}

    def declare(self, key: Any, kind: str, path: str) -> str:
        if not isinstance(key, str) or not _KEY.fullmatch(key):
            raise InputError(f"{path}.key: give a local key of 1-40 letters, digits, _ . or -", field=f"{path}.key")
        if key in self.kind:
            raise InputError(f"{path}.key: the key {key!r} is used twice", field=f"{path}.key")
        self.kind[key] = kind
        return key

    def ref(self, session: Any, value: Any, kind: str, path: str) -> str:
        """The id of a record named by a local key of ``kind`` or by an existing id/code."""
        if isinstance(value, str) and value in self.kind:
            if self.kind[value] != kind:
                raise InputError(f"{path}: {value!r} is the key of a {self.kind[value]}, not of a {kind}", field=path)
            return self.ids[value]
        try:
            k, rid = service.resolve(session, value, path)
        except (NotFound, InputError):
            raise InputError(f"{path}: {value!r} is neither a {kind} key of this document nor an existing {kind}", field=path) from None
        if k != kind:
            raise InputError(f"{path}: {value!r} is a {k}, not a {kind}", field=path)
        return rid


def _names(entry: Mapping[str, Any], path: str) -> list[Any]:
    value = entry.get("names", [])
    if not isinstance(value, list):
        raise InputError(f"{path}.names: expected a list of names", field=f"{path}.names")
    return value


def _name_pairs(names: Sequence[Any], primary: str | None = None) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = [(primary, None)] if primary else []
    for n in names:
        if isinstance(n, Mapping) and isinstance(n.get("name"), str):
            out.append((n["name"], n.get("lang") if isinstance(n.get("lang"), str) else None))
    return out


def _first_role(entry: Mapping[str, Any], key: str, acts: Sequence[Any]) -> str | None:
    roles = entry.get("roles") or []
    if isinstance(roles, list) and roles and isinstance(roles[0], Mapping) and isinstance(roles[0].get("role"), str):
        return str(roles[0]["role"])
    for a in acts:
        if not isinstance(a, Mapping):
            continue
        if any(isinstance(v, Mapping) and v.get("person") == key for v in a.get("victims") or []):
            return "victim"
        if any(isinstance(v, Mapping) and v.get("person") == key for v in a.get("perpetrators") or []):
            return "suspect"
    return None


def intake_incident(txn: Txn, doc: IntakeIn | Mapping[str, Any], *, check_duplicates: bool = True, threshold: float = 75.0) -> IntakeResult:
    """Record an incident with its acts, persons in roles, places, units and evidence links,
    all in ``txn``; returns the ids and the likely duplicates of the new persons and places."""
    session = txn.session
    doc = require_mapping(doc, "")
    _only(doc, _TOP, "intake")
    if "incident" not in doc:
        raise InputError("incident: the document must describe the incident", field="incident")
    keys = _Keys()
    place_list, unit_list, person_list = _list(doc, "places"), _list(doc, "units"), _list(doc, "persons")
    act_list, evidence_list = _list(doc, "acts"), _list(doc, "evidence")
    for kind, items, name in (("place", place_list, "places"), ("unit", unit_list, "units"), ("person", person_list, "persons")):
        for i, e in enumerate(items):
            keys.declare(require_mapping(e, f"{name}[{i}]").get("key"), kind, f"{name}[{i}]")

    # Existing records first, so that a bad reference fails before anything is written.
    for kind, items, name in (("place", place_list, "places"), ("unit", unit_list, "units"), ("person", person_list, "persons")):
        for i, e in enumerate(items):
            if "existing" in e:
                fields = sorted(set(e) - {"key", "existing", "roles"})
                if fields:
                    where = f"{name}[{i}].{fields[0]}"
                    raise InputError(f"{where}: an existing {kind} is only referred to here; correct the {kind} itself to change it", field=where)
                keys.ids[e["key"]] = keys.ref(session, e["existing"], kind, f"{name}[{i}].existing")
    case_ref = None
    if doc.get("case") is not None:
        case_ref = keys.ref(session, doc["case"], "case", "case")

    duplicates: list[tuple[str, str, list[DuplicateCandidate]]] = []
    if check_duplicates:
        for i, e in enumerate(place_list):
            if "existing" not in e:
                pairs = _name_pairs(_names(e, f"places[{i}]"), e.get("name") if isinstance(e.get("name"), str) else None)
                found = place_candidates(session, pairs, lat=e.get("lat"), lon=e.get("lon"), katotth=e.get("katotth"), threshold=threshold)
                if found:
                    duplicates.append((e["key"], "place", found))
        for i, e in enumerate(person_list):
            if "existing" not in e:
                pairs = _name_pairs(_names(e, f"persons[{i}]"))
                found = person_candidates(session, pairs, threshold=threshold) if pairs else []
                if found:
                    duplicates.append((e["key"], "person", found))

    result = IntakeResult(incident="")
    for i, e in enumerate(place_list):
        if "existing" not in e:
            data = {k: v for k, v in e.items() if k not in ("key", "names")}
            pid = places.create_place(txn, data, _names(e, f"places[{i}]"), path=f"places[{i}]")
            keys.ids[e["key"]] = pid
    for i, e in enumerate(unit_list):
        if "existing" not in e:
            data = {k: v for k, v in e.items() if k not in ("key", "names")}
            keys.ids[e["key"]] = units.create_unit(txn, data, _names(e, f"units[{i}]"), path=f"units[{i}]")

    inc_doc = dict(require_mapping(doc["incident"], "incident"))
    if inc_doc.get("place_id") is not None:
        inc_doc["place_id"] = keys.ref(session, inc_doc["place_id"], "place", "incident.place_id")
    incident_id = incidents.create_incident(txn, inc_doc, path="incident")
    result.incident = incident_id
    incident_ref = f"incident:{incident_id}"
    if case_ref is not None:
        result.links.append(cases.link_incident(txn, case_ref, incident_id))
    for i, prc in enumerate(_list(doc, "proceedings")):
        result.links.append(links.link(txn, "incident_proceeding", incident_ref, prc, path=f"proceedings[{i}]"))

    for i, e in enumerate(person_list):
        path = f"persons[{i}]"
        _only(e, ("key", "existing", "code", "sex", "age_min", "age_max", "status", "sensitivity", "names", "roles"), path)
        if "existing" not in e:
            data = {k: v for k, v in e.items() if k in ("sex", "age_min", "age_max", "status", "sensitivity")}
            pid, code = persons.create_person(
                txn, data, _names(e, path), code=e.get("code"), first_role=_first_role(e, e["key"], act_list), path=path
            )
            keys.ids[e["key"]] = pid
            result.codes[e["key"]] = code
        roles = e.get("roles", [])
        if not isinstance(roles, list):
            raise InputError(f"{path}.roles: expected a list of roles", field=f"{path}.roles")
        for j, r in enumerate(roles):
            rp = f"{path}.roles[{j}]"
            r = require_mapping(r, rp)
            _only(r, _ROLE_KEYS, rp)
            where = r.get("context", "incident")
            if where not in ("incident", "case"):
                raise InputError(f"{rp}.context: give incident or case", field=f"{rp}.context")
            if where == "case" and case_ref is None:
                raise InputError(f"{rp}.context: the document names no case", field=f"{rp}.context")
            context = incident_ref if where == "incident" else f"case:{case_ref}"
            attrs = {k: v for k, v in r.items() if k not in ("role", "context")}
            if attrs.get("unit_id") is not None:
                attrs["unit_id"] = keys.ref(session, attrs["unit_id"], "unit", f"{rp}.unit_id")
            result.roles.append(persons.add_role(txn, keys.ids[e["key"]], r.get("role"), context, attrs, path=rp))  # type: ignore[arg-type]

    for i, a in enumerate(act_list):
        path = f"acts[{i}]"
        a = dict(require_mapping(a, path))
        victims, perps = a.pop("victims", []), a.pop("perpetrators", [])
        if "incident_id" in a:
            raise InputError(f"{path}.incident_id: acts of an intake belong to its incident", field=f"{path}.incident_id")
        if a.get("place_id") is not None:
            a["place_id"] = keys.ref(session, a["place_id"], "place", f"{path}.place_id")
        act_id = incidents.create_act(txn, {**a, "incident_id": incident_id}, path=path)
        result.acts.append(act_id)
        if not isinstance(victims, list) or not isinstance(perps, list):
            raise InputError(f"{path}: victims and perpetrators are lists", field=path)
        for j, v in enumerate(victims):
            vp = f"{path}.victims[{j}]"
            v = require_mapping(v, vp)
            _only(v, _VICTIM_KEYS, vp)
            pid = keys.ref(session, v.get("person"), "person", f"{vp}.person")
            extra = {k: v[k] for k in ("harms", "combatant_status", "certainty") if k in v}
            result.roles.append(incidents.add_victim(txn, act_id, pid, subtype=v.get("subtype", "direct"), path=vp, **extra))
        for j, p in enumerate(perps):
            pp = f"{path}.perpetrators[{j}]"
            p = require_mapping(p, pp)
            _only(p, _PERP_KEYS, pp)
            person_id = keys.ref(session, p["person"], "person", f"{pp}.person") if p.get("person") is not None else None
            unit_id = keys.ref(session, p["unit"], "unit", f"{pp}.unit") if p.get("unit") is not None else None
            made = incidents.add_perpetrator(
                txn, act_id, person_id=person_id, unit_id=unit_id, involvement=p.get("involvement", "unknown"),
                certainty=p.get("certainty"), rank=p.get("rank"), position=p.get("position"), path=pp,
            )  # fmt: skip
            (result.roles if made.startswith("ROLE-") else result.links).append(made)

    for i, ev in enumerate(evidence_list):
        path = f"evidence[{i}]"
        ev = require_mapping(ev, path)
        _only(ev, _EVIDENCE_KEYS, path)
        target = ev.get("record", "incident")
        if target == "incident":
            record = incident_ref
        elif isinstance(target, str) and (m := re.fullmatch(r"acts\[(\d+)\]", target)) and int(m.group(1)) < len(result.acts):
            record = f"act:{result.acts[int(m.group(1))]}"
        elif isinstance(target, str) and target in keys.kind:
            record = f"{keys.kind[target]}:{keys.ids[target]}"
        else:
            raise InputError(f"{path}.record: give incident, acts[<i>] or a key of this document, not {target!r}", field=f"{path}.record")
        attrs = {k: ev[k] for k in ("role", "page_from", "page_to", "time_from", "time_to", "note") if k in ev}
        evidence_id = ev.get("evidence")
        if isinstance(evidence_id, str) and evidence_id.startswith("evidence:"):
            evidence_id = evidence_id[len("evidence:") :]
        if not isinstance(evidence_id, str) or not service.exists(session, "evidence", evidence_id):
            raise InputError(f"{path}.evidence: there is no evidence item {evidence_id!r}", field=f"{path}.evidence")
        result.links.append(links.link(txn, "evidence", record, f"evidence:{evidence_id}", attrs, path=path))

    result.ids = dict(keys.ids)
    result.duplicates = [DuplicateReport(k, kind, keys.ids[k], found) for k, kind, found in duplicates]
    return result
