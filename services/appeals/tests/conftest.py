"""Fixtures for appeals's tests: the service's clock, the app on a migrated SQLite file and a client on it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from servicekit.clock import FixedClock
from servicekit.testing import close_app
from services.appeals.tests.support import NOW, build_app


@pytest.fixture
def clock() -> FixedClock:
    """The service's clock: standing at `NOW` until a test sets or advances it."""
    return FixedClock(NOW)


@pytest.fixture
async def app(tmp_path: Path, clock: FixedClock) -> AsyncIterator[FastAPI]:
    application = await build_app(f"sqlite+aiosqlite:///{tmp_path}/appeals.db", tmp_path, clock)
    yield application
    await close_app(application)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        yield c
