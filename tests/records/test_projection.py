"""The case-model tables are projections of the ledger: rebuilt row for row by a replay, and
any row edited, inserted or deleted behind the ledger's back is caught by ``svidok verify``."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from svidok import projection
from svidok.db.engine import Database
from svidok.rebuild import rebuild
from svidok.verify.projections import verify_projections

RECORD_TABLES = (
    "case_file", "proceeding", "incident", "act", "place", "person", "person_role", "interview", "source", "claim",
    "verification", "qualification", "qualification_element", "unit", "unit_presence", "person_name", "record_name",
    "name_key", "record_link",
)  # fmt: skip


def test_every_case_model_table_is_a_declared_projection():
    assert set(RECORD_TABLES) <= {t.name for t in projection.tables()}


def test_rebuild_into_a_fresh_sqlite_database_reproduces_every_row(ws, sample, tmp_path):
    url = f"sqlite:///{tmp_path / 'rebuilt.db'}"
    counts = rebuild(ws, url)
    assert counts["replayed"] == counts["ledger_entry"] > 40
    target = Database(url)
    try:
        with ws.db.read() as live, target.read() as rebuilt:
            assert projection.compare_tables(live, rebuilt) == []
            by_name = {t.name: t for t in projection.tables()}
            for name in RECORD_TABLES:
                table = by_name[name]
                n_live = live.execute(sa.select(sa.func.count()).select_from(table)).scalar()
                n_rebuilt = rebuilt.execute(sa.select(sa.func.count()).select_from(table)).scalar()
                assert n_live == n_rebuilt > 0, name
                assert list(projection.table_rows(live, table)) == list(projection.table_rows(rebuilt, table)), name
    finally:
        target.dispose()


def test_a_clean_workspace_verifies(ws, sample):
    report = verify_projections(ws)
    assert report.ok, report.findings


TAMPERING = [
    ("edit", "UPDATE incident SET title = 'Nothing happened here' WHERE id = :incident", "incident", "columns title differ"),
    ("edit", "UPDATE person SET age_min = 18 WHERE id = :victim", "person", "columns age_min differ"),
    ("edit", "UPDATE qualification_element SET status = 'contradicted' WHERE qualification_id = :qualification AND element = 'severe_pain'", "qualification_element", "columns status differ"),
    ("edit", "UPDATE record_link SET status = 'removed' WHERE id = :claim_link", "record_link", "columns status differ"),
    ("insert", "INSERT INTO person_role (id, person_id, role, context, version, created_idx, created_at, created_by, updated_idx, updated_at, updated_by) "
               "VALUES ('ROLE-FORGED', :victim, 'suspect', 'incident:' || :incident, 1, 3, '2022-01-01T00:00:00.000000Z', 'x', 3, '2022-01-01T00:00:00.000000Z', 'x')",
     "person_role", "no ledger entry creates it"),
    ("delete", "DELETE FROM act WHERE id = :act", "act", "missing from the live table"),
    ("delete", "DELETE FROM name_key WHERE owner = 'person:' || :victim", "name_key", "missing from the live table"),
]  # fmt: skip


@pytest.mark.parametrize("how,sql,table,what", TAMPERING, ids=[f"{t[0]}-{t[2]}" for t in TAMPERING])
def test_verify_detects_rows_changed_behind_the_ledger_s_back(ws, sample, how, sql, table, what):
    with ws.db.writer.begin() as conn:
        changed = conn.execute(sa.text(sql), sample).rowcount
    assert changed >= 1
    report = verify_projections(ws)
    assert not report.ok
    mine = [f for f in report.findings if f.where.startswith(table + " ")]
    assert mine and all(f.kind == "table-row" for f in mine)
    assert any(what in f.message for f in mine), [f.message for f in mine]


def test_replaying_twice_gives_the_same_rows(ws, sample, tmp_path):
    urls = [f"sqlite:///{tmp_path / f'r{i}.db'}" for i in range(2)]
    for url in urls:
        rebuild(ws, url)
    a, b = Database(urls[0]), Database(urls[1])
    try:
        with a.read() as x, b.read() as y:
            assert projection.compare_tables(x, y) == []
    finally:
        a.dispose()
        b.dispose()
