"""Appeals on real PostgreSQL: the migrated schema is the one the repository maps, and the routine runs there as it
does on SQLite (row locks, the tenant-bound reads, the outcome's stable id)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from servicekit.clock import FixedClock
from servicekit.testing import close_app, runtime_of
from services.appeals.tests import test_api
from services.appeals.tests.support import build_app
from services.appeals.tests.test_migrations import schema_differences

pytestmark = pytest.mark.infra


@pytest.fixture
async def pg_app(
    postgres_url: Callable[[str], Awaitable[str]], tmp_path: Path, clock: FixedClock
) -> AsyncIterator[FastAPI]:
    application = await build_app(await postgres_url("appeals"), tmp_path, clock)
    yield application
    await close_app(application)


@pytest.fixture
async def pg_client(pg_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=pg_app), base_url="http://test") as c:
        yield c


async def test_the_migrated_schema_is_the_one_the_repository_maps(pg_app: FastAPI) -> None:
    async with runtime_of(pg_app).db.engine.connect() as conn:
        assert await conn.run_sync(schema_differences) == []


async def test_the_delivery_and_its_deadline_on_postgresql(pg_app: FastAPI, pg_client: httpx.AsyncClient) -> None:
    await test_api.test_a_decision_shows_when_its_letter_reached_the_person_and_the_deadline_that_gives(
        pg_app, pg_client
    )


async def test_an_early_receipt_on_postgresql(pg_app: FastAPI, pg_client: httpx.AsyncClient) -> None:
    await test_api.test_a_mailbox_receipt_that_comes_before_its_decision_is_kept_and_applied(pg_app, pg_client)


async def test_forwarding_and_the_bodys_outcome_on_postgresql(pg_app: FastAPI, pg_client: httpx.AsyncClient) -> None:
    await test_api.test_an_appeal_is_forwarded_and_the_bodys_outcome_arrives_once_through_the_integration_topic(
        pg_app, pg_client
    )


async def test_late_appeals_on_postgresql(pg_app: FastAPI, pg_client: httpx.AsyncClient) -> None:
    await test_api.test_a_late_appeal_is_flagged_and_taken_up_with_its_reason(pg_app, pg_client)


async def test_another_municipality_is_refused_on_postgresql(pg_app: FastAPI, pg_client: httpx.AsyncClient) -> None:
    await test_api.test_an_appeal_against_another_municipalitys_decision_is_refused(pg_app, pg_client)


async def test_complaints_on_postgresql(pg_app: FastAPI, pg_client: httpx.AsyncClient) -> None:
    await test_api.test_a_complaint_reaches_the_unit_leader_who_answers_it(pg_app, pg_client)


async def test_deviations_on_postgresql(pg_app: FastAPI, pg_client: httpx.AsyncClient) -> None:
    await test_api.test_a_deviation_goes_on_the_feed_with_its_category_and_its_description_stays(pg_app, pg_client)


async def test_the_forwarding_letter_on_postgresql(pg_app: FastAPI, pg_client: httpx.AsyncClient) -> None:
    await test_api.test_a_forwarded_appeal_has_its_forwarding_letter_for_the_appeal_body(pg_app, pg_client)
