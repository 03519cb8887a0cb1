"""Sensitivity levels of records and evidence, and CRSV restriction by default.

Levels follow the case model's vocabulary ``sensitivity`` (public < internal < confidential <
strictly_confidential). Records carry their own level; a label (``sensitivity.set``) can raise
or lower the level of any record or evidence item and flag it as conflict-related sexual
violence (CRSV). Evidence without a label takes the highest level of the records citing it.

CRSV material is restricted *by default* to the specialists named for its case (memberships
with the ``crsv`` clearance), as the Murad Code (2022) and the UN Istanbul Protocol (2022,
ch. IV) ask: it is recognised from the case model - interviews flagged ``sgbv``, incidents and
acts of type ``sexual_violence``, roles with the harm ``sexual_harm`` - with no user action,
and from a label. Every view of strictly confidential or CRSV material is audited
(:mod:`svidok.protect.audit`). Removing a CRSV flag is itself restricted to those specialists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from svidok.errors import InputError
from svidok.protect.roles import LEVELS, Action, Principal

if TYPE_CHECKING:
    from svidok.workspace import Txn

__all__ = ["LEVELS", "effective", "set_label"]


def effective(session: Session, principal: Principal, target: str) -> dict[str, Any]:
    """The effective level and CRSV flag of a target the principal can read."""
    from svidok.protect.access import require

    action = Action.READ_EVIDENCE if target.startswith("evidence:") else Action.READ_RECORDS
    _, t = require(session, principal, action, target)
    return {"target": target, "level": t.level, "crsv": t.crsv, "cases": sorted(t.cases)}


def set_label(txn: Txn, principal: Principal, target: str, level: str, *, reason: str, crsv: bool | None = None) -> int:
    """Label a record or evidence item with a level (and the CRSV flag); returns the index.
    Needs write access to the target (and, when it is CRSV material, the crsv clearance)."""
    from svidok.protect.access import require, target_info

    if level not in LEVELS:
        raise InputError(f"level: {level!r} is not one of {', '.join(LEVELS)}", field="level")
    if not isinstance(reason, str) or not reason.strip():
        raise InputError("reason: say why the sensitivity changes", field="reason")
    action = Action.WRITE_EVIDENCE if target.startswith("evidence:") else Action.WRITE_RECORDS
    require(txn.session, principal, action, target)
    current = target_info(txn.session, target)
    flag = current.crsv if crsv is None else bool(crsv)
    payload = {"target": target, "level": level, "crsv": flag, "reason": reason.strip()}
    return txn.record("sensitivity.set", payload, subjects=[target]).index
