"""Svidok errors as HTTP responses: bad input is a 4xx naming the field, never a 500.

- :class:`~svidok.errors.InputError` -> ``422`` in FastAPI's validation shape,
  ``{"detail": [{"loc": ["body", "acts", 1, "methods", 0], "msg": ..., "type": ...}]}``, so a
  client handles errors of the request schema and of the services (vocabularies, references,
  cross-field rules) the same way;
- :class:`~svidok.errors.NotFound` -> ``404``, :class:`~svidok.errors.IntegrityError` -> ``409``
  and any other :class:`~svidok.errors.SvidokError` -> ``400`` (``FormatError``) or ``503``
  (``StorageError``, ``TimestampError``, ``ConfigError``: the server's side failed), as
  RFC 9457 problem details (``application/problem+json``).

FastAPI's own request-validation errors are re-shaped to the same ``{loc, msg, type}`` members
(without echoing the rejected input back, which may be sensitive).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy.exc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from svidok.errors import (
    ConfigError,
    FormatError,
    InputError,
    IntegrityError,
    NotFound,
    StorageError,
    SvidokError,
    TimestampError,
)

__all__ = ["PROBLEM_RESPONSES", "Problem", "field_loc", "install", "located"]

log = logging.getLogger(__name__)
PROBLEM_TYPE = "application/problem+json"
_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str


def _problem_content() -> dict[str, Any]:
    return {PROBLEM_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}


#: ``responses=`` of every router: the problem statuses any operation may answer.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"description": "A malformed file or document (RFC 9457 problem)", "content": _problem_content()},
    401: {"description": "Not signed in: no valid session or API token (RFC 9457 problem)", "content": _problem_content()},
    403: {"description": "The role, token scope or sensitivity does not allow it (RFC 9457 problem)", "content": _problem_content()},
    404: {"description": "No such record, item or object (RFC 9457 problem)", "content": _problem_content()},
    409: {"description": "Stored data does not match what was committed to (RFC 9457 problem)", "content": _problem_content()},
    503: {"description": "The database, blob store or a timestamp authority failed (RFC 9457 problem)", "content": _problem_content()},
}


def field_loc(path: str | None, root: str = "body") -> list[str | int]:
    """``acts[1].methods[0]`` -> ``["body", "acts", 1, "methods", 0]``."""
    loc: list[str | int] = [root]
    for name, index in _PART.findall(path or ""):
        loc.append(int(index) if index else name)
    return loc


@contextmanager
def located(root: str, rename: dict[str, str] | None = None) -> Iterator[None]:
    """Inside this block, InputErrors are reported under ``root`` (``path``, ``query``,
    ``body``) unless they already say where; ``rename`` maps service field names to the
    request's names (``{"id": "ref"}``)."""
    try:
        yield
    except InputError as exc:
        exc.fields.setdefault("location", root)
        if rename:
            head, sep, tail = str(exc.fields.get("field") or "").partition(".")
            if head in rename:
                exc.fields["field"] = rename[head] + sep + tail
        raise


def _input_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InputError)
    loc = field_loc(exc.fields.get("field"), exc.fields.get("location", "body"))
    return JSONResponse({"detail": [{"loc": loc, "msg": exc.message, "type": "svidok.input"}]}, status_code=422)


def _status(exc: SvidokError) -> tuple[int, str]:
    if isinstance(exc, NotFound):
        return 404, "Not found"
    if isinstance(exc, IntegrityError):
        return 409, "Integrity check failed"
    if isinstance(exc, FormatError):
        return 400, "Malformed input"
    if isinstance(exc, (StorageError, TimestampError, ConfigError)):
        return 503, "Service unavailable"
    return 400, "Request refused"


def _svidok_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SvidokError)
    status, title = _status(exc)
    kind = type(exc).__name__
    body = {"type": f"urn:svidok:error:{kind}", "title": title, "status": status, "detail": exc.message}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_TYPE)


def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    detail = []
    for e in exc.errors():
        loc = [p if isinstance(p, (str, int)) else str(p) for p in e.get("loc", ())]
        detail.append({"loc": loc, "msg": str(e.get("msg", "invalid")), "type": str(e.get("type", "value_error"))})
    return JSONResponse({"detail": detail}, status_code=422)


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    body = {"type": f"urn:svidok:http:{exc.status_code}", "title": "Request refused", "status": exc.status_code, "detail": str(exc.detail)}
    return JSONResponse(body, status_code=exc.status_code, media_type=PROBLEM_TYPE, headers=getattr(exc, "headers", None))


def _database_refused(request: Request, exc: Exception) -> JSONResponse:
    """A constraint or value the database refused that no service check caught: a bug to fix
    (the schemathesis run fails on this type), but never a 500 and never the SQL in the answer."""
    orig = getattr(exc, "orig", None)  # the driver's message, first line only: never the SQL or its parameters
    log.error("database refused %s %s: %s", request.method, request.url.path, str(orig).splitlines()[0][:200] if orig else type(exc).__name__)
    body = {"type": "urn:svidok:error:DatabaseRefused", "title": "Refused by the database", "status": 409,
            "detail": "the database refused the change (a constraint or a value it cannot hold); nothing was written"}
    return JSONResponse(body, status_code=409, media_type=PROBLEM_TYPE)


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(sqlalchemy.exc.IntegrityError, _database_refused)
    app.add_exception_handler(sqlalchemy.exc.DataError, _database_refused)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(InputError, _input_error)
    app.add_exception_handler(SvidokError, _svidok_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
