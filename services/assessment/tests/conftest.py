"""Fixtures for assessment's tests: the app on a migrated SQLite file and an httpx client on it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from services.assessment.tests.support import build_app, close_app


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[FastAPI]:
    application = await build_app(f"sqlite+aiosqlite:///{tmp_path}/assessment.db", tmp_path)
    yield application
    await close_app(application)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        yield c
