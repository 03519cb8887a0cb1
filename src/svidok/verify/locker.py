"""``svidok verify`` for the evidence locker: blobs, evidence rows and derivatives.

Checks, collecting every discrepancy before anything fails (bagit-python's habit):

* every stored content and derivative blob is present with its recorded size and, unless
  ``fast``, re-hashes to its SHA-256 name (the store's own checksums are never trusted);
* every ``evidence_item``, ``acquisition`` and ``metadata_record`` row equals what the ledger
  entry that created it says, and every such entry has its rows (a row edited, inserted or
  deleted behind the ledger's back is named by its item);
* every derivative points at an original the locker holds;
* blobs no entry names (left by an interrupted ingest, adopted by its re-run) are listed as
  warnings, not failures.

Rows are compared with the entries by a merge in ledger-index order, so memory stays bounded
by one stream of rows and one of entries (plus the set of known digests for orphans).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from svidok.db.schema import acquisition, content, derivative, evidence_item, ledger_entry, metadata_record
from svidok.errors import FormatError, IntegrityError, NotFound, SvidokError
from svidok.evidence.canonical import canonical_text
from svidok.ledger.entry import Entry
from svidok.verify.report import Report
from svidok.workspace import Workspace

_BATCH = 2000


def _rows(session: Session, query: sa.Select[Any]) -> Iterator[Any]:
    """Stream the rows of an ordered ``query`` in batches."""
    offset = 0
    while True:
        batch = session.execute(query.limit(_BATCH).offset(offset)).all()
        if not batch:
            return
        yield from batch
        offset += len(batch)


def _entries(session: Session, entry_type: str) -> Iterator[tuple[int, dict[str, Any]]]:
    pos = -1
    while True:
        rows = session.execute(
            sa.select(ledger_entry.c.idx, ledger_entry.c.data)
            .where(ledger_entry.c.entry_type == entry_type, ledger_entry.c.idx > pos)
            .order_by(ledger_entry.c.idx)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        for idx, data in rows:
            try:
                entry = Entry.decode(bytes(data))
            except FormatError:
                continue  # reported by the ledger check
            yield int(idx), {"payload": dict(entry.payload), "time": entry.time, "actor": entry.actor}
        pos = int(rows[-1][0])


def _items_for(session: Session, digest: str) -> str:
    ids = session.execute(sa.select(evidence_item.c.id).where(evidence_item.c.digest == digest).order_by(evidence_item.c.id)).scalars().all()
    return ", ".join(ids) if ids else "no item"


def _diff(row: Any, expected: dict[str, Any]) -> list[str]:
    out = []
    for name, want in expected.items():
        have = getattr(row, name)
        if isinstance(want, bool):
            have = bool(have)
        if have != want:
            out.append(_difference(name, have, want))
    return out


def _difference(name: str, have: Any, want: Any) -> str:
    """Say how a column differs; long texts are shown around their first difference."""
    if isinstance(have, str) and isinstance(want, str) and max(len(have), len(want)) > 60:
        at = next((i for i, (a, b) in enumerate(zip(have, want)) if a != b), min(len(have), len(want)))
        lo = max(0, at - 20)
        return f"{name} differs at character {at}: the row has ...{have[lo:at + 30]!r}..., the ledger says ...{want[lo:at + 30]!r}..."
    return f"{name} is {have!r}, the ledger says {want!r}"


def _get(r: Any, name: str) -> Any:
    return r[name] if isinstance(r, dict) else getattr(r, name)


def _merge(
    report: Report,
    rows: Iterator[Any],
    entries: Iterator[tuple[Any, dict[str, Any]]],
    row_key: Callable[[Any], Any],
    describe: Callable[[Any, Any], str],
    kind: str,
) -> int:
    """Merge rows and expected rows (both sorted by key); report missing, extra and differing.

    ``describe(key, r)`` names the row for people; ``r`` is the row, or the expected values
    (a dict) when the row is missing.
    """
    checked = 0
    row = next(rows, None)

    def extra(r: Any) -> None:
        where = describe(row_key(r), r)
        report.add(f"{kind}-extra", where, f"{where}: the row exists but no ledger entry created it")

    for key, expected in entries:
        while row is not None and row_key(row) < key:
            extra(row)
            row = next(rows, None)
        if row is None or row_key(row) != key:
            where = describe(key, expected)
            report.add(f"{kind}-missing", where, f"{where}: ledger entry {expected['_index']} created it but the row is missing")
            continue
        diffs = _diff(row, {k: v for k, v in expected.items() if not k.startswith("_")})
        if diffs:
            where = describe(key, row)
            report.add(f"{kind}-altered", where, f"{where} differs from ledger entry {expected['_index']}: " + "; ".join(diffs))
        checked += 1
        row = next(rows, None)
    while row is not None:
        extra(row)
        row = next(rows, None)
    return checked


def _expected_items(session: Session) -> Iterator[tuple[int, dict[str, Any]]]:
    seen: set[str] = set()
    for idx, e in _entries(session, "evidence.acquired"):
        p = e["payload"]
        if p["item"] in seen:
            continue
        seen.add(p["item"])
        yield idx, {"_index": idx, "id": p["item"], "case_ref": p["case"], "digest": p["digest"], "size": p["size"], "created_at": e["time"]}


def _expected_acquisitions(session: Session) -> Iterator[tuple[int, dict[str, Any]]]:
    for idx, e in _entries(session, "evidence.acquired"):
        p = e["payload"]
        yield idx, {
            "_index": idx, "item_id": p["item"], "idempotency_key": p["key"], "size": p["size"],
            "collector": p.get("collector"), "device": p.get("device"), "method": p.get("method"),
            "place": p.get("place"), "note": p.get("note"), "collected_at": p.get("collected_at"),
            "source_path": p["source"]["path"], "source_path_hex": p["source"].get("path_hex"),
            "acquired_at": e["time"], "actor": e["actor"],
        }


def _expected_metadata(session: Session) -> Iterator[tuple[tuple[int, str], dict[str, Any]]]:
    for idx, e in _entries(session, "evidence.extracted"):
        p = e["payload"]
        for r in sorted(p.get("results") or [], key=lambda r: r["extractor"]):
            yield (idx, r["extractor"]), {
                "_index": idx, "digest": p["digest"], "version": r["version"], "ok": bool(r["ok"]),
                "data": canonical_text(r["data"]) if r["ok"] else None, "error": r.get("error"),
            }


def check_rows(session: Session, report: Report) -> None:
    """Evidence rows against the entries that created them (named by item)."""
    n = _merge(
        report,
        _rows(session, sa.select(evidence_item).order_by(evidence_item.c.created_index, evidence_item.c.id)),
        _expected_items(session),
        lambda r: int(r.created_index),
        lambda key, r: f"evidence item {_get(r, 'id')}",
        "evidence-row",
    )
    report.checked["evidence items matched to the ledger"] = n
    n = _merge(
        report,
        _rows(session, sa.select(acquisition).order_by(acquisition.c.idx)),
        _expected_acquisitions(session),
        lambda r: int(r.idx),
        lambda key, r: f"acquisition {key} of evidence item {_get(r, 'item_id')}",
        "acquisition-row",
    )
    report.checked["acquisitions matched to the ledger"] = n
    n = _merge(
        report,
        _rows(session, sa.select(metadata_record).order_by(metadata_record.c.idx, metadata_record.c.extractor)),
        _expected_metadata(session),
        lambda r: (int(r.idx), r.extractor),
        lambda key, r: f"{key[1]} metadata (entry {key[0]}) of evidence item {_items_for(session, _get(r, 'digest'))}",
        "metadata-row",
    )
    report.checked["metadata records matched to the ledger"] = n


def check_blobs(ws: Workspace, session: Session, report: Report, *, fast: bool) -> set[str]:
    """Every content and derivative blob present, of its size and (unless fast) its hash."""
    store = ws.blobs
    known: set[str] = set()
    counted = 0

    def check(digest: str, size: int, label: Callable[[], str]) -> None:
        nonlocal counted
        counted += 1
        try:
            stored = store.size(digest)
        except SvidokError as exc:
            report.add("blob-unreadable", digest, f"{label()}: blob {digest} cannot be checked: {exc.message}")
            return
        if stored is None:
            report.add("blob-missing", digest, f"{label()}: blob {digest} is missing from {store.describe()}")
            return
        if stored != size:
            report.add("blob-size", digest, f"{label()}: blob {digest} has {stored} bytes, the ledger recorded {size}")
            return
        if not fast:
            try:
                store.verify(digest)
            except IntegrityError as exc:
                report.add("blob-corrupt", digest, f"{label()}: {exc.message}")
            except (NotFound, SvidokError) as exc:
                report.add("blob-unreadable", digest, f"{label()}: blob {digest} cannot be read: {exc.message}")

    for r in _rows(session, sa.select(content.c.digest, content.c.size).order_by(content.c.digest)):
        known.add(r.digest)
        check(r.digest, int(r.size), lambda d=r.digest: f"evidence item {_items_for(session, d)}")
    for r in _rows(session, sa.select(derivative).order_by(derivative.c.idx)):
        known.add(r.digest)
        if r.original_digest not in known and session.execute(
            sa.select(content.c.digest).where(content.c.digest == r.original_digest)
        ).first() is None:
            report.add("derivative-orphan", f"derivative {r.idx}",
                       f"{r.kind} {r.digest} (entry {r.idx}) points at original {r.original_digest}, which the locker does not hold")
        check(r.digest, int(r.size), lambda r=r: f"{r.kind} of evidence item {_items_for(session, r.original_digest)}")
    report.checked["blobs " + ("present (fast: sizes only)" if fast else "re-hashed")] = counted
    return known


def check_orphans(ws: Workspace, known: set[str], report: Report) -> None:
    """Blobs that no entry names: warnings (an interrupted ingest; its re-run adopts them)."""
    orphans = 0
    for digest in ws.blobs.iter_digests():
        if digest not in known:
            orphans += 1
            if orphans <= 100:
                report.warnings.append(f"orphan blob {digest}: stored but named by no ledger entry (an interrupted ingest? re-run it to adopt the file)")
    if orphans > 100:
        report.warnings.append(f"... and {orphans - 100} more orphan blobs")
    report.checked["orphan blobs"] = orphans


def verify_locker(ws: Workspace, *, fast: bool = False) -> Report:
    """Run every locker check (see the module docstring); never raises on bad data."""
    report = Report()
    with ws.db.read() as session:
        check_rows(session, report)
        known = check_blobs(ws, session, report, fast=fast)
    check_orphans(ws, known, report)
    return report
