"""Selbu's choice on the referral; individual plans with their versions, meetings, coordinators' training needs
and the annual report's clocks.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ARRANGEMENT = (
    ("arrangement_form", sa.String(30)),
    ("arrangement_units", sa.JSON),
    ("arrangement_consent_on", sa.Date),
    ("arrangement_chosen_by", sa.String(100)),
    ("arrangement_chosen_on", sa.Date),
)


def upgrade() -> None:
    with op.batch_alter_table("referral") as batch:
        for name, kind in ARRANGEMENT:
            batch.add_column(sa.Column(name, kind, nullable=True))
    op.create_table(
        "individual_plan",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("referral_id", sa.String(36), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("unit", sa.String(60), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("content", sa.JSON, nullable=False),
        sa.Column("declined_on", sa.Date, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_individual_plan"),
        sa.ForeignKeyConstraint(["referral_id"], ["referral.id"], name="fk_individual_plan_referral_id_referral"),
        sa.UniqueConstraint("referral_id", name="uq_individual_plan_referral_id"),
    )
    op.create_index("ix_individual_plan_municipality", "individual_plan", ["municipality"])
    op.create_table(
        "individual_plan_version",
        sa.Column("plan_id", sa.String(36), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("change", sa.String(30), nullable=True),
        sa.Column("changed_by", sa.String(100), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("plan_id", "version", name="pk_individual_plan_version"),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["individual_plan.id"], name="fk_individual_plan_version_plan_id_individual_plan"
        ),
    )
    op.create_table(
        "coordination_meeting",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("referral_id", sa.String(36), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("unit", sa.String(60), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("planned_on", sa.Date, nullable=False),
        sa.Column("called_by", sa.String(60), nullable=False),
        sa.Column("coordinator", sa.String(100), nullable=True),
        sa.Column("invited", sa.JSON, nullable=False),
        sa.Column("held_on", sa.Date, nullable=True),
        sa.Column("participants", sa.JSON, nullable=False),
        sa.Column("minutes", sa.Text, nullable=True),
        sa.Column("minutes_recorded_on", sa.Date, nullable=True),
        sa.Column("follow_ups", sa.JSON, nullable=False),
        sa.Column("deadline_id", sa.String(36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_coordination_meeting"),
        sa.ForeignKeyConstraint(["referral_id"], ["referral.id"], name="fk_coordination_meeting_referral_id_referral"),
    )
    op.create_index("ix_coordination_meeting_municipality", "coordination_meeting", ["municipality"])
    op.create_index("ix_coordination_meeting_referral_id", "coordination_meeting", ["referral_id"])
    op.create_table(
        "training_need",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("coordinator", sa.String(100), nullable=False),
        sa.Column("unit", sa.String(60), nullable=False),
        sa.Column("coordinating_unit", sa.String(60), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("needs", sa.Text, nullable=False),
        sa.Column("requested_on", sa.Date, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("deadline_id", sa.String(36), nullable=False),
        sa.Column("registered_by", sa.String(100), nullable=False),
        sa.Column("completed_on", sa.Date, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_training_need"),
    )
    op.create_index("ix_training_need_municipality", "training_need", ["municipality"])
    op.create_table(
        "annual_report_clock",
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("unit", sa.String(60), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("deadline_id", sa.String(36), nullable=False),
        sa.PrimaryKeyConstraint("municipality", "unit", "year", name="pk_annual_report_clock"),
    )


def downgrade() -> None:
    op.drop_table("annual_report_clock")
    op.drop_index("ix_training_need_municipality", table_name="training_need")
    op.drop_table("training_need")
    op.drop_index("ix_coordination_meeting_referral_id", table_name="coordination_meeting")
    op.drop_index("ix_coordination_meeting_municipality", table_name="coordination_meeting")
    op.drop_table("coordination_meeting")
    op.drop_table("individual_plan_version")
    op.drop_index("ix_individual_plan_municipality", table_name="individual_plan")
    op.drop_table("individual_plan")
    with op.batch_alter_table("referral") as batch:
        for name, _ in reversed(ARRANGEMENT):
            batch.drop_column(name)
