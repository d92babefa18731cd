"""The timer: a reminder shortly before a deadline, an alert and DeadlineDue when it runs out, each once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from contracts.envelope import CloudEvent, parse_event
from contracts.intake import ApplicationWithdrawn, ConsentScope, ConsentWithdrawn
from contracts.tests.examples import EXAMPLE_TIME, application_registered
from contracts.topics import Topic
from servicekit.clock import FixedClock
from servicekit.consumer import DeadLetter, EventConsumer, IncomingMessage, RetryPolicy
from servicekit.consumer import Outcome as ConsumeOutcome
from servicekit.db import OUTBOX
from servicekit.migrate import upgrade
from servicekit.runtime import Runtime, create_app
from services.notification import db as notification_db
from services.notification.domain import REMINDER_DAYS_BEFORE, Sweep, sweep_action
from services.notification.main import Settings, spec
from services.notification.sweeper import sweep


@pytest.mark.parametrize(
    ("due_on", "reminded", "expected"),
    [
        (date(2026, 12, 21), False, Sweep.NOTHING),  # 10 days ahead
        (date(2026, 12, 11 + REMINDER_DAYS_BEFORE), False, Sweep.REMIND),
        (date(2026, 12, 13), True, Sweep.NOTHING),  # already reminded
        (date(2026, 12, 11), True, Sweep.DUE),
        (date(2026, 12, 1), False, Sweep.DUE),  # overdue and never reminded: alert at once
    ],
)
def test_what_a_deadline_needs_on_a_day(due_on: date, reminded: bool, expected: Sweep) -> None:
    assert sweep_action(due_on, date(2026, 12, 11), reminded=reminded) is expected


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 12, 1, 9, tzinfo=UTC))


@pytest.fixture
async def runtime(tmp_path: Path, clock: FixedClock) -> AsyncIterator[Runtime]:
    settings = Settings(environment="test", database_url=f"sqlite+aiosqlite:///{tmp_path}/n.db")
    app: FastAPI = create_app(spec(settings), settings, clock=clock)
    running: Runtime = app.state.runtime
    await upgrade(running.db, running.spec.migrations_dir)
    yield running
    await running.db.dispose()


async def _deadline(runtime: Runtime, deadline_id: str, due_on: date) -> None:
    async with runtime.db.unit_of_work() as uow:
        await notification_db.add(
            uow.session,
            notification_db.deadline,
            {
                "id": deadline_id,
                "municipality": "3426",
                "case_id": f"case-{deadline_id}",
                "kind": "preliminary_reply",
                "due_on": due_on,
                "responsible": "allocation_office",
                "status": "scheduled",
                "created_at": datetime(2026, 11, 1, tzinfo=UTC),
            },
        )
        await uow.commit()


async def swept_at(runtime: Runtime, clock: FixedClock, at: datetime) -> int:
    clock.set(at)
    return await sweep(runtime)


async def test_the_sweep_reminds_then_alerts_once_each_and_emits_deadline_due(
    runtime: Runtime, clock: FixedClock
) -> None:
    await _deadline(runtime, "d-1", date(2026, 12, 14))
    await _deadline(runtime, "d-far", date(2027, 3, 1))

    assert await swept_at(runtime, clock, datetime(2026, 12, 10, 9, tzinfo=UTC)) == 1  # reminder
    assert await swept_at(runtime, clock, datetime(2026, 12, 11, 9, tzinfo=UTC)) == 0  # nothing new
    assert await swept_at(runtime, clock, datetime(2026, 12, 14, 9, tzinfo=UTC)) == 1  # alert
    assert await swept_at(runtime, clock, datetime(2026, 12, 15, 9, tzinfo=UTC)) == 0  # never twice

    async with runtime.db.sessions() as session:
        notes = (
            await session.execute(select(notification_db.notification.c.kind, notification_db.notification.c.recipient))
        ).all()
        status_rows = await session.execute(select(notification_db.deadline.c.id, notification_db.deadline.c.status))
        statuses = {row.id: row.status for row in status_rows}
        payloads = (await session.execute(select(OUTBOX.c.payload))).scalars().all()
    assert sorted(notes) == [("alert", "allocation_office"), ("reminder", "allocation_office")]
    assert statuses == {"d-1": "due", "d-far": "scheduled"}
    [due] = [parse_event(p) for p in payloads]
    assert due is not None
    assert (due.type, due.data.deadline_id, due.data.kind) == ("no.forvalt.deadline.due.v1", "d-1", "preliminary_reply")


async def test_a_cancelled_deadline_is_neither_reminded_nor_alerted(runtime: Runtime, clock: FixedClock) -> None:
    await _deadline(runtime, "d-1", date(2026, 12, 14))
    async with runtime.db.unit_of_work() as uow:
        await notification_db.cancel_deadline(uow.session, "3426", "d-1", "decision_made")
        await uow.commit()

    assert await swept_at(runtime, clock, datetime(2026, 12, 20, 9, tzinfo=UTC)) == 0


def _intake_event(data: Any) -> IncomingMessage:
    event = CloudEvent.wrap(
        data, source="/forvalt/intake", subject=data.case_id, municipality="3426", time=EXAMPLE_TIME
    )
    return IncomingMessage(
        topic=Topic.INTAKE, partition=0, offset=0, key=event.subject, value=event.to_json(), headers={}
    )


async def _consumed(runtime: Runtime, message: IncomingMessage) -> None:
    """One event through the service's own handlers, as its consumer runs them."""

    async def no_dead_letters(letter: DeadLetter) -> None:
        raise AssertionError(f"dead-lettered: {letter}")

    consumer = EventConsumer(
        name="notification",
        handlers=runtime.spec.handlers,
        db=runtime.db,
        policy=RetryPolicy(max_attempts=1),
        dead_letter=no_dead_letters,
        tracer=runtime.telemetry.tracer,
    )
    assert await consumer.process(message) is ConsumeOutcome.PROCESSED


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
    runtime: Runtime, clock: FixedClock, withdrawal: ApplicationWithdrawn | ConsentWithdrawn
) -> None:
    # Received 2 November 2026: the preliminary reply is due on Wednesday 2 December.
    await _consumed(runtime, _intake_event(application_registered(case_id="case-1")))
    await _consumed(runtime, _intake_event(withdrawal))

    assert await swept_at(runtime, clock, datetime(2026, 11, 30, 9, tzinfo=UTC)) == 0  # no reminder
    assert await swept_at(runtime, clock, datetime(2026, 12, 3, 9, tzinfo=UTC)) == 0  # no alert

    async with runtime.db.sessions() as session:
        kinds = (await session.execute(select(notification_db.notification.c.kind))).scalars().all()
        types = [e.type for e in map(parse_event, (await session.execute(select(OUTBOX.c.payload))).scalars()) if e]
    assert kinds == ["receipt"]
    assert "no.forvalt.deadline.due.v1" not in types
