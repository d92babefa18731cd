"""Checks of decision's migrations, run on SQLite (unit tests) and PostgreSQL (infra tests)."""

from __future__ import annotations

from sqlalchemy import inspect, text

from servicekit.db import Database
from servicekit.migrate import downgrade, upgrade
from services.decision.main import spec

MIGRATIONS = spec().migrations_dir
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
        assert await conn.scalar(text("SELECT version_num FROM alembic_version")) == "0003"

    await downgrade(db, MIGRATIONS, "0001")
    assert not TABLES & await tables(db)
    assert {"outbox_message", "inbox_message"} <= await tables(db)

    await upgrade(db, MIGRATIONS)
    assert await tables(db) >= TABLES
