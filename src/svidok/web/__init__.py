"""The web interface: server-rendered pages (Jinja2) with htmx, in English and Ukrainian, over
the same services as the API and the CLI (ARCHITECTURE.md principle 6).

:func:`install` adds the pages under ``/web/`` to the API app, serves the project's own static
files at ``/web/static/`` and the front-end libraries (htmx, Leaflet, leaflet.markercluster),
installed from the npm registry by ``npm ci`` in ``web/`` at set-up time and never copied into
the repository, at ``/web/lib/`` from ``web/node_modules`` (or ``SVIDOK_WEB_LIB``).
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.responses import RedirectResponse

__all__ = ["install", "library_dir"]


def library_dir() -> Path | None:
    """Where the npm-installed front-end libraries are: ``SVIDOK_WEB_LIB``, else the
    ``web/node_modules`` folder of the source checkout; None if absent (pages then work
    without the map)."""
    env = os.environ.get("SVIDOK_WEB_LIB")
    path = Path(env) if env else Path(__file__).resolve().parents[3] / "web" / "node_modules"
    return path if path.is_dir() else None


def install(app: FastAPI) -> None:
    """Add the web pages and their static files to ``app`` (made by
    :func:`svidok.api.app.create_app`)."""
    from svidok.web.routes import router

    app.include_router(router)
    from svidok.web.records import router as record_router

    app.include_router(record_router)
    from svidok.web import intake, upload

    app.include_router(intake.router)
    app.include_router(upload.router)
    app.mount("/web/static", StaticFiles(directory=Path(__file__).parent / "static"), name="web-static")
    lib = library_dir()
    if lib is not None:
        app.mount("/web/lib", StaticFiles(directory=lib), name="web-lib")

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/web/", status_code=307)
