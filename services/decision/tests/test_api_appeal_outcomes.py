"""The appeal body's outcome, delivered to the consumer as the appeals service sends it, and what the office then
does over HTTP: a reversal by the body carried out by a final decision, a quashed decision treated anew, an upheld
one recorded; the same outcome twice, and outcomes about another case's decision."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI

from contracts.appeals import BodyOutcome
from contracts.deadlines import DeadlineCancelled
from contracts.decision import DecidedBy, DecisionKind, DecisionMade
from servicekit.clock import FixedClock
from servicekit.consumer import DeadLetter, EventConsumer, Outcome
from servicekit.db import OUTBOX
from servicekit.testing import count, emitted
from services.decision.tests.support import (
    REASONS,
    SELBU,
    TOLGA,
    appeal_outcome,
    assessed,
    assessment_completed,
    auth,
    decision_body,
    feed,
    oslo,
    pdf_text,
    reversed_partly_by_office,
)

BODY = "Statsforvalteren i Trøndelag"
REFUSAL: dict[str, Any] = {
    "outcome": "refused",
    "services": [],
    "refused_services": ["home_nursing"],
    "reasons": REASONS,
}


async def decided(
    app: FastAPI,
    client: httpx.AsyncClient,
    consumer: EventConsumer,
    clock: FixedClock,
    case_id: str = "case-1",
    **body: Any,
) -> dict[str, Any]:
    """Selbu's office decided the case on 10 March 2026 (granted home nursing, unless told otherwise)."""
    await assessed(consumer, clock, case_id, SELBU, at=oslo(2026, 3, 9, 11, 0))
    clock.set(oslo(2026, 3, 10, 13))
    response = await client.post("/decisions", json=decision_body(case_id, **body), headers=auth(app))
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


async def get(client: httpx.AsyncClient, app: FastAPI, path: str) -> dict[str, Any]:
    response = await client.get(path, headers=auth(app))
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


# --- reversed by the appeal body ---------------------------------------------------------------------------------


async def test_a_reversal_by_the_appeal_body_is_carried_out_by_a_final_decision_that_supersedes_the_appealed_one(
    app: FastAPI, client: httpx.AsyncClient, consumer: EventConsumer, clock: FixedClock
) -> None:
    appealed = await decided(app, client, consumer, clock, **REFUSAL)

    event = appeal_outcome("case-1", appealed["id"], BodyOutcome.REVERSED, at=oslo(2026, 5, 12, 10))
    assert await feed(consumer, clock, event) is Outcome.PROCESSED

    case = await get(client, app, "/cases/case-1")
    assert (case["status"], case["awaiting"], case["decided_by"]) == ("awaiting_decision", "reversal", "appeal_body")
    assert (case["reversal"]["appeal_body"], case["reversal"]["outcome_id"], case["reversal"]["reversed_on"]) == (
        BODY,
        event.data.outcome_id,
        "2026-05-12",
    )
    assert case["proposal"]["refused_services"] == ["home_nursing"]
    [history] = case["decisions"]
    assert [(o["outcome"], o["decided_on"]) for o in history["appeal_outcomes"]] == [("reversed", "2026-05-12")]

    response = await client.post("/decisions", json=decision_body("case-1"), headers=auth(app))

    assert response.status_code == 201, response.text
    new = response.json()
    assert (new["status"], new["kind"], new["decided_by"], new["supersedes"], new["appeal"]) == (
        "made",
        "reversal",
        "appeal_body",
        appealed["id"],
        None,
    )
    old = await get(client, app, f"/decisions/{appealed['id']}")
    assert (old["status"], old["superseded_by"]) == ("made", new["id"])
    assert [o["outcome"] for o in old["appeal_outcomes"]] == ["reversed"]
    made = await emitted(app, DecisionMade)
    assert [(m.kind, m.decided_by, m.supersedes, m.appeal is None) for m in made] == [
        (DecisionKind.INITIAL, DecidedBy.OFFICE, None, False),
        (DecisionKind.REVERSAL, DecidedBy.APPEAL_BODY, appealed["id"], True),
    ]
    case = await get(client, app, "/cases/case-1")
    assert (case["status"], case["reversal"]) == ("decided", None)
    assert [(d["id"], d["decided_by"]) for d in case["decisions"]] == [
        (appealed["id"], "office"),
        (new["id"], "appeal_body"),
    ]
    text = pdf_text((await client.get(new["letter_url"], headers=auth(app))).content)
    assert "Vedtak etter klageinstansens avgjørelse" in text
    assert (
        f"Du klaget på vedtaket vårt av 10.03.2026. {BODY} behandlet klagen og gjorde om vedtaket i sitt vedtak av "
        "12.05.2026. Med dette vedtaket gjennomfører vi avgjørelsen til klageinstansen." in text
    )
    assert "dette vedtaket kan ikke påklages (forvaltningsloven § 28 tredje ledd)" in text
    assert "Klagefrist" not in text
    assert "rett til å klage" not in text


async def test_after_the_offices_partial_reversal_the_bodys_partial_reversal_supersedes_the_decision_in_force(
    app: FastAPI, client: httpx.AsyncClient, consumer: EventConsumer, clock: FixedClock
) -> None:
    appealed = await decided(app, client, consumer, clock, **REFUSAL)
    await feed(consumer, clock, reversed_partly_by_office("case-1", appealed["id"], at=oslo(2026, 3, 24, 10)))
    partly = decision_body(
        "case-1",
        outcome="partly_granted",
        services=[{"service_code": "home_nursing", "hours_per_week": 3, "start_on": "2026-03-30"}],
        reasons=REASONS,
    )
    office = (await client.post("/decisions", json=partly, headers=auth(app))).json()
    assert (office["kind"], office["decided_by"], office["supersedes"]) == ("reversal", "office", appealed["id"])

    event = appeal_outcome("case-1", appealed["id"], BodyOutcome.PARTLY_REVERSED, at=oslo(2026, 5, 12, 10))
    assert await feed(consumer, clock, event) is Outcome.PROCESSED
    body = decision_body(
        "case-1", services=[{"service_code": "home_nursing", "hours_per_week": 6, "start_on": "2026-05-18"}]
    )
    response = await client.post("/decisions", json=body, headers=auth(app))

    assert response.status_code == 201, response.text
    new = response.json()
    assert (new["decided_by"], new["supersedes"], new["appeal"]) == ("appeal_body", office["id"], None)
    assert (await get(client, app, f"/decisions/{office['id']}"))["superseded_by"] == new["id"]
    assert (await get(client, app, f"/decisions/{appealed['id']}"))["superseded_by"] == office["id"]
    text = pdf_text((await client.get(new["letter_url"], headers=auth(app))).content)
    assert f"{BODY} behandlet klagen og gjorde delvis om vedtaket i sitt vedtak av 12.05.2026" in text


async def test_the_bodys_reversal_in_tolga_is_made_at_once_without_the_unit_leaders(
    app: FastAPI, client: httpx.AsyncClient, consumer: EventConsumer, clock: FixedClock
) -> None:
    await assessed(consumer, clock, "case-1", TOLGA, at=oslo(2026, 3, 9, 11, 0))
    clock.set(oslo(2026, 3, 10, 13))
    refusal = decision_body("case-1", **REFUSAL)
    draft = (await client.post("/decisions", json=refusal, headers=auth(app, TOLGA))).json()
    leader = auth(app, TOLGA, ("leader",), unit="home_care")
    appealed = (await client.post(f"/decisions/{draft['id']}/approval", json={}, headers=leader)).json()
    event = appeal_outcome("case-1", appealed["id"], BodyOutcome.REVERSED, TOLGA, at=oslo(2026, 5, 12, 10))
    await feed(consumer, clock, event)

    response = await client.post("/decisions", json=decision_body("case-1"), headers=auth(app, TOLGA))

    assert response.status_code == 201, response.text
    assert (response.json()["status"], response.json()["decided_by"]) == ("made", "appeal_body")


# --- quashed ------------------------------------------------------------------------------------------------------


async def test_a_quashed_decision_sends_the_case_back_and_the_new_assessments_decision_follows_it(
    app: FastAPI, client: httpx.AsyncClient, consumer: EventConsumer, clock: FixedClock
) -> None:
    appealed = await decided(app, client, consumer, clock)

    event = appeal_outcome("case-1", appealed["id"], BodyOutcome.QUASHED, at=oslo(2026, 5, 12, 10))
    assert await feed(consumer, clock, event) is Outcome.PROCESSED

    old = await get(client, app, f"/decisions/{appealed['id']}")
    assert (old["status"], old["quashed_on"], old["quashed_by_outcome"]) == (
        "quashed",
        "2026-05-12",
        event.data.outcome_id,
    )
    assert [d["status"] for d in old["deadlines"]] == ["cancelled"]
    [cancelled] = await emitted(app, DeadlineCancelled)
    assert (cancelled.deadline_id, cancelled.reason) == (old["deadlines"][0]["deadline_id"], "decision_quashed")
    case = await get(client, app, "/cases/case-1")
    assert (case["status"], case["recommendation"], case["quashed"]["decision_id"]) == (
        "registered",
        None,
        appealed["id"],
    )
    [history] = case["decisions"]
    assert (history["status"], history["quashed_on"]) == ("quashed", "2026-05-12")
    early = await client.post("/decisions", json=decision_body("case-1"), headers=auth(app))
    assert early.status_code == 409
    assert "no recommendation yet" in early.json()["detail"]

    # The assessment service assesses the case anew; its recommendation is accepted, not refused as a reopening.
    again = assessment_completed("case-1", at=oslo(2026, 5, 20, 10), services=[("home_nursing", 8.0)])
    assert await feed(consumer, clock, again) is Outcome.PROCESSED
    case = await get(client, app, "/cases/case-1")
    assert (case["status"], case["awaiting"], case["decided_by"]) == ("awaiting_decision", "initial", "office")
    assert case["proposal"]["services"][0]["hours_per_week"] == 8.0
    body = decision_body(
        "case-1", services=[{"service_code": "home_nursing", "hours_per_week": 8, "start_on": "2026-05-25"}]
    )
    response = await client.post("/decisions", json=body, headers=auth(app))

    assert response.status_code == 201, response.text
    new = response.json()
    assert (new["kind"], new["decided_by"], new["supersedes"]) == ("initial", "office", appealed["id"])
    assert new["appeal"]["deadline_weeks"] >= 3
    old = await get(client, app, f"/decisions/{appealed['id']}")
    assert (old["status"], old["superseded_by"]) == ("quashed", new["id"])
    case = await get(client, app, "/cases/case-1")
    assert (case["status"], case["quashed"]) == ("decided", None)
    assert [(d["id"], d["status"], d["supersedes"]) for d in case["decisions"]] == [
        (appealed["id"], "quashed", None),
        (new["id"], "made", appealed["id"]),
    ]
    made = await emitted(app, DecisionMade)
    assert [(m.kind, m.supersedes) for m in made] == [
        (DecisionKind.INITIAL, None),
        (DecisionKind.INITIAL, appealed["id"]),
    ]


# --- upheld, dismissed, withdrawn ---------------------------------------------------------------------------------


async def test_an_upheld_decision_records_the_outcome_and_nothing_else_changes(
    app: FastAPI, client: httpx.AsyncClient, consumer: EventConsumer, clock: FixedClock, dead_letters: list[DeadLetter]
) -> None:
    appealed = await decided(app, client, consumer, clock)
    sent = await count(app, OUTBOX)

    event = appeal_outcome("case-1", appealed["id"], BodyOutcome.UPHELD, at=oslo(2026, 5, 12, 10))
    assert await feed(consumer, clock, event) is Outcome.PROCESSED

    old = await get(client, app, f"/decisions/{appealed['id']}")
    assert [(o["outcome"], o["decided_on"], o["appeal_body"]) for o in old["appeal_outcomes"]] == [
        ("upheld", "2026-05-12", BODY)
    ]
    assert (old["status"], old["superseded_by"], old["quashed_on"]) == ("made", None, None)
    assert [d["status"] for d in old["deadlines"]] == ["scheduled"]
    case = await get(client, app, "/cases/case-1")
    assert (case["status"], case["reversal"], case["quashed"]) == ("decided", None, None)
    assert await count(app, OUTBOX) == sent
    # Still decided: a recommendation does not reopen it.
    late = assessment_completed("case-1", at=oslo(2026, 5, 20, 10))
    assert await feed(consumer, clock, late) is Outcome.DEAD_LETTERED
    assert "not reopened by a recommendation" in dead_letters[-1].reason


# --- the same outcome twice, another case's decision --------------------------------------------------------------


async def test_a_quash_delivered_again_after_the_new_recommendation_changes_nothing(
    app: FastAPI, client: httpx.AsyncClient, consumer: EventConsumer, clock: FixedClock
) -> None:
    appealed = await decided(app, client, consumer, clock)
    first = appeal_outcome("case-1", appealed["id"], BodyOutcome.QUASHED, at=oslo(2026, 5, 12, 10))
    await feed(consumer, clock, first)
    await feed(consumer, clock, assessment_completed("case-1", at=oslo(2026, 5, 20, 10)))
    before = await get(client, app, "/cases/case-1")
    sent = await count(app, OUTBOX)

    again = appeal_outcome("case-1", appealed["id"], BodyOutcome.QUASHED, at=oslo(2026, 5, 21, 10))
    assert again.id != first.id
    assert again.data.outcome_id == first.data.outcome_id
    assert await feed(consumer, clock, again) is Outcome.PROCESSED

    assert await get(client, app, "/cases/case-1") == before
    assert before["status"] == "awaiting_decision"
    assert len((await get(client, app, f"/decisions/{appealed['id']}"))["appeal_outcomes"]) == 1
    assert await count(app, OUTBOX) == sent


async def test_a_reversal_by_the_body_delivered_again_after_its_decision_does_not_await_another(
    app: FastAPI, client: httpx.AsyncClient, consumer: EventConsumer, clock: FixedClock
) -> None:
    appealed = await decided(app, client, consumer, clock, **REFUSAL)
    await feed(consumer, clock, appeal_outcome("case-1", appealed["id"], BodyOutcome.REVERSED, at=oslo(2026, 5, 12)))
    made = await client.post("/decisions", json=decision_body("case-1"), headers=auth(app))
    assert made.status_code == 201, made.text

    again = appeal_outcome("case-1", appealed["id"], BodyOutcome.REVERSED, at=oslo(2026, 5, 13))
    assert await feed(consumer, clock, again) is Outcome.PROCESSED

    case = await get(client, app, "/cases/case-1")
    assert (case["status"], case["reversal"], case["awaiting"]) == ("decided", None, None)


async def test_an_outcome_about_another_cases_decision_or_an_unknown_one_is_dead_lettered(
    app: FastAPI, client: httpx.AsyncClient, consumer: EventConsumer, clock: FixedClock, dead_letters: list[DeadLetter]
) -> None:
    other = await decided(app, client, consumer, clock, "case-2")
    await assessed(consumer, clock, "case-1", SELBU, at=oslo(2026, 3, 9, 11, 0))
    sent = await count(app, OUTBOX)

    wrong_case = appeal_outcome("case-1", other["id"], BodyOutcome.QUASHED, at=oslo(2026, 5, 12, 10))
    unknown = appeal_outcome("case-1", "no-such-decision", BodyOutcome.UPHELD, at=oslo(2026, 5, 12, 11))

    assert await feed(consumer, clock, wrong_case) is Outcome.DEAD_LETTERED
    assert await feed(consumer, clock, unknown) is Outcome.DEAD_LETTERED

    assert f"decision_id: decision {other['id']} belongs to another case" in dead_letters[0].reason
    assert "decision_id: no decision no-such-decision" in dead_letters[1].reason
    untouched = await get(client, app, f"/decisions/{other['id']}")
    assert (untouched["status"], untouched["appeal_outcomes"]) == ("made", [])
    assert (await get(client, app, "/cases/case-2"))["status"] == "decided"
    assert (await get(client, app, "/cases/case-1"))["status"] == "awaiting_decision"
    assert await count(app, OUTBOX) == sent
