"""The timer: a reminder shortly before a deadline, an alert and DeadlineDue when it runs out, each once."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from contracts.deadlines import DeadlineCancelled, DeadlineDue, DeadlineEscalated
from contracts.decision import LetterIssued
from contracts.envelope import CloudEvent
from contracts.intake import ApplicationWithdrawn, ConsentScope, ConsentWithdrawn
from contracts.tests.examples import EXAMPLE_TIME, application_registered
from servicekit.actor import Actor
from servicekit.clock import FixedClock
from servicekit.consumer import Outcome
from servicekit.testing import Deliveries, emitted, outbox_events, runtime_of
from services.notification import db as notification_db
from services.notification.db import Deadlines
from services.notification.domain import Deadline
from services.notification.main import sweep_deadlines
from services.notification.sweeper import sweep

TOLGA = "3426"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 12, 1, 9, tzinfo=UTC))


async def _deadline(
    app: FastAPI,
    deadline_id: str,
    due_on: date,
    municipality: str = TOLGA,
    *,
    kind: str = "information_request",
    remind_days_before: int | None = None,
) -> None:
    """A clock as kept for a municipality: of a kind that does not escalate unless named, reminded by its own lead
    (the default lead unless given)."""
    async with runtime_of(app).db.unit_of_work(Actor.service("notification", municipality)) as uow:
        await Deadlines(uow).add(
            Deadline(
                id=deadline_id,
                municipality=municipality,
                case_id=f"case-{deadline_id}",
                kind=kind,
                due_on=due_on,
                responsible="allocation_office",
                created_at=datetime(2026, 11, 1, tzinfo=UTC),
                remind_on=None if remind_days_before is None else due_on - timedelta(days=remind_days_before),
            )
        )
        await uow.commit()


async def swept_at(app: FastAPI, clock: FixedClock, at: datetime) -> int:
    """One sweep as the running service does it: the periodic job the composition root builds from the runtime."""
    clock.set(at)
    return await sweep_deadlines(runtime_of(app).parts)


async def _statuses(app: FastAPI) -> dict[str, str]:
    async with runtime_of(app).db.sessions() as session:
        found = await session.execute(select(notification_db.deadline.c.id, notification_db.deadline.c.status))
        return {row.id: row.status for row in found}


async def _notes(app: FastAPI) -> list[tuple[str, str, str]]:
    n = notification_db.notification
    async with runtime_of(app).db.sessions() as session:
        return sorted((await session.execute(select(n.c.municipality, n.c.kind, n.c.recipient))).tuples().all())


async def test_the_sweep_reminds_then_alerts_once_each_and_emits_deadline_due(app: FastAPI, clock: FixedClock) -> None:
    await _deadline(app, "d-1", date(2026, 12, 14))
    await _deadline(app, "d-far", date(2027, 3, 1))

    assert await swept_at(app, clock, datetime(2026, 12, 10, 9, tzinfo=UTC)) == 1  # reminder
    assert await swept_at(app, clock, datetime(2026, 12, 11, 9, tzinfo=UTC)) == 0  # nothing new
    assert await swept_at(app, clock, datetime(2026, 12, 14, 9, tzinfo=UTC)) == 1  # alert
    assert await swept_at(app, clock, datetime(2026, 12, 15, 9, tzinfo=UTC)) == 0  # never twice

    assert await _notes(app) == [(TOLGA, "alert", "allocation_office"), (TOLGA, "reminder", "allocation_office")]
    assert await _statuses(app) == {"d-1": "due", "d-far": "scheduled"}
    [(topic, due)] = await outbox_events(app)
    assert (topic, due.type, due.municipality, due.subject) == (
        "deadlines.v1",
        DeadlineDue.event_type,
        TOLGA,
        "case-d-1",
    )
    assert due.data == DeadlineDue(
        deadline_id="d-1",
        case_id="case-d-1",
        kind="information_request",
        due_on=date(2026, 12, 14),
        responsible="allocation_office",
    )


async def test_each_municipalitys_deadline_is_swept_in_its_own_name(app: FastAPI, clock: FixedClock) -> None:
    await _deadline(app, "d-tolga", date(2026, 12, 3), TOLGA)
    await _deadline(app, "d-selbu", date(2026, 12, 3), "5032")

    assert await swept_at(app, clock, datetime(2026, 12, 3, 9, tzinfo=UTC)) == 2

    assert await _notes(app) == [(TOLGA, "alert", "allocation_office"), ("5032", "alert", "allocation_office")]
    assert {(e.municipality, e.data.deadline_id) for _, e in await outbox_events(app)} == {
        (TOLGA, "d-tolga"),
        ("5032", "d-selbu"),
    }


async def test_two_replicas_sweeping_at_once_send_each_reminder_and_alert_once(app: FastAPI, clock: FixedClock) -> None:
    runtime = runtime_of(app)
    await _deadline(app, "d-1", date(2026, 12, 14))

    async def two_replicas() -> list[int]:
        replica = partial(sweep, runtime.db, runtime.bus, runtime.telemetry.tracer)
        return list(await asyncio.gather(replica(), replica()))

    clock.set(datetime(2026, 12, 10, 9, tzinfo=UTC))
    reminded = await two_replicas()
    clock.set(datetime(2026, 12, 14, 9, tzinfo=UTC))
    alerted = await two_replicas()

    assert (sorted(reminded), sorted(alerted)) == ([0, 1], [0, 1])
    assert [kind for _, kind, _ in await _notes(app)] == ["alert", "reminder"]
    assert len(await emitted(app, DeadlineDue)) == 1


async def test_the_sweep_traces_each_reminder_and_alert_it_sends(app: FastAPI, clock: FixedClock) -> None:
    await _deadline(app, "d-1", date(2026, 12, 14))

    await swept_at(app, clock, datetime(2026, 12, 10, 9, tzinfo=UTC))
    await swept_at(app, clock, datetime(2026, 12, 14, 9, tzinfo=UTC))

    memory = runtime_of(app).telemetry.memory
    assert memory is not None
    names = [s.name for s in memory.get_finished_spans() if s.name.startswith("deadline ")]
    assert names == ["deadline remind", "deadline due"]


async def test_a_cancelled_deadline_is_neither_reminded_nor_alerted(app: FastAPI, clock: FixedClock) -> None:
    await _deadline(app, "d-1", date(2026, 12, 14))
    async with runtime_of(app).db.unit_of_work(Actor.service("notification", TOLGA)) as uow:
        deadlines = Deadlines(uow)
        deadline = await deadlines.get("d-1")
        assert deadline is not None
        assert deadline.cancel("decision_made")
        assert await deadlines.save(deadline)
        await uow.commit()

    assert await swept_at(app, clock, datetime(2026, 12, 10, 9, tzinfo=UTC)) == 0
    assert await swept_at(app, clock, datetime(2026, 12, 20, 9, tzinfo=UTC)) == 0
    assert await _notes(app) == []
    assert await _statuses(app) == {"d-1": "cancelled"}


def _intake_event(data: Any) -> CloudEvent[Any]:
    return CloudEvent.wrap(data, source="/forvalt/intake", subject=data.case_id, municipality=TOLGA, time=EXAMPLE_TIME)


@pytest.mark.parametrize(
    "withdrawal",
    [
        ApplicationWithdrawn(case_id="case-1", withdrawn_on=date(2026, 11, 10)),
        ConsentWithdrawn(
            case_id="case-1",
            withdrawn_scopes=[ConsentScope.PROCESSING],
            withdrawn_on=date(2026, 11, 10),
            remaining=None,
        ),
    ],
    ids=["application_withdrawn", "consent_to_processing_withdrawn"],
)
async def test_after_a_withdrawal_the_sweep_neither_reminds_nor_alerts_for_the_cases_deadlines(
    app: FastAPI, clock: FixedClock, withdrawal: ApplicationWithdrawn | ConsentWithdrawn
) -> None:
    deliveries = Deliveries(app, max_attempts=1)
    # Received 2 November 2026: the preliminary reply is due on Wednesday 2 December.
    assert await deliveries.deliver(_intake_event(application_registered(case_id="case-1"))) is Outcome.PROCESSED
    assert await deliveries.deliver(_intake_event(withdrawal)) is Outcome.PROCESSED

    assert await swept_at(app, clock, datetime(2026, 11, 30, 9, tzinfo=UTC)) == 0  # no reminder
    assert await swept_at(app, clock, datetime(2026, 12, 3, 9, tzinfo=UTC)) == 0  # no alert

    assert [kind for _, kind, _ in await _notes(app)] == ["receipt"]
    assert await emitted(app, DeadlineDue) == []


async def test_a_batch_is_never_filled_with_clocks_that_need_nothing_today_so_a_later_reminder_goes_out(
    app: FastAPI, clock: FixedClock
) -> None:
    runtime = runtime_of(app)
    # Reminded already and not yet due: more of them than a batch holds, all due before the one that needs a reminder.
    for n in range(3):
        await _deadline(app, f"reminded-{n}", date(2026, 12, 3 + n))
    assert await swept_at(app, clock, datetime(2026, 12, 1, 9, tzinfo=UTC)) == 3
    # Inside the widest lead any kind has (30 days) but not yet inside their own (5 days).
    for n in range(3):
        await _deadline(app, f"not-yet-{n}", date(2026, 12, 10 + n))
    # The annual report's lead is 30 days: it is owed its reminder today, and is due after all the others.
    await _deadline(app, "report", date(2026, 12, 20), kind="annual_report", remind_days_before=30)
    clock.set(datetime(2026, 12, 2, 9, tzinfo=UTC))

    sent = await sweep(runtime.db, runtime.bus, runtime.telemetry.tracer, batch=2)

    assert sent == 1
    reminded = [r for m, k, r in await _notes(app) if k == "reminder"]
    assert reminded.count("allocation_office") == 4  # the three earlier ones, then the report
    assert "leader_of:allocation_office" in reminded, "the annual report reminds the unit's leader too"


async def _escalations(app: FastAPI) -> list[tuple[int, date]]:
    return [(e.step, e.escalated_on) for e in await emitted(app, DeadlineEscalated)]


async def test_an_overdue_preliminary_reply_escalates_at_the_due_day_and_each_week_after_once_until_cancelled(
    app: FastAPI, clock: FixedClock
) -> None:
    runtime = runtime_of(app)
    # Due Friday 18 December 2026: the next steps fall on Christmas Day and New Year's Day, both Fridays.
    await _deadline(app, "d-1", date(2026, 12, 18), kind="preliminary_reply")

    async def two_replicas() -> int:
        replica = partial(sweep, runtime.db, runtime.bus, runtime.telemetry.tracer)
        return sum(await asyncio.gather(replica(), replica()))

    sent = []
    for day in (18, 21, 25, 28):
        clock.set(datetime(2026, 12, day, 9, tzinfo=UTC))
        sent.append(await two_replicas())
    clock.set(datetime(2027, 1, 1, 9, tzinfo=UTC))
    sent.append(await two_replicas())
    clock.set(datetime(2027, 1, 4, 9, tzinfo=UTC))
    sent.append(await two_replicas())

    assert sent == [1, 0, 0, 1, 0, 1]
    assert await _escalations(app) == [(1, date(2026, 12, 18)), (2, date(2026, 12, 28)), (3, date(2027, 1, 4))]
    [escalated, *_] = await emitted(app, DeadlineEscalated)
    assert escalated == DeadlineEscalated(
        deadline_id="d-1",
        case_id="case-d-1",
        kind="preliminary_reply",
        responsible="allocation_office",
        escalated_to="leader_of:allocation_office",
        step=1,
        escalated_on=date(2026, 12, 18),
    )
    leader_notes = [k for _, k, r in await _notes(app) if r == "leader_of:allocation_office"]
    assert leader_notes == ["escalation"] * 3
    assert len(await emitted(app, DeadlineDue)) == 1

    # The reply goes out at last: the clock is cancelled, and no step follows.
    cancelled = DeadlineCancelled(
        deadline_id="d-1", case_id="case-d-1", kind="preliminary_reply", reason="preliminary_reply_sent"
    )
    event = CloudEvent.wrap(
        cancelled, source="/forvalt/decision", subject="case-d-1", municipality=TOLGA, time=EXAMPLE_TIME
    )
    assert await Deliveries(app, max_attempts=1).deliver(event) is Outcome.PROCESSED
    assert await swept_at(app, clock, datetime(2027, 1, 11, 9, tzinfo=UTC)) == 0
    assert len(await _escalations(app)) == 3
    assert await _statuses(app) == {"d-1": "cancelled"}


async def test_a_preliminary_reply_sent_late_stops_the_escalation_of_its_overdue_clock(
    app: FastAPI, clock: FixedClock
) -> None:
    deliveries = Deliveries(app, max_attempts=1)
    # Received 2 November 2026: the preliminary reply is due on Wednesday 2 December.
    assert await deliveries.deliver(_intake_event(application_registered(case_id="case-1"))) is Outcome.PROCESSED
    assert await swept_at(app, clock, datetime(2026, 12, 2, 9, tzinfo=UTC)) == 1
    assert await _escalations(app) == [(1, date(2026, 12, 2))]

    sent = LetterIssued(letter_id="letter-1", case_id="case-1", kind="preliminary_reply", language="nb")
    event = CloudEvent.wrap(sent, source="/forvalt/decision", subject="case-1", municipality=TOLGA, time=EXAMPLE_TIME)
    assert await deliveries.deliver(event) is Outcome.PROCESSED

    assert await swept_at(app, clock, datetime(2026, 12, 9, 9, tzinfo=UTC)) == 0
    assert await _escalations(app) == [(1, date(2026, 12, 2))]
