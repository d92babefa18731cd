"""Appeals's migrations on SQLite: forward to the tables the repository maps, back to 0002 (refused while rows
would be lost), forward again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from servicekit.clock import FixedClock
from servicekit.db import Database
from servicekit.migrate import downgrade, upgrade
from services.appeals.db import metadata
from services.appeals.main import spec
from services.appeals.tests.support import NOW

MIGRATIONS = spec().migrations_dir
TABLES = {"known_decision", "letter_receipt", "appeal", "complaint", "deviation"}


def schema_differences(sync: Any) -> list[Any]:
    return list(compare_metadata(MigrationContext.configure(sync), metadata))


async def _tables(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))


async def test_the_appeal_tables_come_and_go_with_0003_but_never_drop_rows_silently(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/appeals.db", clock=FixedClock(NOW))
    try:
        await upgrade(db, MIGRATIONS)
        assert await _tables(db) >= TABLES
        async with db.engine.connect() as conn:
            assert await conn.scalar(text("SELECT version_num FROM alembic_version")) == "0003"
            assert await conn.run_sync(schema_differences) == []
        async with db.engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO letter_receipt (municipality, letter_id, receipt_id, delivered_on) "
                    "VALUES ('3426', 'letter-1', 'receipt-1', '2026-11-03')"
                )
            )

        with pytest.raises(RuntimeError, match="0003 downgrade refused"):
            await downgrade(db, MIGRATIONS, "0002")

        async with db.engine.begin() as conn:
            await conn.execute(text("DELETE FROM letter_receipt"))
        await downgrade(db, MIGRATIONS, "0002")
        assert not TABLES & await _tables(db)
        assert {"outbox_message", "inbox_message"} <= await _tables(db)

        await upgrade(db, MIGRATIONS)
        async with db.engine.connect() as conn:
            assert await conn.run_sync(schema_differences) == []
    finally:
        await db.dispose()
