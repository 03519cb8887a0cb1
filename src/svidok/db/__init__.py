"""Database layer: SQLAlchemy 2 over SQLite (embedded default) or PostgreSQL (scale-out).

Tables are projections of the ledger, except the ledger's own tables, which only
:mod:`svidok.db.ledger_store` writes.
"""
