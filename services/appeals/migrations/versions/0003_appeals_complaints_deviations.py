"""The decisions the appeals service learns and their letters' delivery, early mailbox receipts, appeals,
complaints about delivered services, and deviations.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLES = ("deviation", "complaint", "appeal", "letter_receipt", "known_decision")


def upgrade() -> None:
    op.create_table(
        "known_decision",
        sa.Column("decision_id", sa.String(64), primary_key=True),
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("person_id", sa.String(100), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("service_codes", sa.JSON(), nullable=False),
        sa.Column("appeal_body", sa.String(500), nullable=True),
        sa.Column("deadline_weeks", sa.Integer(), nullable=True),
        sa.Column("deadline_rule", sa.String(500), nullable=True),
        sa.Column("submit_to", sa.String(500), nullable=True),
        sa.Column("letter_id", sa.String(64), nullable=True),
        sa.Column("delivered_on", sa.Date(), nullable=True),
        sa.Column("delivery_basis", sa.String(30), nullable=True),
        sa.Column("superseded_by", sa.String(64), nullable=True),
    )
    op.create_index("ix_known_decision_municipality", "known_decision", ["municipality"])
    op.create_index("ix_known_decision_case_id", "known_decision", ["case_id"])
    op.create_index("ix_known_decision_letter_id", "known_decision", ["letter_id"])
    op.create_table(
        "letter_receipt",
        sa.Column("municipality", sa.String(4), primary_key=True),
        sa.Column("letter_id", sa.String(64), primary_key=True),
        sa.Column("receipt_id", sa.String(64), nullable=False),
        sa.Column("delivered_on", sa.Date(), nullable=False),
    )
    op.create_table(
        "appeal",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("decision_id", sa.String(64), nullable=False),
        sa.Column("person_id", sa.String(100), nullable=False),
        sa.Column("appellant", sa.String(30), nullable=False),
        sa.Column("appellant_name", sa.String(200), nullable=True),
        sa.Column("authority_on_file", sa.Boolean(), nullable=False),
        sa.Column("appealed", sa.Text(), nullable=False),
        sa.Column("appealed_services", sa.JSON(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("received_by", sa.String(60), nullable=False),
        sa.Column("channel", sa.String(30), nullable=False),
        sa.Column("helped_by_office", sa.Boolean(), nullable=False),
        sa.Column("deadline_on", sa.Date(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("handling_due_on", sa.Date(), nullable=False),
        sa.Column("handling_deadline_id", sa.String(36), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("taken_up_on", sa.Date(), nullable=True),
        sa.Column("late_reason", sa.Text(), nullable=True),
        sa.Column("examination", sa.String(30), nullable=True),
        sa.Column("examined_on", sa.Date(), nullable=True),
        sa.Column("office_comments", sa.Text(), nullable=True),
        sa.Column("forwarding_id", sa.String(36), nullable=True, unique=True),
        sa.Column("appeal_body", sa.String(500), nullable=True),
        sa.Column("forwarded_on", sa.Date(), nullable=True),
        sa.Column("documents", sa.JSON(), nullable=True),
        sa.Column("outcome_id", sa.String(64), nullable=True),
        sa.Column("outcome", sa.String(30), nullable=True),
        sa.Column("outcome_decided_on", sa.Date(), nullable=True),
        sa.Column("outcome_recorded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended", sa.String(30), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("registered_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_appeal_municipality", "appeal", ["municipality"])
    op.create_index("ix_appeal_case_id", "appeal", ["case_id"])
    op.create_index("ix_appeal_decision_id", "appeal", ["decision_id"])
    op.create_index("ix_appeal_status", "appeal", ["status"])
    op.create_table(
        "complaint",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("person_id", sa.String(100), nullable=False),
        sa.Column("unit", sa.String(60), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("response_due_on", sa.Date(), nullable=False),
        sa.Column("deadline_id", sa.String(36), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("answered_by", sa.String(100), nullable=True),
        sa.Column("registered_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_complaint_municipality", "complaint", ["municipality"])
    op.create_index("ix_complaint_unit", "complaint", ["unit"])
    op.create_table(
        "deviation",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("unit", sa.String(60), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("registered_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_deviation_municipality", "deviation", ["municipality"])


def downgrade() -> None:
    bind = op.get_bind()
    held = {t: bind.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES}  # noqa: S608
    recorded = {t: n for t, n in held.items() if n}
    if recorded:
        raise RuntimeError(
            f"appeals 0003 downgrade refused: the tables hold rows ({recorded}) that revision 0002 cannot hold (they "
            "would be lost); export or remove them first"
        )
    for table in TABLES:
        op.drop_table(table)
