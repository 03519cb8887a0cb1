"""Appliers of the evidence locker's ledger entries (see :mod:`svidok.projection`).

Each applier uses only the entry (payload, time, actor) and its ledger index, and the rows
earlier entries produced, so replaying the ledger rebuilds identical rows. Services validate
before recording; appliers trust the payload and do the minimum of statements, because
ingest applies one ``evidence.acquired`` entry per file: its batches are recorded with
:meth:`~svidok.workspace.Txn.record_many` and applied by :func:`apply_acquired_many`, three
statements for the whole batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from svidok.db.schema import acquisition, content, derivative, evidence_item, metadata_correction, metadata_record
from svidok.evidence.canonical import canonical_text
from svidok.ledger.entry import Entry
from svidok.projection import applier, batch_applier, projection_tables

projection_tables(evidence_item, acquisition, content, metadata_record, metadata_correction, derivative)

#: Extraction states of a content row.
PENDING = "pending"
EXTRACTED = "extracted"

_IGNORE_CACHE: dict[tuple[str, str], Any] = {}
_INSERT_ACQUISITION = sa.insert(acquisition)


def _insert_if_absent(session: Session, table: sa.Table, key: str) -> Any:
    """``INSERT ... ON CONFLICT (key) DO NOTHING`` for this session's dialect (cached)."""
    return _insert_if_absent_dialect(session.get_bind().dialect.name, table, key)


def _insert_if_absent_dialect(dialect: str, table: sa.Table, key: str) -> Any:
    cached = _IGNORE_CACHE.get((dialect, table.name))
    if cached is None:
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        cached = insert(table).on_conflict_do_nothing(index_elements=[table.c[key]])
        _IGNORE_CACHE[(dialect, table.name)] = cached
    return cached


def _acquired_rows(index: int, entry: Entry) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The content, evidence_item and acquisition rows of one ``evidence.acquired`` entry."""
    p = entry.payload
    source = p["source"]
    return (
        {"digest": p["digest"], "size": p["size"], "mime": None, "pdq": None, "pdq_quality": None,
         "state": PENDING, "first_index": index, "extracted_index": None},
        {"id": p["item"], "case_ref": p["case"], "digest": p["digest"], "size": p["size"],
         "custodian": p["custodian"], "created_index": index, "created_at": entry.time},
        {"idx": index, "item_id": p["item"], "idempotency_key": p["key"],
         "collector": p.get("collector"), "device": p.get("device"), "method": p.get("method"),
         "place": p.get("place"), "note": p.get("note"), "collected_at": p.get("collected_at"),
         "source_path": source["path"], "source_path_hex": source.get("path_hex"),
         "source_mtime": source.get("mtime"), "size": p["size"], "acquired_at": entry.time,
         "actor": entry.actor},
    )


@applier("evidence.acquired")
def apply_acquired(session: Session, index: int, entry: Entry) -> None:
    """A file acquired into a case: its content, its item (first time) and the acquisition."""
    content_row, item_row, acquisition_row = _acquired_rows(index, entry)
    conn = session.connection()  # Core execution: one entry per ingested file, keep it lean
    conn.execute(_insert_if_absent(session, content, "digest"), content_row)
    conn.execute(_insert_if_absent(session, evidence_item, "id"), item_row)
    conn.execute(_INSERT_ACQUISITION, acquisition_row)


@batch_applier("evidence.acquired")
def apply_acquired_many(session: Session, items: Sequence[tuple[int, Entry]]) -> None:
    """A run of acquisitions: the rows of :func:`apply_acquired` on each, in three statements.

    One executemany per table, in the order the per-entry applier writes them (content, then
    item, then acquisition). Contents and items are insert-if-absent, so within the run only
    the first entry naming a digest or an item can insert it (an earlier entry's row wins, as
    it would applied one by one); later ones are dropped here and rows already in the table
    are left alone by ``ON CONFLICT DO NOTHING``. Every entry gets its acquisition row.
    """
    if not items:
        return
    contents: dict[Any, dict[str, Any]] = {}
    item_rows: dict[Any, dict[str, Any]] = {}
    acquisitions: list[dict[str, Any]] = []
    for index, entry in items:
        content_row, item_row, acquisition_row = _acquired_rows(index, entry)
        contents.setdefault(content_row["digest"], content_row)
        item_rows.setdefault(item_row["id"], item_row)
        acquisitions.append(acquisition_row)
    conn = session.connection()
    _insert_many(conn, content, list(contents.values()), "digest")
    _insert_many(conn, evidence_item, list(item_rows.values()), "id")
    _insert_many(conn, acquisition, acquisitions, None)


_DRIVER_SQL: dict[tuple[str, str, str | None], str] = {}


def _insert_many(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]], key: str | None) -> None:
    """One executemany of ``rows`` into ``table`` (``ON CONFLICT (key) DO NOTHING`` if ``key``).

    On the standard library's ``sqlite3`` and on psycopg 3 the statement text is handed to the
    driver directly (:meth:`sqlalchemy.engine.Connection.exec_driver_sql`, in the session's
    transaction): SQLAlchemy's per-row parameter processing costs as much as SQLite's insert
    itself, and these values (text, integers, None) need none. Other drivers use Core.
    """
    if not rows:
        return
    dialect = conn.dialect
    if (dialect.name, dialect.driver) == ("sqlite", "pysqlite"):
        mark = ":{}"
    elif (dialect.name, dialect.driver) == ("postgresql", "psycopg"):
        mark = "%({})s"
    else:
        stmt = sa.insert(table) if key is None else _insert_if_absent_dialect(dialect.name, table, key)
        conn.execute(stmt, rows)
        return
    cache_key = (mark, table.name, key)
    sql = _DRIVER_SQL.get(cache_key)
    if sql is None:
        names = [c.name for c in table.columns]
        sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join(mark.format(n) for n in names)})"
        if key is not None:
            sql += f" ON CONFLICT ({key}) DO NOTHING"
        _DRIVER_SQL[cache_key] = sql
    conn.exec_driver_sql(sql, rows)


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
