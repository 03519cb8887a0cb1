"""Authentication of API requests, sign-in and sign-out.

Every request under ``/api/`` must be authenticated, except ``GET /api/v1/health`` and
``POST /api/v1/auth/login``; anything else without valid credentials is answered ``401`` with
``WWW-Authenticate`` (RFC 9110 section 11.6.1), before any route, body or parameter is looked at:

- scripts send ``Authorization: Bearer <API token>`` (RFC 6750 section 2.1; tokens from
  ``svidok token create``: scoped, expiring, revocable, stored as SHA-256 only);
- the web sends the session cookie ``svidok_session`` set by ``POST /api/v1/auth/login``
  (password, and the TOTP code for accounts that need one): ``HttpOnly``, ``SameSite=Strict``,
  ``Secure`` over HTTPS (RFC 6265bis). Unsafe methods authenticated by the cookie must also
  carry ``X-Requested-With`` or ``HX-Request``, headers a cross-site form cannot send (OWASP
  CSRF cheat sheet, "custom request headers").

Authorisation - roles x case compartments - is the job of the one dependency
:func:`svidok.api.deps.principal` (:mod:`svidok.api.policy`). Failed sign-ins are answered
``401`` with one message whatever was wrong, ``423`` for a locked account and ``429`` with
``Retry-After`` for a source that failed too often.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from svidok.api.deps import CurrentPrincipal, principal
from svidok.api.errors import PROBLEM_RESPONSES, PROBLEM_TYPE
from svidok.protect import users
from svidok.protect.errors import AccessDenied, AuthenticationFailed, KeyDestroyed, LockedOut, RateLimited
from svidok.protect.roles import Principal
from svidok.workspace import Workspace

__all__ = ["PUBLIC_PATHS", "SESSION_COOKIE", "authenticate", "install", "router"]

SESSION_COOKIE = "svidok_session"
PUBLIC_PATHS = frozenset({"/api/v1/health", "/api/v1/auth/login"})
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_CSRF_HEADERS = ("x-requested-with", "hx-request")


def _problem(status: int, kind: str, title: str, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"type": f"urn:svidok:error:{kind}", "title": title, "status": status, "detail": detail}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_TYPE, headers=headers)


def _challenge(detail: str) -> JSONResponse:
    return _problem(401, "AuthenticationFailed", "Authentication required", detail, {"WWW-Authenticate": 'Bearer realm="svidok"'})


def authenticate(ws: Workspace, request: Request) -> Principal:
    """The principal of a request's bearer token or session cookie; AuthenticationFailed."""
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise AuthenticationFailed("use 'Authorization: Bearer <API token>'")
        return users.token_principal(ws, value.strip())
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        p = users.session_principal(ws, cookie)
        if request.method in _UNSAFE and not any(request.headers.get(h) for h in _CSRF_HEADERS):
            raise AccessDenied("a request signed in by cookie that changes state must carry the header X-Requested-With (CSRF protection)")
        return p
    raise AuthenticationFailed("sign in (POST /api/v1/auth/login) or send 'Authorization: Bearer <API token>'")


class AuthMiddleware:
    """Authenticates every ``/api/`` request but the public ones (pure ASGI, runs first)."""

    def __init__(self, app: ASGIApp, ws: Workspace) -> None:
        self.app = app
        self.ws = ws

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/") or scope["path"] in PUBLIC_PATHS:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        try:
            principal = await run_in_threadpool(authenticate, self.ws, request)
        except AuthenticationFailed as exc:
            await _challenge(exc.message)(scope, receive, send)
            return
        except AccessDenied as exc:
            await _problem(403, "AccessDenied", "Forbidden", exc.message)(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)


class LoginIn(BaseModel):
    """A sign-in: user name, password and (for identity roles and administrators) TOTP code."""

    model_config = ConfigDict(extra="forbid", strict=True)
    user: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=users.MAX_PASSWORD)
    totp: str | None = Field(default=None, max_length=12)


class MeOut(BaseModel):
    """Who is signed in, in which role, member of which cases."""

    user: str
    role: str
    cases: list[str]
    crsv_cases: list[str]
    scopes: list[str] | None
    via: str
    second_factor: bool


def me_of(p: Principal) -> dict[str, Any]:
    return {"user": p.user, "role": p.role.value, "cases": sorted(p.cases), "crsv_cases": sorted(p.crsv_cases),
            "scopes": None if p.scopes is None else sorted(p.scopes), "via": p.via, "second_factor": p.second_factor}  # fmt: skip


router = APIRouter(prefix="/api/v1/auth", tags=["Authentication"], responses=PROBLEM_RESPONSES)


_PROBLEM = {PROBLEM_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}


@router.post("/login", response_model=MeOut, operation_id="auth_login", summary="Sign in (sets the session cookie; public)",
             responses={401: {"description": "Wrong user name, password or one-time code", "content": _PROBLEM},
                        423: {"description": "Account locked after repeated failures", "content": _PROBLEM},
                        429: {"description": "Too many failed sign-ins from this source", "content": _PROBLEM,
                              "headers": {"Retry-After": {"schema": {"type": "integer"}}}}})  # fmt: skip
def login(body: LoginIn, request: Request, response: Response) -> Any:
    ws: Workspace = request.app.state.workspace
    source = request.client.host if request.client else "unknown"
    p = users.login(ws, body.user, body.password, body.totp, source=f"ip:{source}")
    secret = users.open_session(ws, p)
    response.set_cookie(SESSION_COOKIE, secret, max_age=users.SESSION_HOURS * 3600, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/")  # fmt: skip
    return me_of(p)


@router.post("/logout", status_code=204, operation_id="auth_logout", summary="Sign out (ends the session)",
             dependencies=[Depends(principal)])
def logout(request: Request) -> Response:
    ws: Workspace = request.app.state.workspace
    users.close_session(ws, request.cookies.get(SESSION_COOKIE))
    out = Response(status_code=204)
    out.delete_cookie(SESSION_COOKIE, path="/")
    return out


@router.get("/me", response_model=MeOut, operation_id="auth_me", summary="Who is signed in")
def me(p: CurrentPrincipal) -> Any:
    return me_of(p)


def _auth_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AuthenticationFailed)
    if isinstance(exc, LockedOut):
        return _problem(423, "LockedOut", "Account locked", exc.message)
    if isinstance(exc, RateLimited):
        return _problem(429, "RateLimited", "Too many failed sign-ins", exc.message, {"Retry-After": str(exc.fields.get("retry_after", 60))})
    return _challenge(exc.message)


def _denied(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AccessDenied)
    return _problem(403, "AccessDenied", "Forbidden", exc.message)


def _gone(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, KeyDestroyed)
    return _problem(410, "KeyDestroyed", "Erased", exc.message)


def install(app: FastAPI, ws: Workspace) -> None:
    """Authenticate every ``/api/`` request; map the protection errors to HTTP; add the
    sign-in routes and the protection routes."""
    from svidok.api import protect

    app.add_middleware(AuthMiddleware, ws=ws)
    app.add_exception_handler(AuthenticationFailed, _auth_error)
    app.add_exception_handler(AccessDenied, _denied)
    app.add_exception_handler(KeyDestroyed, _gone)
    app.include_router(router)
    app.include_router(protect.router)
