"""Upload of evidence files from the browser: many files by drag and drop or a plain file input,
through the normal intake path.

Each file goes exactly the way ``POST /api/v1/evidence`` and ``svidok ingest`` take it
(:func:`svidok.api.evidence.receive_upload`): streamed once into the blob store, which hashes
it (SHA-256) while writing, then one ledger transaction records the acquisition (Berkeley
Protocol para. 153: who collected it, how, with a note); metadata extraction is scheduled
after the response as the API does (``app.state.process_uploads``). The same file twice is
recorded once (``already-ingested``). The API's access rule of the upload
(:func:`svidok.api.policy.case_in_form`: write access to evidence of the case) is checked with
the user's principal first; a case outside the user's compartments is refused like one that
does not exist.

``static/upload.js`` sends the files one after another with ``XMLHttpRequest`` (progress
events, XHR Living Standard section 3.7) to ``POST /web/upload?fragment=1`` and shows each
file's result (an ``<li data-testid="upload-result">`` rendered here) in a live region; without
JavaScript the form posts every chosen file at once and the page lists the results. The
session cookie is ``SameSite=Strict`` and every request is same-origin.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import Response

from svidok.errors import InputError, NotFound
from svidok.protect.errors import AccessDenied
from svidok.protect.roles import Action, Principal
from svidok.web import i18n
from svidok.web.pages import render
from svidok.web.routes import _lang, _principal, _ws

__all__ = ["router"]

router = APIRouter(prefix="/web", include_in_schema=False)

FIELDS = ("case", "collector", "method", "note")


def _cases(p: Principal) -> list[str]:
    return sorted(p.cases) if p.can(Action.WRITE_EVIDENCE) else []


@router.get("/upload")
async def upload_page(request: Request, case: str | None = None) -> Response:
    p, redirect = await _principal(request)
    if p is None:
        return redirect  # type: ignore[return-value]
    values = {"case": case} if case in p.cases else {}
    return render("upload.html", _lang(request), me=p, page="upload", cases=_cases(p), v=values, errors={}, results=[],
                  next_url=request.url.path)  # fmt: skip


@router.post("/upload")
async def upload_files(request: Request, fragment: int = 0) -> Response:
    p, redirect = await _principal(request)
    if p is None:
        return redirect  # type: ignore[return-value]
    lang = _lang(request)
    _ = i18n.gettext(lang)
    ws = _ws(request)
    form = await request.form()
    values = {k: str(form.get(k) or "").strip() for k in FIELDS}
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and (f.filename or f.size)]
    errors: dict[str, str] = {}
    background = BackgroundTasks() if request.app.state.process_uploads else None

    def check() -> Any:
        from svidok.api.policy import RULES, _enforce
        from svidok.api.models import clean_text
        from svidok.evidence.service import AcquisitionInfo

        for k in FIELDS[1:]:  # the API's checks of these form fields (svidok.api.evidence)
            try:
                clean_text(values[k])
            except ValueError as exc:
                raise InputError(f"{k}: {exc}", field=k) from None
            if len(values[k]) > 2000:
                raise InputError(f"{k}: longer than 2000 characters", field=k)
        info = AcquisitionInfo(values["case"], values["collector"] or None, None, values["method"] or None, None,
                               values["note"] or None).validated()  # fmt: skip
        _enforce(ws, RULES["upload_evidence"], p, request, None, {"case": info.case_ref})
        return info

    results: list[dict[str, Any]] = []
    status = 200
    info: Any = None
    try:
        info = await run_in_threadpool(check)
        if not files:
            raise InputError(_("Choose at least one file."), field="files")
    except InputError as exc:
        where = str(exc.fields.get("field") or "files")
        errors[where if where in (*FIELDS, "files") else "files"] = exc.message
        status = 422
    except (AccessDenied, NotFound) as exc:
        errors["case"] = exc.message
        status = 403 if isinstance(exc, AccessDenied) else 422
    if not errors:
        from svidok.api.evidence import receive_upload

        for f in files:
            try:
                out = await run_in_threadpool(receive_upload, ws, p.actor, info, f.filename, f.file, background)
                results.append({"name": f.filename or "upload", **out})
            except InputError as exc:
                results.append({"name": f.filename or "upload", "error": exc.message})
                status = 422
            finally:
                await f.close()
    if fragment:
        if errors:
            results = [{"name": f.filename or "upload", "error": "; ".join(errors.values())} for f in files] or [
                {"name": "-", "error": "; ".join(errors.values())}]  # fmt: skip
        out_resp = render("upload_results.html", lang, status=status, results=results)
    else:
        out_resp = render("upload.html", lang, status=status, me=p, page="upload", cases=_cases(p), v=values, errors=errors,
                          results=results, next_url="/web/upload")  # fmt: skip
    out_resp.background = background
    return out_resp


# -- viewing an original in the page (PDF, audio, video) ---------------------------------------
#
# Originals are never served without a record: as the API's download (``download_evidence``),
# the user gives a purpose and a ``custody.accessed`` entry is written first (Berkeley Protocol
# para. 156). The page then embeds the original through a short-lived grant bound to the user
# and the item, so that a media player's many Range requests (RFC 9110 section 14) are one
# recorded access, not many.

GRANT_SECONDS = 15 * 60
_INLINE = ("application/pdf",)


def _grants(request: Request) -> dict[str, tuple[str, str, float]]:
    grants: dict[str, tuple[str, str, float]] | None = getattr(request.app.state, "web_original_grants", None)
    if grants is None:
        grants = {}
        request.app.state.web_original_grants = grants
    return grants


def _viewable(mime: str | None) -> bool:
    return bool(mime) and (mime in _INLINE or str(mime).split("/")[0] in ("audio", "video"))


@router.post("/evidence/{item_id}/open")
async def open_original(request: Request, item_id: str) -> Response:
    """Record the access with its purpose, then show the original in a player or PDF viewer."""
    import secrets
    import time

    from svidok.evidence.service import record_access
    from svidok.web.routes import _not_found, _visible_item

    p, redirect = await _principal(request)
    if p is None:
        return redirect  # type: ignore[return-value]
    lang = _lang(request)
    ws = _ws(request)
    form = await request.form()
    purpose = str(form.get("purpose") or "").strip()
    item = await run_in_threadpool(_visible_item, ws, p, item_id)
    if item is None or not _viewable(item["mime"]):
        return _not_found(lang, p)

    def record() -> None:
        with ws.transaction(actor=p.actor) as txn:
            record_access(txn, item["id"], purpose=purpose, output="viewed in the web interface")

    try:
        await run_in_threadpool(record)
    except InputError as exc:
        return render("evidence_original.html", lang, status=422, me=p, page="evidence", item=item, error=exc.message,
                      src=None, next_url=f"/web/evidence/{item['id']}")  # fmt: skip
    token = secrets.token_urlsafe(24)
    grants = _grants(request)
    now = time.time()
    for t, (_u, _i, until) in list(grants.items()):
        if until < now:
            grants.pop(t, None)
    grants[token] = (p.user, item["id"], now + GRANT_SECONDS)
    return render("evidence_original.html", lang, me=p, page="evidence", item=item, error=None, purpose=purpose,
                  src=f"/web/evidence/{item['id']}/original/{token}", next_url=f"/web/evidence/{item['id']}")  # fmt: skip


@router.get("/evidence/{item_id}/original/{token}")
async def original_content(request: Request, item_id: str, token: str) -> Response:
    """The original, inline, with Range support, for the holder of a live grant."""
    import time

    from starlette.responses import StreamingResponse

    from svidok.api.ranges import Unsatisfiable, content_range, parse_range
    from svidok.web.routes import _not_found, _visible_item

    p, redirect = await _principal(request)
    if p is None:
        return redirect  # type: ignore[return-value]
    lang = _lang(request)
    ws = _ws(request)
    grant = _grants(request).get(token)
    if grant is None or grant[0] != p.user or grant[1] != item_id or grant[2] < time.time():
        return _not_found(lang, p)
    item = await run_in_threadpool(_visible_item, ws, p, item_id)  # membership may have ended since
    if item is None or not _viewable(item["mime"]):
        return _not_found(lang, p)
    size, digest = int(item["size"]), str(item["digest"])
    headers = {"Accept-Ranges": "bytes", "ETag": f'"{digest}"', "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
               "Content-Disposition": f'inline; filename="{item_id}"', "X-Frame-Options": "SAMEORIGIN"}  # fmt: skip
    try:
        wanted = parse_range(request.headers.get("range"), size)
    except Unsatisfiable:
        return Response(status_code=416, headers={**headers, "Content-Range": content_range(None, size)})
    if wanted is None:
        return StreamingResponse(ws.blobs.read_verified(digest), media_type=item["mime"], headers={**headers, "Content-Length": str(size)})
    data = await run_in_threadpool(ws.blobs.read_range, digest, wanted.start, wanted.end + 1)
    return Response(data, status_code=206, media_type=item["mime"], headers={**headers, "Content-Range": content_range(wanted, size)})
