"""Assessment on real PostgreSQL: migrations both ways, a full flow to completion through the API,
partner access, and the row locks and unique keys that keep concurrent work single."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import inspect

from contracts.assessment import AssessmentCompleted, AssessmentOpened
from contracts.intake import Route
from servicekit.clock import FixedClock
from servicekit.consumer import DeadLetter, Outcome
from servicekit.db import Database
from servicekit.migrate import downgrade, upgrade
from servicekit.testing import close_app, count, emitted, incoming, outbox_events, runtime_of
from services.assessment import db as assessment_db
from services.assessment.domain import Assessment
from services.assessment.main import spec
from services.assessment.tests.support import (
    HOLTALEN,
    NOW,
    PARTNER,
    TODAY,
    application_event,
    auth,
    build_app,
    make_consumer,
    open_assessment,
)

pytestmark = pytest.mark.infra

OWN_TABLES = {"assessment", "visit", "information_request", "child_best_interests", "case_access"}


@pytest.fixture
async def pg_app(
    postgres_url: Callable[[str], Awaitable[str]], tmp_path: Path, clock: FixedClock
) -> AsyncIterator[FastAPI]:
    application = await build_app(await postgres_url("assessment"), tmp_path, clock)
    yield application
    await close_app(application)


@pytest.fixture
async def pg_client(pg_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=pg_app), base_url="http://test") as c:
        yield c


async def tables(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))


async def test_migrations_create_the_assessment_tables_drop_them_and_create_them_again(
    postgres_url: Callable[[str], Awaitable[str]], clock: FixedClock
) -> None:
    db = Database(await postgres_url("assessment"), clock=clock, source="/forvalt/assessment")
    migrations = spec().migrations_dir
    try:
        await upgrade(db, migrations)
        created = await tables(db)
        assert OWN_TABLES | {"outbox_message", "inbox_message", "alembic_version"} <= created

        await downgrade(db, migrations, "0001")
        assert not OWN_TABLES & await tables(db)
        assert {"outbox_message", "inbox_message"} <= await tables(db)

        await downgrade(db, migrations)
        assert await tables(db) <= {"alembic_version"}

        await upgrade(db, migrations)
        assert await tables(db) == created
    finally:
        await db.dispose()


async def test_a_full_flow_through_the_api_completes_on_postgresql(
    pg_app: FastAPI, pg_client: httpx.AsyncClient
) -> None:
    opened = await open_assessment(
        pg_app, pg_client, HOLTALEN, service_code="respite", involves_child=True, route=Route.CHILDREN_UNIT
    )
    headers = auth(pg_app, HOLTALEN)
    base = f"/assessments/{opened['id']}"
    held_at = (NOW - timedelta(hours=3)).isoformat()

    assign = await pg_client.post(
        f"{base}/assignment", json={"assignee_kind": "unit", "assignee": "respite_service"}, headers=headers
    )
    visit = await pg_client.post(
        f"{base}/visits", json={"kind": "home_visit", "scheduled_at": held_at}, headers=headers
    )
    steps: list[tuple[str, str, dict[str, Any] | None]] = [
        ("post", f"{base}/visits/{visit.json()['id']}/record", {"held_at": held_at, "notes": "Hjemmebesøk holdt"}),
        ("post", f"{base}/information-requests", {"source": "gp", "due_on": (TODAY + timedelta(days=7)).isoformat()}),
        ("put", f"{base}/functional-scores", {"assessed_on": TODAY.isoformat(), "scores": {"toilet": 4, "syn": 9}}),
    ]
    statuses = [assign.status_code, visit.status_code]
    for method, path, body in steps:
        statuses.append((await pg_client.request(method, path, json=body, headers=headers)).status_code)
    assert statuses == [200, 201, 200, 201, 422]  # "syn" is a name, not a variable code

    rest: list[tuple[str, str, dict[str, Any] | None]] = [
        ("put", f"{base}/functional-scores", {"assessed_on": TODAY.isoformat(), "scores": {"toilet": 4, "vision": 9}}),
        (
            "put",
            f"{base}/criteria",
            {"care_ladder_step": 2, "care_ladder_grounds": ["siblings_and_exhaustion"], "bti_level": 1},
        ),
        ("post", f"{base}/child-best-interests", {"children_considered": 2, "assessment": "Søsken vurdert"}),
        (
            "put",
            f"{base}/recommendation",
            {
                "services": [{"service_code": "respite", "hours_per_week": 6, "start_on": "2027-01-04"}],
                "proposed_outcome": "grant",
            },
        ),
        ("post", f"{base}/complete", None),
    ]
    for method, path, body in rest:
        response = await pg_client.request(method, path, json=body, headers=headers)
        assert response.status_code in (200, 201), f"{path}: {response.text}"

    state = (await pg_client.get(base, headers=headers)).json()
    assert state["status"] == "completed"
    assert state["functional_scores"]["scores"] == {"toilet": 4, "vision": 9}
    assert state["visits"][0]["notes"] == "Hjemmebesøk holdt"
    assert [r["status"] for r in state["information_requests"]] == ["cancelled_assessment_completed"]
    [completed] = await emitted(pg_app, AssessmentCompleted)
    assert (completed.care_ladder_step, completed.bti_level, completed.completed_by) == (2, 1, "children_unit")
    types = [e.type.split(".")[-2] for _, e in await outbox_events(pg_app)]
    assert types == [
        "opened",
        "assessor-assigned",
        "visit-scheduled",
        "visit-recorded",
        "information-requested",
        "scheduled",
        "functional-scores-recorded",
        "criteria-evaluated",
        "child-best-interests-assessed",
        "cancelled",
        "completed",
    ]


async def test_the_partner_office_sees_only_the_handed_over_case_on_postgresql(
    pg_app: FastAPI, pg_client: httpx.AsyncClient
) -> None:
    other = await open_assessment(pg_app, pg_client, HOLTALEN, service_code="bpa")
    opened = await open_assessment(pg_app, pg_client, HOLTALEN, service_code="bpa")
    partner = auth(pg_app, PARTNER)

    before = await pg_client.get(f"/assessments/{opened['id']}", headers=partner)
    handover = await pg_client.post(f"/assessments/{opened['id']}/handover", json={}, headers=auth(pg_app, HOLTALEN))
    after = await pg_client.get(f"/assessments/{opened['id']}", headers=partner)
    listing = (await pg_client.get("/assessments", headers=partner)).json()
    other_read = await pg_client.get(f"/assessments/{other['id']}", headers=partner)
    work = await pg_client.put(
        f"/assessments/{opened['id']}/functional-scores",
        json={"assessed_on": TODAY.isoformat(), "scores": {"memory": 1}},
        headers=partner,
    )
    home_listing = (await pg_client.get("/assessments", headers=auth(pg_app, HOLTALEN))).json()

    assert (before.status_code, handover.status_code, after.status_code) == (404, 200, 200)
    assert [i["id"] for i in listing["items"]] == [opened["id"]]
    assert listing["total"] == 1
    assert other_read.status_code == 404
    assert work.status_code == 200
    assert home_listing["total"] == 2


async def test_the_same_case_delivered_twice_at_once_opens_one_assessment(
    pg_app: FastAPI, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    runtime = runtime_of(pg_app)
    dead: list[DeadLetter] = []
    first = application_event(case_id="case-race")
    second = application_event(case_id="case-race")  # another event id for the same case
    # Both deliveries look the case up before either inserts: the unique key must keep it to one.
    barrier = asyncio.Barrier(2)
    lookups = 0
    by_case = assessment_db.Assessments.by_case

    async def racing_lookup(self: assessment_db.Assessments, case_id: str) -> Assessment | None:
        nonlocal lookups
        found = await by_case(self, case_id)
        lookups += 1
        if lookups <= 2:
            await barrier.wait()
        return found

    monkeypatch.setattr(assessment_db.Assessments, "by_case", racing_lookup)

    with caplog.at_level(logging.WARNING, logger="servicekit.consumer"):
        outcomes = await asyncio.gather(
            make_consumer(runtime.db, runtime.telemetry, dead).process(incoming(first)),
            make_consumer(runtime.db, runtime.telemetry, dead).process(incoming(second, offset=1)),
        )

    assert list(outcomes) == [Outcome.PROCESSED, Outcome.PROCESSED]
    assert dead == []
    assert any("retrying" in r.getMessage() for r in caplog.records), "the loser retried after the unique-key clash"
    assert await count(pg_app, assessment_db.assessment) == 1
    assert len(await emitted(pg_app, AssessmentOpened)) == 1


async def test_completing_twice_at_once_completes_once(pg_app: FastAPI, pg_client: httpx.AsyncClient) -> None:
    opened = await open_assessment(pg_app, pg_client, service_code="coordinator")
    headers = auth(pg_app)
    await pg_client.put(
        f"/assessments/{opened['id']}/recommendation",
        json={"services": [{"service_code": "coordinator", "start_on": "2027-01-04"}], "proposed_outcome": "grant"},
        headers=headers,
    )

    responses = await asyncio.gather(
        *(pg_client.post(f"/assessments/{opened['id']}/complete", headers=headers) for _ in range(3))
    )

    assert sorted(r.status_code for r in responses) == [200, 409, 409]
    assert len(await emitted(pg_app, AssessmentCompleted)) == 1
