"""Assessment's HTTP API on a migrated SQLite database (Kafka never started): reading, who may see
what, assigning the assessor, visits and information requests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from contracts.assessment import (
    AssessorAssigned,
    InformationReceived,
    InformationRequested,
    VisitRecorded,
    VisitScheduled,
)
from contracts.deadlines import DeadlineCancelled, DeadlineScheduled
from contracts.topics import Topic
from servicekit.auth import TokenVerifier
from servicekit.calendar import is_working_day, next_working_day
from servicekit.clock import FixedClock
from servicekit.testing import emitted, fields_named, outbox_events
from services.assessment.tests.support import (
    MENTAL_HEALTH,
    NOW,
    PARTNER,
    PROBLEM,
    TODAY,
    TOLGA,
    auth,
    consent,
    deliver,
    open_assessment,
    snapshot,
    unit_auth,
    withdrawal_event,
)


def later(days: int) -> str:
    return (TODAY + timedelta(days=days)).isoformat()


# --- reading -------------------------------------------------------------------------------------


async def test_an_opened_assessment_reads_back_with_its_case_and_consent_snapshot(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    opened = await open_assessment(
        app, client, person_id="person-42", service_code="practical_assistance", emergency_measure=True
    )

    assert opened["municipality"] == TOLGA
    assert (opened["person_id"], opened["service_code"], opened["status"]) == (
        "person-42",
        "practical_assistance",
        "open",
    )
    assert (opened["route"], opened["involves_child"], opened["emergency_measure"]) == (
        "allocation_office",
        False,
        True,
    )
    assert opened["consent"] == {
        "scope": ["processing", "fetch_from_gp", "fetch_from_hospital", "sharing"],
        "share_with": [PARTNER],
    }
    empty: dict[str, Any] = {
        "assignment": None,
        "visits": [],
        "information_requests": [],
        "functional_scores": None,
        "criteria": None,
        "child_best_interests": [],
        "recommendation": None,
        "completed_by": None,
        "completed_at": None,
        "handed_over_to": [],
    }
    assert {k: opened[k] for k in empty} == empty


async def test_the_list_filters_by_status_and_case_and_pages_newest_first(
    app: FastAPI, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    first = await open_assessment(app, client)
    clock.advance(timedelta(minutes=5))
    second = await open_assessment(app, client)
    clock.advance(timedelta(minutes=5))
    third = await open_assessment(app, client)
    await client.post(
        f"/assessments/{second['id']}/assignment",
        json={"assignee_kind": "profession", "assignee": "nurse"},
        headers=auth(app),
    )
    headers = auth(app)

    page = (await client.get("/assessments", params={"limit": 2}, headers=headers)).json()
    rest = (await client.get("/assessments", params={"limit": 2, "offset": 2}, headers=headers)).json()
    in_progress = (await client.get("/assessments", params={"status": "in_progress"}, headers=headers)).json()
    by_case = (await client.get("/assessments", params={"case_id": first["case_id"]}, headers=headers)).json()

    assert (page["total"], page["limit"], page["offset"]) == (3, 2, 0)
    assert [i["id"] for i in page["items"] + rest["items"]] == [third["id"], second["id"], first["id"]]
    assert [i["id"] for i in in_progress["items"]] == [second["id"]]
    assert in_progress["total"] == 1
    assert [i["id"] for i in by_case["items"]] == [first["id"]]


async def test_the_list_refuses_an_unknown_status(app: FastAPI, client: httpx.AsyncClient) -> None:
    response = await client.get("/assessments", params={"status": "pending"}, headers=auth(app))

    assert response.status_code == 422
    assert fields_named(response.json()) == {"query.status"}


async def test_another_municipality_neither_sees_nor_changes_the_assessment(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    opened = await open_assessment(app, client)
    selbu = auth(app, "5032")
    before = await snapshot(app)

    single = await client.get(f"/assessments/{opened['id']}", headers=selbu)
    listing = await client.get("/assessments", headers=selbu)
    write = await client.post(
        f"/assessments/{opened['id']}/assignment",
        json={"assignee_kind": "unit", "assignee": "home_care"},
        headers=selbu,
    )

    assert single.status_code == 404
    assert single.headers["content-type"] == PROBLEM
    assert listing.json() == {"items": [], "total": 0, "limit": 50, "offset": 0}
    assert write.status_code == 404
    assert await snapshot(app) == before


@pytest.mark.parametrize("path", ["/assessments", "/assessments/some-id"])
async def test_reading_without_a_valid_token_is_401(app: FastAPI, client: httpx.AsyncClient, path: str) -> None:
    forged = TokenVerifier("someone-elses-secret-that-is-long-enough", issuer="forvalt", audience="forvalt").issue(
        municipality=TOLGA, roles=["caseworker"]
    )

    missing = await client.get(path)
    wrong = await client.get(path, headers={"Authorization": f"Bearer {forged}"})

    assert (missing.status_code, wrong.status_code) == (401, 401)
    assert missing.headers["content-type"] == PROBLEM


async def test_roles_without_business_with_assessments_may_not_read_them(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    opened = await open_assessment(app, client)
    integrator = auth(app, roles=("integrator",))

    assert (await client.get("/assessments", headers=integrator)).status_code == 403
    assert (await client.get(f"/assessments/{opened['id']}", headers=integrator)).status_code == 403
    assert (await client.get(f"/assessments/{opened['id']}", headers=auth(app, roles=("leader",)))).status_code == 200


async def test_a_unit_lists_and_reads_only_the_assessments_assigned_to_it(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    mine = await open_assessment(app, client)
    others = await open_assessment(app, client)
    await client.post(
        f"/assessments/{mine['id']}/assignment",
        json={"assignee_kind": "unit", "assignee": MENTAL_HEALTH},
        headers=auth(app),
    )

    listing = (await client.get("/assessments", headers=unit_auth(app))).json()
    other = await client.get(f"/assessments/{others['id']}", headers=unit_auth(app))
    no_claim = await client.get("/assessments", headers=auth(app, roles=("unit",)))

    assert [i["id"] for i in listing["items"]] == [mine["id"]]
    assert other.status_code == 403
    assert no_claim.status_code == 403
    assert "claim 'unit'" in no_claim.json()["detail"]


# --- assignment ----------------------------------------------------------------------------------


async def test_assigning_the_mental_health_unit_records_that_it_writes_its_own_assessment(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    opened = await open_assessment(app, client)

    response = await client.post(
        f"/assessments/{opened['id']}/assignment",
        json={"assignee_kind": "unit", "assignee": MENTAL_HEALTH},
        headers=auth(app),
    )

    assert response.status_code == 200, response.text
    state = response.json()
    assert state["status"] == "in_progress"
    assert state["assignment"] == {"assignee_kind": "unit", "assignee": MENTAL_HEALTH, "writes_own_assessment": True}
    assert await emitted(app, AssessorAssigned) == [
        AssessorAssigned(
            assessment_id=opened["id"],
            case_id=opened["case_id"],
            assignee_kind="unit",  # type: ignore[arg-type]
            assignee=MENTAL_HEALTH,
            writes_own_assessment=True,
        )
    ]


async def test_the_office_may_assign_a_profession_instead_of_a_unit(app: FastAPI, client: httpx.AsyncClient) -> None:
    opened = await open_assessment(app, client)

    response = await client.post(
        f"/assessments/{opened['id']}/assignment",
        json={"assignee_kind": "profession", "assignee": "occupational_therapist"},
        headers=auth(app),
    )

    assert response.status_code == 200
    [assigned] = await emitted(app, AssessorAssigned)
    assert (assigned.assignee_kind, assigned.assignee, assigned.writes_own_assessment) == (
        "profession",
        "occupational_therapist",
        False,
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"assignee_kind": "unit", "assignee": "respite_service"}, "assignee"),
        ({"assignee_kind": "team", "assignee": "home_care"}, "assignee_kind"),
        ({"assignee_kind": "profession", "assignee": "Nurse with notes on the patient"}, "assignee"),
    ],
    ids=["unit-of-another-municipality", "unknown-kind", "free-text-assignee"],
)
async def test_an_invalid_assignment_is_422_naming_the_field_and_changes_nothing(
    app: FastAPI, client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    opened = await open_assessment(app, client)
    before = await snapshot(app)

    response = await client.post(f"/assessments/{opened['id']}/assignment", json=body, headers=auth(app))

    assert response.status_code == 422
    assert field in fields_named(response.json())
    assert await snapshot(app) == before


async def test_only_a_caseworker_decides_who_assesses(app: FastAPI, client: httpx.AsyncClient) -> None:
    opened = await open_assessment(app, client)
    before = await snapshot(app)

    response = await client.post(
        f"/assessments/{opened['id']}/assignment",
        json={"assignee_kind": "unit", "assignee": "home_care"},
        headers=auth(app, roles=("leader",)),
    )

    assert response.status_code == 403
    assert "caseworker" in response.json()["detail"]
    assert await snapshot(app) == before


# --- visits --------------------------------------------------------------------------------------


async def test_a_visit_is_scheduled_then_recorded_with_notes_kept_here(app: FastAPI, client: httpx.AsyncClient) -> None:
    opened = await open_assessment(app, client)
    scheduled_at = NOW - timedelta(days=1)

    scheduled = await client.post(
        f"/assessments/{opened['id']}/visits",
        json={"kind": "home_visit", "scheduled_at": scheduled_at.isoformat()},
        headers=auth(app),
    )
    visit_id = scheduled.json()["id"]
    recorded = await client.post(
        f"/assessments/{opened['id']}/visits/{visit_id}/record",
        json={"held_at": scheduled_at.isoformat(), "notes": "Trenger hjelp med dusj"},
        headers=auth(app),
    )

    assert scheduled.status_code == 201, scheduled.text
    assert recorded.status_code == 200, recorded.text
    assert recorded.json()["notes"] == "Trenger hjelp med dusj"
    assert recorded.json()["recorded_by"] == "allocation_office"
    [visit] = (await client.get(f"/assessments/{opened['id']}", headers=auth(app))).json()["visits"]
    assert visit["kind"] == "home_visit"
    assert datetime.fromisoformat(visit["held_at"]) == scheduled_at
    assert await emitted(app, VisitScheduled) == [
        VisitScheduled(
            assessment_id=opened["id"],
            case_id=opened["case_id"],
            visit_id=visit_id,
            kind="home_visit",  # type: ignore[arg-type]
            scheduled_at=scheduled_at,
        )
    ]
    assert await emitted(app, VisitRecorded) == [
        VisitRecorded(assessment_id=opened["id"], case_id=opened["case_id"], visit_id=visit_id, held_at=scheduled_at)
    ]


async def test_a_visit_is_recorded_once_not_ahead_of_time_and_only_if_it_exists(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    opened = await open_assessment(app, client)
    base = f"/assessments/{opened['id']}/visits"
    now = NOW
    visit_id = (
        await client.post(base, json={"kind": "interview", "scheduled_at": now.isoformat()}, headers=auth(app))
    ).json()["id"]
    ahead = await client.post(
        f"{base}/{visit_id}/record",
        json={"held_at": (now + timedelta(days=1)).isoformat(), "notes": "x"},
        headers=auth(app),
    )
    first = await client.post(
        f"{base}/{visit_id}/record", json={"held_at": now.isoformat(), "notes": "samtale"}, headers=auth(app)
    )
    before = await snapshot(app)

    again = await client.post(
        f"{base}/{visit_id}/record", json={"held_at": now.isoformat(), "notes": "igjen"}, headers=auth(app)
    )
    unknown = await client.post(
        f"{base}/no-such-visit/record", json={"held_at": now.isoformat(), "notes": "x"}, headers=auth(app)
    )

    assert ahead.status_code == 422
    assert ahead.json()["field"] == "held_at"
    assert first.status_code == 200
    assert again.status_code == 409
    assert unknown.status_code == 404
    assert await snapshot(app) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "home_visit", "scheduled_at": "2026-12-01T10:00:00"}, "scheduled_at"),
        ({"kind": "phone_call", "scheduled_at": "2026-12-01T10:00:00+01:00"}, "kind"),
    ],
    ids=["time-without-zone", "unknown-kind"],
)
async def test_an_invalid_visit_is_422_and_changes_nothing(
    app: FastAPI, client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    opened = await open_assessment(app, client)
    before = await snapshot(app)

    response = await client.post(f"/assessments/{opened['id']}/visits", json=body, headers=auth(app))

    assert response.status_code == 422
    assert field in fields_named(response.json())
    assert await snapshot(app) == before


async def test_blank_visit_notes_are_refused(app: FastAPI, client: httpx.AsyncClient) -> None:
    opened = await open_assessment(app, client)
    now = NOW.isoformat()
    visit_id = (
        await client.post(
            f"/assessments/{opened['id']}/visits", json={"kind": "interview", "scheduled_at": now}, headers=auth(app)
        )
    ).json()["id"]

    response = await client.post(
        f"/assessments/{opened['id']}/visits/{visit_id}/record",
        json={"held_at": now, "notes": "   "},
        headers=auth(app),
    )

    assert response.status_code == 422
    assert "notes" in fields_named(response.json())


# --- information requests ------------------------------------------------------------------------


async def request_from(
    client: httpx.AsyncClient, app: FastAPI, assessment_id: str, source: str = "gp", due_on: str | None = None
) -> httpx.Response:
    return await client.post(
        f"/assessments/{assessment_id}/information-requests",
        json={"source": source, "due_on": due_on or later(14)},
        headers=auth(app),
    )


async def test_requesting_information_from_the_gp_starts_a_clock_on_deadlines(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    opened = await open_assessment(app, client)
    due_on = next_working_day(TODAY + timedelta(days=14))

    response = await request_from(client, app, opened["id"], due_on=due_on.isoformat())

    assert response.status_code == 201, response.text
    request = response.json()
    assert (request["source"], request["status"], request["overdue"]) == ("gp", "requested", False)
    assert request["due_on"] == due_on.isoformat()
    [requested] = await emitted(app, InformationRequested)
    assert requested == InformationRequested(
        assessment_id=opened["id"],
        case_id=opened["case_id"],
        request_id=request["id"],
        source="gp",  # type: ignore[arg-type]
        due_on=due_on,
    )
    [(topic, scheduled)] = [(t, e) for t, e in await outbox_events(app) if e.type == DeadlineScheduled.event_type]
    assert topic == Topic.DEADLINES
    assert scheduled.subject == opened["case_id"]
    assert scheduled.municipality == TOLGA
    assert (scheduled.data.kind, scheduled.data.responsible, scheduled.data.due_on) == (
        "information_request",
        "allocation_office",
        due_on,
    )


async def test_a_request_due_on_a_saturday_falls_due_on_the_next_working_day(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    opened = await open_assessment(app, client)
    saturday = TODAY + timedelta(days=7 + (5 - TODAY.weekday()) % 7)

    response = await request_from(client, app, opened["id"], due_on=saturday.isoformat())

    due_on = date.fromisoformat(response.json()["due_on"])
    assert due_on > saturday
    assert is_working_day(due_on)
    [scheduled] = await emitted(app, DeadlineScheduled)
    assert scheduled.due_on == due_on


@pytest.mark.parametrize(("source", "scope"), [("gp", "fetch_from_gp"), ("hospital", "fetch_from_hospital")])
async def test_requesting_without_the_consent_to_fetch_is_409_naming_the_scope_and_changes_nothing(
    app: FastAPI, client: httpx.AsyncClient, source: str, scope: str
) -> None:
    opened = await open_assessment(app, client, consent=consent("sharing"))
    before = await snapshot(app)

    response = await request_from(client, app, opened["id"], source=source)

    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM
    assert scope in response.json()["detail"]
    assert response.json()["field"] == "consent.scope"
    assert await snapshot(app) == before


@pytest.mark.parametrize("days", [0, -3])
async def test_a_request_must_fall_due_after_today(app: FastAPI, client: httpx.AsyncClient, days: int) -> None:
    opened = await open_assessment(app, client)
    before = await snapshot(app)

    response = await request_from(client, app, opened["id"], due_on=later(days))

    assert response.status_code == 422
    assert response.json()["field"] == "due_on"
    assert await snapshot(app) == before


async def test_receiving_the_information_stops_the_clock_and_is_recorded_once(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    opened = await open_assessment(app, client)
    request = (await request_from(client, app, opened["id"])).json()
    path = f"/assessments/{opened['id']}/information-requests/{request['id']}/received"

    received = await client.post(path, json={"received_on": TODAY.isoformat()}, headers=auth(app))
    before = await snapshot(app)
    again = await client.post(path, json={"received_on": TODAY.isoformat()}, headers=auth(app))

    assert received.status_code == 200, received.text
    assert (received.json()["status"], received.json()["received_on"]) == ("received", TODAY.isoformat())
    assert again.status_code == 409
    assert await snapshot(app) == before
    assert await emitted(app, InformationReceived) == [
        InformationReceived(
            assessment_id=opened["id"], case_id=opened["case_id"], request_id=request["id"], received_on=TODAY
        )
    ]
    [scheduled] = await emitted(app, DeadlineScheduled)
    [cancelled] = await emitted(app, DeadlineCancelled)
    assert (cancelled.deadline_id, cancelled.reason) == (scheduled.deadline_id, "information_received")


async def test_information_received_in_the_future_is_refused(app: FastAPI, client: httpx.AsyncClient) -> None:
    opened = await open_assessment(app, client)
    request = (await request_from(client, app, opened["id"])).json()
    before = await snapshot(app)

    response = await client.post(
        f"/assessments/{opened['id']}/information-requests/{request['id']}/received",
        json={"received_on": later(1)},
        headers=auth(app),
    )

    assert response.status_code == 422
    assert response.json()["field"] == "received_on"
    assert await snapshot(app) == before


async def test_a_request_past_due_and_not_received_is_listed_as_overdue(
    app: FastAPI, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    opened = await open_assessment(app, client)
    late = (await request_from(client, app, opened["id"], due_on=later(3))).json()
    answered = (await request_from(client, app, opened["id"], source="hospital", due_on=later(3))).json()
    waiting = (await request_from(client, app, opened["id"], due_on=later(60))).json()
    await client.post(
        f"/assessments/{opened['id']}/information-requests/{answered['id']}/received",
        json={"received_on": TODAY.isoformat()},
        headers=auth(app),
    )
    clock.advance(timedelta(days=30))
    base = f"/assessments/{opened['id']}/information-requests"

    listed = {r["id"]: r["overdue"] for r in (await client.get(base, headers=auth(app))).json()}
    overdue = (await client.get(base, params={"overdue": "true"}, headers=auth(app))).json()
    in_state = {
        r["id"]: r["overdue"]
        for r in (await client.get(f"/assessments/{opened['id']}", headers=auth(app))).json()["information_requests"]
    }

    assert listed == {late["id"]: True, answered["id"]: False, waiting["id"]: False}
    assert [r["id"] for r in overdue] == [late["id"]]
    assert in_state == listed


async def test_today_is_the_norwegian_day_of_the_services_clock_never_the_machines(
    app: FastAPI, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    """Every rule on "today" follows the injected clock. At two instants years apart, a request due that day is
    refused and one due the next day accepted: no single date of the machine makes both true."""
    opened = await open_assessment(app, client)
    base = f"/assessments/{opened['id']}/information-requests"

    due_today = await request_from(client, app, opened["id"], due_on=TODAY.isoformat())
    due_tomorrow = await request_from(client, app, opened["id"], due_on=later(1))
    # 22:30 UTC on Monday 2 June 2031 is already Tuesday 3 June in Norway, the day the law counts.
    clock.set(datetime(2031, 6, 2, 22, 30, tzinfo=UTC))
    overdue_then = {r["id"]: r["overdue"] for r in (await client.get(base, headers=auth(app))).json()}
    then_due_today = await request_from(client, app, opened["id"], due_on="2031-06-03")
    then_due_tomorrow = await request_from(client, app, opened["id"], due_on="2031-06-04")
    received = f"{base}/{due_tomorrow.json()['id']}/received"
    received_ahead = await client.post(received, json={"received_on": "2031-06-04"}, headers=auth(app))
    received_today = await client.post(received, json={"received_on": "2031-06-03"}, headers=auth(app))

    assert (due_today.status_code, due_tomorrow.status_code) == (422, 201), due_tomorrow.text
    assert due_today.json()["field"] == "due_on"
    assert due_tomorrow.json()["requested_on"] == TODAY.isoformat() == "2026-11-23"
    assert overdue_then == {due_tomorrow.json()["id"]: True}
    assert (then_due_today.status_code, then_due_tomorrow.status_code) == (422, 201), then_due_tomorrow.text
    assert then_due_tomorrow.json()["requested_on"] == "2031-06-03"
    assert (received_ahead.status_code, received_today.status_code) == (422, 200), received_today.text
    assert received_ahead.json()["field"] == "received_on"


async def test_withdrawn_gp_consent_cancels_the_open_gp_request_and_refuses_new_ones(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    opened = await open_assessment(app, client)
    gp = (await request_from(client, app, opened["id"])).json()
    hospital = (await request_from(client, app, opened["id"], source="hospital")).json()

    await deliver(app, withdrawal_event(opened["case_id"], remaining=consent("fetch_from_hospital", "sharing")))

    state = (await client.get(f"/assessments/{opened['id']}", headers=auth(app))).json()
    statuses = {r["id"]: r["status"] for r in state["information_requests"]}
    assert statuses == {gp["id"]: "cancelled_consent_withdrawn", hospital["id"]: "requested"}
    assert state["consent"]["scope"] == ["processing", "fetch_from_hospital", "sharing"]
    [cancelled] = await emitted(app, DeadlineCancelled)
    assert cancelled.reason == "consent_withdrawn"
    refused = await request_from(client, app, opened["id"])
    assert refused.status_code == 409
    assert "fetch_from_gp" in refused.json()["detail"]
    late_answer = await client.post(
        f"/assessments/{opened['id']}/information-requests/{gp['id']}/received",
        json={"received_on": TODAY.isoformat()},
        headers=auth(app),
    )
    assert late_answer.status_code == 409
    assert (await request_from(client, app, opened["id"], source="hospital")).status_code == 201


async def test_a_unit_does_not_request_information_the_office_does(app: FastAPI, client: httpx.AsyncClient) -> None:
    opened = await open_assessment(app, client)
    await client.post(
        f"/assessments/{opened['id']}/assignment",
        json={"assignee_kind": "unit", "assignee": MENTAL_HEALTH},
        headers=auth(app),
    )
    before = await snapshot(app)

    response = await client.post(
        f"/assessments/{opened['id']}/information-requests",
        json={"source": "gp", "due_on": later(7)},
        headers=unit_auth(app),
    )

    assert response.status_code == 403
    assert await snapshot(app) == before
