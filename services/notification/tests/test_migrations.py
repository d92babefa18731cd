"""Notification's migrations on SQLite: 0005 gives every kept clock its reminder day (the lead it had before) and
room for escalations, matches the tables the repository maps, and refuses to go back while escalations exist."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from servicekit.clock import FixedClock
from servicekit.db import Database
from servicekit.migrate import downgrade, upgrade
from services.notification.db import metadata
from services.notification.main import spec

MIGRATIONS = spec().migrations_dir
NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)


def schema_differences(sync: Any) -> list[Any]:
    return list(compare_metadata(MigrationContext.configure(sync), metadata))


async def _columns(db: Database, table: str) -> set[str]:
    async with db.engine.connect() as conn:
        return {c["name"] for c in await conn.run_sync(lambda sync: inspect(sync).get_columns(table))}


async def test_0005_gives_kept_clocks_their_reminder_day_and_refuses_to_go_back_over_escalations(
    tmp_path: Path,
) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/notification.db", clock=FixedClock(NOW))
    try:
        await upgrade(db, MIGRATIONS, "0004")
        async with db.engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO deadline (id, municipality, case_id, kind, due_on, responsible, status, created_at) "
                    "VALUES ('d-1', '3426', 'case-1', 'preliminary_reply', '2026-12-14', 'allocation_office', "
                    "'scheduled', '2026-11-14 09:00:00')"
                )
            )

        await upgrade(db, MIGRATIONS)
        async with db.engine.connect() as conn:
            assert await conn.run_sync(schema_differences) == []
            row = (await conn.execute(text("SELECT remind_on, escalation_step, escalate_on FROM deadline"))).one()
        assert (date.fromisoformat(str(row.remind_on)), row.escalation_step, row.escalate_on) == (
            date(2026, 12, 9),
            0,
            None,
        )

        async with db.engine.begin() as conn:
            await conn.execute(text("UPDATE deadline SET status = 'due', escalation_step = 1"))
        with pytest.raises(RuntimeError, match="0005 downgrade refused: 1 deadline"):
            await downgrade(db, MIGRATIONS, "0004")

        async with db.engine.begin() as conn:
            await conn.execute(text("UPDATE deadline SET escalation_step = 0"))
        await downgrade(db, MIGRATIONS, "0004")
        assert not {"remind_on", "escalation_step", "escalate_on"} & await _columns(db, "deadline")

        await upgrade(db, MIGRATIONS)
        async with db.engine.connect() as conn:
            assert await conn.run_sync(schema_differences) == []
    finally:
        await db.dispose()
