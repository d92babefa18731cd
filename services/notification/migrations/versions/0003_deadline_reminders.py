"""Reminders before and alerts at the due time: when each was sent.

Revision ID: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deadline") as batch:
        batch.add_column(sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_deadline_status_due_on", "deadline", ["status", "due_on"])


def downgrade() -> None:
    op.drop_index("ix_deadline_status_due_on", table_name="deadline")
    with op.batch_alter_table("deadline") as batch:
        batch.drop_column("due_at")
        batch.drop_column("reminded_at")
