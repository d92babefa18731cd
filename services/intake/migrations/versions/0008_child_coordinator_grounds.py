"""A child-coordinator application's grounds of the right (helse- og omsorgstjenesteloven § 7-2 a) and the day
an adoption's allocation or child welfare's takeover of care started it.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ALTER TABLE (SQLite too): a batch copy of the table would trip the foreign keys pointing at it.
    op.add_column("application", sa.Column("grounds", sa.String(30), nullable=True))
    op.add_column("application", sa.Column("grounds_since", sa.Date(), nullable=True))


def downgrade() -> None:
    held = sa.text("SELECT count(*) FROM application WHERE grounds_since IS NOT NULL")
    recorded = op.get_bind().execute(held).scalar_one()
    if recorded:
        raise RuntimeError(
            f"intake 0008 downgrade refused: {recorded} case(s) hold the day their grounds started, which revision "
            "0007 cannot hold (it would be lost); export or remove them first"
        )
    op.drop_column("application", "grounds_since")
    op.drop_column("application", "grounds")
