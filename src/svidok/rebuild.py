"""Rebuild a workspace's tables from its ledger, into a fresh database.

The ledger tables are copied as they are (they are the source of truth); every projection
table is then rebuilt by replaying the entries in order (:mod:`svidok.projection`).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from svidok import projection
from svidok.db import migrate
from svidok.db.engine import Database
from svidok.db.schema import ledger_checkpoint, ledger_entry, ledger_hash, ledger_head, ledger_subject, ledger_timestamp
from svidok.errors import InputError
from svidok.workspace import Workspace

LEDGER_TABLES = (ledger_entry, ledger_subject, ledger_hash, ledger_head, ledger_checkpoint, ledger_timestamp)


def replay_into(source: Session, target: Session, ledger_store: object) -> int:
    """Replay every entry of the source ledger through the appliers into ``target``.

    Runs of one type go through its batch applier when it has one (same rows, fewer statements).
    """
    from svidok.db.ledger_store import LedgerStore

    assert isinstance(ledger_store, LedgerStore)
    return projection.replay(target, ledger_store.iter_entries(source), batched=True)


def rebuild(ws: Workspace, target_url: str) -> dict[str, int]:
    """Copy the ledger into an empty database at ``target_url`` and replay it; returns counts."""
    target = Database(target_url)
    try:
        migrate.upgrade(target)
        with target.read() as t:
            for table in LEDGER_TABLES + tuple(projection.tables()):
                if t.execute(sa.select(sa.func.count()).select_from(table)).scalar():
                    raise InputError(f"the target database is not empty (table {table.name} has rows)", field="target")
        counts: dict[str, int] = {}
        with ws.db.read() as src, target.write() as dst:
            for table in LEDGER_TABLES:
                n = 0
                batch: list[dict[str, object]] = []
                for row in src.execute(sa.select(table)).mappings():
                    batch.append(dict(row))
                    if len(batch) >= 5000:
                        dst.execute(sa.insert(table), batch)
                        n += len(batch)
                        batch = []
                if batch:
                    dst.execute(sa.insert(table), batch)
                    n += len(batch)
                counts[table.name] = n
            counts["replayed"] = replay_into(src, dst, ws.ledger)
        return counts
    finally:
        target.dispose()
