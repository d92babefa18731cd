"""Every service's migrations run forward, back to nothing, and forward again on real PostgreSQL."""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import inspect

from contracts.tests.examples import EXAMPLE_TIME
from servicekit.clock import FixedClock
from servicekit.db import Database
from servicekit.migrate import downgrade, upgrade

pytestmark = pytest.mark.infra

SERVICES = ["intake", "assessment", "decision", "coordination", "appeals", "notification"]


async def _tables(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))


@pytest.mark.parametrize("service", SERVICES)
async def test_migrations_upgrade_downgrade_and_upgrade_again(
    service: str, postgres_url: Callable[[str], Awaitable[str]]
) -> None:
    spec = importlib.import_module(f"services.{service}.main").spec()
    db = Database(await postgres_url(service), clock=FixedClock(EXAMPLE_TIME))
    try:
        await upgrade(db, spec.migrations_dir)
        created = await _tables(db)
        assert {"outbox_message", "inbox_message", "alembic_version"} <= created
        await downgrade(db, spec.migrations_dir)
        assert await _tables(db) <= {"alembic_version"}
        await upgrade(db, spec.migrations_dir)
        assert await _tables(db) == created
    finally:
        await db.dispose()
