"""Shared fixtures.

The whole suite runs on SQLite by default; set ``SVIDOK_TEST_DB`` to a PostgreSQL URL (for
example ``postgresql://postgres@127.0.0.1:5432/test``) to run the same tests on PostgreSQL.
Each test then gets its own freshly created database on that server.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest_plugins = ["tests.tsa_fixture", "tests.protect.log_guard"]  # log_guard: no vault value in any log of the run

ROOT = Path(__file__).resolve().parents[1]
SHARED_TESTDATA = ROOT.parent / "shared" / "testdata"


@pytest.fixture(scope="session")
def testdata() -> Path:
    """The shared, read-only test data folder (real camera files, public vectors)."""
    if not SHARED_TESTDATA.is_dir():
        pytest.skip(f"shared test data not present at {SHARED_TESTDATA} (clone outside the workplace)")
    return SHARED_TESTDATA


def _pg_admin_url() -> str | None:
    return os.environ.get("SVIDOK_TEST_DB") or None


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database: a SQLite file, or a fresh PostgreSQL database."""
    admin = _pg_admin_url()
    if not admin:
        yield f"sqlite:///{tmp_path / 'svidok.db'}"
        return
    import sqlalchemy as sa

    name = f"svidok_t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    base = sa.engine.make_url(admin)
    url = base.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        from svidok.db.engine import dispose_all

        dispose_all()
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture
def ws(tmp_path: Path, db_url: str) -> Iterator["Workspace"]:
    """A fresh workspace on the test database (SQLite, or PostgreSQL when configured)."""
    from svidok.workspace import init_workspace

    workspace = init_workspace(tmp_path / "home", db_url=db_url)
    try:
        yield workspace
    finally:
        workspace.close()


@pytest.fixture
def cli_env(ws: "Workspace") -> dict[str, str]:
    """Environment for running the real ``svidok`` command against ``ws``."""
    env = dict(os.environ)
    env["SVIDOK_HOME"] = str(ws.home)
    env["SVIDOK_ACTOR"] = "test:runner"
    env.pop("SVIDOK_DB", None)
    return env


if False:  # pragma: no cover - typing only
    from svidok.workspace import Workspace


#: Fixtures through which a test reaches the database under test.
DATABASE_FIXTURES = {"db_url", "ws", "cli_env"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On the PostgreSQL pass, run only the tests that use the database under test.

    The SQLite pass runs everything; tests that never touch ``db_url`` (pure ledger maths,
    extractors, blob stores, the standalone verifier) would run identically a second time, so
    the PostgreSQL pass (``SVIDOK_TEST_DB`` set) deselects them and says how many.
    """
    if not _pg_admin_url():
        return
    keep, drop = [], []
    for item in items:
        (keep if DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())) else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
