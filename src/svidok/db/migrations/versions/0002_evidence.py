"""The evidence locker: items, acquisitions, contents, metadata, corrections, derivatives.

Creates exactly the tables and indexes declared in the "Evidence locker" section of
:mod:`svidok.db.schema` (projections of the ``evidence.*`` and ``custody.*`` ledger entries).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "evidence_item",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("case_ref", sa.String(64), nullable=False),
        sa.Column("digest", sa.String(80), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("custodian", sa.Text, nullable=False),
        sa.Column("created_index", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_evidence_item"),
        sa.UniqueConstraint("case_ref", "digest", name="uq_evidence_item_case_ref"),
    )
    op.create_index("ix_evidence_item_digest", "evidence_item", ["digest"])

    op.create_table(
        "acquisition",
        sa.Column("idx", BigId, nullable=False, autoincrement=False),
        sa.Column("item_id", sa.String(40), nullable=False),
        sa.Column("idempotency_key", sa.String(64), nullable=False),
        sa.Column("collector", sa.Text, nullable=True),
        sa.Column("device", sa.Text, nullable=True),
        sa.Column("method", sa.Text, nullable=True),
        sa.Column("place", sa.Text, nullable=True),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("collected_at", sa.String(40), nullable=True),
        sa.Column("source_path", sa.Text, nullable=False),
        sa.Column("source_path_hex", sa.Text, nullable=True),
        sa.Column("source_mtime", sa.String(40), nullable=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("acquired_at", sa.String(40), nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("idx", name="pk_acquisition"),
        sa.UniqueConstraint("idempotency_key", name="uq_acquisition_idempotency_key"),
    )
    op.create_index("ix_acquisition_item_id", "acquisition", ["item_id"])

    op.create_table(
        "content",
        sa.Column("digest", sa.String(80), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("mime", sa.String(255), nullable=True),
        sa.Column("pdq", sa.String(64), nullable=True),
        sa.Column("pdq_quality", sa.Integer, nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("first_index", sa.BigInteger, nullable=False),
        sa.Column("extracted_index", sa.BigInteger, nullable=True),
        sa.PrimaryKeyConstraint("digest", name="pk_content"),
    )
    op.create_index("ix_content_state", "content", ["state"])

    op.create_table(
        "metadata_record",
        sa.Column("idx", sa.BigInteger, nullable=False, autoincrement=False),
        sa.Column("extractor", sa.String(64), nullable=False),
        sa.Column("digest", sa.String(80), nullable=False),
        sa.Column("version", sa.Text, nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("data", sa.Text, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("superseded_by", sa.BigInteger, nullable=True),
        sa.PrimaryKeyConstraint("idx", "extractor", name="pk_metadata_record"),
    )
    op.create_index("ix_metadata_record_digest", "metadata_record", ["digest"])

    op.create_table(
        "metadata_correction",
        sa.Column("idx", BigId, nullable=False, autoincrement=False),
        sa.Column("item_id", sa.String(40), nullable=False),
        sa.Column("field", sa.String(64), nullable=False),
        sa.Column("old_value", sa.Text, nullable=True),
        sa.Column("new_value", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("corrected_at", sa.String(40), nullable=False),
        sa.Column("superseded_by", sa.BigInteger, nullable=True),
        sa.PrimaryKeyConstraint("idx", name="pk_metadata_correction"),
    )
    op.create_index("ix_metadata_correction_item_id", "metadata_correction", ["item_id"])

    op.create_table(
        "derivative",
        sa.Column("idx", BigId, nullable=False, autoincrement=False),
        sa.Column("original_digest", sa.String(80), nullable=False),
        sa.Column("digest", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("mime", sa.String(255), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("tool", sa.Text, nullable=False),
        sa.Column("tool_version", sa.Text, nullable=False),
        sa.Column("settings", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("idx", name="pk_derivative"),
        sa.UniqueConstraint("original_digest", "kind", "digest", name="uq_derivative_original_digest"),
    )
    op.create_index("ix_derivative_original_digest", "derivative", ["original_digest"])
    op.create_index("ix_derivative_digest", "derivative", ["digest"])


def downgrade() -> None:
    for name in ("derivative", "metadata_correction", "metadata_record", "content", "acquisition", "evidence_item"):
        op.drop_table(name)
