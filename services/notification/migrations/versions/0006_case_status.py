"""Each case's status as the person sees it, per municipality.

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
    op.create_table(
        "case_status",
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("person_id", sa.String(64), nullable=True),
        sa.Column("person_registered", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("since_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(30), nullable=True),
        sa.Column("decided_by", sa.String(30), nullable=True),
        sa.Column("appeal_outcome", sa.String(30), nullable=True),
        sa.Column("appeal_end", sa.String(30), nullable=True),
        sa.Column("appeal_body", sa.String(500), nullable=True),
        sa.Column("expected_on", sa.Date(), nullable=True),
        sa.Column("closed_reason", sa.String(30), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("municipality", "case_id", name="pk_case_status"),
    )
    op.create_index("ix_case_status_municipality_person_id", "case_status", ["municipality", "person_id", "since_at"])


def downgrade() -> None:
    held = op.get_bind().execute(sa.text("SELECT count(*) FROM case_status")).scalar_one()
    if held:
        raise RuntimeError(
            f"notification 0006 downgrade refused: case_status holds {held} case(s) that revision 0005 cannot hold "
            "(the statuses would be lost); export or remove them first"
        )
    op.drop_index("ix_case_status_municipality_person_id", table_name="case_status")
    op.drop_table("case_status")
