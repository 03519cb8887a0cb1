"""Case compartments: who is a member of which case, granted and revoked through the ledger.

Need to know (Berkeley Protocol 2022, para. 60): a police investigator of one mobile group does
not browse another group's cases. A membership (``member.granted``) names the user, the case
and any clearances (``crsv``: a named specialist for conflict-related sexual violence material
of that case); ``member.revoked`` ends it, with the reason. Both are indexed under the user's
and the case's subjects, so ``svidok history case:REF`` shows who could see the case when.
The user who opened a case (the actor of its ``record.created`` entry) is its first member
without a grant, until a ``member.revoked`` entry ends that too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from svidok.db.schema import case_file, case_member, evidence_item, user_account
from svidok.errors import InputError, NotFound
from svidok.protect.roles import CLEARANCES, Action, Principal

if TYPE_CHECKING:
    from svidok.workspace import Txn

__all__ = ["case_exists", "grant", "members_of", "revoke"]


def case_exists(session: Session, case_ref: str) -> bool:
    """A case exists once it has a case record or evidence acquired into it."""
    if session.execute(sa.select(case_file.c.id).where(case_file.c.id == case_ref)).first() is not None:
        return True
    return session.execute(sa.select(evidence_item.c.id).where(evidence_item.c.case_ref == case_ref).limit(1)).first() is not None


def _user(session: Session, name: str) -> Any:
    row = session.execute(sa.select(user_account).where(user_account.c.name == name)).first()
    if row is None:
        raise NotFound(f"there is no account {name!r}", name=name)
    return row


def grant(txn: Txn, principal: Principal, user: str, case_ref: str, *, clearances: Iterable[str] = (), reason: str | None = None) -> int:
    """Make ``user`` a member of ``case_ref`` (or change their clearances); returns the index."""
    from svidok.protect.access import require_action

    require_action(principal, Action.MANAGE_MEMBERSHIP)
    s = txn.session
    row = _user(s, user)
    if row.status != "active":
        raise InputError(f"user: the account {user!r} is disabled", field="user")
    if not isinstance(case_ref, str) or not case_exists(s, case_ref):
        raise InputError(f"case: there is no case {case_ref!r}", field="case")
    cl = sorted(set(clearances))
    for i, c in enumerate(cl):
        if c not in CLEARANCES:
            raise InputError(f"clearances[{i}]: {c!r} is not a clearance; clearances are: {', '.join(CLEARANCES)}", field=f"clearances[{i}]")
    cur = s.execute(sa.select(case_member).where(case_member.c.user_name == user, case_member.c.case_ref == case_ref)).first()
    if cur is not None and cur.status == "active" and sorted(json.loads(cur.clearances or "[]")) == cl:
        raise InputError(f"{user} is already a member of {case_ref}" + (f" with {', '.join(cl)}" if cl else ""), field="user")
    payload: dict[str, Any] = {"user": user, "case": case_ref, "clearances": cl}
    if reason:
        payload["reason"] = reason.strip()
    return txn.record("member.granted", payload, subjects=[f"user:{user}", f"case:{case_ref}"]).index


def revoke(txn: Txn, principal: Principal, user: str, case_ref: str, *, reason: str) -> int:
    """End a membership; returns the index."""
    from svidok.protect.access import require_action

    require_action(principal, Action.MANAGE_MEMBERSHIP)
    s = txn.session
    _user(s, user)
    cur = s.execute(sa.select(case_member).where(case_member.c.user_name == user, case_member.c.case_ref == case_ref)).first()
    opener = s.execute(sa.select(case_file.c.created_by).where(case_file.c.id == case_ref)).scalar() == f"user:{user}"
    if (cur is None and not opener) or (cur is not None and cur.status != "active"):
        raise InputError(f"{user} is not a member of {case_ref}", field="user")
    if not isinstance(reason, str) or not reason.strip():
        raise InputError("reason: say why the membership ends", field="reason")
    return txn.record("member.revoked", {"user": user, "case": case_ref, "reason": reason.strip()}, subjects=[f"user:{user}", f"case:{case_ref}"]).index


def members_of(session: Session, principal: Principal, case_ref: str) -> list[dict[str, Any]]:
    """Active members of a case: for administrators, and for the case's own members."""
    if not principal.can(Action.MANAGE_MEMBERSHIP) and case_ref not in principal.cases:
        raise NotFound(f"no record is known as 'case:{case_ref}'", target=f"case:{case_ref}")
    rows = session.execute(
        sa.select(case_member, user_account.c.role)
        .join(user_account, user_account.c.name == case_member.c.user_name)
        .where(case_member.c.case_ref == case_ref, case_member.c.status == "active")
        .order_by(case_member.c.user_name)
    )
    out = [{"user": r.user_name, "role": r.role, "clearances": json.loads(r.clearances or "[]"), "since": r.granted_at} for r in rows]
    case = session.execute(sa.select(case_file.c.created_by, case_file.c.created_at).where(case_file.c.id == case_ref)).first()
    if case is not None and case.created_by.startswith("user:"):
        opener = case.created_by[5:]
        listed = session.execute(sa.select(case_member.c.user_name).where(case_member.c.case_ref == case_ref, case_member.c.user_name == opener)).first()
        role = session.execute(sa.select(user_account.c.role).where(user_account.c.name == opener)).scalar()
        if listed is None and role is not None:
            out.append({"user": opener, "role": role, "clearances": [], "since": case.created_at, "opened_the_case": True})
    return sorted(out, key=lambda m: m["user"])
