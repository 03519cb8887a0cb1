"""Alembic environment: runs on the connection handed over by :mod:`svidok.db.migrate`."""

from __future__ import annotations

from alembic import context

from svidok.db.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only the programmatic path is supported
    raise RuntimeError("run migrations through svidok.db.migrate.upgrade()")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
