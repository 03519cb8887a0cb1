"""The web interface's routes: sign-in with TOTP, sign-out, language, dashboard, evidence.

A thin skin (ARCHITECTURE.md principle 6): each handler reads the signed-in principal
(:mod:`svidok.web.session`), calls a service or query, and renders a template. Pages without a
live session redirect (303, RFC 9110 section 15.4.4) to ``/web/signin``; records outside the
user's compartments answer the same 404 as records that do not exist (uniform 404, as the API).
Forms that change state are plain POSTs protected by the ``SameSite=Strict`` session cookie.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from svidok.api.auth import SESSION_COOKIE
from svidok.errors import InputError, NotFound
from svidok.protect import users
from svidok.protect.errors import AuthenticationFailed, LockedOut, RateLimited
from svidok.protect.roles import Principal
from svidok.web import dashboard, i18n, search
from svidok.web.pages import render
from svidok.web.session import signed_in
from svidok.web.viewcache import LedgerCache, visibility_key
from svidok.workspace import Workspace

__all__ = ["router"]

router = APIRouter(prefix="/web", include_in_schema=False)


def _ws(request: Request) -> Workspace:
    ws: Workspace = request.app.state.workspace
    return ws


def _lang(request: Request) -> str:
    return i18n.pick_language(request.cookies.get(i18n.LANG_COOKIE), request.headers.get("accept-language"))


def _to_signin(request: Request, reason: str | None) -> RedirectResponse:
    target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""), safe="/")
    out = RedirectResponse(f"/web/signin?next={target}" + (f"&reason={reason}" if reason == "expired" else ""), status_code=303)
    if reason == "expired":
        out.delete_cookie(SESSION_COOKIE, path="/")
    return out


async def _principal(request: Request) -> tuple[Principal | None, Response | None]:
    p, reason = await run_in_threadpool(signed_in, _ws(request), request.cookies.get(SESSION_COOKIE))
    return (p, None) if p is not None else (None, _to_signin(request, reason))


def _safe_next(target: str | None) -> str:
    """Only local pages of the web interface (no open redirect, OWASP unvalidated redirects)."""
    if target and target.startswith("/web/") and "//" not in target and "\\" not in target:
        return target
    return "/web/"


@router.get("/signin")
def signin_page(request: Request, next: str | None = None, reason: str | None = None) -> Response:
    lang = _lang(request)
    notice = i18n.gettext(lang)("Your session has ended. Please sign in again.") if reason == "expired" else None
    return render("signin.html", lang, next=_safe_next(next), notice=notice, error=None, user="")


@router.post("/signin")
async def signin(request: Request, user: str = Form(""), password: str = Form(""), totp: str = Form(""),
                 next: str = Form("/web/")) -> Response:  # fmt: skip
    lang = _lang(request)
    _ = i18n.gettext(lang)
    ws = _ws(request)
    source = request.client.host if request.client else "unknown"
    try:
        if not user.strip() or not password:
            raise AuthenticationFailed("empty")
        p = await run_in_threadpool(users.login, ws, user.strip(), password, totp.strip() or None, source=f"ip:{source}")
        secret = await run_in_threadpool(users.open_session, ws, p)
    except LockedOut:
        error = _("The account is locked after repeated failed sign-ins. Try again later.")
        return render("signin.html", lang, status=423, next=_safe_next(next), notice=None, error=error, user=user)
    except RateLimited:
        error = _("Too many failed sign-ins from this computer. Try again later.")
        return render("signin.html", lang, status=429, next=_safe_next(next), notice=None, error=error, user=user)
    except AuthenticationFailed:
        error = _("The user name, password or one-time code is wrong.")
        return render("signin.html", lang, status=401, next=_safe_next(next), notice=None, error=error, user=user)
    out = RedirectResponse(_safe_next(next), status_code=303)
    out.set_cookie(SESSION_COOKIE, secret, max_age=users.SESSION_HOURS * 3600, httponly=True, samesite="strict",
                   secure=request.url.scheme == "https", path="/")  # fmt: skip
    return out


@router.post("/signout")
async def signout(request: Request) -> Response:
    await run_in_threadpool(users.close_session, _ws(request), request.cookies.get(SESSION_COOKIE))
    out = RedirectResponse("/web/signin", status_code=303)
    out.delete_cookie(SESSION_COOKIE, path="/")
    return out


@router.post("/language")
def set_language(request: Request, lang: str = Form(...), next: str = Form("/web/")) -> Response:
    out = RedirectResponse(_safe_next(next), status_code=303)
    if lang in i18n.LANGUAGES:
        out.set_cookie(i18n.LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", path="/")
    return out


@router.get("/")
async def dashboard_page(request: Request, case: str | None = None, page: str = "1") -> Response:
    """Counts, the map (markers loaded from :func:`dashboard_markers`) and the timeline, a
    page of :data:`~svidok.web.dashboard.TIMELINE_PAGE` at a time, most recent first."""
    p, redirect = await _principal(request)
    if p is None:
        return redirect  # type: ignore[return-value]
    lang = _lang(request)
    if case is not None and case not in p.cases:
        return _not_found(lang, p)

    def load() -> dashboard.Dashboard:
        with _ws(request).db.read() as s:
            return dashboard.cached(s, p, case)

    d = await run_in_threadpool(load)
    n = min(_page_number(page), d.timeline_pages)
    return render("dashboard.html", lang, me=p, page="dashboard", d=d, case=case, cases=sorted(p.cases), tl_page=n,
                  timeline=d.timeline_page(n), page_size=dashboard.TIMELINE_PAGE, next_url=request.url.path)  # fmt: skip


@router.get("/dashboard/markers")
async def dashboard_markers(request: Request, case: str | None = None) -> Response:
    """The dashboard's map markers as JSON (``[{"id", "title", "lat", "lon", "type"}, ...]``,
    RFC 8259), of the same incidents as the dashboard: those the user may see, of one case or
    of all theirs; a case outside the user's compartments is the same 404 as the page."""
    p, redirect = await _principal(request)
    if p is None:
        return redirect  # type: ignore[return-value]
    if case is not None and case not in p.cases:
        return _not_found(_lang(request), p)

    def load() -> bytes:
        with _ws(request).db.read() as s:
            return dashboard.cached(s, p, case).markers_json

    body = await run_in_threadpool(load)
    return Response(body, media_type="application/json", headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


def _page_number(text: str | None) -> int:
    """A 1-based page number from the query string; anything else (absent, not a number, out
    of range) is the first page, as a link with a stale or edited number should still work."""
    try:
        n = int(text or "1")
    except ValueError:
        return 1
    return n if 1 <= n <= 1_000_000 else 1


def _not_found(lang: str, p: Principal | None) -> Response:
    return render("not_found.html", lang, status=404, me=p, page=None)


#: Evidence items per page of the evidence list.
EVIDENCE_PAGE = 50
_EVIDENCE_IDS: LedgerCache[list[str]] = LedgerCache(max_entries=32)


def _visible_evidence_ids(s: Any, p: Principal, case: str | None) -> list[str]:
    """Ids of the evidence items ``p`` may see (of ``case``, or of all the user's cases), in
    order of acquisition. Narrowed in SQL to the user's cases (an item belongs to the one case
    it was acquired into), then decided item by item by the policy (restricted items, which
    need an audited view, are left out); kept while the ledger does not grow."""
    import sqlalchemy as sa

    from svidok.api.policy import visible
    from svidok.db.schema import evidence_item

    def compute() -> list[str]:
        cases = sorted(p.cases) if case is None else [c for c in (case,) if c in p.cases]
        t = evidence_item
        ids = list(s.execute(sa.select(t.c.id).where(t.c.case_ref.in_(cases)).order_by(t.c.created_index, t.c.id)).scalars()) if cases else []
        ok = visible(s, p, [f"evidence:{i}" for i in ids])
        return [i for i in ids if f"evidence:{i}" in ok]

    return _EVIDENCE_IDS.get(s, ("evidence", visibility_key(p), case), compute)


@router.get("/evidence")
async def evidence_list(request: Request, case: str | None = None, page: str = "1") -> Response:
    """The evidence items the user may see, :data:`EVIDENCE_PAGE` per page (``?page=N``), in
    order of acquisition, with the total."""
    p, redirect = await _principal(request)
    if p is None:
        return redirect  # type: ignore[return-value]
    lang = _lang(request)
    from svidok.evidence import queries

    def load() -> tuple[list[dict[str, Any]], int, int]:
        with _ws(request).db.read() as s:
            ids = _visible_evidence_ids(s, p, case)
            pages = max(1, -(-len(ids) // EVIDENCE_PAGE))
            n = min(_page_number(page), pages)
            shown = ids[(n - 1) * EVIDENCE_PAGE : n * EVIDENCE_PAGE]
            return (queries.list_items(s, ids=shown) if shown else []), len(ids), n

    items, total, n = await run_in_threadpool(load)
    pages = max(1, -(-total // EVIDENCE_PAGE))
    return render("evidence_list.html", lang, me=p, page="evidence", items=items, total=total, page_no=n, pages=pages,
                  first=(n - 1) * EVIDENCE_PAGE + 1, case=case, next_url=request.url.path)  # fmt: skip


@router.get("/evidence/{item_id}")
async def evidence_page(request: Request, item_id: str) -> Response:
    p, redirect = await _principal(request)
    if p is None:
        return redirect  # type: ignore[return-value]
    lang = _lang(request)
    from svidok.api.policy import visible
    from svidok.evidence import queries

    ws = _ws(request)

    def load() -> dict[str, Any] | None:
        with ws.db.read() as s:
            if len(item_id) > 40 or not visible(s, p, [f"evidence:{item_id}"]):
                return None
            try:
                shown = queries.show_item(s, ws.ledger, item_id)
            except NotFound:
                return None
            from svidok.evidence.similar import near_duplicates  # PDQ, within the user's compartments

            shown["near_duplicates"] = near_duplicates(s, shown["digest"], keep=lambda refs: visible(s, p, refs))
            return shown

    item = await run_in_threadpool(load)
    if item is None:
        return _not_found(lang, p)
    previews = [d for d in item["derivatives"] if d["kind"] in ("preview", "proxy", "thumbnail")]
    previews.sort(key=lambda d: ("preview", "proxy", "thumbnail").index(d["kind"]))
    return render("evidence.html", lang, me=p, page="evidence", item=item, preview=previews[0] if previews else None,
                  blur=request.cookies.get(BLUR_COOKIE) != "off", next_url=request.url.path)  # fmt: skip


def _visible_item(ws: Workspace, p: Principal, item_id: str) -> dict[str, Any] | None:
    """The item as :func:`svidok.evidence.queries.show_item` gives it, or None when it is
    absent or outside the user's compartments (the same answer)."""
    from svidok.api.policy import visible
    from svidok.evidence import queries

    with ws.db.read() as s:
        if len(item_id) > 40 or not visible(s, p, [f"evidence:{item_id}"]):
            return None
        try:
            return queries.show_item(s, ws.ledger, item_id)
        except NotFound:
            return None


@router.get("/evidence/{item_id}/proof/{index}")
async def evidence_proof(request: Request, item_id: str, index: int) -> Response:
    """The C2SP ``tlog-proof@v1`` of one entry of the item's custody chain against the latest
    signed checkpoint, as a download (checked offline with ``svidok-verify``)."""
    p, redirect = await _principal(request)
    if p is None:
        return redirect  # type: ignore[return-value]
    lang = _lang(request)
    ws = _ws(request)

    def load() -> str | None:
        item = _visible_item(ws, p, item_id)
        if item is None or index not in item["ledger_indexes"]:
            return None
        with ws.db.read() as s:
            try:
                return str(ws.ledger.tlog_proof(s, index).format())
            except NotFound:
                return None

    text = await run_in_threadpool(load)
    if text is None:
        return _not_found(lang, p)
    return Response(text, media_type="text/plain; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{item_id}-entry-{index}.tlog-proof"',
                             "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})  # fmt: skip


@router.get("/evidence/{item_id}/derivative/{digest}")
async def evidence_derivative(request: Request, item_id: str, digest: str) -> Response:
    """A derivative of the item (thumbnail, preview, proxy), streamed with Range support
    (RFC 9110 section 14) so that video and audio players can seek. Originals are not served
    here: their download asks for a purpose and is recorded (the API's ``download_evidence``)."""
    from svidok.api.ranges import Unsatisfiable, content_range, parse_range

    p, redirect = await _principal(request)
    if p is None:
        return redirect  # type: ignore[return-value]
    lang = _lang(request)
    ws = _ws(request)
    item = await run_in_threadpool(_visible_item, ws, p, item_id)
    found = [d for d in (item or {}).get("derivatives", []) if d["digest"] == digest]
    if not found:
        return _not_found(lang, p)
    d = found[0]
    size = int(d["size"])
    headers = {"Accept-Ranges": "bytes", "ETag": f'"{digest}"', "Cache-Control": "private, max-age=3600",
               "X-Content-Type-Options": "nosniff"}  # fmt: skip
    try:
        wanted = parse_range(request.headers.get("range"), size)
    except Unsatisfiable:
        return Response(status_code=416, headers={**headers, "Content-Range": content_range(None, size)})
    start, end = (0, size - 1) if wanted is None else (wanted.start, wanted.end)
    data = await run_in_threadpool(ws.blobs.read_range, digest, start, end + 1) if size else b""
    if wanted is None:
        return Response(data, media_type=d["mime"], headers=headers)
    return Response(data, status_code=206, media_type=d["mime"], headers={**headers, "Content-Range": content_range(wanted, size)})


@router.post("/settings/blur")
def set_blur(request: Request, blur: str = Form("on"), next: str = Form("/web/")) -> Response:
    """Blur graphic images until clicked (on by default). Kept in a cookie of this browser
    for now; a per-account setting comes with the user-settings record."""
    out = RedirectResponse(_safe_next(next), status_code=303)
    out.set_cookie(BLUR_COOKIE, "off" if blur == "off" else "on", max_age=365 * 86400, samesite="strict", httponly=True, path="/")
    return out


BLUR_COOKIE = "svidok_blur"


SEARCHER: "search.Searcher" = search.SimpleSearch()  # replaceable: the multilingual engine comes later


@router.get("/search")
async def search_page(request: Request, q: str = "") -> Response:
    """Search with facets (type, locality, month or date range, crime category); bad input is
    answered 422 with the message next to its field (:mod:`svidok.web.search`)."""
    p, redirect = await _principal(request)
    if p is None:
        return redirect  # type: ignore[return-value]
    lang = _lang(request)
    ws = _ws(request)
    params = dict(request.query_params)

    def run() -> search.Results:
        filters = search.Filters.parse(params)
        with ws.db.read() as s:
            return SEARCHER.search(s, p, q, filters=filters)

    try:
        results, error = await run_in_threadpool(run), None
    except InputError as exc:  # a replacement engine may raise plain InputError: shown untranslated
        results, error = search.Results(query=q), exc
    return render("search.html", lang, status=422 if error else 200, me=p, page="search", r=results, q=q, params=params,
                  error=error, next_url=request.url.path)  # fmt: skip
