"""Fixtures of the API tests: an in-process client over a fresh workspace."""

from __future__ import annotations

import os
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from svidok.api import create_app


@pytest.fixture
def client(ws) -> Iterator["TestClient"]:
    """A Starlette test client of the API over the test workspace (uploads not processed),
    signed in with an investigator's API token: a member of the cases it opens."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # starlette's notice about httpx
        from fastapi.testclient import TestClient

    from tests.protect.helpers import api_tester_token

    with TestClient(create_app(ws, process_uploads=False)) as c:
        c.headers["Authorization"] = f"Bearer {api_tester_token(ws)}"  # an investigator (svidok.api.auth)
        yield c


if False:  # pragma: no cover - typing only
    from fastapi.testclient import TestClient


@contextmanager
def fresh_db_url(tmp: Path) -> Iterator[str]:
    """Like the ``db_url`` fixture, for fixtures of a wider scope: a SQLite file in ``tmp``, or a
    fresh database on the PostgreSQL server named by ``SVIDOK_TEST_DB`` (dropped afterwards)."""
    admin = os.environ.get("SVIDOK_TEST_DB")
    if not admin:
        yield f"sqlite:///{tmp / 'svidok.db'}"
        return
    import sqlalchemy as sa

    name = f"svidok_t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.engine.make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        from svidok.db.engine import dispose_all

        dispose_all()
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()
