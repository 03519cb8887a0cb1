"""``GET /api/v1/records/{ref}/history``: who did what to a record, when, and why.

The history is read from the ledger (:func:`svidok.records.history.history`): the creation,
each correction with old and new values and the reason (a correction supersedes, never
erases), links made and removed, names, merges and splits, and for cases and evidence items the
entries of the evidence locker. Each item carries its ledger index, provable with
``svidok log prove INDEX``. Identifying names of persons are withheld.
"""

from typing import Annotated, Any, Optional

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel

from svidok.api.deps import WorkspaceDep, principal
from svidok.api.errors import PROBLEM_RESPONSES, located
from svidok.records.history import history

__all__ = ["router"]


class ChangeOut(BaseModel):
    """One field's value before and after a correction."""

    field: str
    old: Any
    new: Any


class HistoryItemOut(BaseModel):
    """One ledger entry in a record's history."""

    index: int
    time: str
    actor: str
    type: str
    summary: str
    reason: Optional[str]
    changes: list[ChangeOut]
    payload: dict[str, Any]


class HistoryOut(BaseModel):
    """The history of one record, oldest entry first."""

    subject: str
    items: list[HistoryItemOut]


router = APIRouter(prefix="/api/v1", dependencies=[Depends(principal)], responses=PROBLEM_RESPONSES, tags=["History"])


@router.get("/records/{ref}/history", response_model=HistoryOut, operation_id="history_of_record", summary="History of any record or evidence item")
def record_history(
    ref: Annotated[str, Path(min_length=1, max_length=100, description="id, <kind>:<id>, pseudonym code, case reference or EV- id")],
    ws: WorkspaceDep,
) -> Any:
    with ws.db.read() as s:
        with located("path", {"id": "ref"}):
            subject, items = history(s, ws.ledger, ref)
    return {"subject": subject, "items": [i.as_dict() for i in items]}
