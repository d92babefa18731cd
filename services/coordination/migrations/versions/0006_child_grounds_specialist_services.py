"""A child-coordinator application's grounds of the right and the day they started (no child coordinator starts
before it), and the specialist services the assessment found involved (the individual plan informs them).

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
    # A plain ALTER TABLE (SQLite too): nothing points at these columns.
    op.add_column("referral", sa.Column("grounds", sa.String(30), nullable=True))
    op.add_column("referral", sa.Column("grounds_since", sa.Date(), nullable=True))
    op.add_column("referral", sa.Column("specialist_services", sa.JSON(), nullable=True))


def downgrade() -> None:
    held = sa.text("SELECT count(*) FROM referral WHERE grounds_since IS NOT NULL OR specialist_services IS NOT NULL")
    recorded = op.get_bind().execute(held).scalar_one()
    if recorded:
        raise RuntimeError(
            f"coordination 0006 downgrade refused: {recorded} referral(s) hold the day their grounds started or the "
            "specialist services involved, which revision 0005 cannot hold (they would be lost); export or remove "
            "them first"
        )
    op.drop_column("referral", "specialist_services")
    op.drop_column("referral", "grounds_since")
    op.drop_column("referral", "grounds")
