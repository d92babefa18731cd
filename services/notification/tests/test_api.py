"""Notification's routes: the caller's municipality's notifications and deadlines, oldest first."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from contracts.tests.examples import EXAMPLE_TIME, registered_event
from servicekit.clock import FixedClock
from servicekit.consumer import Outcome
from servicekit.testing import Deliveries, auth
from services.notification.main import sweep_deadlines


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(EXAMPLE_TIME + timedelta(minutes=5))


async def test_a_caller_lists_its_own_municipalitys_notifications_and_deadlines_only(
    app: FastAPI, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    deliveries = Deliveries(app)
    for event in (
        registered_event(municipality="3426", case_id="case-t1", journal_number="2026/000001"),
        registered_event(municipality="3426", case_id="case-t2", journal_number="2026/000002"),
        registered_event(municipality="5032", case_id="case-s1", journal_number="2026/000003"),
    ):
        assert await deliveries.deliver(event) is Outcome.PROCESSED
        clock.advance(timedelta(minutes=1))

    notes = await client.get("/notifications", headers=auth(app, "3426"))
    deadlines = await client.get("/deadlines", headers=auth(app, "3426"))
    one_case = await client.get("/deadlines", params={"case_id": "case-t2"}, headers=auth(app, "3426"))

    assert notes.status_code == deadlines.status_code == one_case.status_code == 200
    assert [(n["case_id"], n["kind"], n["recipient"]) for n in notes.json()] == [
        ("case-t1", "receipt", "applicant"),
        ("case-t2", "receipt", "applicant"),
    ]
    assert "2026/000001" in notes.json()[0]["text"]
    assert [(d["case_id"], d["kind"], d["status"]) for d in deadlines.json()] == [
        ("case-t1", "preliminary_reply", "scheduled"),
        ("case-t2", "preliminary_reply", "scheduled"),
    ]
    assert [d["case_id"] for d in one_case.json()] == ["case-t2"]


async def test_a_reminded_deadline_is_listed_as_still_scheduled_and_a_due_one_as_due(
    app: FastAPI, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    # Received 2 November 2026: the preliminary reply is due on Wednesday 2 December.
    assert await Deliveries(app).deliver(registered_event(municipality="3426", case_id="case-1")) is Outcome.PROCESSED
    runtime = app.state.runtime

    clock.set(datetime(2026, 11, 30, 9, tzinfo=UTC))
    assert await sweep_deadlines(runtime.parts) == 1
    [reminded] = (await client.get("/deadlines", headers=auth(app, "3426"))).json()
    clock.set(datetime(2026, 12, 2, 9, tzinfo=UTC))
    assert await sweep_deadlines(runtime.parts) == 1
    [due] = (await client.get("/deadlines", headers=auth(app, "3426"))).json()

    assert (reminded["status"], due["status"], due["due_on"]) == ("scheduled", "due", date(2026, 12, 2).isoformat())
    assert (reminded["remind_on"], reminded["escalation_step"]) == ("2026-11-27", 0)
    # Escalated at the due day; the next step a week later.
    assert (due["escalation_step"], due["escalate_on"]) == (1, "2026-12-09")
    kinds = [n["kind"] for n in (await client.get("/notifications", headers=auth(app, "3426"))).json()]
    # An overdue preliminary reply also escalates to the office's leader at the due day.
    assert (kinds[:2], sorted(kinds[2:])) == (["receipt", "reminder"], ["alert", "escalation"])


async def test_listing_needs_a_token(client: httpx.AsyncClient) -> None:
    assert (await client.get("/notifications")).status_code == 401
    assert (await client.get("/deadlines")).status_code == 401
