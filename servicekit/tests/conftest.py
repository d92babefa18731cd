"""Fixtures for servicekit tests: a SQLite database with the messaging tables, in-memory tracing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from servicekit.db import Database
from servicekit.settings import ServiceSettings
from servicekit.telemetry import Telemetry
from servicekit.tests.support import metadata


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
