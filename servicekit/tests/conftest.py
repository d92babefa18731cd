"""Fixtures for servicekit tests: a SQLite database with the messaging tables, in-memory tracing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Column, String, Table, func, select

from servicekit.db import Database, new_metadata
from servicekit.settings import ServiceSettings
from servicekit.telemetry import Telemetry

metadata = new_metadata()

# A table for test handlers to write to, so tests can see what a transaction kept.
note = Table(
    "note",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("text", String(200), nullable=False),
)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path}/x.db")
    async with database.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield database
    await database.dispose()


@pytest.fixture
def telemetry() -> Iterator[Telemetry]:
    tel = Telemetry(ServiceSettings(service_name="test", telemetry_exporter="memory"))
    assert tel.memory is not None
    yield tel
    tel.shutdown()


async def count_rows(db: Database, table: Table) -> int:
    async with db.engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(table)) or 0)
