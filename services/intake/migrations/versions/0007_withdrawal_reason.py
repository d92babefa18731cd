"""A withdrawal's date, reason code and the caseworker's own words: the words stay here, events carry the code.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

COLUMNS = ("withdrawn_on", "withdrawal_reason_code", "withdrawal_reason")


def upgrade() -> None:
    # A plain ALTER TABLE (SQLite too): a batch copy of the table would trip the foreign keys pointing at it.
    op.add_column("application", sa.Column("withdrawn_on", sa.Date(), nullable=True))
    op.add_column("application", sa.Column("withdrawal_reason_code", sa.String(40), nullable=True))
    op.add_column("application", sa.Column("withdrawal_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    held = sa.text("SELECT count(*) FROM application WHERE withdrawal_reason IS NOT NULL")
    recorded = op.get_bind().execute(held).scalar_one()
    if recorded:
        raise RuntimeError(
            f"intake 0007 downgrade refused: {recorded} case(s) hold a withdrawal reason, which revision 0006 "
            "cannot hold (it would be lost); export or remove them first"
        )
    for column in reversed(COLUMNS):
        op.drop_column("application", column)
