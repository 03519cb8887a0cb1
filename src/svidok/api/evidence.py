"""Evidence over HTTP: upload into the locker, list, show, custody, and download originals.

``POST /api/v1/evidence`` takes a ``multipart/form-data`` upload with the acquisition form
fields of ``svidok ingest`` (``case``, ``collector``, ``device``, ``method``, ``place``,
``note``, ``collected_at``) and goes the same path as an ingested file: the bytes are read
once into the blob store, which hashes them (SHA-256) as it writes and makes them durable
(:meth:`~svidok.blobs.base.BlobStore.put_stream`), then one ledger transaction records the
``evidence.acquired`` entry (:func:`svidok.evidence.service.register_acquisitions`), and
metadata extraction runs afterwards (:func:`svidok.intake.process.process_pending`). Starlette
spools the uploaded file part to a temporary file while parsing (bounded memory); the store
then streams it. The same upload twice is idempotent (``already-ingested``), as with ingest.
The source path recorded is ``upload:<file name>``.

``GET /api/v1/evidence/{id}/content?purpose=...`` sends the original with HTTP Range support
(RFC 9110 section 14, one range) and records the access in the item's chain of custody
(``custody.accessed``, with the purpose, Berkeley Protocol para. 156). Digests are checked:
a whole download is hashed as it is sent and the connection is cut if the stored bytes do
not match (a client never receives a complete-looking corrupt copy); before a partial
response the whole stored blob is re-hashed (409 if corrupt). ``Repr-Digest`` (RFC 9530) and
a strong ``ETag`` carry the SHA-256 so a client can check what it assembled.
"""

import logging
from collections.abc import Iterator
from typing import Annotated, Any, Optional

import sqlalchemy as sa
from fastapi import APIRouter, BackgroundTasks, Depends, File, Form, Header, Path, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel

from svidok.api.deps import CurrentPrincipal, PrincipalDep, WorkspaceDep, principal
from svidok.api.errors import PROBLEM_RESPONSES, PROBLEM_TYPE, located
from svidok.api.policy import visible
from svidok.api.models import clean_text, text
from svidok.api.ranges import ByteRange, Unsatisfiable, content_range, parse_range, repr_digest
from svidok.blobs.base import CHUNK_SIZE
from svidok.db.schema import content
from svidok.errors import InputError
from svidok.evidence import queries, service
from svidok.evidence.ids import check_item_id
from svidok.evidence.service import AcquisitionInfo, StoredFile, register_acquisitions

__all__ = ["router"]

log = logging.getLogger(__name__)

_ItemId = Annotated[str, Path(min_length=1, max_length=40, description="evidence item id, EV- followed by 26 base32 characters")]
_CASE = Annotated[str, Form(pattern=r"^[A-Za-z0-9][A-Za-z0-9._/:-]{0,63}$", description="case reference the file is acquired into")]
_TEXT = Annotated[Optional[text(2000)], Form()]  # type: ignore[valid-type]
_BINARY = {"schema": {"type": "string", "format": "binary"}}


class UploadOut(BaseModel):
    """What registering the upload did (as ``svidok ingest`` reports each file)."""

    status: str
    item: str
    case: str
    digest: str
    size: int
    index: Optional[int]
    processing: str


class ItemOut(BaseModel):
    """An evidence item in a listing."""

    id: str
    case: str
    digest: str
    size: int
    mime: Optional[str]
    custodian: str
    created_index: int
    created_at: str
    acquisitions: int
    metadata: Optional[str]


class ItemPage(BaseModel):
    """A page of evidence items."""

    items: list[ItemOut]
    total: int
    limit: int
    offset: int


class ItemDetail(BaseModel):
    """Everything about an item: digest, metadata, derivatives, custody and ledger indexes."""

    id: str
    case: str
    digest: str
    size: int
    mime: Optional[str]
    custodian: str
    created_index: int
    created_at: str
    metadata_state: Optional[str]
    pdq: Optional[dict[str, Any]]
    summary: dict[str, Any]
    metadata: list[dict[str, Any]]
    corrections: list[dict[str, Any]]
    acquisitions: list[dict[str, Any]]
    derivatives: list[dict[str, Any]]
    custody: list[dict[str, Any]]
    ledger_indexes: list[int]


class CustodyEvent(BaseModel):
    """One event of a chain of custody, with its ledger index."""

    index: int
    time: str
    type: str
    actor: str
    what: str
    payload: dict[str, Any]


class CustodyOut(BaseModel):
    """The chain of custody of an item (ISO/IEC 27037:2012 section 5.4)."""

    item: str
    custody: list[CustodyEvent]


router = APIRouter(prefix="/api/v1", dependencies=[Depends(principal)], responses=PROBLEM_RESPONSES, tags=["Evidence"])


def _item_id(value: str) -> str:
    with located("path", {"item": "id"}):
        return check_item_id(value, "id")


@router.post("/evidence", status_code=201, response_model=UploadOut, operation_id="upload_evidence",
             summary="Upload a file into the locker (the path of svidok ingest)")
def upload(
    request: Request,
    file: Annotated[UploadFile, File(description="the file, sent once; stored by its SHA-256")],
    case: _CASE,
    ws: WorkspaceDep,
    who: PrincipalDep,
    background: BackgroundTasks,
    collector: _TEXT = None,
    device: _TEXT = None,
    method: _TEXT = None,
    place: _TEXT = None,
    note: _TEXT = None,
    collected_at: _TEXT = None,
) -> Any:
    with located("body"):
        info = AcquisitionInfo(case, collector, device, method, place, note, collected_at).validated()
        return receive_upload(ws, who, info, file.filename, file.file, background if request.app.state.process_uploads else None)


def receive_upload(ws: Any, actor: str, info: AcquisitionInfo, filename: Optional[str], stream: Any,
                   background: Optional[BackgroundTasks]) -> dict[str, Any]:  # fmt: skip
    """Store one uploaded file and record its acquisition, as ``svidok ingest`` does: the bytes
    are streamed once into the blob store, then one ledger transaction registers them; with
    ``background``, metadata extraction is scheduled after the response. Shared by this route
    and the web upload page (:mod:`svidok.web.upload`). ``info`` is already validated."""
    name = filename or "upload"
    try:
        clean_text(name)
    except ValueError as exc:
        raise InputError(f"file: the file name {exc}", field="file") from None
    if len(name) > 1000:
        raise InputError("file: the file name is longer than 1000 characters", field="file")
    put = ws.blobs.put_stream(stream)
    source = f"upload:{name}"
    stored = StoredFile(path=source.encode("utf-8"), display=source, digest=put.digest, size=put.size)
    with ws.transaction(actor=actor) as txn:
        reg = register_acquisitions(txn, info, [stored])[0]
    processing = "not needed"
    if reg.status == "stored":
        if background is not None:
            from svidok.intake.process import process_pending

            background.add_task(process_pending, ws)
            processing = "scheduled"
        else:
            processing = "deferred: run 'svidok process'"
    return {"status": reg.status, "item": reg.item_id, "case": info.case_ref, "digest": put.digest, "size": put.size,
            "index": reg.index, "processing": processing}


@router.get("/evidence", response_model=ItemPage, operation_id="list_evidence", summary="Evidence items in order of acquisition")
def list_evidence(
    ws: WorkspaceDep,
    who: CurrentPrincipal,
    case: Annotated[Optional[str], Query(pattern=r"^[A-Za-z0-9][A-Za-z0-9._/:-]{0,63}$")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> Any:
    with ws.db.read() as s:  # only items in the user's compartments (svidok.api.policy)
        items = queries.list_items(s, case)
        seen = visible(s, who, {f"evidence:{i['id']}" for i in items})
        items = [i for i in items if f"evidence:{i['id']}" in seen]
    return {"items": items[offset : offset + limit], "total": len(items), "limit": limit, "offset": offset}


@router.get("/evidence/{id}", response_model=ItemDetail, operation_id="read_evidence", summary="An evidence item with metadata and custody")
def read_evidence(id: _ItemId, ws: WorkspaceDep) -> Any:
    item = _item_id(id)
    with ws.db.read() as s:
        return queries.show_item(s, ws.ledger, item)


@router.get("/evidence/{id}/custody", response_model=CustodyOut, operation_id="custody_of_evidence", summary="The chain of custody of an item")
def custody(id: _ItemId, ws: WorkspaceDep) -> Any:
    item = _item_id(id)
    with ws.db.read() as s:
        return {"item": item, "custody": queries.custody_chain(s, ws.ledger, item)}


def _held_back(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The chunks of a verifying reader, each sent only once the next one was read: the
    reader's digest check fails after its last chunk, so a corrupt blob's last chunk is never
    sent and the response stays short of its Content-Length (the client sees it incomplete)."""
    held = None
    for chunk in chunks:
        if held is not None:
            yield held
        held = chunk
    if held is not None:
        yield held


def _chunks(ws: Any, digest: str, r: ByteRange) -> Iterator[bytes]:
    pos = r.start
    while pos <= r.end:
        end = min(pos + CHUNK_SIZE, r.end + 1)
        yield ws.blobs.read_range(digest, pos, end)
        pos = end


@router.get(
    "/evidence/{id}/content",
    response_class=Response,
    operation_id="download_evidence",
    summary="Download the original (Range supported); the access is recorded in its custody chain",
    responses={
        200: {"description": "The whole original", "content": {"*/*": _BINARY}},
        206: {"description": "One byte range of the original", "content": {"*/*": _BINARY}},
        416: {"description": "The range selects no byte (RFC 9457 problem)", "content": {PROBLEM_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}},
    },
)
def download(
    id: _ItemId,
    purpose: Annotated[text(2000, min_len=1), Query(description="why the original is accessed (recorded in its custody chain)")],  # type: ignore[valid-type]
    ws: WorkspaceDep,
    who: PrincipalDep,
    range: Annotated[Optional[str], Header(max_length=200, description="bytes=<first>-<last> (RFC 9110 section 14.2)")] = None,
) -> Response:
    item_id = _item_id(id)
    with ws.db.read() as s:
        item = queries.get_item(s, item_id)
        mime = s.execute(sa.select(content.c.mime).where(content.c.digest == item.digest)).scalar()
    size = int(item.size)
    try:
        wanted = parse_range(range, size)
    except Unsatisfiable:
        body = {"type": "urn:svidok:error:RangeNotSatisfiable", "title": "Range not satisfiable", "status": 416,
                "detail": f"{item_id} has {size} bytes; the range {range!r} selects none of them"}
        return JSONResponse(body, status_code=416, media_type=PROBLEM_TYPE, headers={"Content-Range": content_range(None, size)})
    if wanted is not None:
        ws.blobs.verify(item.digest)  # IntegrityError -> 409 before any byte is sent
    shown = "whole file" if wanted is None else f"bytes {wanted.start}-{wanted.end}"
    with located("query"), ws.transaction(actor=who) as txn:
        service.record_access(txn, item_id, purpose=purpose, output=f"HTTP download ({shown})")
    headers = {
        "Accept-Ranges": "bytes",
        "ETag": f'"{item.digest}"',
        "Repr-Digest": repr_digest(item.digest),
        "Content-Disposition": f'attachment; filename="{item_id}"',
    }
    media = mime or "application/octet-stream"
    if wanted is None:
        headers["Content-Length"] = str(size)
        return StreamingResponse(_held_back(ws.blobs.read_verified(item.digest)), media_type=media, headers=headers)
    headers["Content-Length"] = str(wanted.length)
    headers["Content-Range"] = content_range(wanted, size)
    return StreamingResponse(_chunks(ws, item.digest, wanted), status_code=206, media_type=media, headers=headers)
