"""The REST API (FastAPI) over the same services as the CLI: :func:`svidok.api.app.create_app`."""

from svidok.api.app import create_app

__all__ = ["create_app"]
