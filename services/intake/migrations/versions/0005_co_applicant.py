"""In pregnancy, the other expecting parent of a child-coordinator application: letters go to both.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ALTER TABLE (SQLite too): a batch copy of the table would trip the foreign keys pointing at it.
    op.add_column("application", sa.Column("co_applicant_person_id", sa.String(100), nullable=True))


def downgrade() -> None:
    held = sa.text("SELECT count(*) FROM application WHERE co_applicant_person_id IS NOT NULL")
    recorded = op.get_bind().execute(held).scalar_one()
    if recorded:
        raise RuntimeError(
            f"intake 0005 downgrade refused: {recorded} case(s) hold co_applicant_person_id, which revision 0004 "
            "cannot hold (the other expecting parent would get no letters); export or remove them first"
        )
    op.drop_column("application", "co_applicant_person_id")
