"""Cases awaiting decision, allocation meetings and agendas, decisions and approvals, letters, service orders,
and the clocks decisions start.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _at(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "decision_case",
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("person_id", sa.String(100), nullable=True),
        sa.Column("journal_number", sa.String(20), nullable=True),
        sa.Column("service_code", sa.String(60), nullable=True),
        sa.Column("received_on", sa.Date, nullable=True),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("emergency_measure", sa.JSON, nullable=True),
        sa.Column("recommendation", sa.JSON, nullable=True),
        sa.Column("requests", sa.JSON, nullable=True),
        sa.Column("reversal", sa.JSON, nullable=True),
        sa.Column("agenda_item_id", sa.String(36), nullable=True),
        _at("created_at"),
        _at("updated_at"),
        sa.PrimaryKeyConstraint("case_id", name="pk_decision_case"),
    )
    op.create_index("ix_decision_case_municipality_status", "decision_case", ["municipality", "status"])

    op.create_table(
        "meeting",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("meeting_on", sa.Date, nullable=False),
        _at("starts_at"),
        _at("cutoff_at"),
        sa.Column("attendees", sa.JSON, nullable=False),
        _at("attendees_recorded_at", nullable=True),
        sa.Column("attendees_recorded_by", sa.String(200), nullable=True),
        _at("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_meeting"),
        sa.UniqueConstraint("municipality", "meeting_on", name="uq_meeting_municipality_meeting_on"),
    )

    op.create_table(
        "agenda_item",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("meeting_id", sa.String(36), nullable=False),
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(30), nullable=False),
        sa.Column("emergency_measure", sa.Boolean, nullable=False),
        _at("submitted_at"),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("outcome", sa.String(30), nullable=True),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("recorded_by", sa.String(200), nullable=True),
        _at("recorded_at", nullable=True),
        _at("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_agenda_item"),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"], name="fk_agenda_item_meeting_id_meeting"),
        sa.ForeignKeyConstraint(["case_id"], ["decision_case.case_id"], name="fk_agenda_item_case_id_decision_case"),
        sa.UniqueConstraint("meeting_id", "case_id", name="uq_agenda_item_meeting_id"),
    )
    op.create_index("ix_agenda_item_meeting_id", "agenda_item", ["meeting_id"])
    op.create_index("ix_agenda_item_case_id", "agenda_item", ["case_id"])

    op.create_table(
        "decision",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("person_id", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("outcome", sa.String(30), nullable=False),
        sa.Column("services", sa.JSON, nullable=False),
        sa.Column("refused_services", sa.JSON, nullable=False),
        sa.Column("legal_basis", sa.JSON, nullable=False),
        sa.Column("reasons", sa.JSON, nullable=False),
        sa.Column("decided_by", sa.String(20), nullable=False),
        sa.Column("decided_on", sa.Date, nullable=True),
        sa.Column("appeal", sa.JSON, nullable=True),
        sa.Column("supersedes", sa.String(36), nullable=True),
        sa.Column("superseded_by", sa.String(36), nullable=True),
        sa.Column("review_result", sa.String(20), nullable=True),
        sa.Column("meeting_id", sa.String(36), nullable=True),
        sa.Column("required_units", sa.JSON, nullable=False),
        sa.Column("order_units", sa.JSON, nullable=False),
        sa.Column("letter_id", sa.String(36), nullable=True),
        sa.Column("returned_reason", sa.Text, nullable=True),
        sa.Column("drafted_by", sa.String(200), nullable=False),
        _at("created_at"),
        _at("made_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_decision"),
        sa.ForeignKeyConstraint(["case_id"], ["decision_case.case_id"], name="fk_decision_case_id_decision_case"),
    )
    op.create_index("ix_decision_case_id", "decision", ["case_id"])
    op.create_index("ix_decision_municipality_status", "decision", ["municipality", "status"])

    op.create_table(
        "decision_approval",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("decision_id", sa.String(36), nullable=False),
        sa.Column("unit", sa.String(60), nullable=False),
        sa.Column("approved", sa.Boolean, nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        _at("recorded_at"),
        sa.PrimaryKeyConstraint("id", name="pk_decision_approval"),
        sa.ForeignKeyConstraint(["decision_id"], ["decision.id"], name="fk_decision_approval_decision_id_decision"),
        sa.UniqueConstraint("decision_id", "unit", name="uq_decision_approval_decision_id"),
    )
    op.create_index("ix_decision_approval_decision_id", "decision_approval", ["decision_id"])

    op.create_table(
        "service_order",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("decision_id", sa.String(36), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("unit", sa.String(60), nullable=False),
        sa.Column("service_code", sa.String(60), nullable=False),
        sa.Column("hours_per_week", sa.Float, nullable=True),
        sa.Column("start_on", sa.Date, nullable=False),
        sa.Column("end_on", sa.Date, nullable=True),
        _at("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_service_order"),
        sa.ForeignKeyConstraint(["decision_id"], ["decision.id"], name="fk_service_order_decision_id_decision"),
    )
    op.create_index("ix_service_order_decision_id", "service_order", ["decision_id"])
    op.create_index("ix_service_order_municipality_unit", "service_order", ["municipality", "unit"])

    op.create_table(
        "letter",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("decision_id", sa.String(36), nullable=True),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("issued_on", sa.Date, nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("pdf", sa.LargeBinary, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        _at("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_letter"),
    )
    op.create_index("ix_letter_case_id", "letter", ["case_id"])

    op.create_table(
        "decision_deadline",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("decision_id", sa.String(36), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        _at("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_decision_deadline"),
        sa.ForeignKeyConstraint(["decision_id"], ["decision.id"], name="fk_decision_deadline_decision_id_decision"),
    )
    op.create_index("ix_decision_deadline_decision_id", "decision_deadline", ["decision_id"])


def downgrade() -> None:
    op.drop_index("ix_decision_deadline_decision_id", table_name="decision_deadline")
    op.drop_table("decision_deadline")
    op.drop_index("ix_letter_case_id", table_name="letter")
    op.drop_table("letter")
    op.drop_index("ix_service_order_municipality_unit", table_name="service_order")
    op.drop_index("ix_service_order_decision_id", table_name="service_order")
    op.drop_table("service_order")
    op.drop_index("ix_decision_approval_decision_id", table_name="decision_approval")
    op.drop_table("decision_approval")
    op.drop_index("ix_decision_municipality_status", table_name="decision")
    op.drop_index("ix_decision_case_id", table_name="decision")
    op.drop_table("decision")
    op.drop_index("ix_agenda_item_case_id", table_name="agenda_item")
    op.drop_index("ix_agenda_item_meeting_id", table_name="agenda_item")
    op.drop_table("agenda_item")
    op.drop_table("meeting")
    op.drop_index("ix_decision_case_municipality_status", table_name="decision_case")
    op.drop_table("decision_case")
