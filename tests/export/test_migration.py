"""Migration 0005_exports creates exactly what db/schema.py declares for exports and receipts."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from svidok.db.schema import metadata

EXPORT_TABLES = {"export_bundle", "export_item", "bundle_receipt", "bundle_receipt_item", "bundle_receipt_file"}


def _names(diff) -> set[str]:
    if isinstance(diff, list):
        return set().union(*(_names(d) for d in diff))
    out = set()
    for part in diff[1:]:
        for candidate in (getattr(part, "name", None), getattr(getattr(part, "table", None), "name", None), part if isinstance(part, str) else None):
            if candidate in EXPORT_TABLES:
                out.add(candidate)
    return out


def test_migrated_database_matches_the_declared_export_tables(ws):
    with ws.db.writer.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
        tables = set(conn.dialect.get_table_names(conn))
        indexes = {i["name"] for t in EXPORT_TABLES for i in conn.dialect.get_indexes(conn, t)}
    assert EXPORT_TABLES <= tables
    assert [d for d in diffs if _names(d)] == []
    declared = {i.name for t in EXPORT_TABLES for i in metadata.tables[t].indexes}
    assert declared <= indexes


def test_the_export_migration_follows_the_protection_one():
    from alembic.script import ScriptDirectory

    from svidok.db import migrate

    script = ScriptDirectory.from_config(migrate._config()).get_revision("0005")
    assert script.down_revision == "0004"
