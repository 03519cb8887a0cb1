"""Request dependencies: the workspace and the acting principal.

AUTHENTICATION: there is none until the protection issue (#5). Every endpoint except
``GET /api/v1/health`` goes through the one dependency :func:`principal`, which for now returns
the workspace's actor (``$SVIDOK_ACTOR`` or ``cli:<login>`` of the process running the server),
so every ledger entry written through the API names that actor. The protection work replaces
:func:`principal` (sessions, MFA, roles x compartments) in this one place; until then, serve the
API on loopback only (``svidok serve`` binds 127.0.0.1 by default).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from svidok.workspace import Workspace

__all__ = ["PrincipalDep", "WorkspaceDep", "get_workspace", "principal"]


def get_workspace(request: Request) -> Workspace:
    """The workspace the app was created for (:func:`svidok.api.app.create_app`)."""
    ws: Workspace = request.app.state.workspace
    return ws


WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]


def principal(ws: WorkspaceDep) -> str:
    """Who is acting: NO AUTHENTICATION until the protection issue (#5); the workspace actor."""
    return ws.actor


PrincipalDep = Annotated[str, Depends(principal)]
