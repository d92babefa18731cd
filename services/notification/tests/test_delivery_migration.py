"""Notification's 0007 on SQLite: notifications recorded before it are unread in their inboxes, the tables match
what the repository maps, and it refuses to go back while an e-mail is still to be sent."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from servicekit.clock import FixedClock
from servicekit.db import Database
from servicekit.migrate import downgrade, upgrade
from services.notification.main import spec
from services.notification.tests.test_migrations import _columns, schema_differences

MIGRATIONS = spec().migrations_dir


async def test_0007_keeps_earlier_notifications_unread_and_refuses_to_go_back_over_pending_email(
    tmp_path: Path,
) -> None:
    clock = FixedClock(datetime(2026, 12, 1, tzinfo=UTC))
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/notification.db", clock=clock)
    try:
        await upgrade(db, MIGRATIONS, "0006")
        async with db.engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO notification (id, municipality, case_id, kind, recipient, text, source_event_id, "
                    "created_at) VALUES ('n-1', '3426', 'case-1', 'reminder', 'allocation_office', 'Påminnelse', "
                    "'deadline:d-1', '2026-11-30 09:00:00')"
                )
            )

        await upgrade(db, MIGRATIONS)
        async with db.engine.connect() as conn:
            assert await conn.run_sync(schema_differences) == []
            assert (await conn.execute(text("SELECT read_at FROM notification"))).scalar_one() is None
        async with db.engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO delivery (id, municipality, notification_id, channel, address, status, attempts, "
                    "created_at) VALUES ('del-1', '3426', 'n-1', 'email', 'tildeling@tolga.example.no', 'pending', 0, "
                    "'2026-11-30 09:00:00')"
                )
            )
        with pytest.raises(RuntimeError, match="0007 downgrade refused: 1 e-mail"):
            await downgrade(db, MIGRATIONS, "0006")

        async with db.engine.begin() as conn:
            await conn.execute(text("UPDATE delivery SET status = 'sent'"))
        await downgrade(db, MIGRATIONS, "0006")
        assert not {"read_at", "read_by"} & await _columns(db, "notification")

        await upgrade(db, MIGRATIONS)
        async with db.engine.connect() as conn:
            assert await conn.run_sync(schema_differences) == []
    finally:
        await db.dispose()
