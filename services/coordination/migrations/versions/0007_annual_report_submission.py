"""An annual report's submission by the coordinating unit's leader: when, by whom, and the figures as they stood;
a report may be submitted before any referral started its clock.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("annual_report_clock") as table:
        table.alter_column("deadline_id", existing_type=sa.String(36), nullable=True)
        table.add_column(sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("submitted_by", sa.String(100), nullable=True))
        table.add_column(sa.Column("submitted", sa.JSON(), nullable=True))


def downgrade() -> None:
    held = sa.text("SELECT count(*) FROM annual_report_clock WHERE submitted_at IS NOT NULL")
    recorded = op.get_bind().execute(held).scalar_one()
    if recorded:
        raise RuntimeError(
            f"coordination 0007 downgrade refused: {recorded} annual report(s) were submitted, which revision 0006 "
            "cannot hold (they would be lost); export or remove them first"
        )
    with op.batch_alter_table("annual_report_clock") as table:
        table.drop_column("submitted")
        table.drop_column("submitted_by")
        table.drop_column("submitted_at")
        table.alter_column("deadline_id", existing_type=sa.String(36), nullable=False)
