"""Coordination on real PostgreSQL: the migrated schema is the one the repository maps, and the newborn's journey
and the tenant-bound reads run there as they do on SQLite."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from servicekit.clock import FixedClock
from servicekit.testing import close_app, runtime_of
from services.coordination.tests import test_api, test_api_bti, test_api_routine, test_specialist_services
from services.coordination.tests.support import build_app
from services.coordination.tests.test_migrations import schema_differences

pytestmark = pytest.mark.infra


@pytest.fixture
async def pg_app(
    postgres_url: Callable[[str], Awaitable[str]], tmp_path: Path, clock: FixedClock
) -> AsyncIterator[FastAPI]:
    application = await build_app(await postgres_url("coordination"), tmp_path, clock)
    yield application
    await close_app(application)


@pytest.fixture
async def pg_client(pg_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=pg_app), base_url="http://test") as c:
        yield c


async def test_the_migrated_schema_is_the_one_the_repository_maps(pg_app: FastAPI) -> None:
    async with runtime_of(pg_app).db.engine.connect() as conn:
        assert await conn.run_sync(schema_differences) == []


async def test_the_newborns_journey_on_postgresql(pg_app: FastAPI, pg_client: httpx.AsyncClient) -> None:
    await test_api.test_a_newborns_hospital_referral_to_a_coordinator_who_stays_when_the_parents_decline_the_plan(
        pg_app, pg_client
    )


async def test_another_municipality_sees_none_of_a_referral_on_postgresql(
    pg_app: FastAPI, pg_client: httpx.AsyncClient
) -> None:
    await test_api.test_another_municipality_sees_none_of_a_referral(pg_app, pg_client)


async def test_the_plans_versions_and_participants_on_postgresql(pg_app: FastAPI, pg_client: httpx.AsyncClient) -> None:
    await test_api_routine.test_the_plan_is_versioned_read_by_its_participants_only_and_its_content_stays_here(
        pg_app, pg_client
    )


async def test_the_annual_report_on_postgresql(pg_app: FastAPI, pg_client: httpx.AsyncClient) -> None:
    await test_api_routine.test_the_annual_report_counts_exactly_what_was_recorded_as_json_and_csv(pg_app, pg_client)


async def test_the_annual_reports_submission_on_postgresql(pg_app: FastAPI, pg_client: httpx.AsyncClient) -> None:
    await test_api_routine.test_the_leader_submits_the_annual_report_once_and_it_shows_as_submitted(pg_app, pg_client)


async def test_the_responsibility_group_before_the_coordinator_on_postgresql(
    pg_app: FastAPI, pg_client: httpx.AsyncClient
) -> None:
    await test_api_routine.test_selbu_links_in_the_services_and_chooses_a_responsibility_group_before_the_coordinator(
        pg_app, pg_client
    )


async def test_meetings_and_their_minutes_on_postgresql(pg_app: FastAPI, pg_client: httpx.AsyncClient) -> None:
    await test_api_routine.test_a_held_meeting_owes_minutes_on_the_deadlines_topic_until_they_are_recorded(
        pg_app, pg_client
    )


async def test_training_needs_on_postgresql(pg_app: FastAPI, pg_client: httpx.AsyncClient) -> None:
    await test_api_routine.test_training_is_due_within_six_months_and_its_completion_stops_the_clock(pg_app, pg_client)


async def test_bti_levels_on_postgresql(pg_app: FastAPI, pg_client: httpx.AsyncClient) -> None:
    await test_api_bti.test_holtalen_sets_and_reads_a_childs_bti_level(pg_client, pg_app)


async def test_the_relay_log_on_postgresql(pg_app: FastAPI, pg_client: httpx.AsyncClient) -> None:
    await test_api_bti.test_the_relay_log_is_read_by_the_coordinating_unit_and_the_holders_unit_only(pg_client, pg_app)


async def test_escalations_on_postgresql(pg_app: FastAPI, pg_client: httpx.AsyncClient) -> None:
    await test_api_bti.test_the_coordinator_raises_a_need_and_the_unit_answers_it(pg_client, pg_app)


async def test_home_visits_on_postgresql(pg_app: FastAPI, pg_client: httpx.AsyncClient) -> None:
    await test_api_bti.test_a_newborns_referral_arrives_with_its_home_visit_planned(pg_client, pg_app)


async def test_specialist_services_on_postgresql(pg_app: FastAPI, pg_client: httpx.AsyncClient) -> None:
    granted_plan = test_specialist_services.test_a_granted_plan_lists_the_specialist_services_it_informs_and_stays_the_municipalitys  # noqa: E501
    await granted_plan(pg_app, pg_client)
