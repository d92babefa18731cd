"""Reminders by each kind's lead time and escalations of overdue deadlines: the day a deadline's reminder is owed,
the escalation steps sent and the day the next is owed; recipients as long as a leader's role (leader_of:<unit>).

Revision ID: 0005
Revises: 0004
"""

from datetime import date, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# The lead every deadline had before each kind got its own (REMINDER_DAYS_BEFORE at revision 0004).
_LEAD_BEFORE = timedelta(days=5)


def upgrade() -> None:
    with op.batch_alter_table("deadline") as batch:
        batch.add_column(sa.Column("remind_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("escalation_step", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("escalate_on", sa.Date(), nullable=True))
    bind = op.get_bind()
    deadline = sa.table("deadline", sa.column("id", sa.String), sa.column("due_on", sa.Date), sa.column("remind_on"))
    for row in bind.execute(sa.select(deadline.c.id, deadline.c.due_on)).all():
        due_on = row.due_on if isinstance(row.due_on, date) else date.fromisoformat(row.due_on)
        bind.execute(deadline.update().where(deadline.c.id == row.id).values(remind_on=due_on - _LEAD_BEFORE))
    with op.batch_alter_table("deadline") as batch:
        batch.alter_column("remind_on", existing_type=sa.Date(), nullable=False)
        batch.alter_column("escalation_step", existing_type=sa.Integer(), server_default=None)
    op.create_index("ix_deadline_status_remind_on", "deadline", ["status", "remind_on"])
    op.create_index("ix_deadline_status_escalate_on", "deadline", ["status", "escalate_on"])
    with op.batch_alter_table("notification") as batch:
        batch.alter_column("recipient", existing_type=sa.String(40), type_=sa.String(80), existing_nullable=False)


def downgrade() -> None:
    bind = op.get_bind()
    escalated = bind.execute(sa.text("SELECT count(*) FROM deadline WHERE escalation_step > 0")).scalar_one()
    long_recipients = bind.execute(
        sa.text("SELECT count(*) FROM notification WHERE length(recipient) > 40")
    ).scalar_one()
    if escalated or long_recipients:
        raise RuntimeError(
            f"notification 0005 downgrade refused: {escalated} deadline(s) were escalated and {long_recipients} "
            "notification(s) name a recipient longer than revision 0004 holds; export or remove them first"
        )
    with op.batch_alter_table("notification") as batch:
        batch.alter_column("recipient", existing_type=sa.String(80), type_=sa.String(40), existing_nullable=False)
    op.drop_index("ix_deadline_status_escalate_on", table_name="deadline")
    op.drop_index("ix_deadline_status_remind_on", table_name="deadline")
    with op.batch_alter_table("deadline") as batch:
        batch.drop_column("escalate_on")
        batch.drop_column("escalation_step")
        batch.drop_column("remind_on")
