"""Appliers of the evidence locker's ledger entries (see :mod:`svidok.projection`).

Each applier uses only the entry (payload, time, actor) and its ledger index, and the rows
earlier entries produced, so replaying the ledger rebuilds identical rows. Services validate
before recording; appliers trust the payload and do the minimum of statements, because
ingest applies one ``evidence.acquired`` entry per file.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from svidok.db.schema import acquisition, content, derivative, evidence_item, metadata_correction, metadata_record
from svidok.evidence.canonical import canonical_text
from svidok.ledger.entry import Entry
from svidok.projection import applier, projection_tables

projection_tables(evidence_item, acquisition, content, metadata_record, metadata_correction, derivative)

#: Extraction states of a content row.
PENDING = "pending"
EXTRACTED = "extracted"

_IGNORE_CACHE: dict[tuple[str, str], Any] = {}
_INSERT_ACQUISITION = sa.insert(acquisition)


def _insert_if_absent(session: Session, table: sa.Table, key: str) -> Any:
    """``INSERT ... ON CONFLICT (key) DO NOTHING`` for this session's dialect (cached)."""
    dialect = session.get_bind().dialect.name
    cached = _IGNORE_CACHE.get((dialect, table.name))
    if cached is None:
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        cached = insert(table).on_conflict_do_nothing(index_elements=[table.c[key]])
        _IGNORE_CACHE[(dialect, table.name)] = cached
    return cached


@applier("evidence.acquired")
def apply_acquired(session: Session, index: int, entry: Entry) -> None:
    """A file acquired into a case: its content, its item (first time) and the acquisition."""
    p = entry.payload
    source = p["source"]
    conn = session.connection()  # Core execution: one entry per ingested file, keep it lean
    conn.execute(
        _insert_if_absent(session, content, "digest"),
        {"digest": p["digest"], "size": p["size"], "mime": None, "pdq": None, "pdq_quality": None,
         "state": PENDING, "first_index": index, "extracted_index": None},
    )
    conn.execute(
        _insert_if_absent(session, evidence_item, "id"),
        {"id": p["item"], "case_ref": p["case"], "digest": p["digest"], "size": p["size"],
         "custodian": p["custodian"], "created_index": index, "created_at": entry.time},
    )
    conn.execute(
        _INSERT_ACQUISITION,
        {"idx": index, "item_id": p["item"], "idempotency_key": p["key"],
         "collector": p.get("collector"), "device": p.get("device"), "method": p.get("method"),
         "place": p.get("place"), "note": p.get("note"), "collected_at": p.get("collected_at"),
         "source_path": source["path"], "source_path_hex": source.get("path_hex"),
         "source_mtime": source.get("mtime"), "size": p["size"], "acquired_at": entry.time,
         "actor": entry.actor},
    )


@applier("evidence.extracted")
def apply_extracted(session: Session, index: int, entry: Entry) -> None:
    """Metadata of a content: MIME, PDQ, one record per extractor (superseding older ones)."""
    p = entry.payload
    digest = p["digest"]
    pdq = p.get("pdq") or {}
    session.execute(
        sa.update(content).where(content.c.digest == digest).values(
            mime=p.get("mime"), pdq=pdq.get("hash"), pdq_quality=pdq.get("quality"),
            state=EXTRACTED, extracted_index=index,
        )
    )
    results = p.get("results") or []
    if not results:
        return
    names = [r["extractor"] for r in results]
    session.execute(
        sa.update(metadata_record)
        .where(metadata_record.c.digest == digest, metadata_record.c.extractor.in_(names),
               metadata_record.c.superseded_by.is_(None))
        .values(superseded_by=index)
    )
    session.execute(
        sa.insert(metadata_record),
        [
            {"idx": index, "extractor": r["extractor"], "digest": digest, "version": r["version"],
             "ok": bool(r["ok"]), "data": canonical_text(r["data"]) if r["ok"] else None,
             "error": r.get("error"), "superseded_by": None}
            for r in results
        ],
    )


@applier("evidence.derived")
def apply_derived(session: Session, index: int, entry: Entry) -> None:
    """A derivative (thumbnail, preview) made from an original."""
    p = entry.payload
    session.execute(
        sa.insert(derivative),
        {"idx": index, "original_digest": p["original"], "digest": p["digest"], "kind": p["kind"],
         "mime": p["mime"], "size": p["size"], "tool": p["tool"], "tool_version": p["tool_version"],
         "settings": canonical_text(p["settings"])},
    )


@applier("custody.transferred")
def apply_transferred(session: Session, index: int, entry: Entry) -> None:
    """The item's custodian becomes the receiver."""
    p = entry.payload
    session.execute(sa.update(evidence_item).where(evidence_item.c.id == p["item"]).values(custodian=p["to"]))


@applier("evidence.corrected")
def apply_corrected(session: Session, index: int, entry: Entry) -> None:
    """A corrected value; the previous correction of the same field is superseded, not erased."""
    p = entry.payload
    session.execute(
        sa.update(metadata_correction)
        .where(metadata_correction.c.item_id == p["item"], metadata_correction.c.field == p["field"],
               metadata_correction.c.superseded_by.is_(None))
        .values(superseded_by=index)
    )
    session.execute(
        sa.insert(metadata_correction),
        {"idx": index, "item_id": p["item"], "field": p["field"],
         "old_value": None if p.get("old") is None else canonical_text(p["old"]),
         "new_value": canonical_text(p["new"]), "reason": p["reason"], "actor": entry.actor,
         "corrected_at": entry.time, "superseded_by": None},
    )
