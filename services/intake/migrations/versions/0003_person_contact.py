"""Name and postal address in the person register, for letters.

Revision ID: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("name", sa.String(200), nullable=True))
        batch.add_column(sa.Column("street", sa.String(200), nullable=True))
        batch.add_column(sa.Column("postcode", sa.String(4), nullable=True))
        batch.add_column(sa.Column("city", sa.String(100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.drop_column("city")
        batch.drop_column("postcode")
        batch.drop_column("street")
        batch.drop_column("name")
