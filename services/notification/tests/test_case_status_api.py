"""A case's status through notification's own consumer and routes: the journey moves it step by step, each status
is announced on notification.events.v1 and on the municipality's feed, and the office reads every case of its
municipality while a citizen reads only their own."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from contracts.notification import CaseStatusChanged
from contracts.topics import Topic, tenant_topic
from servicekit.actor import Actor
from servicekit.clock import FixedClock
from servicekit.consumer import Outcome
from servicekit.db import Database
from servicekit.testing import Deliveries, auth, outbox_events
from services.notification.db import CaseStatuses, CaseStatusMoved
from services.notification.domain import next_status
from services.notification.tests.case_journey import (
    BODY,
    CASE,
    EXPECTED,
    PERSON,
    START,
    TOLGA,
    at,
    decided,
    opened,
    quashed_journey,
    registered,
)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START + timedelta(days=200))


@pytest.fixture
def deliveries(app: FastAPI) -> Deliveries:
    return Deliveries(app, max_attempts=1)


async def status_of(client: httpx.AsyncClient, app: FastAPI, case_id: str = CASE) -> Any:
    response = await client.get(f"/cases/{case_id}/status", headers=auth(app, TOLGA))
    assert response.status_code == 200, response.text
    return response.json()


async def announced(app: FastAPI, topic: str) -> list[Any]:
    return [e.data for t, e in await outbox_events(app) if t == topic and e.type == CaseStatusChanged.event_type]


async def test_the_whole_journey_moves_the_case_step_by_step_until_it_is_assessed_anew(
    app: FastAPI, client: httpx.AsyncClient, deliveries: Deliveries
) -> None:
    seen = []
    for event in quashed_journey():
        assert await deliveries.deliver(event) is Outcome.PROCESSED
        seen.append(await status_of(client, app))

    assert deliveries.dead_letters == []
    assert [s["status"] for s in seen] == [
        "received",
        "being_assessed",
        "preliminary_reply_sent",
        "decided",
        "appealed",
        "forwarded",
        "being_assessed",
        "being_assessed",
    ]
    assert seen[2]["expected_on"] == EXPECTED.isoformat()
    assert (seen[3]["outcome"], seen[3]["decided_by"]) == ("refused", "office")
    assert seen[5]["appeal_body"] == BODY
    assert (seen[6]["appeal_outcome"], seen[7]["appeal_outcome"]) == ("quashed", None)
    assert {s["person_id"] for s in seen} == {PERSON}


async def test_each_status_is_announced_on_the_services_topic_and_the_municipalitys_feed(
    app: FastAPI, deliveries: Deliveries
) -> None:
    journey = quashed_journey()
    for event in journey:
        await deliveries.deliver(event)

    own = await announced(app, str(Topic.NOTIFICATION))
    fed = await announced(app, tenant_topic(TOLGA))

    assert own == fed
    assert [(s.status.value, s.since) for s in own] == [
        ("received", journey[0].time),
        ("being_assessed", journey[1].time),
        ("preliminary_reply_sent", journey[2].time),
        ("decided", journey[3].time),
        ("appealed", journey[4].time),
        ("forwarded", journey[5].time),
        ("being_assessed", journey[6].time),
        ("being_assessed", journey[7].time),
    ]
    assert {(s.case_id, s.person_id) for s in own} == {(CASE, PERSON)}


async def test_a_decision_consumed_before_the_assessment_opened_leaves_the_case_decided(
    app: FastAPI, client: httpx.AsyncClient, deliveries: Deliveries
) -> None:
    for event in (at(registered(), 0), at(decided(), 38), at(opened(), 0.01)):
        assert await deliveries.deliver(event) is Outcome.PROCESSED

    assert (await status_of(client, app))["status"] == "decided"
    assert [s.status.value for s in await announced(app, str(Topic.NOTIFICATION))] == ["received", "decided"]


async def _two_cases_and_another_persons(deliveries: Deliveries) -> None:
    for event in (
        at(registered("case-old"), 0),
        at(registered("case-new"), 3),
        at(decided(case_id="case-old"), 5),
        at(registered("case-other", person_id="person-other"), 4),
        at(registered("case-elsewhere"), 6, municipality="5032"),
    ):
        assert await deliveries.deliver(event) is Outcome.PROCESSED


async def test_a_persons_cases_are_listed_the_latest_step_first_a_page_at_a_time(
    app: FastAPI, client: httpx.AsyncClient, deliveries: Deliveries
) -> None:
    await _two_cases_and_another_persons(deliveries)

    every = await client.get(f"/persons/{PERSON}/cases", headers=auth(app, TOLGA))
    second = await client.get(f"/persons/{PERSON}/cases", params={"limit": 1, "offset": 1}, headers=auth(app, TOLGA))

    assert every.status_code == second.status_code == 200
    assert [(c["case_id"], c["status"]) for c in every.json()["items"]] == [
        ("case-old", "decided"),
        ("case-new", "received"),
    ]
    assert every.json()["total"] == 2
    assert (second.json()["total"], [c["case_id"] for c in second.json()["items"]]) == (2, ["case-new"])


async def test_a_citizen_reads_their_own_cases_by_the_tokens_person_or_subject(
    app: FastAPI, client: httpx.AsyncClient, deliveries: Deliveries
) -> None:
    await _two_cases_and_another_persons(deliveries)
    by_claim = auth(app, TOLGA, ("person",), subject="portal-login-1", person_id=PERSON)
    by_subject = auth(app, TOLGA, ("person",), subject=PERSON)

    listed = await client.get(f"/persons/{PERSON}/cases", headers=by_claim)
    one = await client.get("/cases/case-new/status", headers=by_subject)

    assert listed.status_code == one.status_code == 200
    assert [c["case_id"] for c in listed.json()["items"]] == ["case-old", "case-new"]
    assert (one.json()["case_id"], one.json()["status"]) == ("case-new", "received")


async def test_a_citizen_finds_no_other_persons_case_nor_list(
    app: FastAPI, client: httpx.AsyncClient, deliveries: Deliveries
) -> None:
    await _two_cases_and_another_persons(deliveries)
    citizen = auth(app, TOLGA, ("person",), person_id=PERSON)

    other_case = await client.get("/cases/case-other/status", headers=citizen)
    no_case = await client.get("/cases/case-nowhere/status", headers=citizen)
    other_list = await client.get("/persons/person-other/cases", headers=citizen)

    assert other_case.status_code == no_case.status_code == other_list.status_code == 404
    # The same answer whether the case exists or not: nothing tells that another person has a case.
    assert other_case.json()["detail"].replace("case-other", "?") == no_case.json()["detail"].replace(
        "case-nowhere", "?"
    )
    assert other_case.headers["content-type"] == "application/problem+json"
    assert "person-other" not in other_case.text


async def test_the_office_reads_only_its_own_municipalitys_cases(
    app: FastAPI, client: httpx.AsyncClient, deliveries: Deliveries
) -> None:
    await _two_cases_and_another_persons(deliveries)

    leader = await client.get("/cases/case-other/status", headers=auth(app, TOLGA, ("leader",)))
    elsewhere = await client.get("/cases/case-elsewhere/status", headers=auth(app, TOLGA))
    listed_there = await client.get(f"/persons/{PERSON}/cases", headers=auth(app, "5032"))

    assert (leader.status_code, leader.json()["person_id"]) == (200, "person-other")
    assert elsewhere.status_code == 404
    assert [c["case_id"] for c in listed_there.json()["items"]] == ["case-elsewhere"]


@pytest.mark.parametrize("roles", [("unit",), ("integrator",), ("coordinator",)])
async def test_other_roles_may_not_read_cases_statuses(
    app: FastAPI, client: httpx.AsyncClient, deliveries: Deliveries, roles: tuple[str, ...]
) -> None:
    await _two_cases_and_another_persons(deliveries)
    headers = auth(app, TOLGA, roles, unit="home_care")

    one = await client.get("/cases/case-new/status", headers=headers)
    listed = await client.get(f"/persons/{PERSON}/cases", headers=headers)

    assert one.status_code == listed.status_code == 403
    assert one.headers["content-type"] == "application/problem+json"


async def test_reading_cases_statuses_needs_a_token(client: httpx.AsyncClient) -> None:
    assert (await client.get(f"/cases/{CASE}/status")).status_code == 401
    assert (await client.get(f"/persons/{PERSON}/cases")).status_code == 401


async def test_a_status_moved_by_another_replica_meanwhile_is_not_overwritten(database: Database) -> None:
    service = Actor.service("notification", TOLGA)
    first = next_status(None, at(registered(), 0))
    assert first is not None
    async with database.unit_of_work(service) as uow:
        await CaseStatuses(uow).save(first, previous=None)
        await uow.commit()
    theirs, mine = next_status(first, at(opened(), 1)), next_status(first, at(decided(), 38))
    assert theirs is not None
    assert mine is not None
    async with database.unit_of_work(service) as uow:
        await CaseStatuses(uow).save(theirs, previous=first)
        await uow.commit()

    async with database.unit_of_work(service) as uow:
        with pytest.raises(CaseStatusMoved):
            await CaseStatuses(uow).save(mine, previous=first)

    async with database.unit_of_work(service) as uow:
        stored = await CaseStatuses(uow).get(CASE)
    assert stored is not None
    assert (stored.status.value, stored.step.event_id) == ("being_assessed", theirs.step.event_id)
