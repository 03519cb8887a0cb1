"""Interviews and testimony.

standards.md section 10.6: who was interviewed (a person, by pseudonym), by whom, with which
interpreter, in which languages (ISO 639), under which consent, the narrative in the
interviewee's words, and the recordings as linked evidence (``evidence`` links with role
``recording`` or ``transcript``). Prior statements the interviewee already gave (to whom, when,
reference) are recorded so that over-documentation and re-traumatisation can be avoided
(Eurojust/ICC guidelines for civil society, 2022; standards.md section 0.8):
:func:`interview_history` shows them before a new interview is scheduled.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Required, TypedDict

import sqlalchemy as sa
from sqlalchemy.orm import Session

from svidok.db.schema import interview
from svidok.errors import InputError
from svidok.records import service
from svidok.records.edtf import parse_edtf
from svidok.records.fields import Field, require_mapping
from svidok.records.kinds import Kind, register

if TYPE_CHECKING:
    from svidok.workspace import Txn

__all__ = ["InterviewIn", "PriorStatementIn", "create_interview", "interview_history"]


class PriorStatementIn(TypedDict, total=False):
    """A statement given before: to whom, when (EDTF), under which reference (e.g. an ERDR number)."""

    to: Required[str]
    date: str
    reference: str
    note: str


def check_prior_statements(value: Any, path: str) -> list[dict[str, Any]] | None:
    """Validate a list of :class:`PriorStatementIn`."""
    if not isinstance(value, (list, tuple)):
        raise InputError(f'{path}: expected a list like [{{"to": "National Police", "date": "2022-04"}}]', field=path)
    out = []
    limits = {"to": 200, "reference": 100, "note": 1000}
    for i, item in enumerate(value):
        p = f"{path}[{i}]"
        item = require_mapping(item, p)
        entry: dict[str, Any] = {}
        for key, v in item.items():
            if key not in ("to", "date", "reference", "note"):
                raise InputError(f"{p}.{key}: a prior statement has no field {key!r}; its fields are: to, date, reference, note", field=f"{p}.{key}")
            if key == "date":
                entry["date"] = parse_edtf(v, f"{p}.date").text
            elif not isinstance(v, str) or not v.strip() or len(v) > limits[key]:
                raise InputError(f"{p}.{key}: give text of 1-{limits[key]} characters", field=f"{p}.{key}")
            else:
                entry[key] = v.strip()
        if "to" not in entry:
            raise InputError(f"{p}.to: say to whom the statement was given", field=f"{p}.to")
        out.append(entry)
    return out or None


def _people(values: Mapping[str, Any], path: str) -> None:
    pre = f"{path}." if path else ""
    who = values.get("interviewee_id")
    if who in (values.get("interviewer_ids") or []):
        raise InputError(f"{pre}interviewer_ids: the interviewee cannot be one of the interviewers", field=f"{pre}interviewer_ids")
    if who is not None and who == values.get("interpreter_id"):
        raise InputError(f"{pre}interpreter_id: the interviewee cannot be the interpreter", field=f"{pre}interpreter_id")


INTERVIEW = register(
    Kind(
        "interview",
        "INT",
        interview,
        (
            Field("interviewee_id", "ref", required=True, kinds=("person",)),
            Field("interview_type", "code", required=True, vocab="interview_types"),
            Field("case_id", "ref", kinds=("case",)),
            Field("date", "edtf"),
            Field("place_id", "ref", kinds=("place",)),
            Field("mode", "code", vocab="interview_modes"),
            Field("languages", "langs", help="ISO 639 codes of the languages spoken"),
            Field("interviewer_ids", "refs", kinds=("person",)),
            Field("interpreter_id", "ref", kinds=("person",)),
            Field("consent_ref", "str", max_len=200, help="reference of the consent record"),
            Field("prior_statements", "json", check=check_prior_statements),
            Field("narrative", "text"),
            Field("sgbv", "bool", default=False, help="concerns sexual or gender-based violence (stricter handling)"),
            Field("sensitivity", "code", vocab="sensitivity", default="confidential"),
        ),
        label="Interview",
        checks=(_people,),
        title="interview_type",
    )
)


class InterviewIn(TypedDict, total=False):
    """Fields of a new interview."""

    interviewee_id: Required[str]
    interview_type: Required[str]
    case_id: str
    date: str
    place_id: str
    mode: str
    languages: list[str]
    interviewer_ids: list[str]
    interpreter_id: str
    consent_ref: str
    prior_statements: list[PriorStatementIn]
    narrative: str
    sgbv: bool
    sensitivity: str


def create_interview(txn: Txn, data: InterviewIn | Mapping[str, Any], *, id: str | None = None, path: str = "") -> str:
    """Record an interview; returns its id."""
    return service.create(txn, "interview", data, id=id, path=path)


def interview_history(session: Session, person_id: str) -> dict[str, Any]:
    """What a person has already told whom: interviews recorded here and the prior statements
    declared in them. Check this before scheduling another interview."""
    rows = session.execute(sa.select(interview).where(interview.c.interviewee_id == person_id).order_by(interview.c.created_idx)).mappings()
    records = [service.record_of("interview", r) for r in rows]
    declared = []
    for r in records:
        for s in r.fields.get("prior_statements") or []:
            declared.append({**s, "declared_in": r.id})
    return {
        "person": person_id,
        "interviews": [{"id": r.id, "type": r.fields["interview_type"], "date": r.fields["date"]} for r in records],
        "prior_statements": declared,
    }
