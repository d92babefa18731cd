"""The route intake gave a case (allocation office, children's unit, coordinating unit): who decides it.

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
    with op.batch_alter_table("decision_case") as batch:
        batch.add_column(sa.Column("route", sa.String(30), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("decision_case") as batch:
        batch.drop_column("route")
