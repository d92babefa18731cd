"""Initial notification schema: notifications, deadlines, outbox and inbox.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

from servicekit.migration_ops import create_messaging_tables, drop_messaging_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables()
    op.create_table(
        "notification",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("recipient", sa.String(40), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("source_event_id", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_notification"),
        sa.UniqueConstraint("source_event_id", "kind", name="uq_notification_source_event_id"),
    )
    op.create_index("ix_notification_municipality", "notification", ["municipality"])
    op.create_index("ix_notification_case_id", "notification", ["case_id"])
    op.create_table(
        "deadline",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("responsible", sa.String(60), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_deadline"),
        sa.UniqueConstraint("municipality", "case_id", "kind", name="uq_deadline_municipality"),
    )
    op.create_index("ix_deadline_municipality", "deadline", ["municipality"])
    op.create_index("ix_deadline_case_id", "deadline", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_deadline_case_id", table_name="deadline")
    op.drop_index("ix_deadline_municipality", table_name="deadline")
    op.drop_table("deadline")
    op.drop_index("ix_notification_case_id", table_name="notification")
    op.drop_index("ix_notification_municipality", table_name="notification")
    op.drop_table("notification")
    drop_messaging_tables()
