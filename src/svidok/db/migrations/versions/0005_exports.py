"""Exports and received bundles: export_bundle, export_item, bundle_receipt, bundle_receipt_item,
bundle_receipt_file.

Creates exactly the tables and indexes declared in the "Exports and received bundles" section
of :mod:`svidok.db.schema` (projections of the ``export.bundle`` and ``bundle.received`` ledger
entries, applied by :mod:`svidok.export.projection`).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TABLES = ("export_bundle", "export_item", "bundle_receipt", "bundle_receipt_item", "bundle_receipt_file")


def upgrade() -> None:
    op.create_table(
        "export_bundle",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("case_ref", sa.String(64), nullable=False),
        sa.Column("recipient", sa.String(200), nullable=False),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("bundle_digest", sa.String(80), nullable=False),
        sa.Column("tagmanifest_sha256", sa.String(64), nullable=False),
        sa.Column("checkpoint_size", sa.BigInteger, nullable=False),
        sa.Column("previous_export", sa.String(40), nullable=True),
        sa.Column("previous_size", sa.BigInteger, nullable=True),
        sa.Column("ern_batch", sa.Integer, nullable=False),
        sa.Column("item_count", sa.Integer, nullable=False),
        sa.Column("refused_count", sa.Integer, nullable=False),
        sa.Column("file_count", sa.BigInteger, nullable=False),
        sa.Column("byte_count", sa.BigInteger, nullable=False),
        sa.Column("idx", sa.BigInteger, nullable=False),
        sa.Column("exported_at", sa.String(40), nullable=False),
        sa.Column("exported_by", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_export_bundle"),
    )
    op.create_index("ix_export_bundle_case_ref", "export_bundle", ["case_ref"])
    op.create_index("ix_export_bundle_recipient", "export_bundle", ["recipient"])
    op.create_index("ix_export_bundle_bundle_digest", "export_bundle", ["bundle_digest"])

    op.create_table(
        "export_item",
        sa.Column("export_id", sa.String(40), nullable=False),
        sa.Column("item_id", sa.String(40), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("digest", sa.String(80), nullable=True),
        sa.Column("ern", sa.String(40), nullable=True),
        sa.Column("reasons", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("export_id", "item_id", name="pk_export_item"),
    )
    op.create_index("ix_export_item_item_id", "export_item", ["item_id"])

    op.create_table(
        "bundle_receipt",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("bundle_digest", sa.String(80), nullable=False),
        sa.Column("case_ref", sa.String(64), nullable=False),
        sa.Column("sender_export", sa.String(64), nullable=True),
        sa.Column("sender_origin", sa.String(200), nullable=False),
        sa.Column("sender_key", sa.Text, nullable=False),
        sa.Column("sender_organisation", sa.Text, nullable=True),
        sa.Column("checkpoint_size", sa.BigInteger, nullable=False),
        sa.Column("item_count", sa.Integer, nullable=False),
        sa.Column("idx", sa.BigInteger, nullable=False),
        sa.Column("received_at", sa.String(40), nullable=False),
        sa.Column("received_by", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_bundle_receipt"),
        sa.UniqueConstraint("bundle_digest", "case_ref", name="uq_bundle_receipt_bundle_digest"),
    )

    op.create_table(
        "bundle_receipt_item",
        sa.Column("receipt_id", sa.String(40), nullable=False),
        sa.Column("sender_item", sa.String(64), nullable=False),
        sa.Column("item_id", sa.String(40), nullable=False),
        sa.Column("digest", sa.String(80), nullable=False),
        sa.Column("ern", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint("receipt_id", "sender_item", name="pk_bundle_receipt_item"),
    )
    op.create_index("ix_bundle_receipt_item_item_id", "bundle_receipt_item", ["item_id"])

    op.create_table(
        "bundle_receipt_file",
        sa.Column("receipt_id", sa.String(40), nullable=False),
        sa.Column("path", sa.String(500), nullable=False),
        sa.Column("digest", sa.String(80), nullable=False),
        sa.PrimaryKeyConstraint("receipt_id", "path", name="pk_bundle_receipt_file"),
    )


def downgrade() -> None:
    for name in reversed(TABLES):
        op.drop_table(name)
