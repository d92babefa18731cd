"""Decision's API and consumer on a migrated SQLite database, with a clock the test sets; Kafka is never started."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from servicekit.clock import FixedClock
from servicekit.consumer import DeadLetter, EventConsumer
from servicekit.migrate import upgrade
from servicekit.testing import TEST_SECRET, Deliveries, runtime_of
from services.decision.main import Settings
from services.decision.main import app as decision_app
from services.decision.recipients import RecipientLookup, nobody
from services.decision.tests.support import CLOCK_START


def build_app(
    url: str, clock: FixedClock, tenants_dir: Path | None = None, recipients: RecipientLookup = nobody
) -> FastAPI:
    """The app the composition root builds, on `url`; no intake to ask for letters' recipients unless given."""
    settings = Settings(environment="test", database_url=url, jwt_secret=TEST_SECRET, telemetry_exporter="memory")
    if tenants_dir is not None:
        settings.tenants_dir = tenants_dir
    return decision_app(settings, clock, recipients_for=lambda _verifier: recipients)


@pytest.fixture
def clock() -> FixedClock:
    """The app's one clock: every route, handler and unit of work reads "now" from it."""
    return FixedClock(CLOCK_START)


@pytest.fixture
async def app(tmp_path: Path, clock: FixedClock) -> AsyncIterator[FastAPI]:
    application = build_app(f"sqlite+aiosqlite:///{tmp_path}/decision.db", clock)
    await upgrade(runtime_of(application).db, runtime_of(application).spec.migrations_dir)
    yield application
    await runtime_of(application).db.dispose()
    runtime_of(application).telemetry.shutdown()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        yield c


@pytest.fixture
def deliveries(app: FastAPI) -> Deliveries:
    """The service's own consumer, fed one message at a time as the Kafka subscriber would; dead letters kept."""
    return Deliveries(app)


@pytest.fixture
def dead_letters(deliveries: Deliveries) -> list[DeadLetter]:
    return deliveries.dead_letters


@pytest.fixture
def consumer(deliveries: Deliveries) -> EventConsumer:
    return deliveries.consumer
