"""A review or an evaluation that fell due, flagged on its case for the office.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


# Plain ALTER TABLE on SQLite too (a nullable column; SQLite 3.35+ drops one in place): a copy of decision_case
# would trip the foreign keys of the decisions that refer to it.


def upgrade() -> None:
    op.add_column("decision_case", sa.Column("due_review", sa.JSON(), nullable=True))


def downgrade() -> None:
    bind = op.get_bind()
    flagged = bind.execute(sa.text("SELECT count(*) FROM decision_case WHERE due_review IS NOT NULL")).scalar_one()
    fell_due = bind.execute(sa.text("SELECT count(*) FROM decision_deadline WHERE status = 'due'")).scalar_one()
    if flagged or fell_due:
        raise RuntimeError(
            f"decision 0007 downgrade refused: {flagged} case(s) are flagged for a review or evaluation that fell due "
            f"and {fell_due} clock(s) fell due, which revision 0006 cannot tell apart from running ones; export or "
            "remove them first"
        )
    op.drop_column("decision_case", "due_review")
