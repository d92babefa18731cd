"""Deadlines from other services: several of a kind per case, and cancellation.

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deadline") as batch:
        batch.drop_constraint("uq_deadline_municipality", type_="unique")
        batch.add_column(sa.Column("cancel_reason", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deadline") as batch:
        batch.drop_column("cancel_reason")
        batch.create_unique_constraint("uq_deadline_municipality", ["municipality", "case_id", "kind"])
