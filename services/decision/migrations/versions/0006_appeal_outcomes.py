"""The appeal body's outcomes: recorded on the appealed decision, a quashed decision's day and outcome, and the
quashed decision a case is treated anew after.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("decision") as batch:
        batch.add_column(sa.Column("appeal_outcomes", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("quashed_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("quashed_by_outcome", sa.String(64), nullable=True))
    with op.batch_alter_table("decision_case") as batch:
        batch.add_column(sa.Column("quashed", sa.JSON(), nullable=True))


def downgrade() -> None:
    bind = op.get_bind()
    decisions = bind.execute(
        sa.text("SELECT count(*) FROM decision WHERE appeal_outcomes IS NOT NULL OR quashed_on IS NOT NULL")
    ).scalar_one()
    cases = bind.execute(sa.text("SELECT count(*) FROM decision_case WHERE quashed IS NOT NULL")).scalar_one()
    if decisions or cases:
        raise RuntimeError(
            f"decision 0006 downgrade refused: {decisions} decision(s) hold the appeal body's outcome and {cases} "
            "case(s) await a new treatment after a quashed decision, which revision 0005 cannot hold; export or "
            "remove them first"
        )
    with op.batch_alter_table("decision_case") as batch:
        batch.drop_column("quashed")
    with op.batch_alter_table("decision") as batch:
        batch.drop_column("quashed_by_outcome")
        batch.drop_column("quashed_on")
        batch.drop_column("appeal_outcomes")
