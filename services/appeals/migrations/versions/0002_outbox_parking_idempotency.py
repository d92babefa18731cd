"""Parked outbox rows, the idempotency keys of POSTs, and the indexes that pruning uses.

Revision ID: 0002
Revises: 0001
"""

from servicekit.migration_ops import add_outbox_parking_and_idempotency_keys, drop_outbox_parking_and_idempotency_keys

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_outbox_parking_and_idempotency_keys()


def downgrade() -> None:
    drop_outbox_parking_and_idempotency_keys("appeals", revision)
