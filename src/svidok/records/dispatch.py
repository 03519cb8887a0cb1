"""Create a record of any kind from one JSON document, or show one with everything around it.

One entry point per operation for the skins that handle every kind alike (the CLI's ``svidok
record create``, the REST API, bulk import): the document holds the kind's fields plus, where
the kind has them, ``id`` (a caller's id; for a case, its reference), ``names`` (persons,
places, units) and, for persons, ``code`` and ``first_role``. Each kind's own service does the
work (``create_person``, ``create_place``, ...).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from svidok.errors import InputError
from svidok.records import cases, claims, incidents, interviews, legal, links, naming, persons, places, service, units, verification
from svidok.records.fields import require_mapping
from svidok.records.kinds import get_kind

if TYPE_CHECKING:
    from svidok.workspace import Txn

__all__ = ["create_record", "record_detail"]


def _split(doc: Mapping[str, Any], extras: tuple[str, ...], path: str) -> tuple[dict[str, Any], dict[str, Any]]:
    data = dict(require_mapping(doc, path))
    return {k: v for k, v in data.items() if k not in extras}, {k: data[k] for k in extras if k in data}


def create_record(txn: Txn, kind: str, doc: Mapping[str, Any], *, path: str = "") -> str:
    """Create one record of ``kind`` from ``doc``; returns its id (a case: its reference)."""
    k = get_kind(kind)
    if k.name == "case":
        data, extra = _split(doc, ("id",), path)
        if "id" not in extra:
            raise InputError(f"{path + '.' if path else ''}id: a case needs its reference as id", field=f"{path + '.' if path else ''}id")
        return cases.create_case(txn, extra["id"], data, path=path)
    if k.name == "person":
        data, extra = _split(doc, ("id", "names", "code", "first_role"), path)
        pid, _ = persons.create_person(
            txn, data, extra.get("names", []), code=extra.get("code"), first_role=extra.get("first_role"), id=extra.get("id"), path=path
        )
        return pid
    if k.name in ("place", "unit"):
        data, extra = _split(doc, ("id", "names"), path)
        make = places.create_place if k.name == "place" else units.create_unit
        return make(txn, data, extra.get("names", []), id=extra.get("id"), path=path)
    data, extra = _split(doc, ("id",), path)
    special = {
        "qualification": legal.create_qualification,
        "verification": verification.create_verification,
        "interview": interviews.create_interview,
        "claim": claims.create_claim,
        "source": claims.create_source,
        "incident": incidents.create_incident,
        "act": incidents.create_act,
        "proceeding": cases.create_proceeding,
        "unit_presence": units.create_presence,
    }
    make_one = special.get(k.name)
    if make_one is not None:
        return make_one(txn, data, id=extra.get("id"), path=path)
    return service.create(txn, k.name, data, id=extra.get("id"), path=path)


def record_detail(session: Session, token: str, *, show_names: bool = False) -> dict[str, Any]:
    """A record with its names, links, roles, acts, element checklist and proceedings, as
    JSON-ready data. Identifying names of persons are withheld unless ``show_names``."""
    rec = service.get(session, token)
    out: dict[str, Any] = {"record": rec.as_dict()}
    if get_kind(rec.kind).names:
        names = []
        for n in naming.names_of(session, rec.ref):
            d = n.as_dict()
            if n.is_identifying and not show_names:
                d["name"] = "[identifying name withheld]"
            names.append(d)
        out["names"] = names
    out["links"] = [lk.as_dict() for lk in links.links_of(session, rec.ref)]
    if rec.kind == "person":
        out["roles"] = [r.as_dict() for r in persons.roles_of(session, rec.id)]
        out["interviews"] = interviews.interview_history(session, rec.id)
    if rec.kind in ("case", "incident", "act", "interview"):
        out["people"] = [r.as_dict() for r in persons.roles_in(session, rec.ref)]
    if rec.kind == "incident":
        out["acts"] = [a.as_dict() for a in incidents.acts_of(session, rec.id)]
    if rec.kind == "case":
        out["incidents"] = cases.case_incidents(session, rec.id)
        from svidok.evidence.queries import list_items

        out["evidence_items"] = [item["id"] for item in list_items(session, rec.id)]
    if rec.kind == "qualification":
        out["elements"] = [e.as_dict() for e in legal.elements(session, rec.id)]
    if rec.kind == "claim":
        out["corroboration"] = claims.corroboration(session, rec.id)
    return out
