"""Decision on real PostgreSQL: migrations both ways, the whole decision path with the PDF stored, and what
concurrency must not break, with two replicas sharing one database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
from fastapi import FastAPI

from contracts.decision import CaseScheduledForMeeting, DecisionMade, LetterIssued, ServiceOrdered
from servicekit.clock import FixedClock
from servicekit.consumer import DeadLetter, EventConsumer, Outcome, RetryPolicy
from servicekit.db import Database
from servicekit.migrate import upgrade
from servicekit.testing import count, emitted, incoming, runtime_of
from services.decision import db as decision_db
from services.decision.tests.conftest import build_app
from services.decision.tests.migration_checks import (
    check_appeal_outcomes_are_not_dropped,
    check_expected_child_is_not_dropped,
    check_round_trip,
)
from services.decision.tests.support import (
    CLOCK_START,
    SELBU,
    TOLGA,
    assessed,
    assessment_completed,
    auth,
    decision_body,
    leader,
    oslo,
    pdf_text,
)

pytestmark = pytest.mark.infra

PostgresUrl = Callable[[str], Awaitable[str]]


def consumer_of(app: FastAPI) -> EventConsumer:
    runtime = runtime_of(app)

    async def fail(letter: DeadLetter) -> None:
        raise AssertionError(letter.reason)

    async def no_sleep(_: float) -> None:
        return None

    return EventConsumer(
        name="decision",
        handlers=runtime.spec.handlers,
        db=runtime.db,
        policy=RetryPolicy(max_attempts=3),
        dead_letter=fail,
        tracer=runtime.telemetry.tracer,
        sleep=no_sleep,
    )


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(CLOCK_START)


@pytest.fixture
async def replicas(postgres_url: PostgresUrl, clock: FixedClock) -> AsyncIterator[list[FastAPI]]:
    """Two instances of decision on one fresh database, as two replicas behind a load balancer."""
    url = await postgres_url("decision")
    apps = [build_app(url, clock), build_app(url, clock)]
    await upgrade(runtime_of(apps[0]).db, runtime_of(apps[0]).spec.migrations_dir)
    yield apps
    for app in apps:
        await runtime_of(app).db.dispose()
        runtime_of(app).telemetry.shutdown()


@pytest.fixture
async def clients(replicas: list[FastAPI]) -> AsyncIterator[list[httpx.AsyncClient]]:
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=replicas[0]), base_url="http://a") as a,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=replicas[1]), base_url="http://b") as b,
    ):
        yield [a, b]


async def test_migrations_upgrade_downgrade_and_upgrade_again(postgres_url: PostgresUrl) -> None:
    db = Database(await postgres_url("decision"), clock=FixedClock(CLOCK_START))
    try:
        await check_round_trip(db)
    finally:
        await db.dispose()


async def test_downgrade_refuses_while_a_case_is_about_an_expected_child(postgres_url: PostgresUrl) -> None:
    db = Database(await postgres_url("decision_expected"), clock=FixedClock(CLOCK_START))
    try:
        await check_expected_child_is_not_dropped(db)
    finally:
        await db.dispose()


async def test_downgrade_refuses_while_a_decision_holds_the_appeal_bodys_outcome(postgres_url: PostgresUrl) -> None:
    db = Database(await postgres_url("decision_appeal_outcomes"), clock=FixedClock(CLOCK_START))
    try:
        await check_appeal_outcomes_are_not_dropped(db)
    finally:
        await db.dispose()


async def test_an_assessed_case_is_decided_with_its_events_and_its_pdf_stored_and_served(
    replicas: list[FastAPI], clients: list[httpx.AsyncClient], clock: FixedClock
) -> None:
    app, client = replicas[0], clients[0]
    await assessed(consumer_of(app), clock, "case-1", SELBU, at=oslo(2026, 3, 9, 11, 0))
    clock.set(oslo(2026, 3, 10, 13))

    response = await client.post("/decisions", json=decision_body("case-1"), headers=auth(app))

    assert response.status_code == 201, response.text
    decision = response.json()
    assert [e.decision_id for e in await emitted(app, DecisionMade)] == [decision["id"]]
    assert [e.unit for e in await emitted(app, ServiceOrdered)] == ["home_care"]
    assert [e.letter_id for e in await emitted(app, LetterIssued)] == [decision["letter_id"]]
    pdf = await clients[1].get(decision["letter_url"], headers=auth(replicas[1]))
    assert pdf.headers["content-type"] == "application/pdf"
    assert "Klagefrist: 07.04.2026" in pdf_text(pdf.content)


async def test_the_same_case_decided_at_once_on_two_replicas_is_decided_once(
    replicas: list[FastAPI], clients: list[httpx.AsyncClient], clock: FixedClock
) -> None:
    app = replicas[0]
    for n in range(4):
        await assessed(consumer_of(app), clock, f"case-{n}", SELBU, at=oslo(2026, 3, 9, 11, 0))
    clock.set(oslo(2026, 3, 10, 13))

    responses = await asyncio.gather(
        *(c.post("/decisions", json=decision_body(f"case-{n}"), headers=auth(app)) for n in range(4) for c in clients)
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] * 4 + [409] * 4, [r.text for r in responses]
    assert len(await emitted(app, DecisionMade)) == 4
    assert await count(app, decision_db.letter) == 4


async def test_cases_scheduled_at_once_onto_a_new_meeting_share_one_meeting(
    replicas: list[FastAPI], clock: FixedClock
) -> None:
    clock.set(oslo(2026, 3, 9, 11, 0))
    consumers = [consumer_of(replicas[0]), consumer_of(replicas[1])]
    events = [assessment_completed(f"case-{n}", TOLGA, at=oslo(2026, 3, 9, 11, 0)) for n in range(6)]

    outcomes = await asyncio.gather(
        *(consumers[n % 2].process(incoming(event, offset=n)) for n, event in enumerate(events))
    )

    assert set(outcomes) == {Outcome.PROCESSED}
    assert await count(replicas[0], decision_db.meeting) == 1
    assert await count(replicas[0], decision_db.agenda_item) == 6
    assert {e.meeting_on.isoformat() for e in await emitted(replicas[0], CaseScheduledForMeeting)} == {"2026-03-10"}


async def test_two_unit_leaders_approving_at_once_make_the_decision_once(
    replicas: list[FastAPI], clients: list[httpx.AsyncClient], clock: FixedClock
) -> None:
    app = replicas[0]
    await assessed(consumer_of(app), clock, "case-1", TOLGA, at=oslo(2026, 3, 9, 11, 0))
    clock.set(oslo(2026, 3, 10, 13))
    services = [
        {"service_code": "home_nursing", "hours_per_week": 6, "start_on": "2026-03-16"},
        {"service_code": "short_term_stay", "start_on": "2026-04-01", "end_on": "2026-04-14"},
    ]
    draft = (
        await clients[0].post("/decisions", json=decision_body("case-1", services=services), headers=auth(app, TOLGA))
    ).json()

    responses = await asyncio.gather(
        clients[0].post(f"/decisions/{draft['id']}/approval", json={}, headers=leader(app, "home_care")),
        clients[1].post(f"/decisions/{draft['id']}/approval", json={}, headers=leader(app, "nursing_home")),
    )

    assert [r.status_code for r in responses] == [200, 200], [r.text for r in responses]
    assert len(await emitted(app, DecisionMade)) == 1
    final = (await clients[0].get(f"/decisions/{draft['id']}", headers=auth(app, TOLGA))).json()
    assert (final["status"], sorted(a["unit"] for a in final["approvals"])) == ("made", ["home_care", "nursing_home"])
