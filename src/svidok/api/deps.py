"""Request dependencies: the workspace and the acting principal.

Every endpoint except ``GET /api/v1/health`` and ``POST /api/v1/auth/login`` goes through the
one dependency :func:`principal`. Authentication has already happened
(:class:`svidok.api.auth.AuthMiddleware`: bearer token or session cookie, else 401);
:func:`principal` authorises the request - role x token scope x case compartment x
sensitivity - with the rule of its operation (:mod:`svidok.api.policy`; an operation without a
rule is refused), records an audited view of restricted material before the handler runs, and
returns the actor the handler writes ledger entries as (``user:<name>``). Handlers that need
the principal itself (to filter listings, or for the protection services) take
:data:`CurrentPrincipal`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from svidok.protect.roles import Principal
from svidok.workspace import Workspace

__all__ = ["CurrentPrincipal", "PrincipalDep", "WorkspaceDep", "current_principal", "get_workspace", "principal"]


def get_workspace(request: Request) -> Workspace:
    """The workspace the app was created for (:func:`svidok.api.app.create_app`)."""
    ws: Workspace = request.app.state.workspace
    return ws


WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]


async def principal(request: Request, ws: WorkspaceDep) -> str:
    """Authorise the request (see the module docstring); the actor of its ledger entries."""
    from svidok.api.policy import authorize_request

    p = await authorize_request(request, ws)
    return p.actor


PrincipalDep = Annotated[str, Depends(principal)]


def current_principal(request: Request, _actor: PrincipalDep) -> Principal:
    """The authorised principal of the request (after :func:`principal`)."""
    p: Principal = request.state.principal
    return p


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
