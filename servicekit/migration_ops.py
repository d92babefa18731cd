"""Migration steps for the outbox, inbox and idempotency tables, shared by every service's migrations."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from servicekit.db import BigId


def create_messaging_tables() -> None:
    op.create_table(
        "outbox_message",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("headers", sa.JSON, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox_message"),
        sa.UniqueConstraint("event_id", name="uq_outbox_message_event_id"),
    )
    op.create_index("ix_outbox_message_published_at", "outbox_message", ["published_at"])
    op.create_table(
        "inbox_message",
        sa.Column("consumer", sa.String(100), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("event_type", sa.String(200), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "event_id", name="pk_inbox_message"),
    )


def drop_messaging_tables() -> None:
    op.drop_table("inbox_message")
    op.drop_index("ix_outbox_message_published_at", table_name="outbox_message")
    op.drop_table("outbox_message")


def add_outbox_parking_and_idempotency_keys() -> None:
    """Parked outbox rows (`parked_at`, `park_reason`), the idempotency keys of POSTs, and the indexes pruning uses."""
    # Plain ALTER TABLE on SQLite too: both columns are nullable, and no copy of the table is needed.
    op.add_column("outbox_message", sa.Column("parked_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("outbox_message", sa.Column("park_reason", sa.Text, nullable=True))
    op.create_index("ix_outbox_message_parked_at", "outbox_message", ["parked_at"])
    op.create_index("ix_inbox_message_processed_at", "inbox_message", ["processed_at"])
    op.create_table(
        "idempotency_key",
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("route", sa.String(500), nullable=False),
        sa.Column("body_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.Integer, nullable=True),
        sa.Column("media_type", sa.String(100), nullable=True),
        sa.Column("response", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("municipality", "key", name="pk_idempotency_key"),
    )
    op.create_index("ix_idempotency_key_created_at", "idempotency_key", ["created_at"])


def drop_outbox_parking_and_idempotency_keys(service: str, revision: str) -> None:
    """The way back; refused while a row is parked, since without its mark it would hold up the relay again."""
    parked = sa.text("SELECT count(*) FROM outbox_message WHERE parked_at IS NOT NULL AND published_at IS NULL")
    held = op.get_bind().execute(parked).scalar_one()
    if held:
        raise RuntimeError(
            f"{service} {revision} downgrade refused: {held} outbox row(s) are parked; release them "
            "(python -m servicekit.outbox release) or remove them first"
        )
    op.drop_index("ix_idempotency_key_created_at", table_name="idempotency_key")
    op.drop_table("idempotency_key")
    op.drop_index("ix_inbox_message_processed_at", table_name="inbox_message")
    op.drop_index("ix_outbox_message_parked_at", table_name="outbox_message")
    with op.batch_alter_table("outbox_message") as batch:
        batch.drop_column("park_reason")
        batch.drop_column("parked_at")
