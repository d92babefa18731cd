"""Notification's revision 0006 on SQLite: the case statuses' table comes, goes while it is empty, comes again, and
is never dropped while it holds a status."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from servicekit.clock import FixedClock
from servicekit.db import Database
from servicekit.migrate import downgrade, upgrade
from services.notification.db import case_status, metadata
from services.notification.main import spec
from services.notification.tests.case_journey import START

MIGRATIONS = spec().migrations_dir


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path}/notification.db", clock=FixedClock(START))
    yield database
    await database.dispose()


async def _tables(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))


def _case_status_differences(sync: Any) -> list[Any]:
    """What the migrated case_status table lacks or has beyond the table the repository maps."""
    found = compare_metadata(MigrationContext.configure(sync), metadata)
    return [d for d in found if "case_status" in repr(d)]


async def test_the_case_statuses_table_comes_goes_and_comes_again_with_0006(db: Database) -> None:
    await upgrade(db, MIGRATIONS, "0006")
    assert "case_status" in await _tables(db)
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_case_status_differences) == []

    await downgrade(db, MIGRATIONS, "0005")
    assert "case_status" not in await _tables(db)
    assert {"deadline", "notification", "outbox_message"} <= await _tables(db)

    await upgrade(db, MIGRATIONS, "0006")
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_case_status_differences) == []


async def test_0006s_downgrade_refuses_while_a_case_has_a_status(db: Database) -> None:
    await upgrade(db, MIGRATIONS, "0006")
    async with db.engine.begin() as conn:
        await conn.execute(
            case_status.insert().values(
                municipality="3426",
                case_id="case-1",
                person_id="person-1",
                person_registered=True,
                status="received",
                since_at=START,
                rank=0,
                event_id="event-1",
                updated_at=START,
            )
        )

    with pytest.raises(RuntimeError, match="0006 downgrade refused"):
        await downgrade(db, MIGRATIONS, "0005")

    assert "case_status" in await _tables(db)
    async with db.engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM case_status")) == 1
