"""Staff notifications delivered by e-mail (one delivery per address, with its attempts) and read in the inbox.

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
    op.create_table(
        "delivery",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("notification_id", sa.String(36), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("address", sa.String(320), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_delivery"),
        sa.UniqueConstraint("notification_id", "channel", "address", name="uq_delivery_notification_id"),
    )
    op.create_index("ix_delivery_municipality", "delivery", ["municipality"])
    op.create_index("ix_delivery_status_next_attempt_at", "delivery", ["status", "next_attempt_at"])
    with op.batch_alter_table("notification") as batch:
        batch.add_column(sa.Column("read_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("read_by", sa.String(200), nullable=True))
    op.create_index(
        "ix_notification_municipality_recipient", "notification", ["municipality", "recipient", "created_at"]
    )


def downgrade() -> None:
    held = op.get_bind().execute(sa.text("SELECT count(*) FROM delivery WHERE status = 'pending'")).scalar_one()
    if held:
        raise RuntimeError(
            f"notification 0007 downgrade refused: {held} e-mail deliver(ies) still pending that revision 0006 "
            "cannot hold (they would never be sent); let them be sent or fail first"
        )
    op.drop_index("ix_notification_municipality_recipient", table_name="notification")
    with op.batch_alter_table("notification") as batch:
        batch.drop_column("read_by")
        batch.drop_column("read_at")
    op.drop_index("ix_delivery_status_next_attempt_at", table_name="delivery")
    op.drop_index("ix_delivery_municipality", table_name="delivery")
    op.drop_table("delivery")
