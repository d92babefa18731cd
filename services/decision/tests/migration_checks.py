"""Checks of decision's migrations, run on SQLite (unit tests) and PostgreSQL (infra tests)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect, text

from servicekit.db import Database
from servicekit.migrate import downgrade, upgrade
from services.decision.main import spec

MIGRATIONS = spec().migrations_dir
HEAD = "0005"  # the newest revision
TABLES = {
    "decision_case",
    "meeting",
    "agenda_item",
    "decision",
    "decision_approval",
    "service_order",
    "letter",
    "decision_deadline",
}


async def tables(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))


async def check_round_trip(db: Database) -> None:
    """0001 -> head -> 0001 -> head: the decision tables come and go; the outbox and inbox stay."""
    await upgrade(db, MIGRATIONS, "0001")
    assert not TABLES & await tables(db)

    await upgrade(db, MIGRATIONS)
    assert await tables(db) >= TABLES | {"outbox_message", "inbox_message"}
    async with db.engine.connect() as conn:
        assert await conn.scalar(text("SELECT version_num FROM alembic_version")) == HEAD

    await downgrade(db, MIGRATIONS, "0001")
    assert not TABLES & await tables(db)
    assert {"outbox_message", "inbox_message"} <= await tables(db)

    await upgrade(db, MIGRATIONS)
    assert await tables(db) >= TABLES


async def check_expected_child_is_not_dropped(db: Database) -> None:
    """Going back to 0003 refuses while a case is about a child not yet born (its letters would go to no one)."""
    await upgrade(db, MIGRATIONS)
    async with db.engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO decision_case (case_id, municipality, status, expected_child, created_at, updated_at) "
                "VALUES ('case-9', '5032', 'registered', :expected, :at, :at)"
            ),
            {"expected": '{"due_on": "2027-04-15", "parents": ["p-mor"]}', "at": datetime(2026, 11, 2, 9, tzinfo=UTC)},
        )

    with pytest.raises(RuntimeError, match="0004 downgrade refused: 1 case"):
        await downgrade(db, MIGRATIONS, "0003")

    async with db.engine.connect() as conn:
        assert await conn.scalar(text("SELECT version_num FROM alembic_version")) == HEAD
