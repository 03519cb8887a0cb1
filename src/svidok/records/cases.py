"""Cases and the external proceedings they are pursued in.

A case is the internal investigative file (standards.md section 10.2): thematic type, lead team,
armed-conflict context, period, and its incidents. Its id is its case reference, the string
evidence is acquired into (``svidok ingest --case``), so ``case:<ref>`` is the ledger subject of
both. An external proceeding is a register entry elsewhere: an ERDR number (Criminal Procedure
Code of Ukraine art. 214; 17 digits, standards.md section 8.3), an ICC situation, a foreign
universal-jurisdiction case. Proceedings can be merged, split (виділено) or marked duplicate
(дублікат) by correcting their status and relations.

Cases can be merged into another case, split, or marked as a duplicate. Both histories are kept:
the entries stay under both cases' subjects, the absorbed case keeps its links and only changes
status, and the links carried over to the surviving case are new ``record.linked`` entries.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Required, TypedDict

import sqlalchemy as sa
from sqlalchemy.orm import Session

from svidok.db.schema import case_file, proceeding
from svidok.errors import InputError
from svidok.records import links, service
from svidok.records.fields import Field
from svidok.records.kinds import Kind, kind_of_id, register

if TYPE_CHECKING:
    from svidok.workspace import Txn

__all__ = [
    "CaseIn",
    "ProceedingIn",
    "case_incidents",
    "create_case",
    "create_proceeding",
    "link_incident",
    "link_proceeding",
    "mark_duplicate",
    "merge_cases",
    "split_case",
]

_ERDR = re.compile(r"[0-9]{17}")
_CODE_LIKE = re.compile(r"[A-Z]{1,3}-[0-9]{4,}")


def check_case_ref(value: Any, path: str) -> str:
    """A case reference as evidence intake accepts it (1-64 of letters, digits, ``. _ / : -``,
    starting with a letter or digit), that cannot be mistaken for a record id or a code."""
    from svidok.evidence.ids import check_case_ref as evidence_rule

    try:
        ref = evidence_rule(value)
    except InputError:
        raise InputError(
            f"{path}: {value!r} is not a valid case reference: use 1-64 letters, digits or . _ / : - starting with a letter or digit",
            field=path,
        ) from None
    if kind_of_id(ref) is not None or _CODE_LIKE.fullmatch(ref) or ref.startswith("EV-"):
        raise InputError(f"{path}: {ref!r} looks like a record id or pseudonym code; choose another case reference", field=path)
    return ref


def _case_status(values: Mapping[str, Any], path: str) -> None:
    for status, column, command in (("merged", "merged_into", "svidok case merge"), ("duplicate", "duplicate_of", "svidok case mark-duplicate")):
        if (values.get("status") == status) != (values.get(column) is not None):
            raise InputError(f"{path + '.' if path else ''}status: {status!r} is set only by {command}", field=f"{path + '.' if path else ''}status")


CASE = register(
    Kind(
        "case",
        None,
        case_file,
        (
            Field("title", "str", required=True, max_len=300),
            Field("case_type", "code", required=True, vocab="case_types"),
            Field("status", "code", vocab="case_statuses", default="open"),
            Field("lead_team", "str", max_len=200),
            Field("conflict_type", "code", vocab="conflict_types"),
            Field("period", "edtf", help="EDTF period the case covers, e.g. 2022-03/2022-09"),
            Field("summary", "text"),
            Field("sensitivity", "code", vocab="sensitivity", default="internal"),
            Field("merged_into", "ref", kinds=("case",), system=True),
            Field("duplicate_of", "ref", kinds=("case",), system=True),
            Field("split_from", "ref", kinds=("case",), system=True),
        ),
        label="Case",
        checks=(_case_status,),
        title="title",
        id_check=check_case_ref,
    )
)


def _proceeding_rules(values: Mapping[str, Any], path: str) -> None:
    pre = f"{path}." if path else ""
    if values.get("system") == "erdr" and values.get("number") is not None and not _ERDR.fullmatch(values["number"]):
        raise InputError(f"{pre}number: an ERDR proceeding number has 17 digits, not {values['number']!r}", field=f"{pre}number")
    for status, column in (("merged", "merged_into"), ("duplicate", "duplicate_of"), ("split", "split_from")):
        if values.get("status") == status and values.get(column) is None:
            raise InputError(f"{pre}{column}: a proceeding with status {status!r} must name it", field=f"{pre}{column}")


PROCEEDING = register(
    Kind(
        "proceeding",
        "PRC",
        proceeding,
        (
            Field("system", "code", required=True, vocab="proceeding_systems"),
            Field("number", "str", required=True, max_len=64),
            Field("registered", "edtf"),
            Field("body", "str", max_len=300),
            Field("region", "str", max_len=200),
            Field("qualification", "str", max_len=200, help="preliminary qualification as registered, e.g. ч. 1 ст. 438 КК України"),
            Field("status", "code", vocab="proceeding_statuses", default="active"),
            Field("merged_into", "ref", kinds=("proceeding",)),
            Field("split_from", "ref", kinds=("proceeding",)),
            Field("duplicate_of", "ref", kinds=("proceeding",)),
        ),
        label="External proceeding",
        checks=(_proceeding_rules,),
        unique=(("system", "number"),),
        title="number",
    )
)


class CaseIn(TypedDict, total=False):
    """Fields of a new case (see :data:`CASE` for types and vocabularies)."""

    title: Required[str]
    case_type: Required[str]
    status: str
    lead_team: str
    conflict_type: str
    period: str
    summary: str
    sensitivity: str


class ProceedingIn(TypedDict, total=False):
    """Fields of a new external proceeding."""

    system: Required[str]
    number: Required[str]
    registered: str
    body: str
    region: str
    qualification: str
    status: str
    merged_into: str
    split_from: str
    duplicate_of: str


def create_case(txn: Txn, ref: str, data: CaseIn | Mapping[str, Any], *, path: str = "") -> str:
    """Open a case under the reference ``ref``; returns the reference."""
    return service.create(txn, "case", data, id=ref, path=path)


def create_proceeding(txn: Txn, data: ProceedingIn | Mapping[str, Any], *, id: str | None = None, path: str = "") -> str:
    """Record an external proceeding (ERDR, ICC, ...); returns its id."""
    return service.create(txn, "proceeding", data, id=id, path=path)


def link_incident(txn: Txn, case: str, incident: str, *, note: str | None = None) -> str:
    """Put an incident into a case; returns the link id."""
    return links.link(txn, "case_incident", _case_ref(case), incident, {"note": note} if note else None)


def link_proceeding(txn: Txn, record: str, proceeding_id: str) -> str:
    """Link a case or an incident to an external proceeding; returns the link id."""
    kind, _ = service.resolve(txn.session, record)
    link_type = "case_proceeding" if kind == "case" else "incident_proceeding"
    return links.link(txn, link_type, record if ":" in record else f"{kind}:{record}", proceeding_id)


def _case_ref(case: str) -> str:
    return case if case.startswith("case:") else f"case:{case}"


def case_incidents(session: Session, case: str) -> list[str]:
    """Ids of the incidents of a case, oldest link first."""
    return [lk.target.split(":", 1)[1] for lk in links.links_of(session, _case_ref(case), link_type="case_incident", direction="out")]


def _open_case(session: Session, case: str, path: str) -> str:
    kind, cid = service.resolve(session, case, path)
    if kind != "case":
        raise InputError(f"{path}: {case!r} is a {kind}, not a case", field=path)
    status = session.execute(sa.select(case_file.c.status).where(case_file.c.id == cid)).scalar()
    if status in ("merged", "duplicate"):
        raise InputError(f"{path}: case {cid} is already {status}", field=path)
    return cid


def _carry_links(txn: Txn, source_id: str, into_id: str, note: str) -> list[str]:
    """Copy the source case's active links onto the target case (skipping ones it has)."""
    made = []
    src, dst = f"case:{source_id}", f"case:{into_id}"
    have = {(lk.link_type, lk.target) for lk in links.links_of(txn.session, dst, direction="out")}
    for lk in links.links_of(txn.session, src, direction="out"):
        if lk.link_type in ("case_incident", "case_proceeding") and (lk.link_type, lk.target) not in have:
            made.append(links.link(txn, lk.link_type, dst, lk.target, {"note": note}))
            have.add((lk.link_type, lk.target))
    return made


def merge_cases(txn: Txn, case: str, into: str, reason: str) -> list[str]:
    """Merge ``case`` into ``into``: its incidents and proceedings are linked to ``into`` too
    and it takes status ``merged``. Returns the ids of the links carried over."""
    if not isinstance(reason, str) or not reason.strip():
        raise InputError("reason: say why the cases are merged", field="reason")
    src = _open_case(txn.session, case, "case")
    dst = _open_case(txn.session, into, "into")
    if src == dst:
        raise InputError("into: a case cannot be merged into itself", field="into")
    made = _carry_links(txn, src, dst, f"carried over from merged case {src}")
    txn.record("case.merged", {"case": src, "into": dst, "reason": reason.strip(), "links": made}, subjects=[f"case:{src}", f"case:{dst}"])
    return made


def mark_duplicate(txn: Txn, case: str, of: str, reason: str) -> None:
    """Mark ``case`` as a duplicate of ``of`` (nothing is carried over; both histories stay)."""
    if not isinstance(reason, str) or not reason.strip():
        raise InputError("reason: say why the case is a duplicate", field="reason")
    src = _open_case(txn.session, case, "case")
    dst = _open_case(txn.session, of, "of")
    if src == dst:
        raise InputError("of: a case cannot duplicate itself", field="of")
    txn.record("case.duplicate_marked", {"case": src, "into": dst, "reason": reason.strip()}, subjects=[f"case:{src}", f"case:{dst}"])


def split_case(
    txn: Txn, case: str, new_ref: str, data: CaseIn | Mapping[str, Any], incidents: Sequence[str], reason: str
) -> str:
    """Split incidents off ``case`` into a new case ``new_ref`` (which records where it came
    from); the moved incidents are unlinked from the old case. Returns the new reference."""
    if not isinstance(reason, str) or not reason.strip():
        raise InputError("reason: say why the case is split", field="reason")
    src = _open_case(txn.session, case, "case")
    if not incidents:
        raise InputError("incidents: name at least one incident to move to the new case", field="incidents")
    current = {lk.target: lk for lk in links.links_of(txn.session, f"case:{src}", link_type="case_incident", direction="out")}
    moving = []
    for i, inc in enumerate(incidents):
        kind, iid = service.resolve(txn.session, inc, f"incidents[{i}]")
        lk = current.get(f"incident:{iid}")
        if kind != "incident" or lk is None:
            raise InputError(f"incidents[{i}]: {inc} is not an incident of case {src}", field=f"incidents[{i}]")
        moving.append(lk)
    new_id = service.create(txn, "case", data, id=new_ref, system={"split_from": src})
    for lk in moving:
        links.unlink(txn, lk.id, f"split off into case {new_id}: {reason.strip()}")
        links.link(txn, "case_incident", f"case:{new_id}", lk.target, {"note": f"split off case {src}"})
    txn.record(
        "case.split",
        {"case": src, "into": new_id, "incidents": [lk.target for lk in moving], "reason": reason.strip()},
        subjects=[f"case:{src}", f"case:{new_id}"],
    )
    return new_id


def proceedings_of(session: Session, record: str) -> list[str]:
    """Ids of the external proceedings linked to a case or incident."""
    return [lk.target.split(":", 1)[1] for lk in links.links_of(session, record, direction="out") if lk.target.startswith("proceeding:")]
