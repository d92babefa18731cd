"""Staff's inboxes over HTTP: a unit reads its own and its leader's, the office its offices', newest first and
paged; marking a notification read; no municipality reads another's, and nobody an inbox that is not theirs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from servicekit.clock import FixedClock
from servicekit.testing import auth
from services.notification.tests.staff_mail import REMIND_AT, TOLGA, due_reminder

SELBU = "5032"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 12, 1, 9, tzinfo=UTC))


async def _inbox(client: httpx.AsyncClient, app: FastAPI, recipient: str, **token: object) -> httpx.Response:
    municipality = str(token.pop("municipality", TOLGA))
    roles = token.pop("roles", ("caseworker",))
    headers = auth(app, municipality, roles, **token)  # type: ignore[arg-type]
    return await client.get("/inbox", params={"recipient": recipient, "limit": 10}, headers=headers)


async def test_a_unit_reads_its_inbox_newest_first_and_marks_a_notification_read(
    app: FastAPI, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await due_reminder(app, clock, responsible="home_care", deadline_id="d-1")
    later = REMIND_AT + timedelta(hours=1)
    await due_reminder(app, clock, responsible="home_care", deadline_id="d-2", at=later)  # newer
    await due_reminder(app, clock, responsible="nursing_home", deadline_id="d-3")

    found = await _inbox(client, app, "home_care", roles=("unit",), unit="home_care")
    assert found.status_code == 200, found.text
    page = found.json()
    assert (page["total"], page["limit"], page["offset"]) == (2, 10, 0)
    assert [(i["case_id"], i["kind"], i["read_at"]) for i in page["items"]] == [
        ("case-d-2", "reminder", None),
        ("case-d-1", "reminder", None),
    ]

    clock.set(REMIND_AT + timedelta(hours=2))
    headers = auth(app, TOLGA, ("unit",), unit="home_care")
    marked = await client.post(f"/inbox/{page['items'][1]['id']}/read", headers=headers)
    assert marked.status_code == 200, marked.text
    assert marked.json()["read_at"] == "2026-12-10T10:00:00Z"
    clock.set(REMIND_AT + timedelta(hours=3))
    again = await client.post(f"/inbox/{page['items'][1]['id']}/read", headers=headers)
    assert again.json()["read_at"] == "2026-12-10T10:00:00Z"  # the first time is kept

    second = (await _inbox(client, app, "home_care", roles=("unit",), unit="home_care")).json()
    assert [i["read_at"] for i in second["items"]] == [None, "2026-12-10T10:00:00Z"]


async def test_a_unit_cannot_read_or_mark_another_units_inbox(
    app: FastAPI, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await due_reminder(app, clock, responsible="nursing_home")
    listed = (await _inbox(client, app, "nursing_home", roles=("caseworker",), unit="nursing_home")).json()
    [item] = listed["items"]

    refused = await _inbox(client, app, "nursing_home", roles=("unit",), unit="home_care")
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    headers = auth(app, TOLGA, ("unit",), unit="home_care")
    assert (await client.post(f"/inbox/{item['id']}/read", headers=headers)).status_code == 403


async def test_the_office_reads_its_offices_inbox_and_only_a_leader_reads_the_leaders(
    app: FastAPI, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await due_reminder(app, clock, responsible="allocation_office")

    office = await _inbox(client, app, "allocation_office", roles=("caseworker",))
    assert office.status_code == 200
    assert [i["recipient"] for i in office.json()["items"]] == ["allocation_office"]
    assert (await _inbox(client, app, "leader_of:allocation_office", roles=("caseworker",))).status_code == 403
    assert (await _inbox(client, app, "leader_of:allocation_office", roles=("leader",))).status_code == 200
    assert (await _inbox(client, app, "home_care", roles=("caseworker",))).status_code == 403
    assert (await _inbox(client, app, "applicant", roles=("caseworker",))).status_code == 403


async def test_another_municipality_sees_nothing_of_tolgas_inbox(
    app: FastAPI, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await due_reminder(app, clock, responsible="allocation_office")
    tolga = (await _inbox(client, app, "allocation_office")).json()

    selbu = await _inbox(client, app, "allocation_office", municipality=SELBU)
    assert selbu.status_code == 200
    assert selbu.json()["items"] == []
    headers = auth(app, SELBU, ("caseworker",))
    assert (await client.post(f"/inbox/{tolga['items'][0]['id']}/read", headers=headers)).status_code == 404


async def test_an_inbox_needs_a_token_and_a_recipient_code(app: FastAPI, client: httpx.AsyncClient) -> None:
    assert (await client.get("/inbox", params={"recipient": "allocation_office"})).status_code == 401
    bad = await client.get("/inbox", params={"recipient": "Allocation Office"}, headers=auth(app, TOLGA))
    assert bad.status_code == 422
