"""Access control and witness protection: accounts, memberships, tokens, the identity vault,
consent, sensitivity labels, the access log, redactions; credentials, sessions, login attempts
and wrapped data keys.

Creates exactly the tables and indexes declared in the "Access control and witness
protection" section of :mod:`svidok.db.schema` (projections of the ``user.*``, ``token.*``,
``member.*``, ``vault.*``, ``consent.*``, ``sensitivity.*``, ``access.*`` and ``redaction.*``
ledger entries, applied by :mod:`svidok.protect.projection`, plus five non-projection tables of
secrets and operational state).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

TABLES = (
    "user_account", "case_member", "api_token", "vault_person", "vault_value", "consent_record", "consent_grant",
    "sensitivity_label", "access_log", "redaction", "user_credential", "auth_token_secret", "auth_session",
    "login_attempt", "vault_key",
)  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "user_account",
        sa.Column("name", sa.String(64), nullable=False),
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
        sa.PrimaryKeyConstraint("name", name="pk_user_account"),
    )
    op.create_table(
        "case_member",
        sa.Column("user_name", sa.String(64), nullable=False),
        sa.Column("case_ref", sa.String(64), nullable=False),
        sa.Column("clearances", sa.Text, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("granted_idx", sa.BigInteger, nullable=False),
        sa.Column("granted_at", sa.String(40), nullable=False),
        sa.Column("granted_by", sa.Text, nullable=False),
        sa.Column("revoked_idx", sa.BigInteger, nullable=True),
        sa.Column("revoked_at", sa.String(40), nullable=True),
        sa.Column("revoked_by", sa.Text, nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("user_name", "case_ref", name="pk_case_member"),
    )
    op.create_index("ix_case_member_case_ref", "case_member", ["case_ref"])
    op.create_table(
        "api_token",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("user_name", sa.String(64), nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("scopes", sa.Text, nullable=False),
        sa.Column("expires_at", sa.String(40), nullable=False),
        sa.Column("created_idx", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("revoked_idx", sa.BigInteger, nullable=True),
        sa.Column("revoked_at", sa.String(40), nullable=True),
        sa.Column("revoked_by", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_token"),
    )
    op.create_index("ix_api_token_user_name", "api_token", ["user_name"])
    op.create_table(
        "vault_person",
        sa.Column("person_id", sa.String(64), nullable=False),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_idx", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("erased_idx", sa.BigInteger, nullable=True),
        sa.Column("erased_at", sa.String(40), nullable=True),
        sa.Column("erased_by", sa.Text, nullable=True),
        sa.Column("erase_reason", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("person_id", name="pk_vault_person"),
        sa.UniqueConstraint("code", name="uq_vault_person_code"),
    )
    op.create_table(
        "vault_value",
        sa.Column("person_id", sa.String(64), nullable=False),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("nonce", sa.String(24), nullable=False),
        sa.Column("ciphertext", sa.Text, nullable=False),
        sa.Column("commitment", sa.String(80), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("put_idx", sa.BigInteger, nullable=False),
        sa.Column("put_at", sa.String(40), nullable=False),
        sa.Column("put_by", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("person_id", "field", name="pk_vault_value"),
    )
    op.create_table(
        "consent_record",
        sa.Column("person_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("withdrawn", sa.Boolean, nullable=False),
        sa.Column("erase", sa.Boolean, nullable=False),
        sa.Column("reference", sa.String(200), nullable=True),
        sa.Column("recorded_idx", sa.BigInteger, nullable=False),
        sa.Column("recorded_at", sa.String(40), nullable=False),
        sa.Column("recorded_by", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("person_id", "version", name="pk_consent_record"),
    )
    op.create_table(
        "consent_grant",
        sa.Column("person_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("recipient", sa.String(32), nullable=False),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("person_id", "version", "action", "recipient", "purpose", name="pk_consent_grant"),
    )
    op.create_table(
        "sensitivity_label",
        sa.Column("target", sa.String(80), nullable=False),
        sa.Column("level", sa.String(32), nullable=False),
        sa.Column("crsv", sa.Boolean, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("set_idx", sa.BigInteger, nullable=False),
        sa.Column("set_at", sa.String(40), nullable=False),
        sa.Column("set_by", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("target", name="pk_sensitivity_label"),
    )
    op.create_table(
        "access_log",
        sa.Column("idx", BigId, nullable=False, autoincrement=False),
        sa.Column("user_name", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("target", sa.String(80), nullable=False),
        sa.Column("person_code", sa.String(16), nullable=True),
        sa.Column("fields", sa.Text, nullable=True),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("viewed_at", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("idx", name="pk_access_log"),
    )
    op.create_index("ix_access_log_user_name", "access_log", ["user_name"])
    op.create_index("ix_access_log_target", "access_log", ["target"])
    op.create_index("ix_access_log_person_code", "access_log", ["person_code"])
    op.create_table(
        "redaction",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("original", sa.String(80), nullable=False),
        sa.Column("original_digest", sa.String(80), nullable=False),
        sa.Column("digest", sa.String(80), nullable=False),
        sa.Column("mime", sa.String(100), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("method", sa.String(64), nullable=False),
        sa.Column("replacements", sa.Text, nullable=False),
        sa.Column("created_idx", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_redaction"),
    )
    op.create_index("ix_redaction_original", "redaction", ["original"])
    op.create_table(
        "user_credential",
        sa.Column("user_name", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("totp_wrapped", sa.LargeBinary, nullable=True),
        sa.Column("totp_master_id", sa.String(16), nullable=True),
        sa.Column("totp_last_step", sa.BigInteger, nullable=True),
        sa.Column("failed_count", sa.Integer, nullable=False),
        sa.Column("locked_until", sa.String(40), nullable=True),
        sa.Column("password_set_at", sa.String(40), nullable=False),
        sa.Column("last_login_at", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint("user_name", name="pk_user_credential"),
    )
    op.create_table(
        "auth_token_secret",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("token_id", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name="pk_auth_token_secret"),
        sa.UniqueConstraint("token_id", name="uq_auth_token_secret_token_id"),
    )
    op.create_table(
        "auth_session",
        sa.Column("id_hash", sa.String(64), nullable=False),
        sa.Column("user_name", sa.String(64), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("expires_at", sa.String(40), nullable=False),
        sa.Column("last_seen_at", sa.String(40), nullable=False),
        sa.Column("second_factor", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id_hash", name="pk_auth_session"),
    )
    op.create_index("ix_auth_session_user_name", "auth_session", ["user_name"])
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("user_name", sa.String(64), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_login_attempt"),
    )
    op.create_index("ix_login_attempt_user_name", "login_attempt", ["user_name"])
    op.create_index("ix_login_attempt_source", "login_attempt", ["source"])
    op.create_index("ix_login_attempt_at", "login_attempt", ["at"])
    op.create_table(
        "vault_key",
        sa.Column("person_id", sa.String(64), nullable=False),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("master_key_id", sa.String(16), nullable=False),
        sa.Column("wrapped", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("person_id", name="pk_vault_key"),
    )


def downgrade() -> None:
    for name in reversed(TABLES):
        op.drop_table(name)
