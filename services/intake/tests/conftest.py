"""Intake's API on a migrated SQLite database; Kafka is never started (the lifespan is not run)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from servicekit.clock import FixedClock
from servicekit.testing import TEST_SECRET, close_app, migrated_app
from services.intake.main import Settings, spec
from services.intake.tests.support import NOW


@pytest.fixture
def clock() -> FixedClock:
    """The service's clock, standing at the tests' NOW until a test moves it."""
    return FixedClock(NOW)


def settings_for(tmp_path: Path) -> Settings:
    return Settings(
        environment="test",
        database_url=f"sqlite+aiosqlite:///{tmp_path}/intake.db",
        data_dir=tmp_path,
        jwt_secret=TEST_SECRET,
        telemetry_exporter="memory",
    )


@pytest.fixture
async def app(tmp_path: Path, clock: FixedClock) -> AsyncIterator[FastAPI]:
    application = await migrated_app(spec(), settings_for(tmp_path), clock)
    yield application
    await close_app(application)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        yield c
