"""Referrals to the coordinating unit with their coordinators, and the decisions seen per person.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "referral",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("person_id", sa.String(100), nullable=False),
        sa.Column("requested", sa.JSON, nullable=False),
        sa.Column("unit", sa.String(60), nullable=False),
        sa.Column("involves_child", sa.Boolean, nullable=False),
        sa.Column("received_on", sa.Date, nullable=False),
        sa.Column("expected_birth_on", sa.Date, nullable=True),
        sa.Column("born_on", sa.Date, nullable=True),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("long_term_need", sa.Boolean, nullable=True),
        sa.Column("different_providers", sa.Boolean, nullable=True),
        sa.Column("providers_seen", sa.JSON, nullable=True),
        sa.Column("judgement", sa.Text, nullable=True),
        sa.Column("proposals", sa.JSON, nullable=True),
        sa.Column("assessed_by", sa.String(100), nullable=True),
        sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("requests", sa.JSON, nullable=False),
        sa.Column("outcomes", sa.JSON, nullable=False),
        sa.Column("decision_id", sa.String(64), nullable=True),
        sa.Column("home_visit_id", sa.String(36), nullable=True),
        sa.Column("home_visit_due_on", sa.Date, nullable=True),
        sa.Column("home_visit_deadline_id", sa.String(36), nullable=True),
        sa.Column("coordinator_declined_on", sa.Date, nullable=True),
        sa.Column("plan_declined_on", sa.Date, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_referral"),
        sa.UniqueConstraint("municipality", "case_id", name="uq_referral_municipality_case_id"),
    )
    op.create_index("ix_referral_municipality", "referral", ["municipality"])
    op.create_index("ix_referral_case_id", "referral", ["case_id"])
    op.create_index("ix_referral_person_id", "referral", ["person_id"])
    op.create_table(
        "coordinator_appointment",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("referral_id", sa.String(36), nullable=False),
        sa.Column("role", sa.String(30), nullable=False),
        sa.Column("coordinator", sa.String(100), nullable=False),
        sa.Column("unit", sa.String(60), nullable=False),
        sa.Column("wishes", sa.Text, nullable=True),
        sa.Column("wishes_met", sa.Boolean, nullable=True),
        sa.Column("appointed_on", sa.Date, nullable=False),
        sa.Column("appointed_by", sa.String(100), nullable=False),
        sa.Column("ends_on", sa.Date, nullable=True),
        sa.Column("deadline_id", sa.String(36), nullable=True),
        sa.Column("ended_on", sa.Date, nullable=True),
        sa.Column("end_reason", sa.String(40), nullable=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_coordinator_appointment"),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referral.id"], name="fk_coordinator_appointment_referral_id_referral"
        ),
    )
    op.create_index("ix_coordinator_appointment_referral_id", "coordinator_appointment", ["referral_id"])
    op.create_table(
        "seen_decision",
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("decision_id", sa.String(64), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("person_id", sa.String(100), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("service_codes", sa.JSON, nullable=False),
        sa.Column("decided_on", sa.Date, nullable=False),
        sa.Column("supersedes", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("municipality", "decision_id", name="pk_seen_decision"),
    )
    op.create_index("ix_seen_decision_person_id", "seen_decision", ["person_id"])


def downgrade() -> None:
    op.drop_index("ix_seen_decision_person_id", table_name="seen_decision")
    op.drop_table("seen_decision")
    op.drop_index("ix_coordinator_appointment_referral_id", table_name="coordinator_appointment")
    op.drop_table("coordinator_appointment")
    op.drop_index("ix_referral_person_id", table_name="referral")
    op.drop_index("ix_referral_case_id", table_name="referral")
    op.drop_index("ix_referral_municipality", table_name="referral")
    op.drop_table("referral")
