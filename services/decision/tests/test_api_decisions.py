"""Deciding a case over HTTP where the office decides alone (Selbu): events, letter, orders, clocks, errors."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from contracts.deadlines import DeadlineScheduled
from contracts.decision import DecisionMade, LetterIssued, ServiceOrdered
from contracts.topics import Topic
from servicekit.clock import FixedClock
from servicekit.consumer import EventConsumer
from servicekit.testing import emitted, fields_named, outbox_events
from services.decision.tests.support import (
    PROBLEM,
    REASONS,
    SELBU,
    TOLGA,
    application_registered,
    assessed,
    auth,
    decision_body,
    feed,
    oslo,
    pdf_text,
    table_counts,
)

DECIDED_AT = oslo(2026, 3, 10, 13)


@pytest.fixture
async def case_id(consumer: EventConsumer, clock: FixedClock) -> str:
    await assessed(consumer, clock, "case-1", SELBU, at=oslo(2026, 3, 9, 11, 0))
    clock.set(DECIDED_AT)
    return "case-1"


async def decide(client: httpx.AsyncClient, app: FastAPI, body: dict[str, Any], **kw: Any) -> httpx.Response:
    return await client.post("/decisions", json=body, headers=auth(app, **kw))


async def test_the_office_decides_an_assessed_case_and_emits_decision_order_and_letter_in_order(
    app: FastAPI, client: httpx.AsyncClient, case_id: str
) -> None:
    response = await decide(client, app, decision_body(case_id))

    assert response.status_code == 201, response.text
    decision = response.json()
    assert (decision["status"], decision["kind"], decision["decided_by"], decision["decided_on"]) == (
        "made",
        "initial",
        "office",
        "2026-03-10",
    )
    assert decision["appeal"] == {
        "appeal_body": "Statsforvalteren",
        "submit_to": "Tildelings- og koordineringskontoret",
        "deadline_weeks": 4,
        "deadline_on": "2026-04-07",
        "legal_basis": "pasient- og brukerrettighetsloven § 7-5",
    }
    assert decision["legal_basis"] == [
        "helse- og omsorgstjenesteloven § 3-2 første ledd nr. 6 bokstav a",
        "pasient- og brukerrettighetsloven § 2-1 a",
    ]
    topics = [(e.type, e.subject) for _, e in await outbox_events(app) if type(e.data).topic == Topic.DECISION]
    assert [t for t, _ in topics] == [DecisionMade.event_type, ServiceOrdered.event_type, LetterIssued.event_type]
    assert {s for _, s in topics} == {case_id}
    [made] = await emitted(app, DecisionMade)
    assert (made.decision_id, made.person_id, made.letter_id) == (decision["id"], "p-1", decision["letter_id"])
    assert made.appeal.deadline_on == date(2026, 4, 7)
    [order] = await emitted(app, ServiceOrdered)
    assert (order.unit, order.service_code, order.hours_per_week, order.start_on, order.decision_id) == (
        "home_care",
        "home_nursing",
        6.0,
        date(2026, 3, 16),
        decision["id"],
    )
    [letter] = await emitted(app, LetterIssued)
    assert (letter.letter_id, letter.kind, letter.language, letter.decision_id) == (
        decision["letter_id"],
        "decision",
        "nb",
        decision["id"],
    )
    assert decision["service_orders"][0]["unit"] == "home_care"


async def test_a_decision_schedules_its_review_within_a_year_on_the_deadlines_topic(
    app: FastAPI, client: httpx.AsyncClient, case_id: str
) -> None:
    decision = (await decide(client, app, decision_body(case_id))).json()

    [review] = await emitted(app, DeadlineScheduled)
    assert (review.kind, review.due_on, review.responsible, review.case_id) == (
        "decision_review",
        date(2027, 3, 10),
        "allocation_office",
        case_id,
    )
    assert [(d["kind"], d["due_on"], d["status"]) for d in decision["deadlines"]] == [
        ("decision_review", "2027-03-10", "scheduled")
    ]
    assert next(e for _, e in await outbox_events(app) if isinstance(e.data, DeadlineScheduled)).subject == case_id


async def test_a_time_limited_decision_schedules_its_evaluation_four_weeks_before_it_ends(
    app: FastAPI, client: httpx.AsyncClient, case_id: str
) -> None:
    services = [{"service_code": "home_nursing", "hours_per_week": 6, "start_on": "2026-03-16", "end_on": "2026-06-22"}]

    decision = (await decide(client, app, decision_body(case_id, services=services))).json()

    # Four weeks before 22 June is Whit Monday: the evaluation is due the Friday before. No review: it ends first.
    assert [(d["kind"], d["due_on"]) for d in decision["deadlines"]] == [("time_limited_evaluation", "2026-05-22")]
    [evaluation] = await emitted(app, DeadlineScheduled)
    assert (evaluation.kind, evaluation.due_on) == ("time_limited_evaluation", date(2026, 5, 22))


async def test_the_decision_day_its_deadlines_and_its_events_come_from_the_services_clock_not_the_machines(
    app: FastAPI, client: httpx.AsyncClient, case_id: str, clock: FixedClock
) -> None:
    # 00:30 in Norway on Tuesday 4 June 2030 is still 3 June in UTC: "today" is the Norwegian day of the app's clock,
    # years away from any day these tests run on.
    clock.set(oslo(2030, 6, 4, 0, 30))

    decision = (await decide(client, app, decision_body(case_id))).json()

    assert decision["decided_on"] == "2030-06-04"
    assert decision["appeal"]["deadline_on"] == "2030-07-02"
    assert [(d["kind"], d["due_on"]) for d in decision["deadlines"]] == [("decision_review", "2031-06-04")]
    made = [e for _, e in await outbox_events(app) if isinstance(e.data, DecisionMade)]
    assert [e.time for e in made] == [clock.now()]


async def test_the_letter_pdf_is_downloadable_and_holds_the_appeal_deadline(
    app: FastAPI, client: httpx.AsyncClient, case_id: str
) -> None:
    decision = (await decide(client, app, decision_body(case_id))).json()

    response = await client.get(decision["letter_url"], headers=auth(app))

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Klagefrist: 07.04.2026" in text
    assert "siste dag for å klage 7. april 2026" in text
    assert "Send klagen skriftlig til Tildelings- og koordineringskontoret, Selbu kommune" in text
    assert "Vår referanse: 2026/000017" in text
    assert "Helsetjenester i hjemmet, 6 timer per uke, fra 16.03.2026" in text
    details = (await client.get(f"/letters/{decision['letter_id']}", headers=auth(app))).json()
    assert (details["kind"], details["language"], details["issued_on"]) == ("decision", "nb", "2026-03-10")


async def test_a_refusal_with_reasons_is_made_without_orders_or_clocks_and_its_letter_gives_the_reasons(
    app: FastAPI, client: httpx.AsyncClient, case_id: str
) -> None:
    body = decision_body(case_id, outcome="refused", services=[], refused_services=["home_nursing"], reasons=REASONS)

    response = await decide(client, app, body)

    assert response.status_code == 201, response.text
    assert await emitted(app, ServiceOrdered) == []
    assert await emitted(app, DeadlineScheduled) == []
    text = pdf_text((await client.get(response.json()["letter_url"], headers=auth(app))).content)
    assert "Søknaden din om dette er avslått: - Helsetjenester i hjemmet" in text
    assert f"Faktiske forhold: {REASONS['facts']}" in text
    assert f"Hovedhensyn ved skjønnsutøvingen: {REASONS['considerations']}" in text


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"outcome": "refused", "services": [], "refused_services": ["home_nursing"]}, "reasons.facts"),
        (
            {"outcome": "partly_granted", "reasons": {"facts": "f", "rules": "r", "considerations": ""}},
            "reasons.considerations",
        ),
        ({"services": [{"service_code": "spa", "start_on": "2026-03-16"}]}, "services[0].service_code"),
        ({"decided_on": "2026-03-11"}, "decided_on"),
        ({"decided_on": "2026-03-01"}, "decided_on"),
        ({"reasons": {"facts": "Bor i Kárášjohka 🙂", "rules": "", "considerations": ""}}, "reasons.facts"),
        ({"outcome": "maybe"}, "outcome"),
        (
            {"services": [{"service_code": "home_nursing", "start_on": "2026-03-16", "hours_per_week": 200}]},
            "services.0.hours_per_week",
        ),
    ],
    ids=[
        "refusal-without-reasons",
        "partial-grant-without-considerations",
        "unknown-service",
        "decided-tomorrow",
        "decided-before-receipt",
        "unprintable-text",
        "unknown-outcome",
        "more-hours-than-a-week-has",
    ],
)
async def test_a_decision_that_breaks_a_rule_is_refused_naming_the_field_and_nothing_is_written(
    app: FastAPI, client: httpx.AsyncClient, case_id: str, overrides: dict[str, Any], field: str
) -> None:
    before = await table_counts(app)

    response = await decide(client, app, decision_body(case_id, **overrides))

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    assert field in fields_named(response.json())
    assert await table_counts(app) == before
    assert (await client.get(f"/cases/{case_id}", headers=auth(app))).json()["status"] == "awaiting_decision"


async def test_a_case_is_decided_once(app: FastAPI, client: httpx.AsyncClient, case_id: str) -> None:
    assert (await decide(client, app, decision_body(case_id))).status_code == 201

    again = await decide(client, app, decision_body(case_id))

    assert again.status_code == 409
    assert again.json()["field"] == "case_id"
    assert "review that decision" in again.json()["detail"]


async def test_a_case_still_being_assessed_cannot_be_decided_and_an_unknown_one_is_not_found(
    app: FastAPI, client: httpx.AsyncClient, consumer: EventConsumer, clock: FixedClock
) -> None:
    await feed(consumer, clock, application_registered("case-2", SELBU))
    clock.set(DECIDED_AT)

    registered = await decide(client, app, decision_body("case-2"))
    unknown = await decide(client, app, decision_body("case-404"))

    assert registered.status_code == 409
    assert "still being assessed" in registered.json()["detail"]
    assert unknown.status_code == 404


async def test_another_municipality_sees_neither_the_case_nor_the_decision_nor_its_letter(
    app: FastAPI, client: httpx.AsyncClient, case_id: str
) -> None:
    decision = (await decide(client, app, decision_body(case_id))).json()
    tolga = auth(app, TOLGA)

    assert (await client.get(f"/cases/{case_id}", headers=tolga)).status_code == 404
    assert (await client.get(f"/decisions/{decision['id']}", headers=tolga)).status_code == 404
    assert (await client.get(decision["letter_url"], headers=tolga)).status_code == 404
    assert (await client.get("/decisions", headers=tolga)).json() == []
    assert (await decide(client, app, decision_body(case_id), municipality=TOLGA)).status_code == 404


async def test_only_caseworkers_decide_and_a_call_without_a_token_is_unauthorized(
    app: FastAPI, client: httpx.AsyncClient, case_id: str
) -> None:
    as_leader = await decide(client, app, decision_body(case_id), roles=("leader",))
    as_unit = await decide(client, app, decision_body(case_id), roles=("unit",), unit="home_care")
    anonymous = await client.post("/decisions", json=decision_body(case_id))

    assert (as_leader.status_code, as_unit.status_code, anonymous.status_code) == (403, 403, 401)


async def test_cases_awaiting_a_decision_are_listed_with_a_proposal_from_the_recommendation(
    app: FastAPI, client: httpx.AsyncClient, case_id: str
) -> None:
    page = (await client.get("/cases", headers=auth(app))).json()

    [case] = page["items"]
    assert (case["case_id"], case["status"], case["awaiting"], case["decided_by"]) == (
        case_id,
        "awaiting_decision",
        "initial",
        "office",
    )
    assert case["proposal"]["outcome"] == "granted"
    assert case["proposal"]["services"][0]["service_code"] == "home_nursing"
    assert case["recommendation"]["assessment_id"] == f"a-{case_id}"

    await decide(client, app, decision_body(case_id))
    assert (await client.get("/cases", headers=auth(app))).json()["items"] == []
    decided = (await client.get("/cases", params={"status": "decided"}, headers=auth(app))).json()["items"]
    assert [c["case_id"] for c in decided] == [case_id]
