"""Engines and transactions for SQLite and PostgreSQL.

SQLite (embedded default) runs in WAL mode with one writer engine (a single pooled connection,
``BEGIN IMMEDIATE`` so a write transaction holds the write lock from its first statement) and a
reader engine with a pool of connections. PostgreSQL uses one pooled engine; write transactions
take a transaction-level advisory lock, because the ledger has exactly one sequencer.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from svidok.errors import ConfigError

#: Advisory-lock key that serialises writers on PostgreSQL ("svidok" in ASCII, truncated).
PG_WRITER_LOCK = 0x737669646F6B

_ENGINES: list[Engine] = []
_LOCK = threading.Lock()


def _track(engine: Engine) -> Engine:
    with _LOCK:
        _ENGINES.append(engine)
    return engine


def dispose_all() -> None:
    """Close every pooled connection this process opened (tests drop databases after this)."""
    with _LOCK:
        engines = list(_ENGINES)
        _ENGINES.clear()
    for engine in engines:
        engine.dispose()


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and pick the psycopg 3 driver; reject unknown schemes."""
    parsed = sa.engine.make_url(url)
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        if parsed.drivername in ("postgresql", "postgres"):
            parsed = parsed.set(drivername="postgresql+psycopg")
        return parsed.render_as_string(hide_password=False)
    if backend == "sqlite":
        return url
    raise ConfigError(f"unsupported database URL scheme {parsed.drivername!r}: use sqlite:/// or postgresql://", url=parsed.render_as_string())


def _sqlite_engine(url: str, *, writer: bool) -> Engine:
    engine = sa.create_engine(
        url,
        pool_size=1 if writer else 5,
        max_overflow=0 if writer else 10,
        connect_args={"timeout": 60, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (SQLAlchemy pysqlite recipe)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")  # a committed batch survives power loss
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=60000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")

    return _track(engine)


class Database:
    """One database: a writer and readers, whichever the backend."""

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self.backend = sa.engine.make_url(self.url).get_backend_name()
        if self.backend == "sqlite":
            self.writer = _sqlite_engine(self.url, writer=True)
            self.reader = _sqlite_engine(self.url, writer=False)
        else:
            engine = _track(sa.create_engine(self.url, pool_size=5, max_overflow=10, pool_pre_ping=True))
            self.writer = engine
            self.reader = engine

    @property
    def is_sqlite(self) -> bool:
        return self.backend == "sqlite"

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction, serialised with every other writer; commits on success."""
        with Session(self.writer, expire_on_commit=False) as session:
            with session.begin():
                if not self.is_sqlite:
                    session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_WRITER_LOCK})
                yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session on the reader pool (rolled back at the end)."""
        with Session(self.reader) as session:
            try:
                yield session
            finally:
                session.rollback()

    def dispose(self) -> None:
        self.writer.dispose()
        if self.reader is not self.writer:
            self.reader.dispose()

    def describe(self) -> str:
        return sa.engine.make_url(self.url).render_as_string(hide_password=True)
