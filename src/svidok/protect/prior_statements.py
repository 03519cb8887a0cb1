"""Who has already interviewed a person, and when: shown before a new interview is recorded.

Over-documentation re-traumatises survivors: the Murad Code (2022), principle 3 ("do not
interview a survivor who has already told their story unless it is necessary") and the
Eurojust/ICC guidelines for civil society organisations (2022) ask that interviewers first
check what the person has already said, to whom and when. :func:`check` gives that history -
the interviews recorded here and the statements the person declared giving elsewhere - only
to users allowed to see the person (``interviews.prior`` on ``person:<id>``), and records the
look-up as an audited view. Interviews in cases the user is not a member of are counted and
dated, without their case, interviewers or content.

:func:`require_checked` is the gate for recording a new interview: the caller must have seen
the history (acknowledged it) when the person was interviewed before.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from svidok.db.schema import interview, person
from svidok.errors import InputError
from svidok.protect.consent import person_by_code
from svidok.protect.roles import Action, Principal

if TYPE_CHECKING:
    from svidok.workspace import Workspace

__all__ = ["PriorHistory", "check", "require_checked"]


@dataclass(frozen=True)
class PriorHistory:
    """The interview history of one person as one user may see it."""

    code: str
    interviews: list[dict[str, Any]] = field(default_factory=list)
    elsewhere: list[dict[str, Any]] = field(default_factory=list)
    declared: list[dict[str, Any]] = field(default_factory=list)
    audit_index: int | None = None

    @property
    def total(self) -> int:
        """Interviews recorded here, visible or not, plus statements declared elsewhere."""
        return len(self.interviews) + len(self.elsewhere) + len(self.declared)

    def as_dict(self) -> dict[str, Any]:
        return {"person": self.code, "interviews": self.interviews, "in_other_cases": self.elsewhere,
                "declared_prior_statements": self.declared, "total": self.total}  # fmt: skip


def _codes(session: Any, ids: list[str]) -> list[str]:
    if not ids:
        return []
    found = dict(session.execute(sa.select(person.c.id, person.c.code).where(person.c.id.in_(ids))).all())
    return [found.get(i, i) for i in ids]


def check(ws: Workspace, principal: Principal, person_code: str, *, purpose: str = "prior-statement check before an interview") -> PriorHistory:
    """The person's interview history (see the module docstring); the look-up is audited."""
    from svidok.protect.access import authorize, require
    from svidok.protect.audit import view

    with ws.db.read() as s:
        person_id, code = person_by_code(s, person_code)
        require(s, principal, Action.PRIOR_STATEMENTS, f"person:{person_id}", shown_as=person_code)
        rows = s.execute(sa.select(interview).where(interview.c.interviewee_id == person_id).order_by(interview.c.created_idx)).mappings().all()
        mine, other, declared = [], [], []
        for r in rows:
            d, _t = authorize(s, principal, Action.READ_RECORDS, f"interview:{r['id']}")
            if d.ok:
                mine.append({
                    "id": r["id"], "case": r["case_id"], "type": r["interview_type"], "date": r["date"],
                    "recorded_at": r["created_at"], "recorded_by": r["created_by"],
                    "interviewers": _codes(s, json.loads(r["interviewer_ids"]) if r["interviewer_ids"] else []),
                    "sgbv": bool(r["sgbv"]),
                })  # fmt: skip
                for st in json.loads(r["prior_statements"]) if r["prior_statements"] else []:
                    declared.append({**st, "declared_in": r["id"]})
            else:
                other.append({"date": r["date"], "recorded_at": r["created_at"][:10]})
    idx = view(ws, principal, "interviews.prior", f"person:{person_id}", purpose, person_code=code)
    return PriorHistory(code, mine, other, declared, idx)


def require_checked(history: PriorHistory, acknowledged: bool) -> None:
    """Refuse to go on when the person was interviewed before and the interviewer has not
    acknowledged the history (InputError listing when, never the content)."""
    if history.total and not acknowledged:
        when = sorted({str(i.get("date") or i.get("recorded_at")) for i in history.interviews + history.elsewhere}
                      | {str(d.get("date", "date unknown")) + " (to " + str(d.get("to")) + ")" for d in history.declared})  # fmt: skip
        raise InputError(
            f"{history.code} has been interviewed or gave statements before ({history.total}: {', '.join(when)}); "
            "read the history and confirm that another interview is necessary (acknowledge_prior_statements)",
            field="acknowledge_prior_statements",
        )
