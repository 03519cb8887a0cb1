"""Services that change the evidence locker: every change is one ledger entry (``txn.record``).

The entries follow the chain-of-custody practice of the Berkeley Protocol on Digital Open
Source Investigations (2022), paras. 149-158 (preservation: who collected what, when, how and
with what tool, with its hash) and ISO/IEC 27037:2012 section 5.4 (every hand-over and access
documented). Ids, keys and other values that must not depend on the clock at replay are made
here and carried in the payload; appliers (:mod:`.projection`) only copy them.

Functions take an open :class:`~svidok.workspace.Txn`: the caller decides how much goes into
one transaction (ingest batches hundreds of acquisitions under one signed checkpoint).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa

from svidok.db.schema import acquisition, content, derivative, evidence_item
from svidok.errors import InputError, NotFound
from svidok.evidence import queries
from svidok.evidence.canonical import ledger_safe
from svidok.evidence.ids import check_case_ref, check_item_id, idempotency_key, new_item_id
from svidok.evidence.projection import PENDING
from svidok.evidence.summary import current_value, parse_correction
from svidok.ledger.entry import format_time
from svidok.workspace import Txn

_MAX_TEXT = 2000
_SQL_CHUNK = 500
_ISO_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?")


def _opt_text(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"{name} must be text", field=name)
    text = value.strip()
    if not text:
        return None
    if len(text) > _MAX_TEXT:
        raise InputError(f"{name} is longer than {_MAX_TEXT} characters", field=name)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(f"{name} is not valid Unicode text", field=name) from None
    return text


def _req_text(value: str | None, name: str) -> str:
    text = _opt_text(value, name)
    if text is None:
        raise InputError(f"{name} is required and must not be empty", field=name)
    return text


@dataclass(frozen=True)
class AcquisitionInfo:
    """What the investigator declares about an acquisition (Berkeley Protocol para. 153).

    ``collected_at`` is when the material was collected in the field, ISO 8601 (the ledger
    entry's own time records when it entered the locker).
    """

    case_ref: str
    collector: str | None = None
    device: str | None = None
    method: str | None = None
    place: str | None = None
    note: str | None = None
    collected_at: str | None = None

    def validated(self) -> AcquisitionInfo:
        """A copy with text trimmed, or InputError naming the bad field."""
        collected = _opt_text(self.collected_at, "collected_at")
        if collected is not None and not _ISO_INSTANT.fullmatch(collected):
            raise InputError(
                f"collected_at {collected!r} is not an ISO 8601 date or date-time (e.g. 2022-09-16T10:20:00+03:00)",
                field="collected_at",
            )
        return replace(
            self,
            case_ref=check_case_ref(self.case_ref),
            collector=_opt_text(self.collector, "collector"),
            device=_opt_text(self.device, "device"),
            method=_opt_text(self.method, "method"),
            place=_opt_text(self.place, "place"),
            note=_opt_text(self.note, "note"),
            collected_at=collected,
        )


@dataclass(frozen=True)
class StoredFile:
    """A source file read once into the blob store, ready to be registered.

    ``path`` is the absolute source path as raw bytes (names need not be UTF-8); ``display``
    its readable form; ``path_hex`` the hex of the raw bytes when they are not UTF-8.
    """

    path: bytes
    display: str
    digest: str
    size: int
    mtime_ns: int | None = None
    path_hex: str | None = None
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Registered:
    """What registering one stored file did."""

    status: str  # "stored" (new content), "deduplicated" (content known), "already-ingested"
    item_id: str
    index: int | None  # ledger index of the new acquisition entry (None if already ingested)
    new_item: bool = False


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for i in range(0, len(values), _SQL_CHUNK):
        yield values[i : i + _SQL_CHUNK]


def register_acquisitions(txn: Txn, info: AcquisitionInfo, files: Sequence[StoredFile]) -> list[Registered]:
    """Record one ``evidence.acquired`` entry per stored file, in the caller's transaction.

    Idempotent: a file whose acquisition (same case, source path, digest, collector, device,
    method) is already recorded gives ``already-ingested`` and no entry. A file whose content
    the case already holds becomes a new acquisition of the existing item. Call only after the
    blobs are durable in the store. The entries are appended one per file and applied as one
    batch (:meth:`~svidok.workspace.Txn.record_many`), with the same rows as one by one.
    """
    info = info.validated()
    s = txn.session
    keys = [idempotency_key(info.case_ref, f.path, f.digest, info.collector, info.device, info.method) for f in files]
    done: dict[str, str] = {}
    for part in _chunks(keys):
        for key, item in s.execute(
            sa.select(acquisition.c.idempotency_key, acquisition.c.item_id).where(acquisition.c.idempotency_key.in_(part))
        ):
            done[key] = item
    digests = sorted({f.digest for f in files})
    items: dict[str, str] = {}
    known: set[str] = set()
    for part in _chunks(digests):
        for item, digest in s.execute(
            sa.select(evidence_item.c.id, evidence_item.c.digest).where(
                evidence_item.c.case_ref == info.case_ref, evidence_item.c.digest.in_(part)
            )
        ):
            items[digest] = item
        known.update(s.execute(sa.select(content.c.digest).where(content.c.digest.in_(part))).scalars())
    out: list[Registered | None] = []
    pending: list[tuple[int, str, str, bool]] = []  # (position in out, status, item, new item)
    entries: list[tuple[dict[str, Any], list[str]]] = []
    custodian = info.collector or txn.actor
    for f, key in zip(files, keys):
        if key in done:
            out.append(Registered("already-ingested", done[key], None))
            continue
        new_item = f.digest not in items
        item = items.setdefault(f.digest, new_item_id()) if new_item else items[f.digest]
        status = "deduplicated" if f.digest in known else "stored"
        payload: dict[str, Any] = {
            "item": item,
            "case": info.case_ref,
            "digest": f.digest,
            "digests": {"sha256": f.digest.partition(":")[2]},
            "size": f.size,
            "key": key,
            "custodian": custodian,
            "source": _source(f),
        }
        for name in ("collector", "device", "method", "place", "note", "collected_at"):
            value = getattr(info, name)
            if value is not None:
                payload[name] = value
        if f.flags:
            payload["flags"] = list(f.flags)
        entries.append((payload, [f"evidence:{item}", f"case:{info.case_ref}", f"content:{f.digest}"]))
        pending.append((len(out), status, item, new_item))
        out.append(None)
        known.add(f.digest)
        done[key] = item
    # One append per file, then one batch application (svidok.projection.apply_entries).
    for (pos, status, item, new_item), appended in zip(pending, txn.record_many("evidence.acquired", entries), strict=True):
        out[pos] = Registered(status, item, appended.index, new_item)
    return [r for r in out if r is not None]


def _source(f: StoredFile) -> dict[str, Any]:
    source: dict[str, Any] = {"path": f.display, "size": f.size}
    if f.path_hex is not None:
        source["path_hex"] = f.path_hex
    if f.mtime_ns is not None:
        source["mtime"] = format_time(datetime.fromtimestamp(f.mtime_ns / 1e9, timezone.utc))
    return source


@dataclass
class ExtractionResult:
    """One extractor's outcome, as recorded (see :class:`svidok.intake.extractors.Extraction`)."""

    extractor: str
    version: str
    ok: bool
    data: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    ms: int = 0


def record_extraction(
    txn: Txn,
    digest: str,
    *,
    mime: str,
    results: Sequence[ExtractionResult],
    pdq: tuple[str, int] | None = None,
    notes: Sequence[str] = (),
) -> int | None:
    """Record what was read from a stored content (``evidence.extracted``); returns its index.

    Returns None without recording if the content is not pending (another run did it).
    Errors of extractors (hostile files, timeouts) are recorded as results with ``ok`` false.
    """
    state = txn.session.execute(sa.select(content.c.state).where(content.c.digest == digest)).scalar()
    if state is None:
        raise NotFound(f"no content {digest} in the locker", digest=digest)
    if state != PENDING:
        return None
    payload: dict[str, Any] = {
        "digest": digest,
        "mime": mime,
        "results": [
            {"extractor": r.extractor, "version": r.version, "ok": bool(r.ok),
             "data": ledger_safe(r.data) if r.ok else {}, "error": r.error, "ms": int(r.ms)}
            for r in results
        ],
    }
    if pdq is not None:
        payload["pdq"] = {"hash": pdq[0], "quality": int(pdq[1])}
    if notes:
        payload["notes"] = list(notes)
    return txn.record("evidence.extracted", payload, subjects=[f"content:{digest}"]).index


def record_derivative(
    txn: Txn,
    original: str,
    *,
    digest: str,
    kind: str,
    mime: str,
    size: int,
    tool: str,
    tool_version: str,
    settings: Mapping[str, Any],
) -> int | None:
    """Link a stored derivative to its original (``evidence.derived``); returns its index.

    The derivative blob must already be durable in the store. Recording the same derivative
    twice is a no-op (returns None).
    """
    if txn.session.execute(sa.select(content.c.digest).where(content.c.digest == original)).first() is None:
        raise NotFound(f"no original {original} in the locker", digest=original)
    exists = txn.session.execute(
        sa.select(derivative.c.idx).where(
            derivative.c.original_digest == original, derivative.c.kind == kind, derivative.c.digest == digest
        )
    ).first()
    if exists is not None:
        return None
    payload = {
        "original": original, "digest": digest, "kind": kind, "mime": mime, "size": int(size),
        "tool": tool, "tool_version": tool_version, "settings": ledger_safe(dict(settings)),
    }
    return txn.record("evidence.derived", payload, subjects=[f"content:{original}", f"derivative:{digest}"]).index


def _item(txn: Txn, item_id: str) -> Any:
    return queries.get_item(txn.session, check_item_id(item_id))


def transfer(
    txn: Txn,
    item_id: str,
    *,
    to: str,
    acknowledged_by: str,
    from_: str | None = None,
    note: str | None = None,
) -> int:
    """Hand an item to a new custodian (``custody.transferred``), with the receipt's acknowledgement.

    ``from_``, when given, must name the current custodian (a hand-over by someone who does not
    hold the item is refused).
    """
    row = _item(txn, item_id)
    to_ = _req_text(to, "to")
    ack = _req_text(acknowledged_by, "acknowledged_by")
    giver = _opt_text(from_, "from") or row.custodian
    if giver != row.custodian:
        raise InputError(f"{row.id} is held by {row.custodian!r}, not {giver!r}", field="from")
    if to_ == row.custodian:
        raise InputError(f"{row.id} is already held by {to_!r}", field="to")
    payload: dict[str, Any] = {"item": row.id, "from": giver, "to": to_, "acknowledged_by": ack}
    text = _opt_text(note, "note")
    if text is not None:
        payload["note"] = text
    return txn.record("custody.transferred", payload, subjects=[f"evidence:{row.id}", f"case:{row.case_ref}"]).index


def record_access(txn: Txn, item_id: str, *, purpose: str, output: str | None = None) -> int:
    """Record that someone read the original (``custody.accessed``)."""
    row = _item(txn, item_id)
    payload: dict[str, Any] = {"item": row.id, "digest": row.digest, "purpose": _req_text(purpose, "purpose")}
    out = _opt_text(output, "output")
    if out is not None:
        payload["output"] = out
    return txn.record("custody.accessed", payload, subjects=[f"evidence:{row.id}", f"case:{row.case_ref}"]).index


def record_export(
    txn: Txn, item_ids: Sequence[str], *, destination: str, fmt: str, note: str | None = None
) -> int:
    """Record that items left the locker (``custody.exported``), e.g. in a BagIt bundle (RFC 8493)."""
    rows = [_item(txn, i) for i in item_ids]
    if not rows:
        raise InputError("an export names at least one item", field="items")
    payload: dict[str, Any] = {
        "items": [r.id for r in rows],
        "digests": [r.digest for r in rows],
        "destination": _req_text(destination, "destination"),
        "format": _req_text(fmt, "format"),
    }
    text = _opt_text(note, "note")
    if text is not None:
        payload["note"] = text
    subjects = [f"evidence:{r.id}" for r in rows] + sorted({f"case:{r.case_ref}" for r in rows})
    return txn.record("custody.exported", payload, subjects=subjects).index


def correct_metadata(txn: Txn, item_id: str, *, field: str, value: str, reason: str) -> int:
    """Correct one summary value of an item (``evidence.corrected``); supersedes, never erases.

    The value it replaces (extracted or an earlier correction) is recorded as ``old``.
    """
    row = _item(txn, item_id)
    new = parse_correction(field, value)
    why = _req_text(reason, "reason")
    summary = queries.item_summary(txn.session, row)
    old = current_value(summary, field)
    if old == new:
        raise InputError(f"{field} of {row.id} is already {new!r}", field="value")
    payload = {"item": row.id, "field": field, "old": ledger_safe(old), "new": new, "reason": why}
    return txn.record("evidence.corrected", payload, subjects=[f"evidence:{row.id}", f"case:{row.case_ref}"]).index
