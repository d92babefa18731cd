"""The coordinating unit's routine through the ASGI client: Selbu links in services and chooses a responsibility
group before the coordinator, the individual plan is versioned and read by its participants only, meetings owe
their minutes, training is due within six months, and the annual report counts it all as JSON and CSV."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import httpx
from fastapi import FastAPI

from contracts.coordination import ArrangementChosen, MeetingHeld, PlanRevised
from contracts.deadlines import DeadlineCancelled, DeadlineKind, DeadlineScheduled
from contracts.topics import Topic
from servicekit.consumer import Outcome as Delivery
from servicekit.testing import emitted, fields_named, outbox_events
from services.coordination.tests.support import ALESUND, SELBU, auth, decision_made, deliver
from services.coordination.tests.test_api import GRANT_BOTH, JUDGEMENT, _opened

GOAL = "Jeg vil klare meg hjemme og gå på jobb to dager i uka."
MINUTES = "Drøftet fremdrift; hjemmetjenesten øker besøkene."


async def _granted(app: FastAPI, client: httpx.AsyncClient, municipality: str) -> dict[str, Any]:
    referral = await _opened(app, client, municipality)
    headers = auth(app, municipality)
    body = {"long_term_need": True, "services_from_different_providers": True, "judgement": JUDGEMENT}
    r = await client.put(
        f"/referrals/{referral['id']}/assessment", json={**body, "proposals": GRANT_BOTH}, headers=headers
    )
    assert r.status_code == 200, r.text
    r = await client.post(f"/referrals/{referral['id']}/decision-requests", headers=headers)
    assert r.status_code == 200, r.text
    made = decision_made(municipality, referral["case_id"], "person-1", "coordinator", "individual_plan")
    assert await deliver(app, made) is Delivery.PROCESSED
    return referral


async def test_selbu_links_in_the_services_and_chooses_a_responsibility_group_before_the_coordinator(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    referral = await _granted(app, client, SELBU)
    headers = auth(app, SELBU)
    rid = referral["id"]
    appointment = {"role": "coordinator", "coordinator": "anne", "unit": "home_care"}

    early = await client.post(f"/referrals/{rid}/coordinator", json=appointment, headers=headers)
    assert early.status_code == 409
    assert fields_named(early.json()) == {"arrangement"}

    no_consent = {"form": "responsibility_group", "linked_units": ["home_care"]}
    refused = await client.put(f"/referrals/{rid}/arrangement", json=no_consent, headers=headers)
    assert refused.status_code == 422
    assert fields_named(refused.json()) == {"consent_on"}

    choice = {**no_consent, "linked_units": ["home_care", "mental_health_substance_abuse"], "consent_on": "2026-11-20"}
    chosen = await client.put(f"/referrals/{rid}/arrangement", json=choice, headers=headers)
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["arrangement"]["form"] == "responsibility_group"

    appointed = await client.post(f"/referrals/{rid}/coordinator", json=appointment, headers=headers)
    assert appointed.status_code == 201, appointed.text
    [event] = await emitted(app, ArrangementChosen)
    assert event.linked_units == ["home_care", "mental_health_substance_abuse"]


async def test_an_unknown_unit_linked_in_is_a_problem_naming_the_field(app: FastAPI, client: httpx.AsyncClient) -> None:
    referral = await _granted(app, client, SELBU)
    choice = {"form": "collaboration_meeting", "linked_units": ["school"], "consent_on": "2026-11-20"}

    response = await client.put(f"/referrals/{referral['id']}/arrangement", json=choice, headers=auth(app, SELBU))

    assert response.status_code == 422
    assert fields_named(response.json()) == {"linked_units"}


async def test_the_plan_is_versioned_read_by_its_participants_only_and_its_content_stays_here(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    referral = await _granted(app, client, ALESUND)
    headers = auth(app, ALESUND)
    created = await client.post(f"/referrals/{referral['id']}/plan", headers=headers)
    assert created.status_code == 201, created.text
    pid = created.json()["id"]

    assert (await client.post(f"/plans/{pid}/goals", json={"text": GOAL}, headers=headers)).status_code == 200
    goal_id = (await client.get(f"/plans/{pid}", headers=headers)).json()["goals"][0]["id"]
    measure = {"description": "Hjemmesykepleie morgen og kveld", "responsible_unit": "home_care", "goal_id": goal_id}
    measured = await client.post(f"/plans/{pid}/measures", json={**measure, "due_on": "2027-01-15"}, headers=headers)
    assert measured.status_code == 200, measured.text
    noted = await client.post(f"/plans/{pid}/notes", json={"text": "Første uke gikk bra."}, headers=headers)
    assert noted.status_code == 200, noted.text
    review = {"reviewed_on": "2026-11-23", "summary": "Planen følges.", "next_review_on": "2027-05-01"}
    reviewed = await client.post(f"/plans/{pid}/reviews", json=review, headers=headers)
    assert reviewed.status_code == 200, reviewed.text
    assert reviewed.json()["version"] == 5

    versions = (await client.get(f"/plans/{pid}/versions", headers=headers)).json()
    assert [v["change"] for v in versions] == [None, "goal_added", "measure_added", "note_added", "reviewed"]
    assert versions[1]["content"]["goals"][0]["text"] == GOAL

    outsider = auth(app, ALESUND, unit="nursing_home")
    assert (await client.get(f"/plans/{pid}", headers=outsider)).status_code == 404
    assert (await client.get(f"/referrals/{referral['id']}/plan", headers=outsider)).status_code == 404
    assert (await client.get(f"/plans/{pid}", headers=auth(app, SELBU))).status_code == 404

    blank = await client.post(f"/plans/{pid}/goals", json={"text": "  "}, headers=headers)
    assert blank.status_code == 422
    assert fields_named(blank.json()) == {"text"}

    payloads = [e.to_json().decode() for _, e in await outbox_events(app)]
    assert not any("jobb to dager" in p or "Første uke" in p or "Planen følges" in p for p in payloads)
    assert [e.version for e in await emitted(app, PlanRevised)] == [2, 3, 4, 5]


async def test_a_held_meeting_owes_minutes_on_the_deadlines_topic_until_they_are_recorded(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    referral = await _granted(app, client, ALESUND)
    headers = auth(app, ALESUND)
    appointment = {"role": "coordinator", "coordinator": "anne", "unit": "home_care"}
    assert (
        await client.post(f"/referrals/{referral['id']}/coordinator", json=appointment, headers=headers)
    ).status_code == 201

    body = {"kind": "coordination", "planned_on": "2026-11-23", "invited": ["home_care", "gp"]}
    called = await client.post(f"/referrals/{referral['id']}/meetings", json=body, headers=headers)
    assert called.status_code == 201, called.text
    meeting = called.json()
    assert meeting["members"] == ["coordinator", "person", "home_care", "gp"]

    held = await client.put(
        f"/meetings/{meeting['id']}/held",
        json={"held_on": "2026-11-23", "participants": ["coordinator", "person", "gp"]},
        headers=headers,
    )
    assert held.status_code == 200, held.text
    clocks = [(t, e.data) for t, e in await outbox_events(app) if isinstance(e.data, DeadlineScheduled)]
    [(topic, clock)] = [(t, d) for t, d in clocks if d.kind == DeadlineKind.MEETING_MINUTES]
    assert (topic, clock.due_on) == (Topic.DEADLINES, date(2026, 11, 30))

    minutes = {"minutes": MINUTES, "follow_ups": [{"description": "Øke besøk", "responsible": "home_care"}]}
    recorded = await client.put(f"/meetings/{meeting['id']}/minutes", json=minutes, headers=headers)
    assert recorded.status_code == 200, recorded.text
    assert recorded.json()["follow_ups"][0]["responsible"] == "home_care"
    [stopped] = await emitted(app, DeadlineCancelled)
    assert (stopped.deadline_id, stopped.reason) == (clock.deadline_id, "minutes_recorded")
    [event] = await emitted(app, MeetingHeld)
    assert (event.coordinator, event.participants) == ("anne", 3)
    assert not any("hjemmetjenesten øker" in e.to_json().decode() for _, e in await outbox_events(app))

    listed = (await client.get(f"/referrals/{referral['id']}/meetings", headers=headers)).json()
    assert [m["minutes"] for m in listed] == [MINUTES]


async def test_a_coordination_meeting_without_a_coordinator_is_a_conflict(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    referral = await _granted(app, client, ALESUND)
    body = {"kind": "responsibility_group", "planned_on": "2026-11-30"}

    response = await client.post(f"/referrals/{referral['id']}/meetings", json=body, headers=auth(app, ALESUND))

    assert response.status_code == 409
    assert fields_named(response.json()) == {"kind"}


async def test_the_hospital_calls_a_collaboration_meeting_before_discharge(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    referral = await _opened(app, client, ALESUND)
    body = {"kind": "discharge_collaboration", "planned_on": "2026-11-25", "called_by": "hospital_paediatrics"}

    called = await client.post(f"/referrals/{referral['id']}/meetings", json=body, headers=auth(app, ALESUND))

    assert called.status_code == 201, called.text
    assert (called.json()["called_by"], called.json()["coordinator"]) == ("hospital_paediatrics", None)


async def test_training_is_due_within_six_months_and_its_completion_stops_the_clock(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    headers = auth(app, ALESUND, roles=("leader",), unit="home_care")
    body = {
        "coordinator": "anne",
        "unit": "home_care",
        "kind": "initial",
        "needs": "Ny koordinator; trenger opplæring i individuell plan.",
        "requested_on": "2026-08-31",
    }

    registered = await client.post("/training-needs", json=body, headers=headers)

    assert registered.status_code == 201, registered.text
    need = registered.json()
    # 31 August + 6 months is Sunday 28 February 2027: the duty falls on the Friday before.
    assert (need["due_on"], need["coordinating_unit"]) == ("2027-02-26", "ke_habilitation")
    [(topic, clock)] = [
        (t, e.data)
        for t, e in await outbox_events(app)
        if isinstance(e.data, DeadlineScheduled) and e.data.kind == DeadlineKind.COORDINATOR_TRAINING
    ]
    assert (topic, clock.due_on, clock.responsible) == (Topic.DEADLINES, date(2027, 2, 26), "ke_habilitation")
    assert not any("opplæring i individuell" in e.to_json().decode() for _, e in await outbox_events(app))

    ke = auth(app, ALESUND, unit="ke_habilitation")
    done = await client.put(f"/training-needs/{need['id']}/completion", json={"completed_on": "2026-11-23"}, headers=ke)
    assert done.status_code == 200, done.text
    [stopped] = await emitted(app, DeadlineCancelled)
    assert (stopped.deadline_id, stopped.kind, stopped.reason) == (
        clock.deadline_id,
        DeadlineKind.COORDINATOR_TRAINING,
        "training_completed",
    )
    again = await client.put(
        f"/training-needs/{need['id']}/completion", json={"completed_on": "2026-11-23"}, headers=ke
    )
    assert again.status_code == 409
    assert (await client.get(f"/training-needs/{need['id']}", headers=ke)).json()["completed_on"] == "2026-11-23"
    other_unit = auth(app, ALESUND, unit="nursing_home")
    assert (await client.get(f"/training-needs/{need['id']}", headers=other_unit)).status_code == 403


async def test_a_training_need_of_an_unknown_unit_is_a_problem_naming_the_field(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    body = {
        "coordinator": "anne",
        "unit": "school",
        "kind": "refresher",
        "needs": "Oppfrisking.",
        "requested_on": "2026-11-20",
    }

    response = await client.post("/training-needs", json=body, headers=auth(app, ALESUND))

    assert response.status_code == 422
    assert fields_named(response.json()) == {"unit"}


async def test_the_annual_report_counts_exactly_what_was_recorded_as_json_and_csv(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    referral = await _granted(app, client, SELBU)
    headers = auth(app, SELBU)
    rid = referral["id"]
    choice = {"form": "collaboration_meeting", "linked_units": ["home_care"], "consent_on": "2026-11-20"}
    assert (await client.put(f"/referrals/{rid}/arrangement", json=choice, headers=headers)).status_code == 200
    meeting = (
        await client.post(
            f"/referrals/{rid}/meetings", json={"kind": "collaboration", "planned_on": "2026-11-23"}, headers=headers
        )
    ).json()
    held = {"held_on": "2026-11-23", "participants": ["person"]}
    assert (await client.put(f"/meetings/{meeting['id']}/held", json=held, headers=headers)).status_code == 200
    appointment = {"role": "coordinator", "coordinator": "anne", "unit": "home_care"}
    assert (await client.post(f"/referrals/{rid}/coordinator", json=appointment, headers=headers)).status_code == 201
    assert (await client.post(f"/referrals/{rid}/plan", headers=headers)).status_code == 201

    report = await client.get("/annual-reports/2026", headers=auth(app, SELBU, roles=("leader",)))
    as_csv = await client.get("/annual-reports/2026/csv", headers=auth(app, SELBU, roles=("leader",)))

    assert report.status_code == 200, report.text
    [unit] = report.json()["units"]
    assert report.json()["municipality"] == SELBU
    assert unit["unit"] == "tok"
    assert (unit["coordinators_active"], unit["individual_plans_active"], unit["meetings_held"]) == (1, 1, 1)
    assert unit["meetings_by_kind"]["collaboration"] == 1
    # The collaboration meeting came before the coordinator: it counts for no coordinator.
    assert unit["meetings_per_coordinator"] == {}
    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"].startswith("text/csv")
    [row] = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert (row["municipality"], row["year"], row["unit"], row["coordinators_active"], row["meetings_held"]) == (
        SELBU,
        "2026",
        "tok",
        "1",
        "1",
    )
    assert row["individual_plans_created"] == "1"


async def test_the_leader_submits_the_annual_report_once_and_it_shows_as_submitted(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await _granted(app, client, SELBU)
    leader = auth(app, SELBU, roles=("leader",))
    caseworker_tries = await client.post(
        "/annual-reports/2026/submissions", json={"unit": "tok"}, headers=auth(app, SELBU)
    )
    submitted = await client.post("/annual-reports/2026/submissions", json={"unit": "tok"}, headers=leader)
    twice = await client.post("/annual-reports/2026/submissions", json={"unit": "tok"}, headers=leader)
    unknown = await client.post("/annual-reports/2026/submissions", json={"unit": "school"}, headers=leader)
    report = await client.get("/annual-reports/2026", headers=leader)
    as_csv = await client.get("/annual-reports/2026/csv", headers=leader)

    assert caseworker_tries.status_code == 403
    assert submitted.status_code == 201, submitted.text
    assert submitted.json()["submission"]["submitted_by"] == "kari"
    assert twice.status_code == 409
    assert unknown.status_code == 422
    assert fields_named(unknown.json()) == {"unit"}
    [unit] = report.json()["units"]
    assert unit["due_on"] == "2026-11-13"
    assert unit["submission"]["figures"]["coordinators_active"] == unit["coordinators_active"]
    [row] = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert (row["due_on"], row["submitted_on"]) == ("2026-11-13", "2026-11-23")


async def test_the_annual_report_of_an_unknown_unit_or_year_is_a_problem(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    leader = auth(app, SELBU, roles=("leader",))
    unknown = await client.get("/annual-reports/2026", params={"unit": "school"}, headers=leader)
    far = await client.get("/annual-reports/1850", headers=leader)

    assert unknown.status_code == 422
    assert fields_named(unknown.json()) == {"unit"}
    assert far.status_code == 422
