"""The case model: cases, proceedings, incidents, acts, places, persons and roles, interviews,
sources and claims, verifications, qualifications and their elements, units and presences,
names, name keys and links.

Creates exactly the tables and indexes declared in the "Case model" section of
:mod:`svidok.db.schema` (projections of the ``record.*``, ``name.*``, ``case.*`` and
``qualification.*`` ledger entries, applied by :mod:`svidok.records.projection`).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLES = (
    "case_file", "proceeding", "incident", "act", "place", "person", "person_role", "interview", "source", "claim",
    "verification", "qualification", "qualification_element", "unit", "unit_presence", "person_name", "record_name",
    "name_key", "record_link",
)  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "case_file",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("case_type", sa.String(64), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("lead_team", sa.String(200), nullable=True),
        sa.Column("conflict_type", sa.String(32), nullable=True),
        sa.Column("period", sa.String(100), nullable=True),
        sa.Column("period_earliest", sa.String(10), nullable=True),
        sa.Column("period_latest", sa.String(10), nullable=True),
        sa.Column("summary", sa.Text, nullable=True),
        sa.Column("sensitivity", sa.String(32), nullable=False),
        sa.Column("merged_into", sa.String(64), nullable=True),
        sa.Column("duplicate_of", sa.String(64), nullable=True),
        sa.Column("split_from", sa.String(64), nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_idx", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("updated_idx", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("updated_by", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_case_file"),
    )

    op.create_table(
        "proceeding",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("system", sa.String(32), nullable=False),
        sa.Column("number", sa.String(64), nullable=False),
        sa.Column("registered", sa.String(100), nullable=True),
        sa.Column("registered_earliest", sa.String(10), nullable=True),
        sa.Column("registered_latest", sa.String(10), nullable=True),
        sa.Column("body", sa.String(300), nullable=True),
        sa.Column("region", sa.String(200), nullable=True),
        sa.Column("qualification", sa.String(200), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("merged_into", sa.String(64), nullable=True),
        sa.Column("split_from", sa.String(64), nullable=True),
        sa.Column("duplicate_of", sa.String(64), nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_idx", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("updated_idx", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("updated_by", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_proceeding"),
        sa.UniqueConstraint("system", "number", name="uq_proceeding_system"),
    )

    op.create_table(
        "incident",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("incident_type", sa.String(64), nullable=False),
        sa.Column("description", sa.Text, nullable=True),
        sa.Column("date", sa.String(100), nullable=True),
        sa.Column("date_earliest", sa.String(10), nullable=True),
        sa.Column("date_latest", sa.String(10), nullable=True),
        sa.Column("place_id", sa.String(64), nullable=True),
        sa.Column("counts", sa.Text, nullable=True),
        sa.Column("target_type", sa.String(64), nullable=True),
        sa.Column("weapons", sa.Text, nullable=True),
        sa.Column("verification_status", sa.String(32), nullable=False),
        sa.Column("sensitivity", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_idx", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("updated_idx", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("updated_by", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_incident"),
    )
    op.create_index("ix_incident_place_id", "incident", ["place_id"])

    op.create_table(
        "act",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("incident_id", sa.String(64), nullable=False),
        sa.Column("act_type", sa.String(64), nullable=False),
        sa.Column("description", sa.Text, nullable=True),
        sa.Column("date", sa.String(100), nullable=True),
        sa.Column("date_earliest", sa.String(10), nullable=True),
        sa.Column("date_latest", sa.String(10), nullable=True),
        sa.Column("place_id", sa.String(64), nullable=True),
        sa.Column("methods", sa.Text, nullable=True),
        sa.Column("weapons", sa.Text, nullable=True),
        sa.Column("harms", sa.Text, nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_idx", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("updated_idx", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("updated_by", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_act"),
    )
    op.create_index("ix_act_incident_id", "act", ["incident_id"])

    op.create_table(
        "place",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("place_type", sa.String(64), nullable=False),
        sa.Column("lat", sa.Float, nullable=True),
        sa.Column("lon", sa.Float, nullable=True),
        sa.Column("geometry", sa.Text, nullable=True),
        sa.Column("precision", sa.String(32), nullable=False),
        sa.Column("uncertainty_m", sa.Integer, nullable=True),
        sa.Column("coord_source", sa.String(64), nullable=True),
        sa.Column("katotth", sa.String(19), nullable=True),
        sa.Column("katotth_version", sa.String(40), nullable=True),
        sa.Column("parent_id", sa.String(64), nullable=True),
        sa.Column("sensitivity", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_idx", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("updated_idx", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("updated_by", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_place"),
    )
    op.create_index("ix_place_katotth", "place", ["katotth"])

    op.create_table(
        "person",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("code_prefix", sa.String(3), nullable=False),
        sa.Column("code_number", sa.Integer, nullable=False),
        sa.Column("sex", sa.String(16), nullable=False),
        sa.Column("age_min", sa.Integer, nullable=True),
        sa.Column("age_max", sa.Integer, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("sensitivity", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_idx", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("updated_idx", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("updated_by", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_person"),
        sa.UniqueConstraint("code", name="uq_person_code"),
    )
    op.create_index("ix_person_code_prefix_number", "person", ["code_prefix", "code_number"])

    op.create_table(
        "person_role",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("person_id", sa.String(64), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("context", sa.String(80), nullable=False),
        sa.Column("subtype", sa.String(64), nullable=True),
        sa.Column("involvement", sa.String(64), nullable=True),
        sa.Column("harms", sa.Text, nullable=True),
        sa.Column("combatant_status", sa.String(32), nullable=True),
        sa.Column("unit_id", sa.String(64), nullable=True),
        sa.Column("rank", sa.String(100), nullable=True),
        sa.Column("position", sa.String(200), nullable=True),
        sa.Column("certainty", sa.String(32), nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_idx", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("updated_idx", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("updated_by", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_person_role"),
    )
    op.create_index("ix_person_role_context", "person_role", ["context"])
    op.create_index("ix_person_role_person_id", "person_role", ["person_id"])

    op.create_table(
        "interview",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("interviewee_id", sa.String(64), nullable=False),
        sa.Column("interview_type", sa.String(64), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=True),
        sa.Column("date", sa.String(100), nullable=True),
        sa.Column("date_earliest", sa.String(10), nullable=True),
        sa.Column("date_latest", sa.String(10), nullable=True),
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
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_idx", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("updated_idx", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("updated_by", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_interview"),
    )
    op.create_index("ix_interview_interviewee_id", "interview", ["interviewee_id"])

    op.create_table(
        "source",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("source_type", sa.String(64), nullable=False),
        sa.Column("label", sa.String(300), nullable=False),
        sa.Column("person_id", sa.String(64), nullable=True),
        sa.Column("identifier", sa.String(500), nullable=True),
        sa.Column("reliability", sa.String(1), nullable=False),
        sa.Column("reliability_rationale", sa.Text, nullable=True),
        sa.Column("affiliation", sa.Text, nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_idx", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("updated_idx", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("updated_by", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_source"),
    )

    op.create_table(
        "claim",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("statement", sa.Text, nullable=False),
        sa.Column("subject", sa.String(80), nullable=True),
        sa.Column("source_id", sa.String(64), nullable=True),
        sa.Column("credibility", sa.String(1), nullable=False),
        sa.Column("credibility_rationale", sa.Text, nullable=True),
        sa.Column("date", sa.String(100), nullable=True),
        sa.Column("date_earliest", sa.String(10), nullable=True),
        sa.Column("date_latest", sa.String(10), nullable=True),
        sa.Column("place_id", sa.String(64), nullable=True),
        sa.Column("quote", sa.Text, nullable=True),
        sa.Column("quote_lang", sa.String(8), nullable=True),
        sa.Column("origin", sa.String(32), nullable=True),
        sa.Column("standard_of_proof", sa.String(32), nullable=True),
        sa.Column("analyst", sa.String(200), nullable=True),
        sa.Column("reviewer", sa.String(200), nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_idx", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("updated_idx", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("updated_by", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_claim"),
    )
    op.create_index("ix_claim_source_id", "claim", ["source_id"])
    op.create_index("ix_claim_subject", "claim", ["subject"])

    op.create_table(
        "verification",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("target", sa.String(80), nullable=False),
        sa.Column("strand", sa.String(32), nullable=False),
        sa.Column("technique", sa.String(64), nullable=False),
        sa.Column("result", sa.String(32), nullable=False),
        sa.Column("detail", sa.Text, nullable=True),
        sa.Column("tools", sa.String(500), nullable=True),
        sa.Column("place_id", sa.String(64), nullable=True),
        sa.Column("time_window", sa.String(100), nullable=True),
        sa.Column("time_window_earliest", sa.String(10), nullable=True),
        sa.Column("time_window_latest", sa.String(10), nullable=True),
        sa.Column("analyst", sa.String(200), nullable=False),
        sa.Column("reviewer", sa.String(200), nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_idx", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("updated_idx", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("updated_by", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_verification"),
    )
    op.create_index("ix_verification_target", "verification", ["target"])

    op.create_table(
        "qualification",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("target", sa.String(80), nullable=False),
        sa.Column("framework", sa.String(32), nullable=False),
        sa.Column("article", sa.String(32), nullable=False),
        sa.Column("liability_mode", sa.String(32), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("author", sa.String(200), nullable=True),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_idx", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("updated_idx", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("updated_by", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_qualification"),
    )
    op.create_index("ix_qualification_target", "qualification", ["target"])

    op.create_table(
        "qualification_element",
        sa.Column("qualification_id", sa.String(64), nullable=False),
        sa.Column("element", sa.String(64), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("claim_ids", sa.Text, nullable=True),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("assessed_idx", sa.BigInteger, nullable=False),
        sa.Column("assessed_at", sa.String(40), nullable=False),
        sa.Column("assessed_by", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("qualification_id", "element", name="pk_qualification_element"),
    )

    op.create_table(
        "unit",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("unit_type", sa.String(64), nullable=False),
        sa.Column("designation", sa.String(100), nullable=True),
        sa.Column("parent_id", sa.String(64), nullable=True),
        sa.Column("country", sa.String(2), nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_idx", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("updated_idx", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("updated_by", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_unit"),
    )

    op.create_table(
        "unit_presence",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("unit_id", sa.String(64), nullable=False),
        sa.Column("place_id", sa.String(64), nullable=False),
        sa.Column("date", sa.String(100), nullable=True),
        sa.Column("date_earliest", sa.String(10), nullable=True),
        sa.Column("date_latest", sa.String(10), nullable=True),
        sa.Column("credibility", sa.String(1), nullable=True),
        sa.Column("claim_id", sa.String(64), nullable=True),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_idx", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("updated_idx", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("updated_by", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_unit_presence"),
    )
    op.create_index("ix_unit_presence_place_id", "unit_presence", ["place_id"])
    op.create_index("ix_unit_presence_unit_id", "unit_presence", ["unit_id"])

    op.create_table(
        "person_name",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("person_id", sa.String(64), nullable=False),
        sa.Column("is_identifying", sa.Boolean, nullable=False),
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
        sa.PrimaryKeyConstraint("id", name="pk_person_name"),
    )
    op.create_index("ix_person_name_person_id", "person_name", ["person_id"])

    op.create_table(
        "record_name",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("owner", sa.String(80), nullable=False),
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
        sa.PrimaryKeyConstraint("id", name="pk_record_name"),
    )
    op.create_index("ix_record_name_owner", "record_name", ["owner"])

    op.create_table(
        "name_key",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("name_id", sa.String(64), nullable=False),
        sa.Column("owner", sa.String(80), nullable=False),
        sa.PrimaryKeyConstraint("key", "name_id", name="pk_name_key"),
    )
    op.create_index("ix_name_key_name_id", "name_key", ["name_id"])

    op.create_table(
        "record_link",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("link_type", sa.String(32), nullable=False),
        sa.Column("source", sa.String(80), nullable=False),
        sa.Column("target", sa.String(80), nullable=False),
        sa.Column("attrs", sa.Text, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_idx", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("removed_idx", sa.BigInteger, nullable=True),
        sa.Column("removed_at", sa.String(40), nullable=True),
        sa.Column("removed_by", sa.Text, nullable=True),
        sa.Column("removed_reason", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_record_link"),
    )
    op.create_index("ix_record_link_source", "record_link", ["source"])
    op.create_index("ix_record_link_target", "record_link", ["target"])


def downgrade() -> None:
    for name in reversed(TABLES):
        op.drop_table(name)
