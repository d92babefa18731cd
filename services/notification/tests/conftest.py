"""Fixtures for notification's tests: the app on a migrated SQLite file (for the consumer, the sweep and the
routes), and a bare migrated database with the shipped municipalities (for use cases without HTTP). Each test
module sets the service's clock with its own `clock` fixture."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from servicekit.clock import FixedClock
from servicekit.db import Database
from servicekit.migrate import upgrade
from servicekit.settings import ServiceSettings
from servicekit.tenants import Tenants
from servicekit.testing import TEST_SECRET, close_app, migrated_app
from services.notification.main import Settings, spec

SHIPPED = Tenants.load(ServiceSettings().tenants_dir)


@pytest.fixture
async def app(tmp_path: Path, clock: FixedClock) -> AsyncIterator[FastAPI]:
    settings = Settings(
        environment="test",
        database_url=f"sqlite+aiosqlite:///{tmp_path}/notification.db",
        telemetry_exporter="memory",
        jwt_secret=TEST_SECRET,
    )
    application = await migrated_app(spec(settings), settings, clock)
    yield application
    await close_app(application)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        yield c


async def migrated_database(path: Path, clock: FixedClock, tenants: Tenants = SHIPPED) -> Database:
    """The service's database on its own, with the municipalities' configuration its units of work carry."""
    database = Database(f"sqlite+aiosqlite:///{path}", clock=clock, source="/forvalt/notification", tenants=tenants)
    await upgrade(database, spec().migrations_dir)
    return database


@pytest.fixture
async def database(tmp_path: Path, clock: FixedClock) -> AsyncIterator[Database]:
    db = await migrated_database(tmp_path / "use_cases.db", clock)
    yield db
    await db.dispose()
