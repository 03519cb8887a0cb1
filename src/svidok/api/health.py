"""``GET /api/v1/health``: is the server up and its database reachable. Public (no principal)."""

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from svidok import __version__
from svidok.api.deps import WorkspaceDep

__all__ = ["router"]


class HealthOut(BaseModel):
    """The server's state: ``ok``, its version and how many entries the ledger holds."""

    status: str
    version: str
    ledger_size: int


router = APIRouter(prefix="/api/v1", tags=["Health"])


@router.get("/health", response_model=HealthOut, operation_id="health", summary="Liveness and database check (public)")
def health(ws: WorkspaceDep) -> Any:
    with ws.db.read() as s:
        size = ws.ledger.head(s).size
    return {"status": "ok", "version": __version__, "ledger_size": size}
