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


# --- Case model (records; migration 0003_records) ---------------------------------------------
# Projections of the "record.*", "name.*", "case.*" and "qualification.*" ledger entries
# (svidok.records.projection). Every record table carries the same bookkeeping columns: its
# version and the ledger index, time and actor of its creation and of its latest change.
# References to a record of one kind hold its id; references that may name several kinds hold
# "<kind>:<id>". JSON columns hold RFC 8785 canonical JSON text. Dates are EDTF text plus ISO
# 8601 earliest/latest bounds. No real-identity field lives here: person names for matching are
# in person_name, flagged is_identifying, for the identity vault to take over.


def _record_meta() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_idx", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("updated_idx", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("updated_by", sa.Text, nullable=False),
    ]


def _edtf(name: str) -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column(name, sa.String(100), nullable=True),
        sa.Column(f"{name}_earliest", sa.String(10), nullable=True),
        sa.Column(f"{name}_latest", sa.String(10), nullable=True),
    ]


case_file = sa.Table(
    "case_file",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),  # the case reference, as evidence_item.case_ref
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("case_type", sa.String(64), nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("lead_team", sa.String(200), nullable=True),
    sa.Column("conflict_type", sa.String(32), nullable=True),
    *_edtf("period"),
    sa.Column("summary", sa.Text, nullable=True),
    sa.Column("sensitivity", sa.String(32), nullable=False),
    sa.Column("merged_into", sa.String(64), nullable=True),
    sa.Column("duplicate_of", sa.String(64), nullable=True),
    sa.Column("split_from", sa.String(64), nullable=True),
    *_record_meta(),
)

proceeding = sa.Table(
    "proceeding",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("system", sa.String(32), nullable=False),
    sa.Column("number", sa.String(64), nullable=False),
    *_edtf("registered"),
    sa.Column("body", sa.String(300), nullable=True),
    sa.Column("region", sa.String(200), nullable=True),
    sa.Column("qualification", sa.String(200), nullable=True),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("merged_into", sa.String(64), nullable=True),
    sa.Column("split_from", sa.String(64), nullable=True),
    sa.Column("duplicate_of", sa.String(64), nullable=True),
    *_record_meta(),
    sa.UniqueConstraint("system", "number"),
)

incident = sa.Table(
    "incident",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("incident_type", sa.String(64), nullable=False),
    sa.Column("description", sa.Text, nullable=True),
    *_edtf("date"),
    sa.Column("place_id", sa.String(64), nullable=True, index=True),
    sa.Column("counts", sa.Text, nullable=True),
    sa.Column("target_type", sa.String(64), nullable=True),
    sa.Column("weapons", sa.Text, nullable=True),
    sa.Column("verification_status", sa.String(32), nullable=False),
    sa.Column("sensitivity", sa.String(32), nullable=False),
    *_record_meta(),
)

act = sa.Table(
    "act",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("incident_id", sa.String(64), nullable=False, index=True),
    sa.Column("act_type", sa.String(64), nullable=False),
    sa.Column("description", sa.Text, nullable=True),
    *_edtf("date"),
    sa.Column("place_id", sa.String(64), nullable=True),
    sa.Column("methods", sa.Text, nullable=True),
    sa.Column("weapons", sa.Text, nullable=True),
    sa.Column("harms", sa.Text, nullable=True),
    *_record_meta(),
)

place = sa.Table(
    "place",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("place_type", sa.String(64), nullable=False),
    sa.Column("lat", sa.Float, nullable=True),
    sa.Column("lon", sa.Float, nullable=True),
    sa.Column("geometry", sa.Text, nullable=True),
    sa.Column("precision", sa.String(32), nullable=False),
    sa.Column("uncertainty_m", sa.Integer, nullable=True),
    sa.Column("coord_source", sa.String(64), nullable=True),
    sa.Column("katotth", sa.String(19), nullable=True, index=True),
    sa.Column("katotth_version", sa.String(40), nullable=True),
    sa.Column("parent_id", sa.String(64), nullable=True),
    sa.Column("sensitivity", sa.String(32), nullable=False),
    *_record_meta(),
)

person = sa.Table(
    "person",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("code", sa.String(16), nullable=False, unique=True),
    sa.Column("code_prefix", sa.String(3), nullable=False),
    sa.Column("code_number", sa.Integer, nullable=False),
    sa.Column("sex", sa.String(16), nullable=False),
    sa.Column("age_min", sa.Integer, nullable=True),
    sa.Column("age_max", sa.Integer, nullable=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("sensitivity", sa.String(32), nullable=False),
    *_record_meta(),
    sa.Index("ix_person_code_prefix_number", "code_prefix", "code_number"),
)

person_role = sa.Table(
    "person_role",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("person_id", sa.String(64), nullable=False, index=True),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("context", sa.String(80), nullable=False, index=True),
    sa.Column("subtype", sa.String(64), nullable=True),
    sa.Column("involvement", sa.String(64), nullable=True),
    sa.Column("harms", sa.Text, nullable=True),
    sa.Column("combatant_status", sa.String(32), nullable=True),
    sa.Column("unit_id", sa.String(64), nullable=True),
    sa.Column("rank", sa.String(100), nullable=True),
    sa.Column("position", sa.String(200), nullable=True),
    sa.Column("certainty", sa.String(32), nullable=True),
    *_record_meta(),
)

interview = sa.Table(
    "interview",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("interviewee_id", sa.String(64), nullable=False, index=True),
    sa.Column("interview_type", sa.String(64), nullable=False),
    sa.Column("case_id", sa.String(64), nullable=True),
    *_edtf("date"),
    sa.Column("place_id", sa.String(64), nullable=True),
    sa.Column("mode", sa.String(32), nullable=True),
    sa.Column("languages", sa.Text, nullable=True),
    sa.Column("interviewer_ids", sa.Text, nullable=True),
    sa.Column("interpreter_id", sa.String(64), nullable=True),
    sa.Column("consent_ref", sa.String(200), nullable=True),
    sa.Column("prior_statements", sa.Text, nullable=True),
    sa.Column("narrative", sa.Text, nullable=True),
    sa.Column("sgbv", sa.Boolean, nullable=False),
    sa.Column("sensitivity", sa.String(32), nullable=False),
    *_record_meta(),
)

source = sa.Table(
    "source",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("source_type", sa.String(64), nullable=False),
    sa.Column("label", sa.String(300), nullable=False),
    sa.Column("person_id", sa.String(64), nullable=True),
    sa.Column("identifier", sa.String(500), nullable=True),
    sa.Column("reliability", sa.String(1), nullable=False),
    sa.Column("reliability_rationale", sa.Text, nullable=True),
    sa.Column("affiliation", sa.Text, nullable=True),
    *_record_meta(),
)

claim = sa.Table(
    "claim",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("statement", sa.Text, nullable=False),
    sa.Column("subject", sa.String(80), nullable=True, index=True),
    sa.Column("source_id", sa.String(64), nullable=True, index=True),
    sa.Column("credibility", sa.String(1), nullable=False),
    sa.Column("credibility_rationale", sa.Text, nullable=True),
    *_edtf("date"),
    sa.Column("place_id", sa.String(64), nullable=True),
    sa.Column("quote", sa.Text, nullable=True),
    sa.Column("quote_lang", sa.String(8), nullable=True),
    sa.Column("origin", sa.String(32), nullable=True),
    sa.Column("standard_of_proof", sa.String(32), nullable=True),
    sa.Column("analyst", sa.String(200), nullable=True),
    sa.Column("reviewer", sa.String(200), nullable=True),
    *_record_meta(),
)

verification = sa.Table(
    "verification",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("target", sa.String(80), nullable=False, index=True),
    sa.Column("strand", sa.String(32), nullable=False),
    sa.Column("technique", sa.String(64), nullable=False),
    sa.Column("result", sa.String(32), nullable=False),
    sa.Column("detail", sa.Text, nullable=True),
    sa.Column("tools", sa.String(500), nullable=True),
    sa.Column("place_id", sa.String(64), nullable=True),
    *_edtf("time_window"),
    sa.Column("analyst", sa.String(200), nullable=False),
    sa.Column("reviewer", sa.String(200), nullable=True),
    *_record_meta(),
)

qualification = sa.Table(
    "qualification",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("target", sa.String(80), nullable=False, index=True),
    sa.Column("framework", sa.String(32), nullable=False),
    sa.Column("article", sa.String(32), nullable=False),
    sa.Column("liability_mode", sa.String(32), nullable=True),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("author", sa.String(200), nullable=True),
    sa.Column("note", sa.Text, nullable=True),
    *_record_meta(),
)

qualification_element = sa.Table(
    "qualification_element",
    metadata,
    sa.Column("qualification_id", sa.String(64), primary_key=True),
    sa.Column("element", sa.String(64), primary_key=True),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("claim_ids", sa.Text, nullable=True),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("assessed_idx", sa.BigInteger, nullable=False),
    sa.Column("assessed_at", sa.String(40), nullable=False),
    sa.Column("assessed_by", sa.Text, nullable=False),
)

unit = sa.Table(
    "unit",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("unit_type", sa.String(64), nullable=False),
    sa.Column("designation", sa.String(100), nullable=True),
    sa.Column("parent_id", sa.String(64), nullable=True),
    sa.Column("country", sa.String(2), nullable=True),
    *_record_meta(),
)

unit_presence = sa.Table(
    "unit_presence",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("unit_id", sa.String(64), nullable=False, index=True),
    sa.Column("place_id", sa.String(64), nullable=False, index=True),
    *_edtf("date"),
    sa.Column("credibility", sa.String(1), nullable=True),
    sa.Column("claim_id", sa.String(64), nullable=True),
    sa.Column("note", sa.Text, nullable=True),
    *_record_meta(),
)


def _name_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("lang", sa.String(8), nullable=True),
        sa.Column("script", sa.String(4), nullable=False),
        sa.Column("scheme", sa.String(32), nullable=False),
        sa.Column("name_type", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_idx", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("withdrawn_idx", sa.BigInteger, nullable=True),
        sa.Column("withdrawn_reason", sa.Text, nullable=True),
    ]


person_name = sa.Table(
    "person_name",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("person_id", sa.String(64), nullable=False, index=True),
    sa.Column("is_identifying", sa.Boolean, nullable=False),
    *_name_columns(),
)

record_name = sa.Table(
    "record_name",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("owner", sa.String(80), nullable=False, index=True),
    *_name_columns(),
)

name_key = sa.Table(
    "name_key",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("name_id", sa.String(64), primary_key=True),
    sa.Column("owner", sa.String(80), nullable=False),
    sa.Index("ix_name_key_name_id", "name_id"),
)

record_link = sa.Table(
    "record_link",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("link_type", sa.String(32), nullable=False),
    sa.Column("source", sa.String(80), nullable=False, index=True),
    sa.Column("target", sa.String(80), nullable=False, index=True),
    sa.Column("attrs", sa.Text, nullable=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created_idx", sa.BigInteger, nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("removed_idx", sa.BigInteger, nullable=True),
    sa.Column("removed_at", sa.String(40), nullable=True),
    sa.Column("removed_by", sa.Text, nullable=True),
    sa.Column("removed_reason", sa.Text, nullable=True),
)


# --- Access control and witness protection (protect; migration 0004_protect) -----------------
# Projections of the "user.*", "token.*", "member.*", "vault.*", "consent.*", "sensitivity.*",
# "access.*" and "redaction.*" ledger entries (svidok.protect.projection). No clear-text vault
# value is held anywhere: vault_value keeps the AES-256-GCM ciphertext and salted commitment
# exactly as the ledger entry carries them. The last five tables (user_credential ... vault_key)
# are NOT projections: they hold secrets that must never enter the ledger (password hashes,
# wrapped TOTP secrets, token and session hashes, wrapped data keys) and operational counters.
# Destroying a vault_key row is what crypto-shredding means.

user_account = sa.Table(
    "user_account",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("totp_required", sa.Boolean, nullable=False),
    sa.Column("local_admin", sa.Boolean, nullable=False),
    sa.Column("created_idx", sa.BigInteger, nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("updated_idx", sa.BigInteger, nullable=False),
    sa.Column("updated_at", sa.String(40), nullable=False),
    sa.Column("updated_by", sa.Text, nullable=False),
)

case_member = sa.Table(
    "case_member",
    metadata,
    sa.Column("user_name", sa.String(64), primary_key=True),
    sa.Column("case_ref", sa.String(64), primary_key=True),
    sa.Column("clearances", sa.Text, nullable=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("granted_idx", sa.BigInteger, nullable=False),
    sa.Column("granted_at", sa.String(40), nullable=False),
    sa.Column("granted_by", sa.Text, nullable=False),
    sa.Column("revoked_idx", sa.BigInteger, nullable=True),
    sa.Column("revoked_at", sa.String(40), nullable=True),
    sa.Column("revoked_by", sa.Text, nullable=True),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Index("ix_case_member_case_ref", "case_ref"),
)

api_token = sa.Table(
    "api_token",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("user_name", sa.String(64), nullable=False, index=True),
    sa.Column("label", sa.String(100), nullable=False),
    sa.Column("scopes", sa.Text, nullable=False),
    sa.Column("expires_at", sa.String(40), nullable=False),
    sa.Column("created_idx", sa.BigInteger, nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("revoked_idx", sa.BigInteger, nullable=True),
    sa.Column("revoked_at", sa.String(40), nullable=True),
    sa.Column("revoked_by", sa.Text, nullable=True),
)

vault_person = sa.Table(
    "vault_person",
    metadata,
    sa.Column("person_id", sa.String(64), primary_key=True),
    sa.Column("code", sa.String(16), nullable=False, unique=True),
    sa.Column("key_id", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created_idx", sa.BigInteger, nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("erased_idx", sa.BigInteger, nullable=True),
    sa.Column("erased_at", sa.String(40), nullable=True),
    sa.Column("erased_by", sa.Text, nullable=True),
    sa.Column("erase_reason", sa.Text, nullable=True),
)

vault_value = sa.Table(
    "vault_value",
    metadata,
    sa.Column("person_id", sa.String(64), primary_key=True),
    sa.Column("field", sa.String(32), primary_key=True),
    sa.Column("key_id", sa.String(16), nullable=False),
    sa.Column("nonce", sa.String(24), nullable=False),
    sa.Column("ciphertext", sa.Text, nullable=False),
    sa.Column("commitment", sa.String(80), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("put_idx", sa.BigInteger, nullable=False),
    sa.Column("put_at", sa.String(40), nullable=False),
    sa.Column("put_by", sa.Text, nullable=False),
)

consent_record = sa.Table(
    "consent_record",
    metadata,
    sa.Column("person_id", sa.String(64), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("withdrawn", sa.Boolean, nullable=False),
    sa.Column("erase", sa.Boolean, nullable=False),
    sa.Column("reference", sa.String(200), nullable=True),
    sa.Column("recorded_idx", sa.BigInteger, nullable=False),
    sa.Column("recorded_at", sa.String(40), nullable=False),
    sa.Column("recorded_by", sa.Text, nullable=False),
)

consent_grant = sa.Table(
    "consent_grant",
    metadata,
    sa.Column("person_id", sa.String(64), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("action", sa.String(32), primary_key=True),
    sa.Column("recipient", sa.String(32), primary_key=True),
    sa.Column("purpose", sa.String(32), primary_key=True),
)

sensitivity_label = sa.Table(
    "sensitivity_label",
    metadata,
    sa.Column("target", sa.String(80), primary_key=True),
    sa.Column("level", sa.String(32), nullable=False),
    sa.Column("crsv", sa.Boolean, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("set_idx", sa.BigInteger, nullable=False),
    sa.Column("set_at", sa.String(40), nullable=False),
    sa.Column("set_by", sa.Text, nullable=False),
)

access_log = sa.Table(
    "access_log",
    metadata,
    sa.Column("idx", BigId, primary_key=True, autoincrement=False),
    sa.Column("user_name", sa.String(64), nullable=False, index=True),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("target", sa.String(80), nullable=False, index=True),
    sa.Column("person_code", sa.String(16), nullable=True, index=True),
    sa.Column("fields", sa.Text, nullable=True),
    sa.Column("purpose", sa.Text, nullable=False),
    sa.Column("viewed_at", sa.String(40), nullable=False),
)

redaction = sa.Table(
    "redaction",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("original", sa.String(80), nullable=False, index=True),
    sa.Column("original_digest", sa.String(80), nullable=False),
    sa.Column("digest", sa.String(80), nullable=False),
    sa.Column("mime", sa.String(100), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("method", sa.String(64), nullable=False),
    sa.Column("replacements", sa.Text, nullable=False),
    sa.Column("created_idx", sa.BigInteger, nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
)

# Not projections: secrets and operational state (see the section comment).

user_credential = sa.Table(
    "user_credential",
    metadata,
    sa.Column("user_name", sa.String(64), primary_key=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("totp_wrapped", sa.LargeBinary, nullable=True),
    sa.Column("totp_master_id", sa.String(16), nullable=True),
    sa.Column("totp_last_step", sa.BigInteger, nullable=True),
    sa.Column("failed_count", sa.Integer, nullable=False),
    sa.Column("locked_until", sa.String(40), nullable=True),
    sa.Column("password_set_at", sa.String(40), nullable=False),
    sa.Column("last_login_at", sa.String(40), nullable=True),
)

auth_token_secret = sa.Table(
    "auth_token_secret",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("token_id", sa.String(40), nullable=False, unique=True),
)

auth_session = sa.Table(
    "auth_session",
    metadata,
    sa.Column("id_hash", sa.String(64), primary_key=True),
    sa.Column("user_name", sa.String(64), nullable=False, index=True),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("expires_at", sa.String(40), nullable=False),
    sa.Column("last_seen_at", sa.String(40), nullable=False),
    sa.Column("second_factor", sa.Boolean, nullable=False),
)

login_attempt = sa.Table(
    "login_attempt",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_name", sa.String(64), nullable=False, index=True),
    sa.Column("source", sa.String(64), nullable=False, index=True),
    sa.Column("at", sa.String(40), nullable=False, index=True),
    sa.Column("ok", sa.Boolean, nullable=False),
)

vault_key = sa.Table(
    "vault_key",
    metadata,
    sa.Column("person_id", sa.String(64), primary_key=True),
    sa.Column("key_id", sa.String(16), nullable=False),
    sa.Column("master_key_id", sa.String(16), nullable=False),
    sa.Column("wrapped", sa.LargeBinary, nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
)


# --- Exports and received bundles (export; migration 0005_exports) ---------------------------
# Projections of the "export.bundle" and "bundle.received" ledger entries (svidok.export.projection).
# export_bundle: what went to whom, why, under which checkpoint, with which bundle digest;
# export_item: each item sent (with its ERN) or refused (with the reasons);
# bundle_receipt*: bundles received from partners, the sender's files kept in the blob store.

export_bundle = sa.Table(
    "export_bundle",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("case_ref", sa.String(64), nullable=False, index=True),
    sa.Column("recipient", sa.String(200), nullable=False, index=True),
    sa.Column("purpose", sa.Text, nullable=False),
    sa.Column("bundle_digest", sa.String(80), nullable=False, index=True),
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
)

export_item = sa.Table(
    "export_item",
    metadata,
    sa.Column("export_id", sa.String(40), primary_key=True),
    sa.Column("item_id", sa.String(40), primary_key=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("digest", sa.String(80), nullable=True),
    sa.Column("ern", sa.String(40), nullable=True),
    sa.Column("reasons", sa.Text, nullable=True),
    sa.Index("ix_export_item_item_id", "item_id"),
)

bundle_receipt = sa.Table(
    "bundle_receipt",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
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
    sa.UniqueConstraint("bundle_digest", "case_ref", name="uq_bundle_receipt_bundle_digest"),
)

bundle_receipt_item = sa.Table(
    "bundle_receipt_item",
    metadata,
    sa.Column("receipt_id", sa.String(40), primary_key=True),
    sa.Column("sender_item", sa.String(64), primary_key=True),
    sa.Column("item_id", sa.String(40), nullable=False, index=True),
    sa.Column("digest", sa.String(80), nullable=False),
    sa.Column("ern", sa.String(40), nullable=True),
)

bundle_receipt_file = sa.Table(
    "bundle_receipt_file",
    metadata,
    sa.Column("receipt_id", sa.String(40), primary_key=True),
    sa.Column("path", sa.String(500), primary_key=True),
    sa.Column("digest", sa.String(80), nullable=False),
)
