"""Reading the evidence locker: items, their metadata, derivatives and custody chains.

An item's custody chain (ISO/IEC 27037:2012 section 5.4; Berkeley Protocol para. 156) is every
ledger entry whose subjects name ``evidence:<id>`` (acquired, transferred, accessed, corrected,
exported), plus the ``evidence.extracted`` and ``evidence.derived`` entries about its content,
in ledger order. Each event carries its ledger index, so it can be proved with
``svidok log prove INDEX``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from svidok.db.ledger_store import LedgerStore
from svidok.db.schema import acquisition, content, derivative, evidence_item, metadata_correction, metadata_record
from svidok.errors import NotFound
from svidok.evidence.summary import summarise
from svidok.ledger.entry import Entry

#: Entry types about a content (not an item) that belong to each item's chain.
CONTENT_EVENTS = ("evidence.extracted", "evidence.derived")


def get_item(session: Session, item_id: str) -> Any:
    """The ``evidence_item`` row, or NotFound naming the id."""
    row = session.execute(sa.select(evidence_item).where(evidence_item.c.id == item_id)).first()
    if row is None:
        raise NotFound(f"no evidence item {item_id}", item=item_id)
    return row


def list_items(session: Session, case_ref: str | None = None, *, ids: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Items (optionally of one case, or only those of ``ids``: a page of a listing) in order of
    acquisition, with MIME and extraction state."""
    counted = sa.select(acquisition.c.item_id, sa.func.count().label("n")).group_by(acquisition.c.item_id)
    if ids is not None:
        counted = counted.where(acquisition.c.item_id.in_(list(ids)))
    n_acq = counted.subquery()
    q = (
        sa.select(evidence_item, content.c.mime, content.c.state, n_acq.c.n)
        .join(content, content.c.digest == evidence_item.c.digest, isouter=True)
        .join(n_acq, n_acq.c.item_id == evidence_item.c.id, isouter=True)
        .order_by(evidence_item.c.created_index, evidence_item.c.id)
    )
    if case_ref is not None:
        q = q.where(evidence_item.c.case_ref == case_ref)
    if ids is not None:
        q = q.where(evidence_item.c.id.in_(list(ids)))
    return [
        {
            "id": r.id, "case": r.case_ref, "digest": r.digest, "size": int(r.size), "mime": r.mime,
            "custodian": r.custodian, "created_index": int(r.created_index), "created_at": r.created_at,
            "acquisitions": int(r.n or 0), "metadata": r.state,
        }
        for r in session.execute(q)
    ]


def current_metadata(session: Session, digest: str) -> list[dict[str, Any]]:
    """The current (not superseded) extractor records of a content, in extractor-name order."""
    rows = session.execute(
        sa.select(metadata_record)
        .where(metadata_record.c.digest == digest, metadata_record.c.superseded_by.is_(None))
        .order_by(metadata_record.c.extractor)
    )
    return [
        {"extractor": r.extractor, "version": r.version, "ok": bool(r.ok),
         "data": json.loads(r.data) if r.data is not None else None, "error": r.error, "index": int(r.idx)}
        for r in rows
    ]


def corrections(session: Session, item_id: str, *, current_only: bool = False) -> list[dict[str, Any]]:
    """Corrections of an item in ledger order (all, or only those not superseded)."""
    q = sa.select(metadata_correction).where(metadata_correction.c.item_id == item_id)
    if current_only:
        q = q.where(metadata_correction.c.superseded_by.is_(None))
    return [
        {"index": int(r.idx), "field": r.field,
         "old": json.loads(r.old_value) if r.old_value is not None else None,
         "new": json.loads(r.new_value), "reason": r.reason, "actor": r.actor, "time": r.corrected_at,
         "superseded_by": None if r.superseded_by is None else int(r.superseded_by)}
        for r in session.execute(q.order_by(metadata_correction.c.idx))
    ]


def item_summary(session: Session, item: Any) -> dict[str, Any]:
    """The summary facts of an item (:func:`svidok.evidence.summary.summarise`)."""
    records = {m["extractor"]: m["data"] for m in current_metadata(session, item.digest) if m["ok"]}
    return summarise(records, corrections(session, item.id, current_only=True))


def derivatives_of(session: Session, digest: str) -> list[dict[str, Any]]:
    """Derivatives made from a content, in ledger order."""
    rows = session.execute(sa.select(derivative).where(derivative.c.original_digest == digest).order_by(derivative.c.idx))
    return [
        {"index": int(r.idx), "kind": r.kind, "digest": r.digest, "mime": r.mime, "size": int(r.size),
         "tool": r.tool, "tool_version": r.tool_version, "settings": json.loads(r.settings)}
        for r in rows
    ]


def acquisitions_of(session: Session, item_id: str) -> list[dict[str, Any]]:
    """Every acquisition of an item, in ledger order."""
    rows = session.execute(sa.select(acquisition).where(acquisition.c.item_id == item_id).order_by(acquisition.c.idx))
    out = []
    for r in rows:
        a = {"index": int(r.idx), "acquired_at": r.acquired_at, "actor": r.actor, "source_path": r.source_path,
             "size": int(r.size)}
        for name in ("collector", "device", "method", "place", "note", "collected_at", "source_path_hex", "source_mtime"):
            value = getattr(r, name)
            if value is not None:
                a[name] = value
        out.append(a)
    return out


def custody_chain(session: Session, ledger: LedgerStore, item_id: str) -> list[dict[str, Any]]:
    """Every custody event of an item, in ledger order: index, time, type, actor, what."""
    item = get_item(session, item_id)
    own = ledger.indexes_for_subject(session, f"evidence:{item.id}")
    about = ledger.indexes_for_subject(session, f"content:{item.digest}")
    events = []
    for index in sorted(set(own) | set(about)):
        entry = Entry.decode(ledger.entry(session, index))
        if index not in own and entry.type not in CONTENT_EVENTS:
            continue  # another item's acquisition of the same bytes (maybe another case)
        events.append({"index": index, "time": entry.time, "type": entry.type, "actor": entry.actor,
                       "what": describe(entry.type, entry.payload), "payload": _plain(entry.payload)})
    return events


def _plain(payload: Mapping[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(dict(payload)))


def describe(entry_type: str, p: Mapping[str, Any]) -> str:
    """One human sentence for a custody event."""
    if entry_type == "evidence.acquired":
        who = ", ".join(f"{k} {p[k]}" for k in ("collector", "device", "method", "place", "collected_at") if k in p)
        return f"acquired into case {p['case']} from {p['source']['path']} ({p['size']} bytes, {p['digest']})" + (f"; {who}" if who else "")
    if entry_type == "custody.transferred":
        text = f"transferred from {p['from']} to {p['to']}, receipt acknowledged by {p['acknowledged_by']}"
        return text + (f" ({p['note']})" if "note" in p else "")
    if entry_type == "custody.accessed":
        return f"original accessed: {p['purpose']}" + (f" (copy written to {p['output']})" if "output" in p else "")
    if entry_type == "custody.exported":
        return f"exported as {p['format']} to {p['destination']}"
    if entry_type == "evidence.extracted":
        parts = [f"{r['extractor']} {'ok' if r['ok'] else 'failed: ' + str(r.get('error'))}" for r in p.get("results", [])]
        notes = "".join(f"; {n}" for n in p.get("notes", []))
        return f"metadata extracted (MIME {p.get('mime')}): " + ("; ".join(parts) if parts else "no extractor applies") + notes
    if entry_type == "evidence.derived":
        return f"{p['kind']} derived: {p['digest']} ({p['mime']}, {p['size']} bytes) by {p['tool']} {p['tool_version']}"
    if entry_type == "evidence.corrected":
        return f"{p['field']} corrected from {p.get('old')!r} to {p['new']!r}: {p['reason']}"
    return entry_type


def show_item(session: Session, ledger: LedgerStore, item_id: str) -> dict[str, Any]:
    """Everything about an item: digest, size, MIME, metadata, custody, ledger indexes."""
    item = get_item(session, item_id)
    c = session.execute(sa.select(content).where(content.c.digest == item.digest)).first()
    chain = custody_chain(session, ledger, item.id)
    return {
        "id": item.id,
        "case": item.case_ref,
        "digest": item.digest,
        "size": int(item.size),
        "mime": c.mime if c is not None else None,
        "custodian": item.custodian,
        "created_index": int(item.created_index),
        "created_at": item.created_at,
        "metadata_state": c.state if c is not None else None,
        "pdq": None if c is None or c.pdq is None else {"hash": c.pdq, "quality": c.pdq_quality},
        "summary": item_summary(session, item),
        "metadata": current_metadata(session, item.digest),
        "corrections": corrections(session, item.id),
        "acquisitions": acquisitions_of(session, item.id),
        "derivatives": derivatives_of(session, item.digest),
        "custody": [{k: e[k] for k in ("index", "time", "type", "actor", "what")} for e in chain],
        "ledger_indexes": [e["index"] for e in chain],
    }


def pending_contents(session: Session, after: str = "", limit: int = 100) -> list[tuple[str, int]]:
    """Contents still waiting for extraction, ``(digest, size)`` in digest order after ``after``."""
    rows = session.execute(
        sa.select(content.c.digest, content.c.size)
        .where(content.c.state == "pending", content.c.digest > after)
        .order_by(content.c.digest)
        .limit(limit)
    )
    return [(r.digest, int(r.size)) for r in rows]
