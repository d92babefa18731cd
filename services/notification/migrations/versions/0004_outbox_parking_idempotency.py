"""Parked outbox rows, the idempotency keys of POSTs, and the indexes that pruning uses.

Revision ID: 0004
Revises: 0003
"""

from servicekit.migration_ops import add_outbox_parking_and_idempotency_keys, drop_outbox_parking_and_idempotency_keys

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_outbox_parking_and_idempotency_keys()


def downgrade() -> None:
    drop_outbox_parking_and_idempotency_keys("notification", revision)
