"""The ledger tables: entries, subject index, stored subtree hashes, head, checkpoints, tokens.

Revision ID: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "ledger_entry",
        sa.Column("idx", BigId, primary_key=True, autoincrement=False),
        sa.Column("entry_type", sa.String(64), nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_ledger_entry_entry_type", "ledger_entry", ["entry_type"])
    op.create_table(
        "ledger_subject",
        sa.Column("subject", sa.String(200), primary_key=True),
        sa.Column("idx", sa.BigInteger, primary_key=True),
    )
    op.create_table(
        "ledger_hash",
        sa.Column("sidx", BigId, primary_key=True, autoincrement=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
    )
    op.create_table(
        "ledger_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("root", sa.LargeBinary(32), nullable=False),
        sa.Column("last_time", sa.String(40), nullable=False),
    )
    op.create_table(
        "ledger_checkpoint",
        sa.Column("size", BigId, primary_key=True, autoincrement=False),
        sa.Column("root", sa.LargeBinary(32), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("signed_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "ledger_timestamp",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("checkpoint_size", sa.BigInteger, nullable=False),
        sa.Column("tsa_url", sa.Text, nullable=False),
        sa.Column("token", sa.LargeBinary, nullable=False),
        sa.Column("gen_time", sa.String(40), nullable=False),
    )
    op.create_index("ix_ledger_timestamp_checkpoint_size", "ledger_timestamp", ["checkpoint_size"])


def downgrade() -> None:
    for name in ("ledger_timestamp", "ledger_checkpoint", "ledger_head", "ledger_hash", "ledger_subject", "ledger_entry"):
        op.drop_table(name)
