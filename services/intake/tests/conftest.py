"""Intake's API on a migrated SQLite database; Kafka is never started (the lifespan is not run)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from servicekit.clock import FixedClock
from servicekit.migrate import upgrade
from servicekit.runtime import create_app
from services.intake.main import Settings, spec
from services.intake.tests.support import NOW

SECRET = "intake-test-secret-that-is-long-enough-0123"


@pytest.fixture
def clock() -> FixedClock:
    """The service's clock, standing at the tests' NOW until a test moves it."""
    return FixedClock(NOW)


@pytest.fixture
async def app(tmp_path: Path, clock: FixedClock) -> AsyncIterator[FastAPI]:
    settings = Settings(
        environment="test",
        database_url=f"sqlite+aiosqlite:///{tmp_path}/intake.db",
        data_dir=tmp_path,
        jwt_secret=SECRET,
        telemetry_exporter="memory",
    )
    service = spec()
    application = create_app(service, settings, clock=clock)
    await upgrade(application.state.runtime.db, service.migrations_dir)
    yield application
    await application.state.runtime.db.dispose()
    application.state.runtime.telemetry.shutdown()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        yield c
