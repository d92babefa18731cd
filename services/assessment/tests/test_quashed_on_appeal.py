"""A decision the appeal body quashed, through the assessment's own consumer and read back over HTTP: the case gets
its next round, opened because of the outcome, and the completed round stays as it was."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from contracts.appeals import AppealOutcomeRecorded, BodyOutcome
from contracts.assessment import AssessmentClosed, AssessmentOpened
from contracts.envelope import CloudEvent
from contracts.intake import ApplicationWithdrawn
from servicekit.clock import FixedClock
from servicekit.consumer import Outcome
from servicekit.testing import Deliveries, count, emitted
from services.assessment import db as assessment_db
from services.assessment.tests.support import (
    PARTNER,
    TODAY,
    TOLGA,
    auth,
    consent,
    deliver,
    open_assessment,
    withdrawal_event,
    wrap,
)

QUASHED_AT = datetime(2027, 1, 18, 9, tzinfo=UTC)


def outcome_event(
    case_id: str,
    kind: BodyOutcome = BodyOutcome.QUASHED,
    *,
    outcome_id: str = "outcome-1",
    municipality: str = TOLGA,
) -> CloudEvent[Any]:
    data = AppealOutcomeRecorded(
        outcome_id=outcome_id,
        appeal_id="appeal-1",
        case_id=case_id,
        decision_id="decision-1",
        person_id="person-1",
        outcome=kind,
        decided_on=date(2027, 1, 15),
        appeal_body="Statsforvalteren i Innlandet",
    )
    return CloudEvent.wrap(data, source="/forvalt/appeals", subject=case_id, municipality=municipality, time=QUASHED_AT)


async def completed_case(app: FastAPI, client: httpx.AsyncClient) -> dict[str, Any]:
    opened = await open_assessment(app, client)
    headers = auth(app)
    base = f"/assessments/{opened['id']}"
    scores = await client.put(
        f"{base}/functional-scores", json={"assessed_on": TODAY.isoformat(), "scores": {"dressing": 2}}, headers=headers
    )
    recommended = await client.put(
        f"{base}/recommendation",
        json={"services": [{"service_code": "home_nursing", "start_on": "2026-12-01"}], "proposed_outcome": "grant"},
        headers=headers,
    )
    done = await client.post(f"{base}/complete", headers=headers)
    assert (scores.status_code, recommended.status_code, done.status_code) == (200, 200, 200), done.text
    completed: dict[str, Any] = done.json()
    return completed


async def quash(app: FastAPI, clock: FixedClock, case_id: str, kind: BodyOutcome = BodyOutcome.QUASHED) -> Outcome:
    """The appeal body's outcome reaches the assessment, weeks after the assessment was completed."""
    clock.set(QUASHED_AT)
    return await deliver(app, outcome_event(case_id, kind))


async def rounds(app: FastAPI, client: httpx.AsyncClient, case_id: str) -> list[dict[str, Any]]:
    page = await client.get("/assessments", params={"case_id": case_id}, headers=auth(app))
    assert page.status_code == 200, page.text
    items: list[dict[str, Any]] = page.json()["items"]
    return items


async def test_a_quashed_decision_opens_a_new_round_that_reads_back_with_its_reason(
    app: FastAPI, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    first = await completed_case(app, client)

    assert await quash(app, clock, first["case_id"]) is Outcome.PROCESSED

    newest, earliest = await rounds(app, client, first["case_id"])
    assert earliest["id"] == first["id"]
    assert (earliest["round"], earliest["status"], earliest["opened_because"]["reason"]) == (
        1,
        "completed",
        "application_registered",
    )
    second = (await client.get(f"/assessments/{newest['id']}", headers=auth(app))).json()
    assert (second["case_id"], second["municipality"], second["person_id"]) == (first["case_id"], TOLGA, "person-1")
    assert (second["round"], second["status"], second["recommendation"], second["functional_scores"]) == (
        2,
        "open",
        None,
        None,
    )
    assert second["created_at"] == QUASHED_AT.isoformat().replace("+00:00", "Z")
    assert second["opened_because"] == {
        "reason": "quashed_on_appeal",
        "outcome_id": "outcome-1",
        "appeal_id": "appeal-1",
        "decision_id": "decision-1",
        "decided_on": "2027-01-15",
    }
    earlier = (await client.get(f"/assessments/{first['id']}", headers=auth(app))).json()
    assert earlier == first, "the completed round keeps its record"
    opened = await emitted(app, AssessmentOpened)
    assert [o.assessment_id for o in opened] == [first["id"], second["id"]]
    assert opened[-1].case_id == first["case_id"]


async def test_the_new_round_is_worked_like_any_assessment(
    app: FastAPI, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    first = await completed_case(app, client)
    await quash(app, clock, first["case_id"])
    [newest, _] = await rounds(app, client, first["case_id"])

    assigned = await client.post(
        f"/assessments/{newest['id']}/assignment",
        json={"assignee_kind": "profession", "assignee": "nurse"},
        headers=auth(app),
    )

    assert (assigned.status_code, assigned.json()["status"]) == (200, "in_progress")


async def test_an_outcome_delivered_again_or_sent_again_opens_one_round(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    first = await completed_case(app, client)
    event = outcome_event(first["case_id"])
    deliveries = Deliveries(app)

    outcomes = [
        await deliveries.deliver(event),
        await deliveries.deliver(event),
        await deliveries.deliver(outcome_event(first["case_id"])),  # the same outcome under another event id
    ]

    assert outcomes == [Outcome.PROCESSED, Outcome.DUPLICATE, Outcome.PROCESSED]
    assert deliveries.dead_letters == []
    assert len(await rounds(app, client, first["case_id"])) == 2
    assert len(await emitted(app, AssessmentOpened)) == 2


@pytest.mark.parametrize("kind", [k for k in BodyOutcome if k is not BodyOutcome.QUASHED])
async def test_an_outcome_other_than_quashed_leaves_the_assessment_alone(
    app: FastAPI, client: httpx.AsyncClient, kind: BodyOutcome
) -> None:
    first = await completed_case(app, client)

    assert await deliver(app, outcome_event(first["case_id"], kind)) is Outcome.PROCESSED

    assert [r["id"] for r in await rounds(app, client, first["case_id"])] == [first["id"]]
    assert len(await emitted(app, AssessmentOpened)) == 1


async def test_an_outcome_of_a_case_not_assessed_here_is_ignored_and_logged(
    app: FastAPI, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    first = await completed_case(app, client)

    with caplog.at_level(logging.INFO, logger="services.assessment.commands"):
        unknown = await deliver(app, outcome_event("case-unknown"))
        elsewhere = await deliver(app, outcome_event(first["case_id"], municipality="5032", outcome_id="o-2"))

    assert (unknown, elsewhere) == (Outcome.PROCESSED, Outcome.PROCESSED)
    assert await count(app, assessment_db.assessment) == 1
    assert len(await emitted(app, AssessmentOpened)) == 1
    assert any("case-unknown" in r.getMessage() and "ignored" in r.getMessage() for r in caplog.records)


async def test_a_quashed_decision_while_the_case_is_still_being_assessed_is_dead_lettered(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    opened = await open_assessment(app, client)
    deliveries = Deliveries(app, max_attempts=1)

    assert await deliveries.deliver(outcome_event(opened["case_id"])) is Outcome.DEAD_LETTERED

    [letter] = deliveries.dead_letters
    assert "round 1 of the case's assessment is open" in letter.reason
    assert await count(app, assessment_db.assessment) == 1


async def test_consent_and_withdrawal_reach_every_round_of_the_case(
    app: FastAPI, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    first = await completed_case(app, client)
    case_id = first["case_id"]
    await quash(app, clock, case_id)

    remaining = consent("fetch_from_hospital", "sharing", share_with=(PARTNER,))
    await deliver(app, withdrawal_event(case_id, withdrawn=("fetch_from_gp",), remaining=remaining))
    withdrawn = ApplicationWithdrawn(case_id=case_id, withdrawn_on=date(2027, 1, 20))
    await deliver(app, wrap(withdrawn, case_id, sent_at=QUASHED_AT))

    newest, earliest = await rounds(app, client, case_id)
    assert (newest["status"], earliest["status"]) == ("withdrawn", "completed")
    for found in (newest, earliest):
        read = (await client.get(f"/assessments/{found['id']}", headers=auth(app))).json()
        assert "fetch_from_gp" not in read["consent"]["scope"]
    [closed] = await emitted(app, AssessmentClosed)
    assert (closed.assessment_id, closed.reason) == (newest["id"], "application_withdrawn")
