"""A partner office's grant is revoked, not deleted, when the consent to share with it is withdrawn.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_access") as batch:
        batch.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    revoked = (
        op.get_bind().execute(sa.text("SELECT count(*) FROM case_access WHERE revoked_at IS NOT NULL")).scalar_one()
    )
    if revoked:
        raise RuntimeError(
            f"assessment 0004 downgrade refused: {revoked} grant(s) were revoked, and revision 0003 would give the "
            "partner office its access back; remove those grants first"
        )
    with op.batch_alter_table("case_access") as batch:
        batch.drop_column("revoked_at")
