"""Fixtures for servicekit tests: a SQLite database with the messaging tables, in-memory tracing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from servicekit.clock import FixedClock
from servicekit.db import Database
from servicekit.settings import ServiceSettings
from servicekit.telemetry import Telemetry
from servicekit.tests.support import metadata


@pytest.fixture
def clock() -> FixedClock:
    """The service's clock in these tests: 10 March 2026, 12:00 UTC, until a test moves it."""
    return FixedClock(datetime(2026, 3, 10, 12, 0, tzinfo=UTC))


@pytest.fixture
async def db(tmp_path: Path, clock: FixedClock) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path}/x.db", clock=clock, source="/forvalt/test")
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
