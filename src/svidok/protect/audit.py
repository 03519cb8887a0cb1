"""The audit of reads: every view of vault data or restricted material is a ledger entry.

ISO/IEC 27037:2012 section 5.4 (every access to potential digital evidence documented) and
the Murad Code principle 6 (the survivor may learn who saw what): an ``access.viewed`` entry
says *who* (the entry's actor), *what* (the target and, for the vault, the fields), *when*
(the entry's time) and *why* (the purpose the user gave). The entry is committed before
anything is shown; if it cannot be written, nothing is shown. Entries are indexed under the
target, the person (``person:<id>``) and the user (``user:<name>``) subjects.

``svidok audit [--user U] [--person CODE]`` lists them (:func:`query`), for administrators.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from svidok.db.schema import access_log
from svidok.errors import InputError
from svidok.protect.roles import Action, Principal

if TYPE_CHECKING:
    from svidok.workspace import Txn, Workspace

__all__ = ["check_purpose", "query", "record_view", "view"]

MIN_PURPOSE = 5
MAX_PURPOSE = 500


def check_purpose(purpose: object) -> str:
    """A purpose as users must give it: 5-500 characters saying why (no names)."""
    if not isinstance(purpose, str) or len(purpose.strip()) < MIN_PURPOSE:
        raise InputError(f"purpose: say why you need to see this ({MIN_PURPOSE}-{MAX_PURPOSE} characters, e.g. 'summons for the hearing of 12 May')", field="purpose")
    if len(purpose) > MAX_PURPOSE:
        raise InputError(f"purpose: at most {MAX_PURPOSE} characters", field="purpose")
    return " ".join(purpose.split())


def record_view(
    txn: Txn,
    principal: Principal,
    action: str,
    target: str,
    purpose: str,
    *,
    person_code: str | None = None,
    fields: Sequence[str] | None = None,
) -> int:
    """Record one view in the caller's transaction (``access.viewed``); returns its index."""
    payload: dict[str, Any] = {"action": action, "target": target, "purpose": check_purpose(purpose)}
    if person_code:
        payload["person_code"] = person_code
    if fields:
        payload["fields"] = sorted(fields)
    subjects = [target, principal.subject]
    return txn.record("access.viewed", payload, subjects=subjects).index


def view(ws: Workspace, principal: Principal, action: str, target: str, purpose: str, *, person_code: str | None = None) -> int:
    """Record one view in its own committed transaction (call before showing anything)."""
    with ws.transaction(principal.actor) as txn:
        return record_view(txn, principal, action, target, purpose, person_code=person_code)


def query(
    session: Session,
    principal: Principal,
    *,
    user: str | None = None,
    person_code: str | None = None,
    target: str | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """Audited views, newest first, filtered by user, person code or target (``audit.read``)."""
    from svidok.protect.access import require_action

    require_action(principal, Action.READ_AUDIT)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 10000:
        raise InputError("limit: give 1-10000", field="limit")
    t = access_log
    q = sa.select(t)
    if user:
        q = q.where(t.c.user_name == user)
    if person_code:
        q = q.where(t.c.person_code == person_code)
    if target:
        q = q.where(t.c.target == target)
    rows = session.execute(q.order_by(t.c.idx.desc()).limit(limit))
    return [
        {"index": r.idx, "user": r.user_name, "action": r.action, "target": r.target, "person": r.person_code,
         "fields": json.loads(r.fields) if r.fields else [], "purpose": r.purpose, "at": r.viewed_at}
        for r in rows
    ]  # fmt: skip
