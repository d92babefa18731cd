"""Coordination's routes through the ASGI client: a referral arrives from intake, the coordinating unit weighs the
criteria and asks for the decisions, appoints a coordinator and records the change notices; the free text never
leaves the service, and no municipality sees another's referrals."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
from fastapi import FastAPI

from contracts.coordination import (
    CoordinationDeclined,
    CoordinatorAppointed,
    CoordinatorChanged,
    DecisionRequested,
    HomeVisitPlanned,
    ProposedResult,
    ReferralAssessed,
    RequestedRight,
)
from contracts.deadlines import DeadlineKind, DeadlineScheduled
from contracts.decision import Outcome
from contracts.topics import Topic
from servicekit.consumer import Outcome as Delivery
from servicekit.testing import emitted, fields_named, outbox_events
from services.coordination.tests.support import (
    ALESUND,
    HOLTALEN,
    SELBU,
    auth,
    child_application_event,
    decision_made,
    deliver,
    referral_event,
)

PROBLEM = "application/problem+json"
JUDGEMENT = "Nyfødt med sammensatte vansker; oppfølging fra sykehuset, helsestasjonen og hjemmesykepleien."
WISHES = "Foreldrene ønsker helsesykepleieren de allerede kjenner."
GRANT_BOTH = {"coordinator": {"result": "grant"}, "individual_plan": {"result": "grant"}}


async def _opened(app: FastAPI, client: httpx.AsyncClient, municipality: str, **overrides: Any) -> dict[str, Any]:
    event = referral_event(municipality, **overrides)
    assert await deliver(app, event) is Delivery.PROCESSED
    page = (await client.get("/referrals", params={"case_id": event.subject}, headers=auth(app, municipality))).json()
    [item] = page["items"]
    found: dict[str, Any] = item
    return found


async def _assessed_and_granted(app: FastAPI, client: httpx.AsyncClient, municipality: str) -> dict[str, Any]:
    referral = await _opened(app, client, municipality, involves_child=True)
    headers = auth(app, municipality)
    body = {"long_term_need": True, "services_from_different_providers": True, "judgement": JUDGEMENT}
    assessed = await client.put(
        f"/referrals/{referral['id']}/assessment", json={**body, "proposals": GRANT_BOTH}, headers=headers
    )
    assert assessed.status_code == 200, assessed.text
    requested = await client.post(f"/referrals/{referral['id']}/decision-requests", headers=headers)
    assert requested.status_code == 200, requested.text
    made = decision_made(municipality, referral["case_id"], "person-1", "coordinator", "individual_plan")
    assert await deliver(app, made) is Delivery.PROCESSED
    # Selbu's ToK links in the services and chooses how they work together before the coordinator is chosen.
    arrangement = {"form": "responsibility_group", "linked_units": ["home_care"], "consent_on": "2026-11-20"}
    chosen = await client.put(f"/referrals/{referral['id']}/arrangement", json=arrangement, headers=headers)
    assert chosen.status_code == 200, chosen.text
    return referral


async def test_a_newborns_hospital_referral_to_a_coordinator_who_stays_when_the_parents_decline_the_plan(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    referral = await _opened(app, client, ALESUND, involves_child=True)
    headers = auth(app, ALESUND)
    rid = referral["id"]
    assert (referral["unit"], referral["status"]) == ("ke_habilitation", "open")

    born = await client.put(f"/referrals/{rid}/child", json={"born_on": "2026-11-05"}, headers=headers)
    assert born.status_code == 200, born.text
    assert born.json()["home_visit"]["due_on"] == "2026-12-04"

    assessment = {
        "long_term_need": True,
        "services_from_different_providers": True,
        "judgement": JUDGEMENT,
        "proposals": GRANT_BOTH,
    }
    assessed = await client.put(f"/referrals/{rid}/assessment", json=assessment, headers=headers)
    assert assessed.status_code == 200, assessed.text
    assert assessed.json()["assessment"]["criteria_met"] is True

    asked = await client.post(f"/referrals/{rid}/decision-requests", headers=headers)
    assert asked.status_code == 200, asked.text
    assert asked.json()["status"] == "decision_requested"
    requests = await emitted(app, DecisionRequested)
    assert {(r.right, r.proposed, r.requested_by) for r in requests} == {
        (RequestedRight.COORDINATOR, ProposedResult.GRANT, "ke_habilitation"),
        (RequestedRight.INDIVIDUAL_PLAN, ProposedResult.GRANT, "ke_habilitation"),
    }

    made = decision_made(ALESUND, referral["case_id"], "person-1", "coordinator", "individual_plan")
    assert await deliver(app, made) is Delivery.PROCESSED

    appointment = {
        "role": "coordinator",
        "coordinator": "anne",
        "unit": "home_care",
        "wishes": WISHES,
        "wishes_met": True,
    }
    appointed = await client.post(f"/referrals/{rid}/coordinator", json=appointment, headers=headers)
    assert appointed.status_code == 201, appointed.text
    assert appointed.json()["coordinator"]["unit"] == "home_care"

    notice = {"declined": "individual_plan", "declined_on": "2026-11-23"}
    declined = await client.post(f"/referrals/{rid}/change-notices", json=notice, headers=headers)
    assert declined.status_code == 200, declined.text
    after = declined.json()
    assert after["plan_declined_on"] == "2026-11-23"
    assert after["coordinator"]["coordinator"] == "anne"
    assert after["outcomes"] == {"coordinator": "granted", "individual_plan": "granted"}

    [visit] = await emitted(app, HomeVisitPlanned)
    assert visit.due_on == date(2026, 12, 4)
    assert [d.kind for d in await emitted(app, DeadlineScheduled)] == [
        DeadlineKind.ANNUAL_REPORT,
        DeadlineKind.HOME_VISIT,
    ]
    assert len(await emitted(app, ReferralAssessed)) == 1
    assert len(await emitted(app, CoordinatorAppointed)) == 1
    [plan] = await emitted(app, CoordinationDeclined)
    assert plan.coordinator_kept is True


async def test_the_judgement_reasons_and_wishes_never_leave_the_service(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    referral = await _assessed_and_granted(app, client, SELBU)
    appointment = {"role": "coordinator", "coordinator": "anne", "unit": "home_care", "wishes": WISHES}
    response = await client.post(f"/referrals/{referral['id']}/coordinator", json=appointment, headers=auth(app, SELBU))
    assert response.status_code == 201, response.text

    payloads = [e.to_json().decode() for _, e in await outbox_events(app)]
    assert payloads
    assert not any("sammensatte vansker" in p or "helsesykepleieren" in p for p in payloads)
    read = (await client.get(f"/referrals/{referral['id']}", headers=auth(app, SELBU))).json()
    assert (read["assessment"]["judgement"], read["coordinator"]["wishes"]) == (JUDGEMENT, WISHES)


async def test_a_refusal_without_written_reasons_is_a_problem_naming_the_field(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    referral = await _opened(app, client, SELBU)
    body = {
        "long_term_need": False,
        "judgement": "Kortvarig behov.",
        "proposals": {"coordinator": {"result": "refuse"}, "individual_plan": {"result": "refuse", "reasons": "Kort."}},
    }

    response = await client.put(f"/referrals/{referral['id']}/assessment", json=body, headers=auth(app, SELBU))

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert fields_named(response.json()) == {"proposals.coordinator.reasons"}
    assert await emitted(app, ReferralAssessed) == []


async def test_a_change_of_coordinator_is_recorded_with_its_reason(app: FastAPI, client: httpx.AsyncClient) -> None:
    referral = await _assessed_and_granted(app, client, SELBU)
    headers = auth(app, SELBU)
    first = {"role": "coordinator", "coordinator": "anne", "unit": "home_care"}
    assert (
        await client.post(f"/referrals/{referral['id']}/coordinator", json=first, headers=headers)
    ).status_code == 201

    change = {"coordinator": "berit", "unit": "tok", "reason": "coordinator_left"}
    changed = await client.post(f"/referrals/{referral['id']}/coordinator-changes", json=change, headers=headers)

    assert changed.status_code == 200, changed.text
    history = changed.json()["coordinator_history"]
    assert [(h["coordinator"], h["end_reason"]) for h in history] == [("anne", "coordinator_left"), ("berit", None)]
    [event] = await emitted(app, CoordinatorChanged)
    assert (event.coordinator, event.unit, event.reason) == ("berit", "tok", "coordinator_left")


async def test_a_coordinator_before_the_right_is_decided_is_a_conflict(app: FastAPI, client: httpx.AsyncClient) -> None:
    referral = await _opened(app, client, SELBU)
    body = {"role": "coordinator", "coordinator": "anne", "unit": "home_care"}

    response = await client.post(f"/referrals/{referral['id']}/coordinator", json=body, headers=auth(app, SELBU))

    assert response.status_code == 409
    assert fields_named(response.json()) == {"role"}


async def test_a_child_coordinator_for_a_born_child_schedules_the_end_at_18_on_the_deadlines_topic(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    event = child_application_event(HOLTALEN, child_person_id="child-1", expected_birth_on=None)
    assert await deliver(app, event) is Delivery.PROCESSED
    headers = auth(app, HOLTALEN, unit="ke_children")
    [referral] = (await client.get("/referrals", headers=headers)).json()["items"]
    rid = referral["id"]
    assert (
        await client.put(f"/referrals/{rid}/child", json={"born_on": "2026-11-05"}, headers=headers)
    ).status_code == 200
    body = {"long_term_need": True, "judgement": JUDGEMENT, "proposals": {"child_coordinator": {"result": "grant"}}}
    assert (await client.put(f"/referrals/{rid}/assessment", json=body, headers=headers)).status_code == 200
    assert (await client.post(f"/referrals/{rid}/decision-requests", headers=headers)).status_code == 200
    [request] = await emitted(app, DecisionRequested)
    assert request.person_id == "child-1"
    made = decision_made(HOLTALEN, event.subject, "child-1", "child_coordinator")
    assert await deliver(app, made) is Delivery.PROCESSED

    appointment = {"role": "child_coordinator", "coordinator": "hilde", "unit": "public_health_nurse"}
    appointed = await client.post(f"/referrals/{rid}/coordinator", json=appointment, headers=headers)

    assert appointed.status_code == 201, appointed.text
    assert appointed.json()["coordinator"]["ends_on"] == "2044-11-05"
    clocks = [(topic, e.data) for topic, e in await outbox_events(app) if isinstance(e.data, DeadlineScheduled)]
    assert [(t, d.kind, d.due_on) for t, d in clocks] == [
        (Topic.DEADLINES, DeadlineKind.ANNUAL_REPORT, date(2027, 11, 15)),
        (Topic.DEADLINES, DeadlineKind.CHILD_COORDINATOR_ENDS, date(2044, 11, 4)),
    ]


async def test_a_refused_decision_leaves_no_right_to_appoint_a_coordinator_on(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    referral = await _opened(app, client, SELBU)
    headers = auth(app, SELBU)
    body = {
        "long_term_need": True,
        "services_from_different_providers": False,
        "judgement": "Ett tjenestetilbud.",
        "proposals": {
            "coordinator": {"result": "refuse", "reasons": "Bare én tjenesteyter."},
            "individual_plan": {"result": "refuse", "reasons": "Bare én tjenesteyter."},
        },
    }
    assert (await client.put(f"/referrals/{referral['id']}/assessment", json=body, headers=headers)).status_code == 200
    assert (await client.post(f"/referrals/{referral['id']}/decision-requests", headers=headers)).status_code == 200
    refused = decision_made(SELBU, referral["case_id"], "person-1", outcome=Outcome.REFUSED)
    assert await deliver(app, refused) is Delivery.PROCESSED

    read = (await client.get(f"/referrals/{referral['id']}", headers=headers)).json()
    assert read["outcomes"] == {"coordinator": "refused", "individual_plan": "refused"}
    appointment = {"role": "coordinator", "coordinator": "anne", "unit": "home_care"}
    assert (
        await client.post(f"/referrals/{referral['id']}/coordinator", json=appointment, headers=headers)
    ).status_code == 409


async def test_another_municipality_sees_none_of_a_referral(app: FastAPI, client: httpx.AsyncClient) -> None:
    referral = await _opened(app, client, SELBU)

    read = await client.get(f"/referrals/{referral['id']}", headers=auth(app, ALESUND))
    listed = await client.get("/referrals", headers=auth(app, ALESUND))

    assert read.status_code == 404
    assert read.headers["content-type"] == PROBLEM
    assert listed.json() == {"items": [], "total": 0, "limit": 50, "offset": 0}


async def test_a_token_of_another_unit_lists_none_and_a_leader_reads_but_does_not_write(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    referral = await _opened(app, client, SELBU)

    other_unit = await client.get("/referrals", headers=auth(app, SELBU, unit="home_care"))
    leader = auth(app, SELBU, roles=("leader",))
    read = await client.get(f"/referrals/{referral['id']}", headers=leader)
    write = await client.post(f"/referrals/{referral['id']}/decision-requests", headers=leader)

    assert other_unit.json()["total"] == 0
    assert read.status_code == 200
    assert write.status_code == 403


async def test_every_route_documents_its_problem_answers(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    for path, operations in paths.items():
        if not path.startswith(("/referrals", "/plans", "/meetings", "/training-needs", "/annual-reports")):
            continue
        for method, operation in operations.items():
            names_one = "_id}" in path
            assert "404" in operation["responses"] or not names_one, (method, path)
            assert "403" in operation["responses"], (method, path)
