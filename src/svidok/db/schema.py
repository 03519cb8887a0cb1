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


# --- Evidence locker (intake; migration 0002_evidence) -----------------------------------------
# Projections of the "evidence.*" and "custody.*" ledger entries (svidok.evidence.projection).
# Digests are written "sha256:<hex>"; JSON columns hold RFC 8785 canonical JSON text.

evidence_item = sa.Table(
    "evidence_item",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("case_ref", sa.String(64), nullable=False),
    sa.Column("digest", sa.String(80), nullable=False, index=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("custodian", sa.Text, nullable=False),
    sa.Column("created_index", sa.BigInteger, nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.UniqueConstraint("case_ref", "digest"),
)

acquisition = sa.Table(
    "acquisition",
    metadata,
    sa.Column("idx", BigId, primary_key=True, autoincrement=False),
    sa.Column("item_id", sa.String(40), nullable=False, index=True),
    sa.Column("idempotency_key", sa.String(64), nullable=False, unique=True),
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
)

content = sa.Table(
    "content",
    metadata,
    sa.Column("digest", sa.String(80), primary_key=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("mime", sa.String(255), nullable=True),
    sa.Column("pdq", sa.String(64), nullable=True),
    sa.Column("pdq_quality", sa.Integer, nullable=True),
    sa.Column("state", sa.String(16), nullable=False, index=True),
    sa.Column("first_index", sa.BigInteger, nullable=False),
    sa.Column("extracted_index", sa.BigInteger, nullable=True),
)

metadata_record = sa.Table(
    "metadata_record",
    metadata,
    sa.Column("idx", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("extractor", sa.String(64), primary_key=True),
    sa.Column("digest", sa.String(80), nullable=False, index=True),
    sa.Column("version", sa.Text, nullable=False),
    sa.Column("ok", sa.Boolean, nullable=False),
    sa.Column("data", sa.Text, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("superseded_by", sa.BigInteger, nullable=True),
)

metadata_correction = sa.Table(
    "metadata_correction",
    metadata,
    sa.Column("idx", BigId, primary_key=True, autoincrement=False),
    sa.Column("item_id", sa.String(40), nullable=False, index=True),
    sa.Column("field", sa.String(64), nullable=False),
    sa.Column("old_value", sa.Text, nullable=True),
    sa.Column("new_value", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("corrected_at", sa.String(40), nullable=False),
    sa.Column("superseded_by", sa.BigInteger, nullable=True),
)

derivative = sa.Table(
    "derivative",
    metadata,
    sa.Column("idx", BigId, primary_key=True, autoincrement=False),
    sa.Column("original_digest", sa.String(80), nullable=False, index=True),
    sa.Column("digest", sa.String(80), nullable=False, index=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("mime", sa.String(255), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("tool", sa.Text, nullable=False),
    sa.Column("tool_version", sa.Text, nullable=False),
    sa.Column("settings", sa.Text, nullable=False),
    sa.UniqueConstraint("original_digest", "kind", "digest"),
)
