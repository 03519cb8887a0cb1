"""Who is signed in to the web interface: the session cookie set at sign-in.

The web shares the API's session (:data:`svidok.api.auth.SESSION_COOKIE`, opened by
:func:`svidok.protect.users.open_session`): ``HttpOnly``, ``SameSite=Strict`` (RFC 6265bis), so a
cross-site form can neither read nor send it. A page asked for without a live session (none,
expired, idle, or the account disabled) redirects to the sign-in page with the reason, and the
stale cookie is dropped.
"""

from __future__ import annotations

from svidok.protect import users
from svidok.protect.errors import AuthenticationFailed
from svidok.protect.roles import Principal
from svidok.workspace import Workspace

__all__ = ["signed_in"]


def signed_in(ws: Workspace, cookie: str | None) -> tuple[Principal | None, str | None]:
    """The principal of a session cookie, or ``(None, reason)``: ``"none"`` without a cookie,
    ``"expired"`` for a session that has ended."""
    if not cookie:
        return None, "none"
    try:
        return users.session_principal(ws, cookie), None
    except AuthenticationFailed:
        return None, "expired"
