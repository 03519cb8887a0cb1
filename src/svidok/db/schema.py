"""Table definitions (SQLAlchemy Core), shared by the code and the Alembic migrations.

The ``ledger_*`` tables are written only by :mod:`svidok.db.ledger_store`. Every other table
is a projection of ledger entries and can be rebuilt from them.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

#: 64-bit integer that is a rowid alias on SQLite (fast appends) and BIGINT elsewhere.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

ledger_entry = sa.Table(
    "ledger_entry",
    metadata,
    sa.Column("idx", BigId, primary_key=True, autoincrement=False),
    sa.Column("entry_type", sa.String(64), nullable=False, index=True),
    sa.Column("data", sa.LargeBinary, nullable=False),
)

ledger_subject = sa.Table(
    "ledger_subject",
    metadata,
    sa.Column("subject", sa.String(200), primary_key=True),
    sa.Column("idx", sa.BigInteger, primary_key=True),
)

ledger_hash = sa.Table(
    "ledger_hash",
    metadata,
    sa.Column("sidx", BigId, primary_key=True, autoincrement=False),
    sa.Column("hash", sa.LargeBinary(32), nullable=False),
)

ledger_head = sa.Table(
    "ledger_head",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("root", sa.LargeBinary(32), nullable=False),
    sa.Column("last_time", sa.String(40), nullable=False),
)

ledger_checkpoint = sa.Table(
    "ledger_checkpoint",
    metadata,
    sa.Column("size", BigId, primary_key=True, autoincrement=False),
    sa.Column("root", sa.LargeBinary(32), nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("signed_at", sa.String(40), nullable=False),
)

ledger_timestamp = sa.Table(
    "ledger_timestamp",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("checkpoint_size", sa.BigInteger, nullable=False, index=True),
    sa.Column("tsa_url", sa.Text, nullable=False),
    sa.Column("token", sa.LargeBinary, nullable=False),
    sa.Column("gen_time", sa.String(40), nullable=False),
)
