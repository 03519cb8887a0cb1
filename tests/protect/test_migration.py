"""Migration 0004_protect creates exactly what db/schema.py declares for the protection tables."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from svidok.db import migrate
from svidok.db.schema import metadata

PROTECT_TABLES = {
    "user_account", "case_member", "api_token", "vault_person", "vault_value", "consent_record", "consent_grant",
    "sensitivity_label", "access_log", "redaction", "user_credential", "auth_token_secret", "auth_session",
    "login_attempt", "vault_key",
}  # fmt: skip


def _tables_named(diff) -> set[str]:
    if isinstance(diff, list):
        return set().union(*(_tables_named(d) for d in diff))
    names = set()
    for part in diff[1:]:
        table = getattr(part, "table", None)
        if getattr(table, "name", None):
            names.add(table.name)
        if isinstance(part, str):
            names.add(part)
        if getattr(part, "name", None) in PROTECT_TABLES:
            names.add(part.name)
    return names


def test_migrated_database_matches_the_declared_protection_tables(ws):
    with ws.db.writer.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
        tables = set(conn.dialect.get_table_names(conn))
    assert PROTECT_TABLES <= tables
    ours = [d for d in diffs if _tables_named(d) & PROTECT_TABLES]
    assert ours == [], ours


def test_the_protection_migration_extends_a_single_head():
    script = ScriptDirectory.from_config(migrate._config())
    assert script.get_revision("0004").down_revision == "0003"
    assert len(script.get_heads()) == 1
