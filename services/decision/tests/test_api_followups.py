"""After the first decision, over HTTP: reviews that supersede, reversal after an appeal, decisions the
coordinating unit asks for, preliminary replies, letters in nynorsk, and the units' service orders."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from fastapi import FastAPI

from contracts.coordination import ProposedResult, RequestedRight
from contracts.deadlines import DeadlineCancelled, DeadlineScheduled
from contracts.decision import DecisionMade, LetterIssued, ServiceOrdered
from servicekit.clock import FixedClock
from servicekit.consumer import DeadLetter, EventConsumer, RetryPolicy
from servicekit.migrate import upgrade
from servicekit.settings import REPO_ROOT
from servicekit.testing import emitted, runtime_of
from services.decision.tests.conftest import build_app
from services.decision.tests.support import (
    REASONS,
    SELBU,
    TOLGA,
    application_registered,
    assessed,
    auth,
    decision_body,
    decision_requested,
    feed,
    oslo,
    pdf_text,
    reversed_by_office,
)


@pytest.fixture
async def decided(
    app: FastAPI, client: httpx.AsyncClient, consumer: EventConsumer, clock: FixedClock
) -> dict[str, Any]:
    """Selbu granted home nursing on 10 March 2026."""
    await assessed(consumer, clock, "case-1", SELBU, at=oslo(2026, 3, 9, 11, 0))
    clock.set(oslo(2026, 3, 10, 13))
    response = await client.post("/decisions", json=decision_body("case-1"), headers=auth(app))
    assert response.status_code == 201, response.text
    clock.set(oslo(2027, 2, 15, 10))
    made: dict[str, Any] = response.json()
    return made


async def review(client: httpx.AsyncClient, app: FastAPI, decision_id: str, body: dict[str, Any]) -> httpx.Response:
    return await client.post(f"/decisions/{decision_id}/review", json=body, headers=auth(app))


# --- reviews ------------------------------------------------------------------------------------


async def test_a_review_that_continues_supersedes_the_old_decision_and_moves_its_clock(
    app: FastAPI, client: httpx.AsyncClient, decided: dict[str, Any]
) -> None:
    response = await review(client, app, decided["id"], {"result": "continue"})

    assert response.status_code == 201, response.text
    new = response.json()
    assert (new["kind"], new["review_result"], new["supersedes"], new["outcome"]) == (
        "review",
        "continue",
        decided["id"],
        "granted",
    )
    old = (await client.get(f"/decisions/{decided['id']}", headers=auth(app))).json()
    assert old["superseded_by"] == new["id"]
    assert [d["status"] for d in old["deadlines"]] == ["cancelled"]
    [cancelled] = await emitted(app, DeadlineCancelled)
    assert (cancelled.deadline_id, cancelled.reason) == (old["deadlines"][0]["deadline_id"], "decision_superseded")
    assert [d["due_on"] for d in new["deadlines"]] == ["2028-02-15"]
    made = await emitted(app, DecisionMade)
    assert [(m.kind, m.supersedes, m.review_result) for m in made] == [
        ("initial", None, None),
        ("review", decided["id"], "continue"),
    ]
    text = pdf_text((await client.get(new["letter_url"], headers=auth(app))).content)
    assert "Vi har revurdert vedtaket ditt av 10.03.2026. Tjenestene fortsetter." in text


async def test_a_review_that_stops_needs_reasons_and_orders_nothing(
    app: FastAPI, client: httpx.AsyncClient, decided: dict[str, Any]
) -> None:
    without = await review(client, app, decided["id"], {"result": "stop"})
    stopped = await review(client, app, decided["id"], {"result": "stop", "reasons": REASONS})

    assert without.status_code == 422
    assert without.json()["field"] == "reasons.facts"
    assert stopped.status_code == 201, stopped.text
    new = stopped.json()
    assert (new["outcome"], new["services"], new["refused_services"], new["deadlines"]) == (
        "refused",
        [],
        ["home_nursing"],
        [],
    )
    assert len(await emitted(app, ServiceOrdered)) == 1
    text = pdf_text((await client.get(new["letter_url"], headers=auth(app))).content)
    assert "Disse tjenestene avsluttes: - Helsetjenester i hjemmet" in text


async def test_a_review_that_changes_orders_the_new_services_and_a_superseded_decision_is_not_reviewed_again(
    app: FastAPI, client: httpx.AsyncClient, decided: dict[str, Any]
) -> None:
    body = {
        "result": "change",
        "services": [{"service_code": "home_nursing", "hours_per_week": 10, "start_on": "2027-03-01"}],
        "reasons": REASONS,
    }

    changed = await review(client, app, decided["id"], body)
    again = await review(client, app, decided["id"], {"result": "continue"})

    assert changed.status_code == 201, changed.text
    assert changed.json()["services"][0]["hours_per_week"] == 10
    assert [o.hours_per_week for o in await emitted(app, ServiceOrdered)] == [6.0, 10.0]
    assert again.status_code == 409
    assert "superseded" in again.json()["detail"]


# --- reversal after an appeal -------------------------------------------------------------------


async def test_a_reversal_after_appeal_awaits_the_office_and_its_decision_supersedes_the_appealed_one(
    app: FastAPI, client: httpx.AsyncClient, consumer: EventConsumer, clock: FixedClock
) -> None:
    await assessed(consumer, clock, "case-1", SELBU, at=oslo(2026, 3, 9, 11, 0))
    clock.set(oslo(2026, 3, 10, 13))
    refusal = decision_body(
        "case-1", outcome="refused", services=[], refused_services=["home_nursing"], reasons=REASONS
    )
    appealed = (await client.post("/decisions", json=refusal, headers=auth(app))).json()

    await feed(consumer, clock, reversed_by_office("case-1", appealed["id"], SELBU, at=oslo(2026, 3, 24, 10)))

    [case] = (await client.get("/cases", headers=auth(app))).json()["items"]
    assert (case["awaiting"], case["decided_by"], case["reversal"]["decision_id"]) == (
        "reversal",
        "office",
        appealed["id"],
    )
    assert case["appealed_decision"]["outcome"] == "refused"
    assert case["proposal"]["refused_services"] == ["home_nursing"]
    response = await client.post("/decisions", json=decision_body("case-1"), headers=auth(app))
    assert response.status_code == 201, response.text
    new = response.json()
    assert (new["kind"], new["decided_by"], new["supersedes"]) == ("reversal", "office", appealed["id"])
    old = (await client.get(f"/decisions/{appealed['id']}", headers=auth(app))).json()
    assert old["superseded_by"] == new["id"]
    text = pdf_text((await client.get(new["letter_url"], headers=auth(app))).content)
    assert "Du klaget på vedtaket vårt av 10.03.2026. Vi har vurdert klagen og gjør om vedtaket" in text


async def test_a_reversal_in_tolga_is_the_offices_alone_without_the_unit_leaders(
    app: FastAPI, client: httpx.AsyncClient, consumer: EventConsumer, clock: FixedClock
) -> None:
    await assessed(consumer, clock, "case-1", TOLGA, at=oslo(2026, 3, 9, 11, 0))
    clock.set(oslo(2026, 3, 10, 13))
    refusal = decision_body(
        "case-1", outcome="refused", services=[], refused_services=["home_nursing"], reasons=REASONS
    )
    draft = (await client.post("/decisions", json=refusal, headers=auth(app, TOLGA))).json()
    leader = auth(app, TOLGA, ("leader",), unit="home_care")
    appealed = (await client.post(f"/decisions/{draft['id']}/approval", json={}, headers=leader)).json()
    await feed(consumer, clock, reversed_by_office("case-1", appealed["id"], TOLGA, at=oslo(2026, 3, 24, 10)))

    response = await client.post("/decisions", json=decision_body("case-1"), headers=auth(app, TOLGA))

    assert response.json()["status"] == "made"
    assert response.json()["decided_by"] == "office"


# --- requested by the coordinating unit ---------------------------------------------------------


async def test_a_requested_individual_plan_is_decided_by_the_office_and_ordered_from_the_coordinating_unit(
    app: FastAPI, client: httpx.AsyncClient, consumer: EventConsumer, clock: FixedClock
) -> None:
    at = oslo(2026, 3, 9, 10)
    await feed(consumer, clock, decision_requested("case-7", TOLGA, at=at))
    await feed(
        consumer,
        clock,
        decision_requested("case-7", TOLGA, right=RequestedRight.COORDINATOR, proposed=ProposedResult.REFUSE, at=at),
    )
    clock.set(oslo(2026, 3, 10, 13))
    case = (await client.get("/cases/case-7", headers=auth(app, TOLGA))).json()
    assert (case["awaiting"], case["decided_by"], case["proposal"]["outcome"]) == (
        "requested",
        "office",
        "partly_granted",
    )
    plan_only = {
        "case_id": "case-7",
        "outcome": "granted",
        "services": [{"service_code": "individual_plan", "start_on": "2026-03-10"}],
    }
    both = {
        **plan_only,
        "outcome": "partly_granted",
        "refused_services": ["coordinator"],
        "reasons": REASONS,
    }

    missing = await client.post("/decisions", json=plan_only, headers=auth(app, TOLGA))
    made = await client.post("/decisions", json=both, headers=auth(app, TOLGA))

    assert missing.status_code == 422
    assert "coordinator" in missing.json()["detail"]
    assert made.status_code == 201, made.text
    assert (made.json()["kind"], made.json()["status"], made.json()["decided_by"]) == ("requested", "made", "office")
    [order] = await emitted(app, ServiceOrdered)
    assert (order.unit, order.service_code) == ("coordinating_unit", "individual_plan")


# --- preliminary replies ------------------------------------------------------------------------


async def test_a_preliminary_reply_is_a_letter_with_the_expected_date_and_the_reason(
    app: FastAPI, client: httpx.AsyncClient, consumer: EventConsumer, clock: FixedClock
) -> None:
    await feed(consumer, clock, application_registered("case-1", SELBU))
    clock.set(oslo(2026, 4, 2, 10))
    body = {"expected_decision_on": "2026-04-30", "reason_for_delay": "Vi venter på opplysninger fra fastlegen din."}

    response = await client.post("/cases/case-1/preliminary-reply", json=body, headers=auth(app))

    assert response.status_code == 201, response.text
    letter = response.json()
    assert (letter["kind"], letter["decision_id"], letter["issued_on"]) == ("preliminary_reply", None, "2026-04-02")
    assert letter["details"]["expected_decision_on"] == "2026-04-30"
    [issued] = await emitted(app, LetterIssued)
    assert (issued.letter_id, issued.kind, issued.decision_id) == (letter["id"], "preliminary_reply", None)
    # The person's case status shows when to expect the decision (the notification service reads it here).
    assert issued.expected_decision_on.isoformat() == "2026-04-30"
    pdf = await client.get(letter["pdf_url"], headers=auth(app))
    text = pdf_text(pdf.content)
    assert "Vi regner med å fatte vedtak innen 30.04.2026." in text
    assert "Årsaken er: Vi venter på opplysninger fra fastlegen din." in text
    assert "Vi viser til søknaden din om helsetjenester i hjemmet, som vi mottok 02.03.2026." in text


async def test_a_preliminary_reply_is_refused_for_a_decided_case_or_a_date_already_past(
    app: FastAPI, client: httpx.AsyncClient, decided: dict[str, Any]
) -> None:
    body = {"expected_decision_on": "2027-04-30", "reason_for_delay": "x"}

    after_decision = await client.post("/cases/case-1/preliminary-reply", json=body, headers=auth(app))

    assert after_decision.status_code == 409
    assert after_decision.json()["field"] == "case_id"


async def test_a_preliminary_reply_needs_a_future_date(
    app: FastAPI, client: httpx.AsyncClient, consumer: EventConsumer, clock: FixedClock
) -> None:
    await feed(consumer, clock, application_registered("case-1", SELBU))
    clock.set(oslo(2026, 4, 2, 10))

    response = await client.post(
        "/cases/case-1/preliminary-reply",
        json={"expected_decision_on": "2026-04-02", "reason_for_delay": "x"},
        headers=auth(app),
    )

    assert response.status_code == 422
    assert response.json()["field"] == "expected_decision_on"
    assert (await client.get("/letters", headers=auth(app))).json() == []


# --- letters in nynorsk -------------------------------------------------------------------------


@pytest.fixture
async def nynorsk_app(tmp_path: Path, clock: FixedClock) -> AsyncIterator[FastAPI]:
    """Selbu writing its letters in nynorsk."""
    tenants = tmp_path / "tenants"
    shutil.copytree(REPO_ROOT / "deploy" / "tenants", tenants)
    selbu = tenants / "5032-selbu.yaml"
    content = yaml.safe_load(selbu.read_text(encoding="utf-8"))
    selbu.write_text(yaml.safe_dump({**content, "language": "nn"}, allow_unicode=True), encoding="utf-8")
    application = build_app(f"sqlite+aiosqlite:///{tmp_path}/nn.db", clock, tenants)
    await upgrade(runtime_of(application).db, runtime_of(application).spec.migrations_dir)
    yield application
    await runtime_of(application).db.dispose()
    runtime_of(application).telemetry.shutdown()


async def test_a_municipality_writing_nynorsk_gets_its_decision_letter_in_nynorsk(
    nynorsk_app: FastAPI, clock: FixedClock
) -> None:
    runtime = runtime_of(nynorsk_app)

    async def no_dead_letters(letter: DeadLetter) -> None:
        raise AssertionError(letter.reason)

    consumer = EventConsumer(
        name="decision",
        handlers=runtime.spec.handlers,
        db=runtime.db,
        policy=RetryPolicy(max_attempts=1),
        dead_letter=no_dead_letters,
        tracer=runtime.telemetry.tracer,
    )
    await assessed(consumer, clock, "case-1", SELBU, at=oslo(2026, 3, 9, 11, 0))
    clock.set(oslo(2026, 3, 10, 13))
    transport = httpx.ASGITransport(app=nynorsk_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        decision = (await client.post("/decisions", json=decision_body("case-1"), headers=auth(nynorsk_app))).json()
        pdf = await client.get(decision["letter_url"], headers=auth(nynorsk_app))

    text = pdf_text(pdf.content)
    assert "Vedtak om helse- og omsorgstenester" in text
    assert "Fristen for å klage er 4 veker frå du fekk dette brevet" in text
    assert "Klagefrist: 07.04.2026" in text
    [issued] = await emitted(nynorsk_app, LetterIssued)
    assert issued.language == "nn"


# --- service orders -----------------------------------------------------------------------------


async def test_a_unit_sees_the_services_ordered_from_it_and_no_other_units(
    app: FastAPI, client: httpx.AsyncClient, decided: dict[str, Any]
) -> None:
    home_care = auth(app, roles=("unit",), unit="home_care")
    nursing_home = auth(app, roles=("unit",), unit="nursing_home")

    own = (await client.get("/service-orders", headers=home_care)).json()
    none = (await client.get("/service-orders", headers=nursing_home)).json()
    snooping = await client.get("/service-orders", params={"unit": "home_care"}, headers=nursing_home)

    assert [(o["service_code"], o["hours_per_week"], o["start_on"], o["decision_id"]) for o in own] == [
        ("home_nursing", 6.0, "2026-03-16", decided["id"])
    ]
    assert none == []
    assert snooping.status_code == 403


async def test_the_decision_events_are_written_once_per_decision_even_when_read_many_times(
    app: FastAPI, client: httpx.AsyncClient, decided: dict[str, Any]
) -> None:
    for _ in range(3):
        await client.get(f"/decisions/{decided['id']}", headers=auth(app))
        await client.get(decided["letter_url"], headers=auth(app))

    assert len(await emitted(app, DecisionMade)) == 1
    assert len(await emitted(app, DeadlineScheduled)) == 1
