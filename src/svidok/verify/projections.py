"""Compare the live projection tables with a fresh replay of the ledger.

A row edited, inserted or deleted behind the ledger's back (by SQL, a restored backup, a bug
that bypassed the services) shows up as a difference between the live tables and the tables
that replaying the ledger gives.
"""

from __future__ import annotations

import tempfile

from svidok import projection
from svidok.db import migrate
from svidok.db.engine import Database
from svidok.verify.report import Report
from svidok.workspace import Workspace


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
                count = projection.replay(replayed, ws.ledger.iter_entries(live))
                replayed.flush()
                diffs = projection.compare_tables(live, replayed)
            for table, key, what in diffs:
                report.add("table-row", f"{table} {key}", f"{table} row {key}: {what}")
            report.checked["projection rows replayed from entries"] = count
        finally:
            scratch.dispose()
    return report
