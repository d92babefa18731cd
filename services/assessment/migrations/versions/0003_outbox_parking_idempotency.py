"""Parked outbox rows, the idempotency keys of POSTs, and the indexes that pruning uses.

Revision ID: 0003
Revises: 0002
"""

from servicekit.migration_ops import add_outbox_parking_and_idempotency_keys, drop_outbox_parking_and_idempotency_keys

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_outbox_parking_and_idempotency_keys()


def downgrade() -> None:
    drop_outbox_parking_and_idempotency_keys("assessment", revision)
