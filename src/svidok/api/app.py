"""The REST API application: ``create_app(ws)`` builds a FastAPI app over one workspace.

A thin skin over the same services as the CLI (ARCHITECTURE.md principle 6). The OpenAPI
document is served at ``/openapi.json`` (interactive documentation at ``/api/docs``). Creating
the app touches no database and no network, so tests make one per workspace cheaply and call it
in-process (Starlette ``TestClient`` or ``httpx.ASGITransport``); ``svidok serve`` runs it with
uvicorn. Authentication: :mod:`svidok.api.auth`; authorisation: :mod:`svidok.api.deps` and
:mod:`svidok.api.policy`.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.openapi.utils import get_openapi

from svidok import __version__
from svidok.api import errors
from svidok.api.models import clean_text
from svidok.errors import InputError
from svidok.workspace import Workspace

__all__ = ["create_app"]

DESCRIPTION = """Evidence locker and case builder for investigators of international crimes.

Every change is an entry of an append-only RFC 6962 Merkle ledger; corrections supersede and
never erase. Bad input is answered 422 with the path of the bad value (`loc`) and the reason.
Sign in with `POST /api/v1/auth/login` (session cookie) or send `Authorization: Bearer <API token>`;
every operation but sign-in and health answers 401 without. Access follows roles x case
compartments: records of cases you are not a member of are answered 404.
"""


def reject_unstorable(request: Request) -> None:
    """Refuse path and query values that hold a NUL character (no database can store or
    compare them), naming the parameter (422)."""
    for where, items in (("path", request.path_params.items()), ("query", request.query_params.multi_items())):
        for name, value in items:
            try:
                clean_text(str(value))
            except ValueError as exc:
                raise InputError(f"{name}: {exc}", field=str(name), location=where) from None


def create_app(ws: Workspace, *, process_uploads: bool = True) -> FastAPI:
    """The API over ``ws``. ``process_uploads`` runs metadata extraction after each upload
    (as ``svidok ingest`` does); switch it off to leave it to ``svidok process``."""
    from svidok.api import evidence, health, history, intake, records

    app = FastAPI(
        title="Svidok",
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
        dependencies=[Depends(reject_unstorable)],
        license_info={"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
    )
    app.state.workspace = ws
    app.state.process_uploads = process_uploads
    errors.install(app)
    from svidok.api import auth

    auth.install(app, ws)  # authentication of every /api/ request; sign-in; protection routes
    app.include_router(health.router)
    app.include_router(records.build_router())
    app.include_router(history.router)
    app.include_router(intake.router)
    app.include_router(evidence.router)
    from svidok import web

    web.install(app)  # the web interface under /web/ (svidok.web)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes,
                                 license_info=app.license_info)
            schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = errors.Problem.model_json_schema()
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
