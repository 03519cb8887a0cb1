"""Relational export of a case: its records, links and element assessments, as they stand now.

What belongs to a case (standards.md section 10.2; the case graph of :mod:`svidok.records`):

1. the case, its incidents (``case_incident`` links) and their acts, the proceedings linked to
   the case or its incidents, the interviews of the case;
2. the roles whose context is any of those, claims about any record in the export (and the
   claims, verifications and qualifications whose subject or target is in it, evidence items of
   the case included), the presences of its units;
3. the records at the other end of a link of any of those (one step: a related incident of
   another case comes along, not that case's whole graph);
4. every record referred to by a field of a record in the export, transitively (persons of
   roles, places and their parents, units and their parents, sources of claims...), so that
   the export imports into an empty workspace with no dangling reference.

Links between exported records and links to evidence items are kept (uwazi#5404), with their
ids and attributes. Identifying names of persons are left out unless asked for; the export is
recorded in the ledger (``case.exported``: what left, in which format, whether identifying
names were included), as anything that leaves the locker is.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from svidok.db.schema import evidence_item, record_link
from svidok.errors import InputError
from svidok.io import bundle as bundle_format
from svidok.ledger.entry import utc_now
from svidok.records import jsontext, legal, naming, service
from svidok.records.ids import EVIDENCE
from svidok.records.kinds import Kind, get_kind

if TYPE_CHECKING:
    from svidok.workspace import Workspace

__all__ = ["collect_case", "export_case", "record_row"]

_ACTIVE = "active"


def record_row(session: Session, rec: service.Record, *, identifying_names: bool) -> dict[str, Any]:
    """The import row of a record: id, fields as entered (EDTF as written), a person's code,
    a case's service-set fields, and the active names of persons, places and units."""
    kind = get_kind(rec.kind)
    row: dict[str, Any] = {"id": rec.id}
    for f in kind.fields:
        if f.system and not (kind.name == "case" or f.name == "code"):
            continue
        value = rec.fields.get(f.name)
        if value is not None:
            row[f.name] = value
    if kind.name in naming.NAMED_KINDS:
        names = []
        for n in naming.names_of(session, rec.ref):
            if n.is_identifying and not identifying_names:
                continue
            d: dict[str, Any] = {"name": n.name, "scheme": n.scheme, "name_type": n.name_type}
            if n.lang is not None:
                d["lang"] = n.lang
            if n.is_identifying is not None:
                d["is_identifying"] = n.is_identifying
            names.append(d)
        if names:
            row["names"] = names
    return row


def _links_touching(session: Session, refs: Iterable[str]) -> list[Any]:
    refs = sorted(set(refs))
    out: dict[str, Any] = {}
    for i in range(0, len(refs), 500):
        part = refs[i : i + 500]
        q = sa.select(record_link).where(record_link.c.status == _ACTIVE, sa.or_(record_link.c.source.in_(part), record_link.c.target.in_(part)))
        for row in session.execute(q).mappings():
            out[row["id"]] = row
    return sorted(out.values(), key=lambda r: (r["created_idx"], r["id"]))


def _rows_where(session: Session, kind_name: str, column: str, values: Iterable[str]) -> list[service.Record]:
    kind = get_kind(kind_name)
    values = sorted(set(values))
    out = []
    for i in range(0, len(values), 500):
        rows = session.execute(sa.select(kind.table).where(kind.table.c[column].in_(values[i : i + 500]))).mappings()
        out += [service.record_of(kind_name, r) for r in rows]
    return out


def _references(kind: Kind, rec: service.Record) -> list[str]:
    out = []
    for f in kind.fields:
        v = rec.fields.get(f.name)
        if v is None:
            continue
        if f.type == "ref":
            out.append(f"{f.kinds[0]}:{v}")
        elif f.type == "refs":
            out += [f"{f.kinds[0]}:{x}" for x in v]
        elif f.type == "anyref":
            out.append(v)
    return [r for r in out if not r.startswith(EVIDENCE + ":")]


def collect_case(session: Session, case: str, *, identifying_names: bool = False) -> dict[str, Any]:
    """The export of ``case`` (see the module docstring) as the JSON of :mod:`svidok.io.bundle`."""
    kind_name, case_id = service.resolve(session, case, "case")
    if kind_name != "case":
        raise InputError(f"case: {case!r} is a {kind_name}, not a case", field="case")
    found: dict[str, service.Record] = {}

    def add(recs: Iterable[service.Record]) -> None:
        for r in recs:
            found.setdefault(r.ref, r)

    def refs_of(kind: str) -> list[str]:
        return [r.split(":", 1)[1] for r in found if r.startswith(kind + ":")]

    add([service.get(session, f"case:{case_id}")])
    case_links = _links_touching(session, [f"case:{case_id}"])
    targets = [lk["target"] for lk in case_links if lk["source"] == f"case:{case_id}" and lk["link_type"] in ("case_incident", "case_proceeding")]
    add(service.get(session, t) for t in targets)
    add(_rows_where(session, "act", "incident_id", refs_of("incident")))
    add(_rows_where(session, "interview", "case_id", [case_id]))
    items = [r.id for r in session.execute(sa.select(evidence_item.c.id).where(evidence_item.c.case_ref == case_id))]
    core = set(found) | {f"{EVIDENCE}:{i}" for i in items}
    add(_rows_where(session, "person_role", "context", core))
    add(_rows_where(session, "claim", "subject", core))
    for kind_name in ("verification", "qualification"):
        add(_rows_where(session, kind_name, "target", set(found) | core))

    neighbours = set()
    for lk in _links_touching(session, found):
        for end in (lk["source"], lk["target"]):
            if end not in found and not end.startswith(EVIDENCE + ":"):
                neighbours.add(end)
    add(service.get(session, ref) for ref in sorted(neighbours))
    units = set(refs_of("unit")) | {r.fields["unit_id"] for r in found.values() if r.kind == "person_role" and r.fields.get("unit_id")}
    add(_rows_where(session, "unit_presence", "unit_id", units))

    pending = list(found.values())
    while pending:
        rec = pending.pop()
        for ref in _references(get_kind(rec.kind), rec):
            if ref not in found:
                other = service.get(session, ref)
                found[ref] = other
                pending.append(other)

    ordered = sorted(found.values(), key=lambda r: (r.created_idx, r.ref))
    records: dict[str, list[dict[str, Any]]] = {}
    for r in ordered:  # kinds in the order their first record was created
        records.setdefault(r.kind, []).append(record_row(session, r, identifying_names=identifying_names))

    link_rows, evidence_ids = [], set(items)
    for lk in _links_touching(session, found):
        src_in, dst_in = lk["source"] in found, lk["target"] in found
        to_evidence = lk["target"].startswith(EVIDENCE + ":")
        if (src_in and dst_in) or (src_in and to_evidence):
            link_rows.append({"id": lk["id"], "link_type": lk["link_type"], "source": lk["source"], "target": lk["target"],
                              "attrs": jsontext.load(lk["attrs"]) or {}})
            if to_evidence:
                evidence_ids.add(lk["target"].split(":", 1)[1])

    elements = []
    for q in (r for r in ordered if r.kind == "qualification"):
        for e in legal.elements(session, q.id):
            if e.status != "unassessed" or e.claims or e.note:
                el: dict[str, Any] = {"qualification": q.id, "element": e.element, "status": e.status, "claims": e.claims}
                if e.note is not None:
                    el["note"] = e.note
                elements.append(el)

    evidence = [
        {"id": r.id, "case": r.case_ref, "digest": r.digest, "size": int(r.size)}
        for r in session.execute(sa.select(evidence_item).where(evidence_item.c.id.in_(sorted(evidence_ids))).order_by(evidence_item.c.created_index))
    ] if evidence_ids else []  # fmt: skip
    return {
        "format": bundle_format.FORMAT,
        "version": bundle_format.VERSION,
        "case": case_id,
        "identifying_names": identifying_names,
        "records": records,
        "links": link_rows,
        "elements": elements,
        "evidence": evidence,
    }


def export_case(ws: Workspace, case: str, folder: Any, *, fmt: str = "json", identifying_names: bool = False, actor: str | None = None) -> dict[str, Any]:
    """Write the export of ``case`` into ``folder`` (``json``: ``case.json``; ``csv``: one file
    per record type and a manifest), record the export in the ledger, and return a summary."""
    from pathlib import Path

    if fmt not in ("json", "csv"):
        raise InputError(f"format: {fmt!r}; give json or csv", field="format")
    folder = Path(folder)
    clash = folder / (bundle_format.JSON_NAME if fmt == "json" else bundle_format.MANIFEST)
    if clash.exists():
        raise InputError(f"out: {clash} already exists; choose an empty folder", field="out")
    with ws.db.read() as s:
        data = collect_case(s, case, identifying_names=identifying_names)
        size = ws.ledger.head(s).size
    data = {**{k: data[k] for k in ("format", "version", "case")}, "exported_at": utc_now(), "origin": ws.origin,
            "ledger_size": size, **{k: v for k, v in data.items() if k not in ("format", "version", "case")}}  # fmt: skip
    counts = {k: len(v) for k, v in data["records"].items()}
    written = [bundle_format.write_json(data, folder)] if fmt == "json" else bundle_format.write_csv(data, folder)
    try:
        with ws.transaction(actor=actor) as txn:
            txn.append(
                "case.exported",
                {"case": data["case"], "format": fmt, "destination": str(folder.resolve()), "records": counts, "links": len(data["links"]),
                 "identifying_names": identifying_names, "ledger_size": size},
                subjects=[f"case:{data['case']}"],
            )
    except BaseException:  # an export the ledger does not know of must not stay behind
        for p in written:
            p.unlink(missing_ok=True)
        raise
    return {"case": data["case"], "format": fmt, "files": [str(p) for p in written], "records": counts,
            "links": len(data["links"]), "elements": len(data["elements"]), "evidence": len(data["evidence"])}
