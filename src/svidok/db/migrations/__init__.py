"""Alembic migrations of the Svidok schema (run by :func:`svidok.db.migrate.upgrade`)."""
