"""Holtålen's BTI levels with their history, the children's relay logs with their entries, and the needs a
coordinator raised to the coordinating unit.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "child_bti",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("person_id", sa.String(100), nullable=False),
        sa.Column("unit", sa.String(60), nullable=False),
        sa.Column("level", sa.Integer, nullable=True),
        sa.Column("history", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_child_bti"),
        sa.UniqueConstraint("municipality", "person_id", name="uq_child_bti_municipality"),
    )
    op.create_index("ix_child_bti_municipality", "child_bti", ["municipality"])
    op.create_table(
        "relay_log",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("person_id", sa.String(100), nullable=False),
        sa.Column("unit", sa.String(60), nullable=False),
        sa.Column("opened_on", sa.Date, nullable=False),
        sa.Column("holders", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_relay_log"),
        sa.UniqueConstraint("municipality", "person_id", name="uq_relay_log_municipality"),
    )
    op.create_index("ix_relay_log_municipality", "relay_log", ["municipality"])
    op.create_table(
        "relay_log_entry",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("log_id", sa.String(36), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("entry_on", sa.Date, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("written_by", sa.String(100), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_relay_log_entry"),
        sa.ForeignKeyConstraint(["log_id"], ["relay_log.id"], name="fk_relay_log_entry_log_id_relay_log"),
    )
    op.create_index("ix_relay_log_entry_log_id", "relay_log_entry", ["log_id"])
    op.create_table(
        "coordination_escalation",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("referral_id", sa.String(36), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("unit", sa.String(60), nullable=False),
        sa.Column("reason", sa.String(30), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("raised_by", sa.String(100), nullable=False),
        sa.Column("raised_on", sa.Date, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("deadline_id", sa.String(36), nullable=False),
        sa.Column("response", sa.String(30), nullable=True),
        sa.Column("response_text", sa.Text, nullable=True),
        sa.Column("answered_on", sa.Date, nullable=True),
        sa.Column("answered_by", sa.String(100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_coordination_escalation"),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referral.id"], name="fk_coordination_escalation_referral_id_referral"
        ),
    )
    op.create_index("ix_coordination_escalation_municipality", "coordination_escalation", ["municipality"])
    op.create_index("ix_coordination_escalation_referral_id", "coordination_escalation", ["referral_id"])


def downgrade() -> None:
    op.drop_index("ix_coordination_escalation_referral_id", table_name="coordination_escalation")
    op.drop_index("ix_coordination_escalation_municipality", table_name="coordination_escalation")
    op.drop_table("coordination_escalation")
    op.drop_index("ix_relay_log_entry_log_id", table_name="relay_log_entry")
    op.drop_table("relay_log_entry")
    op.drop_index("ix_relay_log_municipality", table_name="relay_log")
    op.drop_table("relay_log")
    op.drop_index("ix_child_bti_municipality", table_name="child_bti")
    op.drop_table("child_bti")
