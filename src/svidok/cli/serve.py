"""``svidok serve``: the REST API (:func:`svidok.api.create_app`) with uvicorn.

Binds 127.0.0.1 by default: put a TLS-terminating reverse proxy in front of it for any other
use. The OpenAPI document is at ``/openapi.json``, interactive documentation at ``/api/docs``::

    svidok serve --port 8000
"""

from __future__ import annotations

from typing import Annotated

import typer

from svidok.cli.common import HomeOpt, console, workspace

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add ``serve`` to the main app."""
    app.command("serve")(serve_cmd)


def serve_cmd(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8000,
    home: HomeOpt = None,
) -> None:
    """Serve the REST API over the workspace (OpenAPI document at /openapi.json)."""
    import uvicorn

    from svidok.api import create_app

    ws = workspace(home)
    console.print(f"serving {ws.home} on http://{host}:{port} (OpenAPI: /openapi.json, docs: /api/docs)", highlight=False)
    uvicorn.run(create_app(ws), host=host, port=port, log_level="info", server_header=False)
