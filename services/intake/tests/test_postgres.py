"""Intake on real PostgreSQL: migrations both ways, and what concurrency must not break (journal numbers,
the person register, consent withdrawal), with two replicas sharing one database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date

import httpx
import pytest
from fastapi import FastAPI

from contracts.intake import ApplicationWithdrawn, Consent, ConsentWithdrawn
from servicekit.clock import FixedClock
from servicekit.db import OUTBOX, Database
from servicekit.migrate import upgrade
from servicekit.runtime import create_app
from servicekit.testing import TEST_SECRET, close_app, count, emitted
from services.intake import db as intake_db
from services.intake.main import Settings, spec
from services.intake.tests.migration_checks import (
    check_downgrade_refuses_cases_0001_cannot_hold,
    check_guardians_round_trip_refuses_to_drop_recorded_guardians,
    check_round_trip_keeps_legacy_applications,
)
from services.intake.tests.support import (
    NOW,
    application_body,
    auth,
    national_id,
    referral_body,
    register_person,
)
from services.intake.tests.support import TODAY as TODAY_DATE

pytestmark = pytest.mark.infra

PostgresUrl = Callable[[str], Awaitable[str]]
TODAY = TODAY_DATE.isoformat()


def build_app(url: str) -> FastAPI:
    settings = Settings(environment="test", database_url=url, jwt_secret=TEST_SECRET, telemetry_exporter="memory")
    return create_app(spec(), settings, clock=FixedClock(NOW))


@pytest.fixture
async def replicas(postgres_url: PostgresUrl) -> AsyncIterator[list[FastAPI]]:
    """Two instances of intake on one fresh database, as two replicas behind a load balancer."""
    url = await postgres_url("intake")
    apps = [build_app(url), build_app(url)]
    await upgrade(apps[0].state.runtime.db, spec().migrations_dir)
    yield apps
    for app in apps:
        await close_app(app)


@pytest.fixture
async def clients(replicas: list[FastAPI]) -> AsyncIterator[list[httpx.AsyncClient]]:
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=replicas[0]), base_url="http://a") as a,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=replicas[1]), base_url="http://b") as b,
    ):
        yield [a, b]


# --- migrations ---------------------------------------------------------------------------------


async def test_migrations_upgrade_downgrade_and_upgrade_again_keep_existing_applications(
    postgres_url: PostgresUrl,
) -> None:
    db = Database(await postgres_url("intake"), clock=FixedClock(NOW))
    try:
        await check_round_trip_keeps_legacy_applications(db)
    finally:
        await db.dispose()


async def test_downgrade_refuses_while_cases_exist_that_0001_cannot_hold(postgres_url: PostgresUrl) -> None:
    db = Database(await postgres_url("intake"), clock=FixedClock(NOW))
    try:
        await check_downgrade_refuses_cases_0001_cannot_hold(db)
    finally:
        await db.dispose()


async def test_downgrade_refuses_while_guardians_are_recorded(postgres_url: PostgresUrl) -> None:
    db = Database(await postgres_url("intake"), clock=FixedClock(NOW))
    try:
        await check_guardians_round_trip_refuses_to_drop_recorded_guardians(db)
    finally:
        await db.dispose()


# --- journal numbers ----------------------------------------------------------------------------


async def test_concurrent_registrations_on_two_replicas_get_distinct_consecutive_journal_numbers(
    replicas: list[FastAPI], clients: list[httpx.AsyncClient]
) -> None:
    app, (a, b) = replicas[0], clients
    person = await register_person(a, app)
    headers = auth(app)

    responses = await asyncio.gather(
        *(
            client.post(path, json=body, headers=headers)
            for i in range(12)
            for client in (a, b)
            for path, body in [
                ("/applications", application_body(person))
                if i % 2
                else ("/referrals", referral_body(person, received_on="2026-03-02"))
            ]
        )
    )

    assert [r.status_code for r in responses] == [201] * 24, [r.text for r in responses if r.status_code != 201]
    assert sorted(r.json()["journal_number"] for r in responses) == [f"2026/{n:06d}" for n in range(1, 25)]


async def test_a_refused_registration_uses_no_journal_number(
    replicas: list[FastAPI], clients: list[httpx.AsyncClient]
) -> None:
    app, (a, _) = replicas[0], clients
    person = await register_person(a, app)

    first = await a.post("/applications", json=application_body(person), headers=auth(app))
    refused = await a.post("/applications", json=application_body("p-unregistered"), headers=auth(app))
    second = await a.post("/applications", json=application_body(person), headers=auth(app))

    assert (first.status_code, refused.status_code, second.status_code) == (201, 422, 201)
    assert [first.json()["journal_number"], second.json()["journal_number"]] == ["2026/000001", "2026/000002"]
    assert await count(app, intake_db.application) == 2
    assert await count(app, OUTBOX) == 2


# --- the person register ------------------------------------------------------------------------


async def test_registering_the_same_number_concurrently_on_two_replicas_makes_one_person(
    replicas: list[FastAPI], clients: list[httpx.AsyncClient]
) -> None:
    app = replicas[0]
    number = national_id(date(1957, 4, 12))

    body = {"national_id": number}
    responses = await asyncio.gather(
        *(client.post("/persons", json=body, headers=auth(app)) for _ in range(10) for client in clients)
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 19 + [201], [r.text for r in responses if r.status_code not in (200, 201)]
    assert len({r.json()["person_id"] for r in responses}) == 1
    assert await count(app, intake_db.person) == 1


# --- consent ------------------------------------------------------------------------------------

GIVEN = {
    "form": "written",
    "given_by": "parents",
    "scope": ["processing", "sharing", "fetch_from_gp", "fetch_from_hospital"],
    "share_with": ["home_care", "respite_service"],
}


async def test_consent_withdrawal_round_trip(replicas: list[FastAPI], clients: list[httpx.AsyncClient]) -> None:
    app, (a, b) = replicas[0], clients
    headers = auth(app, "5026")
    child = await register_person(a, app, date(2016, 2, 29), municipality="5026")
    body = application_body(child, service_code="respite", consent=GIVEN)
    case = (await a.post("/applications", json=body, headers=headers)).json()
    path = f"/applications/{case['case_id']}/consent"

    partly = await a.post(
        f"{path}/withdrawal",
        json={"scopes": ["sharing", "fetch_from_gp"], "share_with": ["home_care"], "withdrawn_on": TODAY},
        headers=headers,
    )
    wholly = await b.post(f"{path}/withdrawal", json={"scopes": ["processing"], "withdrawn_on": TODAY}, headers=headers)
    view = (await b.get(path, headers=headers)).json()

    assert (partly.status_code, wholly.status_code) == (200, 200)
    assert partly.json()["current"] == {
        "form": "written",
        "given_by": "parents",
        "scope": ["processing", "sharing", "fetch_from_hospital"],
        "share_with": ["respite_service"],
    }
    assert view["current"] is None
    assert [(h["kind"], h["withdrawn_scopes"]) for h in view["history"]] == [
        ("given", None),
        ("withdrawn", ["sharing", "fetch_from_gp"]),
        ("withdrawn", ["processing", "sharing", "fetch_from_hospital"]),
    ]
    first, second = await emitted(app, ConsentWithdrawn)
    assert first.remaining == Consent.model_validate(partly.json()["current"])
    assert first.withdrawn_share_with == ["home_care"]
    assert second.remaining is None
    case_now = (await a.get(f"/applications/{case['case_id']}", headers=headers)).json()
    assert case_now["consent"] is None


async def test_the_same_withdrawal_made_twice_at_once_is_recorded_once(
    replicas: list[FastAPI], clients: list[httpx.AsyncClient]
) -> None:
    app, (a, b) = replicas[0], clients
    person = await register_person(a, app)
    consent = GIVEN | {"share_with": ["home_care"]}
    case = (await a.post("/applications", json=application_body(person, consent=consent), headers=auth(app))).json()
    consent_path = f"/applications/{case['case_id']}/consent/withdrawal"
    case_path = f"/applications/{case['case_id']}/withdrawal"
    body = {"scopes": ["fetch_from_gp"], "withdrawn_on": TODAY}

    consent_responses = await asyncio.gather(*(c.post(consent_path, json=body, headers=auth(app)) for c in (a, b)))
    case_responses = await asyncio.gather(
        *(c.post(case_path, json={"withdrawn_on": TODAY}, headers=auth(app)) for c in (a, b))
    )

    assert sorted(r.status_code for r in consent_responses) == [200, 422]
    assert sorted(r.status_code for r in case_responses) == [200, 409]
    assert len(await emitted(app, ConsentWithdrawn)) == 1
    assert len(await emitted(app, ApplicationWithdrawn)) == 1
    assert await count(app, intake_db.consent_event) == 2
