"""Notification's reaction to ApplicationRegistered, directly and through the EventConsumer."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Table, func, select

from contracts.assessment import AssessmentOpened
from contracts.deadlines import DeadlineCancelled, DeadlineKind, DeadlineScheduled
from contracts.decision import AppealInformation, DecidedBy, DecisionKind, DecisionMade, LetterIssued
from contracts.decision import Outcome as DecisionOutcome
from contracts.envelope import CloudEvent, parse_event
from contracts.tests.examples import EXAMPLE_TIME, registered_event
from contracts.topics import Topic, tenant_topic
from servicekit.clock import FixedClock
from servicekit.consumer import DeadLetter, EventConsumer, IncomingMessage, Outcome, RetryPolicy
from servicekit.db import INBOX, OUTBOX, Database
from servicekit.migrate import upgrade
from servicekit.settings import ServiceSettings
from servicekit.telemetry import Telemetry
from services.notification import db as notification_db
from services.notification.handlers import handlers, on_application_registered
from services.notification.main import spec


@pytest.fixture
def clock() -> FixedClock:
    """The service's clock: when the example events are processed, until a test moves it."""
    return FixedClock(EXAMPLE_TIME + timedelta(minutes=5))


@pytest.fixture
async def db(tmp_path: Path, clock: FixedClock) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path}/notification.db", clock=clock)
    await upgrade(database, spec().migrations_dir)
    yield database
    await database.dispose()


@pytest.fixture
def telemetry() -> Iterator[Telemetry]:
    tel = Telemetry(ServiceSettings(service_name="notification", telemetry_exporter="memory"))
    yield tel
    tel.shutdown()


@pytest.fixture
def dead_letters() -> list[DeadLetter]:
    return []


@pytest.fixture
def consumer(db: Database, telemetry: Telemetry, dead_letters: list[DeadLetter]) -> EventConsumer:
    async def send(letter: DeadLetter) -> None:
        dead_letters.append(letter)

    async def no_sleep(_: float) -> None:
        return None

    return EventConsumer(
        name="notification",
        handlers=handlers,
        db=db,
        policy=RetryPolicy(max_attempts=3),
        dead_letter=send,
        tracer=telemetry.tracer,
        sleep=no_sleep,
    )


def incoming(event: CloudEvent[Any], offset: int = 0) -> IncomingMessage:
    return IncomingMessage(
        topic=Topic.INTAKE, partition=0, offset=offset, key=event.subject, value=event.to_json(), headers={}
    )


async def rows(db: Database, table: Table) -> list[Any]:
    async with db.engine.connect() as conn:
        return list((await conn.execute(select(table))).all())


async def count(db: Database, table: Table) -> int:
    async with db.engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(table)) or 0)


async def outbox_on(db: Database, topic: str) -> list[Any]:
    return [row for row in await rows(db, OUTBOX) if row.topic == topic]


async def test_handler_writes_a_receipt_a_deadline_and_emits_deadline_scheduled(
    db: Database, clock: FixedClock
) -> None:
    event = registered_event(
        municipality="5032", case_id="case-42", journal_number="2026/000042", received_on=date(2026, 11, 28)
    )

    async with db.unit_of_work() as uow:
        await on_application_registered(event, uow)
        await uow.commit()

    [receipt] = await rows(db, notification_db.notification)
    assert (receipt.municipality, receipt.case_id, receipt.kind, receipt.recipient) == (
        "5032",
        "case-42",
        "receipt",
        "applicant",
    )
    assert receipt.source_event_id == event.id
    assert "2026/000042" in receipt.text
    assert receipt.created_at == clock.now(), "recorded at the service's clock, not the machine's"

    [deadline] = await rows(db, notification_db.deadline)
    assert (deadline.municipality, deadline.case_id, deadline.kind, deadline.status) == (
        "5032",
        "case-42",
        "preliminary_reply",
        "scheduled",
    )
    assert deadline.due_on == date(2026, 12, 28)
    assert deadline.responsible == "allocation_office"

    [outbox] = await rows(db, OUTBOX)
    assert outbox.topic == Topic.DEADLINES
    assert outbox.key == "case-42"
    assert outbox.municipality == "5032"
    scheduled = parse_event(outbox.payload)
    assert scheduled is not None
    assert scheduled.subject == "case-42"
    assert scheduled.municipality == "5032"
    assert scheduled.time == clock.now()
    assert outbox.created_at == clock.now()
    assert scheduled.data == DeadlineScheduled(
        deadline_id=deadline.id,
        case_id="case-42",
        kind=DeadlineKind.PRELIMINARY_REPLY,
        due_on=date(2026, 12, 28),
        responsible="allocation_office",
    )


async def test_deadline_scheduled_for_a_holiday_moves_to_the_next_working_day(db: Database) -> None:
    event = registered_event(received_on=date(2026, 11, 25))  # + 1 month = Christmas Day

    async with db.unit_of_work() as uow:
        await on_application_registered(event, uow)
        await uow.commit()

    [deadline] = await rows(db, notification_db.deadline)
    assert deadline.due_on == date(2026, 12, 28)


async def test_consumer_processes_application_registered_into_one_receipt_deadline_and_outbox_event(
    db: Database, consumer: EventConsumer, dead_letters: list[DeadLetter]
) -> None:
    outcome = await consumer.process(incoming(registered_event(received_on=date(2026, 11, 28))))

    assert outcome is Outcome.PROCESSED
    assert dead_letters == []
    assert await count(db, notification_db.notification) == 1
    assert await count(db, notification_db.deadline) == 1
    assert len(await outbox_on(db, Topic.DEADLINES)) == 1
    assert len(await outbox_on(db, tenant_topic("3426"))) + len(await outbox_on(db, tenant_topic("5032"))) == 1


async def test_same_event_processed_twice_leaves_exactly_one_receipt_deadline_and_outbox_event(
    db: Database, consumer: EventConsumer, dead_letters: list[DeadLetter]
) -> None:
    event = registered_event()

    first = await consumer.process(incoming(event, offset=0))
    second = await consumer.process(incoming(event, offset=1))

    assert (first, second) == (Outcome.PROCESSED, Outcome.DUPLICATE)
    assert dead_letters == []
    assert await count(db, notification_db.notification) == 1
    assert await count(db, notification_db.deadline) == 1
    assert len(await outbox_on(db, Topic.DEADLINES)) == 1
    assert len([r for r in await rows(db, OUTBOX) if r.topic.startswith("tenant.")]) == 1
    assert await count(db, INBOX) == 1


async def test_two_applications_for_different_cases_each_get_their_deadline(
    db: Database, consumer: EventConsumer
) -> None:
    await consumer.process(incoming(registered_event(case_id="case-1")))
    await consumer.process(incoming(registered_event(case_id="case-2"), offset=1))

    assert sorted(r.case_id for r in await rows(db, notification_db.deadline)) == ["case-1", "case-2"]
    assert len(await outbox_on(db, Topic.DEADLINES)) == 2


async def test_deadline_scheduled_continues_the_trace_of_the_consumer_span(
    db: Database, consumer: EventConsumer, telemetry: Telemetry
) -> None:
    await consumer.process(incoming(registered_event()))

    [outbox] = await outbox_on(db, Topic.DEADLINES)
    assert telemetry.memory is not None
    [span] = [s for s in telemetry.memory.get_finished_spans() if s.name == f"{Topic.INTAKE} process"]
    assert outbox.headers["traceparent"].split("-")[1] == format(span.context.trace_id, "032x")


async def test_notification_consumer_ignores_event_types_it_does_not_know(
    db: Database, consumer: EventConsumer
) -> None:
    unknown = json.dumps(
        {
            "specversion": "1.0",
            "id": "e-1",
            "source": "/forvalt/future",
            "type": "no.forvalt.future.thing.v1",
            "subject": "case-1",
            "municipality": "3426",
            "time": "2026-11-20T10:00:00Z",
            "data": {"x": 1},
        }
    ).encode()

    assert (
        await consumer.process(IncomingMessage(topic=Topic.INTAKE, partition=0, offset=0, key="case-1", value=unknown))
        is Outcome.IGNORED
    )
    assert await count(db, OUTBOX) == 0


async def test_every_journey_event_goes_unchanged_to_its_municipalitys_integration_feed(
    db: Database, consumer: EventConsumer
) -> None:
    opened = CloudEvent.wrap(
        AssessmentOpened(assessment_id="a-1", case_id="case-1", person_id="p-1", service_code="home_nursing"),
        source="/forvalt/assessment",
        subject="case-1",
        municipality="5026",
        time=EXAMPLE_TIME,
    )

    assert await consumer.process(incoming(opened)) is Outcome.PROCESSED

    [fed] = await outbox_on(db, tenant_topic("5026"))
    assert fed.key == "case-1"
    forwarded = parse_event(fed.payload)
    assert forwarded is not None
    assert (forwarded.id, forwarded.type, forwarded.data) == (opened.id, opened.type, opened.data)
    assert await outbox_on(db, tenant_topic("3426")) == []
    assert await count(db, notification_db.deadline) == 0


def _scheduled(deadline_id: str, kind: str = "information_request") -> CloudEvent[Any]:
    return CloudEvent.wrap(
        DeadlineScheduled(
            deadline_id=deadline_id,
            case_id="case-1",
            kind=kind,
            due_on=date(2026, 12, 28),
            responsible="allocation_office",
        ),
        source="/forvalt/assessment",
        subject="case-1",
        municipality="3426",
        time=EXAMPLE_TIME,
    )


async def test_a_deadline_another_service_scheduled_is_kept_once_even_when_sent_twice(
    db: Database, consumer: EventConsumer
) -> None:
    first = _scheduled("d-1")
    assert await consumer.process(incoming(first)) is Outcome.PROCESSED
    # The same clock again under a new event id (a replay by the producer): still one deadline.
    again = CloudEvent.wrap(
        first.data, source="/forvalt/assessment", subject="case-1", municipality="3426", time=EXAMPLE_TIME
    )
    assert await consumer.process(incoming(again)) is Outcome.PROCESSED
    assert await consumer.process(incoming(_scheduled("d-2"))) is Outcome.PROCESSED
    async with db.sessions() as session:
        rows = (await session.execute(select(notification_db.deadline.c.id, notification_db.deadline.c.kind))).all()
    assert sorted(rows) == [("d-1", "information_request"), ("d-2", "information_request")]


async def test_a_cancelled_deadline_is_marked_cancelled_with_its_reason(db: Database, consumer: EventConsumer) -> None:
    await consumer.process(incoming(_scheduled("d-1")))
    cancelled = CloudEvent.wrap(
        DeadlineCancelled(
            deadline_id="d-1", case_id="case-1", kind="information_request", reason="information_received"
        ),
        source="/forvalt/assessment",
        subject="case-1",
        municipality="3426",
        time=EXAMPLE_TIME,
    )
    assert await consumer.process(incoming(cancelled)) is Outcome.PROCESSED
    async with db.sessions() as session:
        row = (await session.execute(select(notification_db.deadline))).mappings().one()
    assert (row["status"], row["cancel_reason"]) == ("cancelled", "information_received")


async def test_a_cancellation_from_another_municipality_leaves_the_deadline_alone(
    db: Database, consumer: EventConsumer
) -> None:
    await consumer.process(incoming(_scheduled("d-1")))
    cancelled = CloudEvent.wrap(
        DeadlineCancelled(deadline_id="d-1", case_id="case-1", kind="information_request", reason="x"),
        source="/forvalt/assessment",
        subject="case-1",
        municipality="5032",
        time=EXAMPLE_TIME,
    )
    await consumer.process(incoming(cancelled))
    async with db.sessions() as session:
        status = await session.scalar(select(notification_db.deadline.c.status))
    assert status == "scheduled"


def _decision(case_id: str, municipality: str = "3426") -> CloudEvent[Any]:
    return CloudEvent.wrap(
        DecisionMade(
            decision_id="dec-1",
            case_id=case_id,
            person_id="p-1",
            kind=DecisionKind.INITIAL,
            outcome=DecisionOutcome.GRANTED,
            services=[],
            legal_basis=["helse- og omsorgstjenesteloven § 3-2"],
            decided_on=date(2026, 11, 20),
            decided_by=DecidedBy.OFFICE,
            appeal=AppealInformation(
                appeal_body="Statsforvalteren",
                submit_to="Forvaltningskontoret",
                deadline_weeks=4,
                deadline_on=date(2026, 12, 18),
                legal_basis="pasient- og brukerrettighetsloven § 7-5",
            ),
        ),
        source="/forvalt/decision",
        subject=case_id,
        municipality=municipality,
        time=EXAMPLE_TIME,
    )


async def test_a_decision_cancels_the_preliminary_reply_deadline_and_tells_the_applicant_the_appeal_deadline(
    db: Database, consumer: EventConsumer
) -> None:
    registered = registered_event()
    await consumer.process(incoming(registered))
    case_id = registered.data.case_id
    assert await consumer.process(incoming(_decision(case_id, registered.municipality))) is Outcome.PROCESSED
    async with db.sessions() as session:
        deadline = (await session.execute(select(notification_db.deadline))).mappings().one()
        kinds = (
            await session.execute(select(notification_db.notification.c.kind, notification_db.notification.c.text))
        ).all()
    assert (deadline["status"], deadline["cancel_reason"]) == ("cancelled", "decision_made")
    decision_texts = [text for kind, text in kinds if kind == "decision"]
    assert len(decision_texts) == 1
    assert "2026-12-18" in decision_texts[0]


async def test_a_decision_in_another_municipality_does_not_touch_this_deadline(
    db: Database, consumer: EventConsumer
) -> None:
    registered = registered_event()
    await consumer.process(incoming(registered))
    other = "5032" if registered.municipality != "5032" else "3426"
    await consumer.process(incoming(_decision(registered.data.case_id, other)))
    async with db.sessions() as session:
        status = await session.scalar(select(notification_db.deadline.c.status))
    assert status == "scheduled"


async def test_a_preliminary_reply_letter_stops_the_preliminary_reply_clock_and_a_decision_letter_does_not(
    db: Database, consumer: EventConsumer
) -> None:
    registered = registered_event()
    await consumer.process(incoming(registered))
    case_id = registered.data.case_id

    def letter(kind: str, letter_id: str) -> CloudEvent[Any]:
        return CloudEvent.wrap(
            LetterIssued(letter_id=letter_id, case_id=case_id, kind=kind, language="nb"),
            source="/forvalt/decision",
            subject=case_id,
            municipality=registered.municipality,
            time=EXAMPLE_TIME,
        )

    await consumer.process(incoming(letter("decision", "l-1")))
    async with db.sessions() as session:
        assert await session.scalar(select(notification_db.deadline.c.status)) == "scheduled"
    await consumer.process(incoming(letter("preliminary_reply", "l-2")))
    async with db.sessions() as session:
        row = (await session.execute(select(notification_db.deadline))).mappings().one()
    assert (row["status"], row["cancel_reason"]) == ("cancelled", "preliminary_reply_sent")
