"""A case about a child not yet born: its due date and the expecting parents its letters go to.

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
    with op.batch_alter_table("decision_case") as batch:
        batch.add_column(sa.Column("expected_child", sa.JSON(), nullable=True))


def downgrade() -> None:
    recorded = (
        op.get_bind()
        .execute(sa.text("SELECT count(*) FROM decision_case WHERE expected_child IS NOT NULL"))
        .scalar_one()
    )
    if recorded:
        raise RuntimeError(
            f"decision 0004 downgrade refused: {recorded} case(s) hold expected_child, which revision 0003 cannot hold "
            "(letters about an expected child would go to no one); export or remove them first"
        )
    with op.batch_alter_table("decision_case") as batch:
        batch.drop_column("expected_child")
