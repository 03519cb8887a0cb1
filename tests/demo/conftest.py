"""Fixtures of the demo tests: one small demo built once per session, on SQLite or, when
``SVIDOK_TEST_DB`` names a PostgreSQL server, in a fresh database there."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def new_db_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[], str | None]]:
    """Make URLs of empty databases (None on SQLite: the demo puts its own in its folder)."""
    admin = os.environ.get("SVIDOK_TEST_DB")
    made: list[str] = []

    def make() -> str | None:
        if not admin:
            return None
        import sqlalchemy as sa

        name = f"svidok_demo_{uuid.uuid4().hex[:12]}"
        engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        made.append(name)
        return sa.engine.make_url(admin).set(database=name).render_as_string(hide_password=False)

    yield make
    if admin and made:
        import sqlalchemy as sa

        from svidok.db.engine import dispose_all

        dispose_all()
        engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            for name in made:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory: pytest.TempPathFactory, new_db_url: Callable[[], str | None]):  # type: ignore[no-untyped-def]
    """The small demo, built once: (result of run_demo, its home, its database URL)."""
    from svidok.demo.run import run_demo

    home = tmp_path_factory.mktemp("demo") / "home"
    url = new_db_url()
    result = run_demo(home, "small", db_url=url)
    return result, home, url


def open_demo(home: Path):  # type: ignore[no-untyped-def]
    from svidok.workspace import open_workspace

    return open_workspace(home)
