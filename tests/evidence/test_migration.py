"""Migration 0002_evidence creates exactly what db/schema.py declares for the locker."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from svidok.db.schema import metadata

LOCKER_TABLES = {"evidence_item", "acquisition", "content", "metadata_record", "metadata_correction", "derivative"}


def _tables_named(diff) -> set[str]:
    """Table names a compare_metadata difference touches (nested lists for column changes)."""
    if isinstance(diff, list):
        return set().union(*(_tables_named(d) for d in diff))
    names = set()
    for part in diff[1:]:
        name = getattr(part, "name", None)
        table = getattr(part, "table", None)
        if getattr(table, "name", None):
            names.add(table.name)
        if isinstance(part, str):
            names.add(part)
        if name in LOCKER_TABLES:
            names.add(name)
    return names


def test_migrated_database_matches_the_declared_locker_tables(ws):
    with ws.db.writer.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
        tables = set(conn.dialect.get_table_names(conn))
    assert LOCKER_TABLES <= tables
    ours = [d for d in diffs if _tables_named(d) & LOCKER_TABLES]
    assert ours == [], ours


def test_the_locker_migration_follows_the_ledger_one():
    from svidok.db import migrate
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate._config()).get_revision("0002")
    assert script.down_revision == "0001"
