"""Migration 0003_records creates exactly what db/schema.py declares for the case model."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from svidok.db import migrate
from svidok.db.schema import metadata

from .test_projection import RECORD_TABLES


def _tables(diff) -> set[str]:
    if isinstance(diff, list):
        return set().union(*(_tables(d) for d in diff))
    out = set()
    for part in diff[1:]:
        for obj in (part, getattr(part, "table", None)):
            name = getattr(obj, "name", None)
            if name in RECORD_TABLES:
                out.add(name)
        if isinstance(part, str) and part in RECORD_TABLES:
            out.add(part)
    return out


def test_migrated_database_matches_the_declared_case_model_tables(ws):
    with ws.db.writer.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
        tables = set(conn.dialect.get_table_names(conn))
    assert set(RECORD_TABLES) <= tables
    ours = [d for d in diffs if _tables(d)]
    assert ours == [], ours


def test_the_records_migration_follows_the_evidence_one():
    script = ScriptDirectory.from_config(migrate._config()).get_revision("0003")
    assert script.down_revision == "0002"
    assert set(script.module.TABLES) == set(RECORD_TABLES)
