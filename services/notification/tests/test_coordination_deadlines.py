"""The coordinating unit's clocks reach the unit that must act: a home visit, minutes, training, a raised need, a
child coordinator's end at 18 and the annual report are each reminded before they fall due and alerted when they
do; a report submitted in time stops its clock before any alert."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from contracts.deadlines import DeadlineCancelled, DeadlineDue, DeadlineKind, DeadlineScheduled
from contracts.envelope import CloudEvent, EventModel
from servicekit.clock import FixedClock
from servicekit.consumer import Outcome
from servicekit.testing import Deliveries, emitted, runtime_of
from services.notification import db as notification_db
from services.notification.main import sweep_deadlines

SELBU = "5032"
DUE = date(2026, 12, 14)
COORDINATION_KINDS = [
    DeadlineKind.HOME_VISIT,
    DeadlineKind.MEETING_MINUTES,
    DeadlineKind.COORDINATOR_TRAINING,
    DeadlineKind.ESCALATION_RESPONSE,
    DeadlineKind.CHILD_COORDINATOR_ENDS,
    DeadlineKind.ANNUAL_REPORT,
]
# Who each kind reminds and alerts by default besides the unit responsible (tok), and whether it escalates to the
# unit's leader when overdue.
ALSO_TOLD = {
    DeadlineKind.HOME_VISIT: (),
    DeadlineKind.MEETING_MINUTES: ("coordinator",),
    DeadlineKind.COORDINATOR_TRAINING: (),
    DeadlineKind.ESCALATION_RESPONSE: ("leader_of:tok",),
    DeadlineKind.CHILD_COORDINATOR_ENDS: ("coordinator",),
    DeadlineKind.ANNUAL_REPORT: ("leader_of:tok",),
}
ESCALATES = {DeadlineKind.MEETING_MINUTES, DeadlineKind.COORDINATOR_TRAINING}


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 12, 1, 9, tzinfo=UTC))


def _from_coordination(data: EventModel, case_id: str) -> CloudEvent[EventModel]:
    at = datetime(2026, 12, 1, 9, tzinfo=UTC)
    return CloudEvent.wrap(data, source="/forvalt/coordination", subject=case_id, municipality=SELBU, time=at)


async def _sweep(app: FastAPI, clock: FixedClock, at: datetime) -> int:
    clock.set(at)
    return await sweep_deadlines(runtime_of(app).parts)


async def _notes(app: FastAPI) -> list[tuple[str, str]]:
    n = notification_db.notification
    async with runtime_of(app).db.sessions() as session:
        return sorted((await session.execute(select(n.c.kind, n.c.recipient))).tuples().all())


@pytest.mark.parametrize("kind", COORDINATION_KINDS)
async def test_a_coordination_clock_reminds_then_alerts_the_unit_responsible(
    app: FastAPI, clock: FixedClock, kind: DeadlineKind
) -> None:
    deliveries = Deliveries(app, max_attempts=1)
    scheduled = DeadlineScheduled(deadline_id="d-1", case_id="case-1", kind=kind, due_on=DUE, responsible="tok")

    told = ("tok", *ALSO_TOLD[kind])
    assert await deliveries.deliver(_from_coordination(scheduled, "case-1")) is Outcome.PROCESSED
    assert await _sweep(app, clock, datetime(2026, 12, 13, 9, tzinfo=UTC)) == 1  # within every kind's lead
    assert await _notes(app) == sorted(("reminder", who) for who in told)
    assert await _sweep(app, clock, datetime(2026, 12, 14, 9, tzinfo=UTC)) == 1

    escalated = [("escalation", "leader_of:tok")] if kind in ESCALATES else []
    assert await _notes(app) == sorted([*(("reminder", w) for w in told), *(("alert", w) for w in told), *escalated])
    [due] = await emitted(app, DeadlineDue)
    assert (due.deadline_id, due.kind, due.responsible) == ("d-1", kind.value, "tok")
    assert deliveries.dead_letters == []


async def test_an_annual_report_submitted_in_time_stops_its_clock_before_the_alert(
    app: FastAPI, clock: FixedClock
) -> None:
    deliveries = Deliveries(app, max_attempts=1)
    case_id = "annual-report-tok-2026"
    scheduled = DeadlineScheduled(
        deadline_id="d-report", case_id=case_id, kind=DeadlineKind.ANNUAL_REPORT, due_on=DUE, responsible="tok"
    )
    cancelled = DeadlineCancelled(
        deadline_id="d-report", case_id=case_id, kind=DeadlineKind.ANNUAL_REPORT, reason="report_submitted"
    )

    assert await deliveries.deliver(_from_coordination(scheduled, case_id)) is Outcome.PROCESSED
    assert await _sweep(app, clock, datetime(2026, 12, 9, 9, tzinfo=UTC)) == 1
    assert await deliveries.deliver(_from_coordination(cancelled, case_id)) is Outcome.PROCESSED
    assert await _sweep(app, clock, datetime(2026, 12, 14, 9, tzinfo=UTC)) == 0

    assert await _notes(app) == [("reminder", "leader_of:tok"), ("reminder", "tok")]
    assert await emitted(app, DeadlineDue) == []
