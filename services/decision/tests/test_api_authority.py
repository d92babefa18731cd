"""Who decides, over HTTP: Tolga's unit leaders give the final approval, Holtålen's meeting concludes, and an
emergency measure is raised at the first meeting before its decision is written."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from contracts.deadlines import DeadlineScheduled
from contracts.decision import CaseScheduledForMeeting, DecisionMade, LetterIssued, ServiceOrdered
from contracts.intake import Route
from servicekit.clock import FixedClock
from servicekit.consumer import EventConsumer
from servicekit.testing import emitted
from services.decision.tests.support import (
    HOLTALEN,
    REASONS,
    TOLGA,
    assessed,
    auth,
    decision_body,
    emergency_registered,
    feed,
    leader,
    oslo,
    pdf_text,
    table_counts,
)

ATTENDEES = {
    "attendees": [
        {"name": "Kari Nordmann", "role": "allocation_office"},
        {"name": "Lise Berg", "role": "unit_leader", "unit": "home_care"},
    ]
}


async def draft(client: httpx.AsyncClient, app: FastAPI, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/decisions", json=body, headers=auth(app, TOLGA))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def approve(
    client: httpx.AsyncClient, app: FastAPI, decision_id: str, unit: str | None, **body: Any
) -> httpx.Response:
    return await client.post(f"/decisions/{decision_id}/approval", json=body, headers=leader(app, unit))


# --- Tolga: the unit leaders' final approval ----------------------------------------------------


@pytest.fixture
async def tolga_case(consumer: EventConsumer, clock: FixedClock) -> str:
    await assessed(consumer, clock, "case-1", TOLGA, at=oslo(2026, 3, 9, 11, 0))
    clock.set(oslo(2026, 3, 10, 13))
    return "case-1"


async def test_in_tolga_the_office_drafts_and_nothing_is_decided_until_the_unit_leader_approves(
    app: FastAPI, client: httpx.AsyncClient, tolga_case: str
) -> None:
    created = await draft(client, app, decision_body(tolga_case))

    assert (created["status"], created["decided_by"], created["decided_on"]) == (
        "awaiting_approval",
        "unit_leader",
        None,
    )
    assert created["approvals_required_from"] == ["home_care"]
    assert await emitted(app, DecisionMade) == []
    case = (await client.get(f"/cases/{tolga_case}", headers=auth(app, TOLGA))).json()
    assert (case["status"], case["pending_decision_id"]) == ("awaiting_approval", created["id"])
    pending = (
        await client.get("/decisions", params={"status": "awaiting_approval"}, headers=leader(app, "home_care"))
    ).json()
    assert [d["id"] for d in pending] == [created["id"]]

    approved = await approve(client, app, created["id"], "home_care")

    assert approved.status_code == 200, approved.text
    made = approved.json()
    assert (made["status"], made["decided_on"], made["approvals"][0]["unit"]) == ("made", "2026-03-10", "home_care")
    [event] = await emitted(app, DecisionMade)
    assert event.decided_by == "unit_leader"
    assert [o.unit for o in await emitted(app, ServiceOrdered)] == ["home_care"]
    text = pdf_text((await client.get(made["letter_url"], headers=auth(app, TOLGA))).content)
    assert "Vedtaket er godkjent av enhetsleder for Hjemmetjenesten etter innstilling fra Forvaltningskontoret." in text
    # Decided before Tuesday's meeting took it up: its agenda shows so.
    [scheduled] = await emitted(app, CaseScheduledForMeeting)
    meeting = (await client.get(f"/meetings/{scheduled.meeting_id}", headers=auth(app, TOLGA))).json()
    assert [(i["case_id"], i["status"]) for i in meeting["agenda"]] == [(tolga_case, "decided")]


async def test_only_the_leader_of_a_delivering_unit_approves(
    app: FastAPI, client: httpx.AsyncClient, tolga_case: str
) -> None:
    created = await draft(client, app, decision_body(tolga_case))

    without_unit = await approve(client, app, created["id"], None)
    other_unit = await approve(client, app, created["id"], "occupational_therapy")
    caseworker = await client.post(f"/decisions/{created['id']}/approval", json={}, headers=auth(app, TOLGA))

    assert (without_unit.status_code, other_unit.status_code, caseworker.status_code) == (403, 403, 403)
    assert "delivers none of this decision's services" in other_unit.json()["detail"]
    assert await emitted(app, DecisionMade) == []


async def test_a_decision_for_two_units_is_made_when_both_leaders_have_approved(
    app: FastAPI, client: httpx.AsyncClient, tolga_case: str
) -> None:
    services = [
        {"service_code": "home_nursing", "hours_per_week": 6, "start_on": "2026-03-16"},
        {"service_code": "short_term_stay", "start_on": "2026-04-01", "end_on": "2026-04-14"},
    ]
    created = await draft(client, app, decision_body(tolga_case, services=services))
    assert created["approvals_required_from"] == ["home_care", "nursing_home"]

    first = await approve(client, app, created["id"], "nursing_home")
    twice = await approve(client, app, created["id"], "nursing_home")
    second = await approve(client, app, created["id"], "home_care", decided_on="2026-03-10")

    assert first.json()["status"] == "awaiting_approval"
    assert twice.status_code == 409
    assert second.json()["status"] == "made"
    assert sorted(o.unit for o in await emitted(app, ServiceOrdered)) == ["home_care", "nursing_home"]


async def test_a_leader_returns_a_draft_with_a_reason_and_the_office_drafts_again(
    app: FastAPI, client: httpx.AsyncClient, tolga_case: str
) -> None:
    created = await draft(client, app, decision_body(tolga_case))

    no_reason = await approve(client, app, created["id"], "home_care", approved=False)
    returned = await approve(client, app, created["id"], "home_care", approved=False, reason="Vi kan tilby 4 timer.")

    assert no_reason.status_code == 422
    assert no_reason.json()["field"] == "reason"
    assert (returned.json()["status"], returned.json()["returned_reason"]) == ("returned", "Vi kan tilby 4 timer.")
    assert (await client.get(f"/cases/{tolga_case}", headers=auth(app, TOLGA))).json()["status"] == "awaiting_decision"
    fewer = [{"service_code": "home_nursing", "hours_per_week": 4, "start_on": "2026-03-16"}]
    again = await draft(
        client, app, decision_body(tolga_case, outcome="partly_granted", services=fewer, reasons=REASONS)
    )
    assert again["status"] == "awaiting_approval"


async def test_in_tolga_the_decision_date_is_the_final_approvals_not_the_drafts(
    app: FastAPI, client: httpx.AsyncClient, tolga_case: str
) -> None:
    before = await table_counts(app)

    response = await client.post(
        "/decisions", json=decision_body(tolga_case, decided_on="2026-03-10"), headers=auth(app, TOLGA)
    )

    assert response.status_code == 422
    assert response.json()["field"] == "decided_on"
    assert await table_counts(app) == before


# --- Holtålen: the monthly meeting decides ------------------------------------------------------


async def test_in_holtalen_a_childs_case_is_concluded_by_the_childrens_units_monthly_meeting_which_takes_the_appeal(
    app: FastAPI, client: httpx.AsyncClient, consumer: EventConsumer, clock: FixedClock
) -> None:
    await assessed(consumer, clock, "case-h", HOLTALEN, at=oslo(2026, 3, 10, 10, 0), route=Route.CHILDREN_UNIT)
    [scheduled] = await emitted(app, CaseScheduledForMeeting)
    meeting_id = scheduled.meeting_id
    assert scheduled.meeting_on.isoformat() == "2026-04-01"
    headers = auth(app, HOLTALEN)

    clock.set(oslo(2026, 3, 20, 9))
    too_early = await client.post("/decisions", json=decision_body("case-h"), headers=headers)
    early_outcome = await client.post(
        f"/meetings/{meeting_id}/outcomes",
        json={"case_id": "case-h", "result": "concluded", "outcome": "granted"},
        headers=headers,
    )
    assert too_early.status_code == 409
    assert "record the meeting's conclusion first" in too_early.json()["detail"]
    assert early_outcome.status_code == 409

    clock.set(oslo(2026, 4, 1, 11))
    no_attendees = await client.post(
        f"/meetings/{meeting_id}/outcomes",
        json={"case_id": "case-h", "result": "concluded", "outcome": "granted"},
        headers=headers,
    )
    assert no_attendees.status_code == 409
    assert (await client.post(f"/meetings/{meeting_id}/attendees", json=ATTENDEES, headers=headers)).status_code == 200
    concluded = await client.post(
        f"/meetings/{meeting_id}/outcomes",
        json={"case_id": "case-h", "result": "concluded", "outcome": "granted", "note": "Enige."},
        headers=headers,
    )
    assert concluded.status_code == 200, concluded.text
    [item] = concluded.json()["agenda"]
    assert (item["case_id"], item["status"], item["outcome"]) == ("case-h", "concluded", "granted")
    assert [a["name"] for a in concluded.json()["attendees"]] == ["Kari Nordmann", "Lise Berg"]

    other = await client.post(
        "/decisions",
        json=decision_body(
            "case-h", outcome="refused", services=[], refused_services=["home_nursing"], reasons=REASONS
        ),
        headers=headers,
    )
    assert other.status_code == 422
    assert other.json()["field"] == "outcome"

    made = await client.post("/decisions", json=decision_body("case-h"), headers=headers)
    assert made.status_code == 201, made.text
    decision = made.json()
    assert (decision["status"], decision["decided_by"], decision["decided_on"], decision["meeting_id"]) == (
        "made",
        "meeting",
        "2026-04-01",
        meeting_id,
    )
    # 29 April 2026 is a Wednesday.
    assert decision["appeal"]["deadline_on"] == "2026-04-29"
    assert decision["appeal"]["submit_to"] == "Koordinerende enhet for barn og unge"
    text = pdf_text((await client.get(decision["letter_url"], headers=headers)).content)
    assert "Vedtaket er fattet i Møte i koordinerende enhet for barn og unge 01.04.2026." in text
    assert "Holtålen kommune Koordinerende enhet for barn og unge Dato: 01.04.2026" in text, "from the children's unit"
    assert [d.responsible for d in await emitted(app, DeadlineScheduled)] == ["ke_children"]


async def test_in_holtalen_an_adults_case_is_decided_by_the_allocation_office_alone_not_the_childrens_meeting(
    app: FastAPI, client: httpx.AsyncClient, consumer: EventConsumer, clock: FixedClock
) -> None:
    await assessed(consumer, clock, "case-a", HOLTALEN, at=oslo(2026, 3, 10, 10, 0), route=Route.ALLOCATION_OFFICE)
    assert await emitted(app, CaseScheduledForMeeting) == [], "on no meeting's agenda"
    headers = auth(app, HOLTALEN)
    clock.set(oslo(2026, 3, 10, 13))
    case = (await client.get("/cases/case-a", headers=headers)).json()
    assert (case["route"], case["awaiting"], case["decided_by"], case["agenda"]) == (
        "allocation_office",
        "initial",
        "office",
        None,
    )

    made = await client.post("/decisions", json=decision_body("case-a"), headers=headers)

    assert made.status_code == 201, made.text
    decision = made.json()
    assert (decision["status"], decision["decided_by"], decision["decided_on"], decision["meeting_id"]) == (
        "made",
        "office",
        "2026-03-10",
        None,
    )
    assert decision["appeal"]["submit_to"] == "Forvaltningskontoret"
    text = pdf_text((await client.get(decision["letter_url"], headers=headers)).content)
    assert "Holtålen kommune Forvaltningskontoret Dato: 10.03.2026" in text, "from the allocation office"
    assert "Koordinerende enhet for barn og unge" not in text
    assert [d.responsible for d in await emitted(app, DeadlineScheduled)] == ["allocation_office"]


async def test_a_postponed_case_goes_on_the_next_months_agenda(
    app: FastAPI, client: httpx.AsyncClient, consumer: EventConsumer, clock: FixedClock
) -> None:
    await assessed(consumer, clock, "case-h", HOLTALEN, at=oslo(2026, 3, 10, 10, 0), route=Route.CHILDREN_UNIT)
    [first] = await emitted(app, CaseScheduledForMeeting)
    headers = auth(app, HOLTALEN)
    clock.set(oslo(2026, 4, 1, 11))
    await client.post(f"/meetings/{first.meeting_id}/attendees", json=ATTENDEES, headers=headers)

    postponed = await client.post(
        f"/meetings/{first.meeting_id}/outcomes",
        json={"case_id": "case-h", "result": "postponed", "note": "Venter på uttalelse fra BUP."},
        headers=headers,
    )

    assert postponed.status_code == 200, postponed.text
    assert postponed.json()["agenda"][0]["status"] == "postponed"
    [_, second] = await emitted(app, CaseScheduledForMeeting)
    assert second.meeting_on.isoformat() == "2026-05-06"
    meetings = (await client.get("/meetings", params={"from": "2026-05-01"}, headers=headers)).json()
    assert [(m["meeting_on"], [i["case_id"] for i in m["agenda"]]) for m in meetings] == [("2026-05-06", ["case-h"])]
    case = (await client.get("/cases/case-h", headers=headers)).json()
    assert (case["agenda"]["meeting_on"], case["agenda"]["status"]) == ("2026-05-06", "open")


# --- Tolga: an emergency measure ----------------------------------------------------------------


async def test_an_emergency_measure_from_sunday_is_raised_on_tuesday_then_decided_and_approved(
    app: FastAPI, client: httpx.AsyncClient, consumer: EventConsumer, clock: FixedClock
) -> None:
    await feed(consumer, clock, emergency_registered("case-e", TOLGA, registered_at=oslo(2026, 3, 8, 22, 0)))
    [scheduled] = await emitted(app, CaseScheduledForMeeting)
    assert (scheduled.meeting_on.isoformat(), scheduled.emergency_measure) == ("2026-03-10", True)
    headers = auth(app, TOLGA)
    clock.set(oslo(2026, 3, 9, 9))

    before_meeting = await client.post("/decisions", json=decision_body("case-e"), headers=headers)

    assert before_meeting.status_code == 409
    assert "emergency measure is raised at the first allocation meeting" in before_meeting.json()["detail"]
    case = (await client.get("/cases/case-e", headers=headers)).json()
    assert case["proposal"]["services"][0]["service_code"] == "home_nursing"

    clock.set(oslo(2026, 3, 10, 10))
    meeting = (await client.get(f"/meetings/{scheduled.meeting_id}", headers=headers)).json()
    assert [(i["case_id"], i["emergency_measure"], i["reason"]) for i in meeting["agenda"]] == [
        ("case-e", True, "emergency_measure")
    ]
    await client.post(f"/meetings/{scheduled.meeting_id}/attendees", json=ATTENDEES, headers=headers)
    await client.post(
        f"/meetings/{scheduled.meeting_id}/outcomes",
        json={"case_id": "case-e", "result": "concluded", "outcome": "granted"},
        headers=headers,
    )
    created = await draft(
        client,
        app,
        decision_body(
            "case-e", services=[{"service_code": "home_nursing", "hours_per_week": 3, "start_on": "2026-03-08"}]
        ),
    )
    made = (await approve(client, app, created["id"], "home_care")).json()

    assert made["status"] == "made"
    assert [e.letter_id for e in await emitted(app, LetterIssued)] == [made["letter_id"]]
