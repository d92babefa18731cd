"""A decision's review (within a year) or a time-limited decision's evaluation falls due (DeadlineDue from the
notification service): the case goes on the next allocation meeting's agenda where the municipality holds meetings
(Tolga), and is flagged for the office on the case either way (Selbu holds none); once, however often it comes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from contracts.deadlines import DeadlineDue, DeadlineScheduled
from contracts.decision import CaseScheduledForMeeting, DecisionKind
from servicekit.clock import FixedClock
from servicekit.consumer import EventConsumer, Outcome
from servicekit.testing import emitted, runtime_of
from services.decision import db as decision_db
from services.decision.domain import (
    CaseStatus,
    DecisionCase,
    DecisionClock,
    DueReview,
    due_review_of,
)
from services.decision.tests.support import SELBU, TOLGA, assessed, auth, decision_body, feed, oslo, wrap

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)


def _due(clock: DeadlineScheduled, municipality: str, at: datetime) -> Any:
    data = DeadlineDue(
        deadline_id=clock.deadline_id,
        case_id=clock.case_id,
        kind=clock.kind,
        due_on=clock.due_on,
        responsible=clock.responsible,
    )
    return wrap(data, municipality, at, source="/forvalt/notification")


async def _agenda(app: FastAPI) -> list[tuple[str, date, str]]:
    async with runtime_of(app).db.engine.connect() as conn:
        meetings = {m.id: m.meeting_on for m in (await conn.execute(select(decision_db.meeting))).all()}
        items = (await conn.execute(select(decision_db.agenda_item))).all()
    return sorted((i.case_id, meetings[i.meeting_id], i.reason) for i in items)


async def test_a_due_review_in_tolga_puts_the_decision_on_the_next_weekly_meetings_agenda_once(
    app: FastAPI, client: httpx.AsyncClient, consumer: EventConsumer, clock: FixedClock
) -> None:
    await assessed(consumer, clock, "case-1", TOLGA, at=oslo(2026, 3, 9, 11, 0))
    clock.set(oslo(2026, 3, 10, 13))
    draft = (await client.post("/decisions", json=decision_body("case-1"), headers=auth(app, TOLGA))).json()
    leader = auth(app, TOLGA, ("leader",), unit="home_care")
    made = (await client.post(f"/decisions/{draft['id']}/approval", json={}, headers=leader)).json()
    [review] = await emitted(app, DeadlineScheduled)
    assert (review.kind, review.due_on) == ("decision_review", date(2027, 3, 10))

    # Due Wednesday 10 March 2027: Monday's cut-off has passed, so the meeting of Tuesday 16 March.
    due = _due(review, TOLGA, oslo(2027, 3, 10, 7))
    assert await feed(consumer, clock, due) is Outcome.PROCESSED
    assert await feed(consumer, clock, due) is Outcome.DUPLICATE
    again = _due(review, TOLGA, oslo(2027, 3, 11, 7))  # announced anew (another event id)
    assert await feed(consumer, clock, again) is Outcome.PROCESSED

    assert await _agenda(app) == [
        ("case-1", date(2026, 3, 10), "recommendation"),
        ("case-1", date(2027, 3, 16), "review"),
    ]
    scheduled = [e for e in await emitted(app, CaseScheduledForMeeting) if e.meeting_on.year == 2027]
    assert [(e.case_id, e.meeting_on) for e in scheduled] == [("case-1", date(2027, 3, 16))]
    case = (await client.get("/cases/case-1", headers=auth(app, TOLGA))).json()
    assert case["due_review"] == {
        "deadline_id": review.deadline_id,
        "decision_id": made["id"],
        "kind": "decision_review",
        "due_on": "2027-03-10",
    }
    assert case["agenda"] is not None


async def test_a_due_evaluation_in_selbu_without_meetings_flags_the_case_for_the_office(
    app: FastAPI, client: httpx.AsyncClient, consumer: EventConsumer, clock: FixedClock
) -> None:
    await assessed(consumer, clock, "case-2", SELBU, at=oslo(2026, 3, 9, 11, 0))
    clock.set(oslo(2026, 3, 10, 13))
    services = [{"service_code": "home_nursing", "hours_per_week": 6, "start_on": "2026-03-16", "end_on": "2026-09-30"}]
    made = (await client.post("/decisions", json=decision_body("case-2", services=services), headers=auth(app))).json()
    [evaluation] = await emitted(app, DeadlineScheduled)
    # Four weeks before it ends on 30 September: Wednesday 2 September, a working day.
    assert (evaluation.kind, evaluation.due_on) == ("time_limited_evaluation", date(2026, 9, 2))

    assert await feed(consumer, clock, _due(evaluation, SELBU, oslo(2026, 9, 2, 7))) is Outcome.PROCESSED

    assert await _agenda(app) == []
    case = (await client.get("/cases/case-2", headers=auth(app))).json()
    assert (case["due_review"]["kind"], case["due_review"]["decision_id"]) == ("time_limited_evaluation", made["id"])
    assert case["agenda"] is None


async def test_a_due_clock_of_another_service_changes_no_case(
    app: FastAPI, client: httpx.AsyncClient, consumer: EventConsumer, clock: FixedClock
) -> None:
    await assessed(consumer, clock, "case-3", SELBU, at=oslo(2026, 3, 9, 11, 0))
    other = DeadlineScheduled(
        deadline_id="prelim-3",
        case_id="case-3",
        kind="preliminary_reply",
        due_on=date(2026, 4, 2),
        responsible="allocation_office",
    )

    assert await feed(consumer, clock, _due(other, SELBU, oslo(2026, 4, 2, 7))) is Outcome.PROCESSED

    case = (await client.get("/cases/case-3", headers=auth(app))).json()
    assert (case["status"], case["due_review"]) == ("awaiting_decision", None)


# --- the rules, plain ---------------------------------------------------------------------------------------------


def _clock(status: str = "scheduled", kind: str = "decision_review") -> DecisionClock:
    return DecisionClock(
        id="c-1",
        municipality=TOLGA,
        decision_id="dec-1",
        case_id="case-1",
        kind=kind,
        due_on=date(2027, 3, 10),
        status=status,
        created_at=NOW,
    )


def test_only_a_running_review_or_evaluation_clock_of_ours_asks_for_a_review() -> None:
    assert due_review_of(_clock()) == DueReview("c-1", "dec-1", "decision_review", date(2027, 3, 10))
    assert due_review_of(_clock(kind="time_limited_evaluation")).reason == "evaluation"  # type: ignore[union-attr]
    assert due_review_of(_clock(status="cancelled")) is None, "stopped by a superseding decision"
    assert due_review_of(_clock(status="due")) is None, "acted on already"
    assert due_review_of(None) is None


def test_the_flag_stays_until_a_review_replaces_the_decision() -> None:
    case = DecisionCase("case-1", TOLGA, CaseStatus.DECIDED, NOW, NOW)
    due = DueReview("c-1", "dec-1", "decision_review", date(2027, 3, 10))

    assert case.review_falls_due(due, NOW)
    case.decided(DecisionKind.REQUESTED, NOW)
    assert case.due_review == due
    case.decided(DecisionKind.REVIEW, NOW)
    assert case.due_review is None


def test_a_case_that_is_not_decided_is_not_flagged() -> None:
    case = DecisionCase("case-1", TOLGA, CaseStatus.AWAITING_DECISION, NOW, NOW)

    assert not case.review_falls_due(DueReview("c-1", "dec-1", "decision_review", date(2027, 3, 10)), NOW)
    assert case.due_review is None
