"""Assessments with their visits, information requests, best-interests assessments and partner access.

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assessment",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("journal_number", sa.String(20), nullable=False),
        sa.Column("person_id", sa.String(100), nullable=False),
        sa.Column("service_code", sa.String(60), nullable=False),
        sa.Column("route", sa.String(30), nullable=False),
        sa.Column("received_on", sa.Date, nullable=False),
        sa.Column("involves_child", sa.Boolean, nullable=False),
        sa.Column("emergency_measure", sa.Boolean, nullable=False),
        sa.Column("consent_scope", sa.JSON, nullable=False),
        sa.Column("consent_share_with", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("assignee_kind", sa.String(20), nullable=True),
        sa.Column("assignee", sa.String(60), nullable=True),
        sa.Column("writes_own_assessment", sa.Boolean, nullable=False),
        sa.Column("scores", sa.JSON, nullable=True),
        sa.Column("scores_assessed_on", sa.Date, nullable=True),
        sa.Column("scores_recorded_by", sa.String(60), nullable=True),
        sa.Column("care_ladder_step", sa.Integer, nullable=True),
        sa.Column("care_ladder_grounds", sa.JSON, nullable=True),
        sa.Column("bti_level", sa.Integer, nullable=True),
        sa.Column("coordinated_criteria_met", sa.JSON, nullable=True),
        sa.Column("criteria_evaluated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recommendation", sa.JSON, nullable=True),
        sa.Column("recommendation_reasons", sa.Text, nullable=True),
        sa.Column("recommended_by", sa.String(60), nullable=True),
        sa.Column("completed_by", sa.String(60), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_assessment"),
        sa.UniqueConstraint("municipality", "case_id", name="uq_assessment_municipality_case_id"),
    )
    op.create_index("ix_assessment_municipality", "assessment", ["municipality"])
    op.create_index("ix_assessment_case_id", "assessment", ["case_id"])
    op.create_table(
        "visit",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("assessment_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notes", sa.Text, nullable=True),
        sa.Column("recorded_by", sa.String(60), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_visit"),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessment.id"], name="fk_visit_assessment_id_assessment"),
    )
    op.create_index("ix_visit_assessment_id", "visit", ["assessment_id"])
    op.create_table(
        "information_request",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("assessment_id", sa.String(36), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("requested_on", sa.Date, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("received_on", sa.Date, nullable=True),
        sa.Column("deadline_id", sa.String(36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_information_request"),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessment.id"], name="fk_information_request_assessment_id_assessment"
        ),
    )
    op.create_index("ix_information_request_assessment_id", "information_request", ["assessment_id"])
    op.create_table(
        "child_best_interests",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("assessment_id", sa.String(36), nullable=False),
        sa.Column("children_considered", sa.Integer, nullable=False),
        sa.Column("assessment", sa.Text, nullable=False),
        sa.Column("assessed_by", sa.String(60), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_child_best_interests"),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessment.id"], name="fk_child_best_interests_assessment_id_assessment"
        ),
    )
    op.create_index("ix_child_best_interests_assessment_id", "child_best_interests", ["assessment_id"])
    op.create_table(
        "case_access",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("assessment_id", sa.String(36), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("home_municipality", sa.String(4), nullable=False),
        sa.Column("partner_municipality", sa.String(4), nullable=False),
        sa.Column("granted_by", sa.String(100), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_case_access"),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessment.id"], name="fk_case_access_assessment_id_assessment"),
        sa.UniqueConstraint("assessment_id", "partner_municipality", name="uq_case_access_assessment_id"),
    )
    op.create_index("ix_case_access_partner_municipality", "case_access", ["partner_municipality"])


def downgrade() -> None:
    op.drop_index("ix_case_access_partner_municipality", table_name="case_access")
    op.drop_table("case_access")
    op.drop_index("ix_child_best_interests_assessment_id", table_name="child_best_interests")
    op.drop_table("child_best_interests")
    op.drop_index("ix_information_request_assessment_id", table_name="information_request")
    op.drop_table("information_request")
    op.drop_index("ix_visit_assessment_id", table_name="visit")
    op.drop_table("visit")
    op.drop_index("ix_assessment_case_id", table_name="assessment")
    op.drop_index("ix_assessment_municipality", table_name="assessment")
    op.drop_table("assessment")
