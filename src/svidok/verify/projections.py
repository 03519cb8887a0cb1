"""Compare the live projection tables with a fresh replay of the ledger.

A row edited, inserted or deleted behind the ledger's back (by SQL, a restored backup, a bug
that bypassed the services) shows up as a difference between the live tables and the tables
that replaying the ledger gives.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator

from svidok import projection
from svidok.db import migrate
from svidok.db.engine import Database
from svidok.errors import SvidokError
from svidok.ledger.entry import Entry
from svidok.verify.report import Report
from svidok.workspace import Workspace


def _decodable(entries: Iterator[tuple[int, bytes]], report: Report) -> Iterator[tuple[int, bytes]]:
    """Entries that decode; a malformed one is reported by the ledger check and skipped here."""
    for index, data in entries:
        try:
            Entry.decode(data)
        except SvidokError:
            report.warnings.append(f"entry {index} could not be replayed (malformed; see the ledger findings)")
            continue
        yield index, data


def verify_projections(ws: Workspace) -> Report:
    """Replay the ledger into a private temporary SQLite database and compare every table."""
    report = Report()
    if not projection.tables():
        return report
    # A temporary file, not "sqlite://": the writer engine's pool options do not apply to
    # SQLite's in-memory pool, and a file keeps memory bounded for long ledgers.
    with tempfile.TemporaryDirectory(prefix="svidok-replay-") as tmp:
        scratch = Database(f"sqlite:///{tmp}/replay.db")
        try:
            migrate.upgrade(scratch)
            with ws.db.read() as live, scratch.write() as replayed:
                count = projection.replay(replayed, _decodable(ws.ledger.iter_entries(live), report))
                replayed.flush()
                diffs = projection.compare_tables(live, replayed)
            for table, key, what in diffs:
                report.add("table-row", f"{table} {key}", f"{table} row {key}: {what}")
            report.checked["projection rows replayed from entries"] = count
        finally:
            scratch.dispose()
    return report
