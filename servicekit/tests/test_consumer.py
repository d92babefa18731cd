"""EventConsumer: parse, inbox deduplication, one transaction per attempt, retry, dead-letter, tracing."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

import asyncpg
import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind, StatusCode
from sqlalchemy import select
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_dbapi
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from contracts.deadlines import DeadlineKind, DeadlineScheduled
from contracts.envelope import CloudEvent
from contracts.intake import ApplicationRegistered
from contracts.tests.examples import EXAMPLE_TIME, registered_event
from servicekit.clock import FixedClock
from servicekit.consumer import (
    DeadLetter,
    EventConsumer,
    EventHandlers,
    IncomingMessage,
    InfrastructureUnavailable,
    Outcome,
    RetryPolicy,
    is_transient,
    sqlstate_of,
)
from servicekit.db import INBOX, Database, UnitOfWork
from servicekit.errors import DomainError, NotFound
from servicekit.telemetry import PREVIOUS_TRACE_ATTR, Telemetry
from servicekit.tests.support import count_rows, note, traceparent_of

TOPIC = "intake.events.v1"
CONSUMER = "test-consumer"


class TransientError(Exception):
    pass


class RecordingHandler:
    """Writes one note per attempt, then raises the next of `failures` (if any is left)."""

    def __init__(self, *failures: Exception) -> None:
        self.calls = 0
        self.events: list[CloudEvent[Any]] = []
        self._failures = list(failures)

    async def __call__(self, event: CloudEvent[Any], uow: UnitOfWork) -> None:
        self.calls += 1
        self.events.append(event)
        await uow.session.execute(note.insert().values(id=str(uuid.uuid4()), text=f"attempt {self.calls}"))
        if self._failures:
            raise self._failures.pop(0)


class AlwaysFailing(RecordingHandler):
    def __init__(self, error: Exception) -> None:
        super().__init__()
        self._error = error

    async def __call__(self, event: CloudEvent[Any], uow: UnitOfWork) -> None:
        await super().__call__(event, uow)
        raise self._error


class Harness:
    """An EventConsumer with a fake dead-letter sender and a fake sleep."""

    def __init__(
        self,
        db: Database,
        telemetry: Telemetry,
        handler: RecordingHandler,
        *,
        name: str = CONSUMER,
        policy: RetryPolicy | None = None,
    ) -> None:
        self.handler = handler
        self.dead_letters: list[DeadLetter] = []
        self.sleeps: list[float] = []
        handlers = EventHandlers()
        handlers.on(ApplicationRegistered)(handler)
        self.consumer = EventConsumer(
            name=name,
            handlers=handlers,
            db=db,
            policy=policy or RetryPolicy(max_attempts=3, initial_backoff_s=0.2, max_backoff_s=5.0),
            dead_letter=self._send_dead_letter,
            tracer=telemetry.tracer,
            sleep=self._sleep,
        )

    async def _send_dead_letter(self, letter: DeadLetter) -> None:
        self.dead_letters.append(letter)

    async def _sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    async def process(self, message: IncomingMessage) -> Outcome:
        return await self.consumer.process(message)


def incoming(
    event: CloudEvent[Any] | None = None,
    *,
    value: bytes | None = None,
    headers: dict[str, str] | None = None,
    offset: int = 42,
) -> IncomingMessage:
    if value is None:
        value = (event or registered_event()).to_json()
    return IncomingMessage(topic=TOPIC, partition=1, offset=offset, key="case-1", value=value, headers=headers or {})


async def note_texts(db: Database) -> list[str]:
    async with db.engine.connect() as conn:
        return list((await conn.scalars(select(note.c.text).order_by(note.c.text))).all())


def consumer_spans(telemetry: Telemetry) -> list[ReadableSpan]:
    assert telemetry.memory is not None
    return [s for s in telemetry.memory.get_finished_spans() if s.name == f"{TOPIC} process"]


# --- retry policy -------------------------------------------------------------------------------


def test_retry_delays_are_one_fewer_than_attempts_doubling_from_the_initial_backoff() -> None:
    policy = RetryPolicy(max_attempts=4, initial_backoff_s=0.5, max_backoff_s=100.0)

    assert list(policy.delays()) == [0.5, 1.0, 2.0]


def test_retry_delays_are_capped_at_the_maximum_backoff() -> None:
    policy = RetryPolicy(max_attempts=6, initial_backoff_s=1.0, max_backoff_s=5.0)

    assert list(policy.delays()) == [1.0, 2.0, 4.0, 5.0, 5.0]


def test_single_attempt_policy_has_no_delays() -> None:
    assert list(RetryPolicy(max_attempts=1).delays()) == []


def test_retry_delays_stay_bounded_for_many_attempts() -> None:
    delays = list(RetryPolicy(max_attempts=50, initial_backoff_s=0.2, max_backoff_s=5.0).delays())

    assert len(delays) == 49
    assert max(delays) == 5.0
    assert delays == sorted(delays)


# --- outcomes -----------------------------------------------------------------------------------


async def test_successful_handler_is_processed_and_its_write_committed(db: Database, telemetry: Telemetry) -> None:
    harness = Harness(db, telemetry, RecordingHandler())
    event = registered_event()

    outcome = await harness.process(incoming(event))

    assert outcome is Outcome.PROCESSED
    assert harness.handler.calls == 1
    assert harness.handler.events[0].id == event.id
    assert isinstance(harness.handler.events[0].data, ApplicationRegistered)
    assert await note_texts(db) == ["attempt 1"]
    assert harness.dead_letters == []
    assert harness.sleeps == []


async def test_processed_event_is_recorded_in_the_inbox(db: Database, telemetry: Telemetry) -> None:
    harness = Harness(db, telemetry, RecordingHandler())
    event = registered_event()

    await harness.process(incoming(event))

    async with db.engine.connect() as conn:
        rows = (await conn.execute(select(INBOX))).all()
    assert [(r.consumer, r.event_id, r.event_type) for r in rows] == [(CONSUMER, event.id, event.type)]


async def test_redelivered_event_is_duplicate_and_the_handler_is_not_called_again(
    db: Database, telemetry: Telemetry
) -> None:
    harness = Harness(db, telemetry, RecordingHandler())
    event = registered_event()

    first = await harness.process(incoming(event, offset=42))
    again = await harness.process(incoming(event, offset=43))

    assert (first, again) == (Outcome.PROCESSED, Outcome.DUPLICATE)
    assert harness.handler.calls == 1
    assert await note_texts(db) == ["attempt 1"]


async def test_inbox_is_kept_per_consumer_so_another_consumer_still_processes_the_event(
    db: Database, telemetry: Telemetry
) -> None:
    first = Harness(db, telemetry, RecordingHandler(), name="consumer-a")
    second = Harness(db, telemetry, RecordingHandler(), name="consumer-b")
    event = registered_event()

    assert await first.process(incoming(event)) is Outcome.PROCESSED
    assert await second.process(incoming(event)) is Outcome.PROCESSED
    assert second.handler.calls == 1


async def test_handler_failing_twice_then_succeeding_is_processed_after_three_calls_with_backoff(
    db: Database, telemetry: Telemetry
) -> None:
    harness = Harness(
        db,
        telemetry,
        RecordingHandler(TransientError("first"), TransientError("second")),
        policy=RetryPolicy(max_attempts=5, initial_backoff_s=0.2, max_backoff_s=5.0),
    )

    outcome = await harness.process(incoming())

    assert outcome is Outcome.PROCESSED
    assert harness.handler.calls == 3
    assert harness.sleeps == [0.2, 0.4]
    assert harness.dead_letters == []


async def test_failed_attempts_writes_are_rolled_back_and_only_the_successful_attempt_is_kept(
    db: Database, telemetry: Telemetry
) -> None:
    harness = Harness(db, telemetry, RecordingHandler(TransientError("flaky")))

    outcome = await harness.process(incoming())

    assert outcome is Outcome.PROCESSED
    assert await note_texts(db) == ["attempt 2"]


async def test_always_failing_handler_is_dead_lettered_after_exactly_max_attempts(
    db: Database, telemetry: Telemetry, clock: FixedClock
) -> None:
    harness = Harness(
        db,
        telemetry,
        AlwaysFailing(TransientError("database is on fire")),
        policy=RetryPolicy(max_attempts=4, initial_backoff_s=0.1, max_backoff_s=0.3),
    )
    producer_headers = {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}

    outcome = await harness.process(incoming(headers=producer_headers, offset=42))

    assert outcome is Outcome.DEAD_LETTERED
    assert harness.handler.calls == 4
    assert harness.sleeps == [0.1, 0.2, 0.3]
    [letter] = harness.dead_letters
    assert "database is on fire" in letter.reason
    assert letter.error_type == "TransientError"
    assert letter.attempts == 4
    assert letter.consumer == CONSUMER
    assert letter.topic == "intake.events.v1.dlq"
    headers = letter.headers()
    assert "database is on fire" in headers["x-dlq-reason"]
    assert headers["x-dlq-error-type"] == "TransientError"
    assert headers["x-dlq-attempts"] == "4"
    assert headers["x-dlq-consumer"] == CONSUMER
    assert headers["x-dlq-original-topic"] == TOPIC
    assert headers["x-dlq-original-partition"] == "1"
    assert headers["x-dlq-original-offset"] == "42"
    assert headers["x-dlq-failed-at"] == clock.now().isoformat(), "stamped by the service's clock"
    # The original headers travel with the letter, so the trace can be followed from the DLQ.
    assert headers["traceparent"] == producer_headers["traceparent"]


async def test_dead_lettered_message_keeps_the_original_bytes(db: Database, telemetry: Telemetry) -> None:
    harness = Harness(db, telemetry, AlwaysFailing(TransientError("nope")))
    message = incoming()

    await harness.process(message)

    [letter] = harness.dead_letters
    assert letter.message == message


async def test_dead_letter_reason_header_is_one_line_and_bounded(db: Database, telemetry: Telemetry) -> None:
    harness = Harness(db, telemetry, AlwaysFailing(TransientError("line one\nline two" + "x" * 5000)))

    await harness.process(incoming())

    reason = harness.dead_letters[0].headers()["x-dlq-reason"]
    assert "\n" not in reason
    assert len(reason) <= 2000


async def test_dead_lettered_event_leaves_no_handler_writes_and_no_inbox_row(
    db: Database, telemetry: Telemetry
) -> None:
    harness = Harness(db, telemetry, AlwaysFailing(TransientError("nope")))

    await harness.process(incoming())

    assert await note_texts(db) == []
    assert await count_rows(db, INBOX) == 0


async def test_malformed_json_is_dead_lettered_without_calling_the_handler(db: Database, telemetry: Telemetry) -> None:
    harness = Harness(db, telemetry, RecordingHandler())

    outcome = await harness.process(incoming(value=b"{this is not json"))

    assert outcome is Outcome.DEAD_LETTERED
    assert harness.handler.calls == 0
    assert harness.sleeps == []
    [letter] = harness.dead_letters
    assert "envelope" in letter.reason
    assert letter.error_type == "InvalidEvent"
    assert letter.attempts == 1


async def test_schema_invalid_data_is_dead_lettered_naming_the_field(db: Database, telemetry: Telemetry) -> None:
    harness = Harness(db, telemetry, RecordingHandler())
    document = json.loads(registered_event().to_json())
    del document["data"]["person_id"]

    outcome = await harness.process(incoming(value=json.dumps(document).encode()))

    assert outcome is Outcome.DEAD_LETTERED
    assert harness.handler.calls == 0
    [letter] = harness.dead_letters
    assert "person_id" in letter.reason
    assert letter.error_type == "InvalidEvent"


@pytest.mark.parametrize("error", [DomainError("case is closed", field="status"), NotFound("no such case")])
async def test_domain_error_is_dead_lettered_after_one_attempt_without_retry(
    db: Database, telemetry: Telemetry, error: DomainError
) -> None:
    harness = Harness(db, telemetry, AlwaysFailing(error))

    outcome = await harness.process(incoming())

    assert outcome is Outcome.DEAD_LETTERED
    assert harness.handler.calls == 1
    assert harness.sleeps == []
    [letter] = harness.dead_letters
    assert letter.attempts == 1
    assert letter.error_type == type(error).__name__
    assert error.detail in letter.reason
    assert await note_texts(db) == []


async def test_event_of_a_type_without_handler_is_ignored(db: Database, telemetry: Telemetry) -> None:
    harness = Harness(db, telemetry, RecordingHandler())
    other = CloudEvent.wrap(
        DeadlineScheduled(
            deadline_id="d-1",
            case_id="case-1",
            kind=DeadlineKind.PRELIMINARY_REPLY,
            due_on="2026-12-28",  # type: ignore[arg-type]
            responsible="allocation_office",
        ),
        source="/forvalt/notification",
        subject="case-1",
        municipality="3426",
        time=EXAMPLE_TIME,
    )

    outcome = await harness.process(incoming(other))

    assert outcome is Outcome.IGNORED
    assert harness.handler.calls == 0
    assert harness.dead_letters == []


async def test_process_raises_when_the_dead_letter_topic_does_not_take_the_message(
    db: Database, telemetry: Telemetry
) -> None:
    harness = Harness(db, telemetry, AlwaysFailing(TransientError("nope")))

    async def broken_dead_letter(_: DeadLetter) -> None:
        raise ConnectionError("dlq unavailable")

    harness.consumer._dead_letter = broken_dead_letter

    # The subscriber must see the failure and rewind, not commit the offset.
    with pytest.raises(ConnectionError, match="dlq unavailable"):
        await harness.process(incoming())


# --- tracing ------------------------------------------------------------------------------------


async def test_consumer_span_starts_a_new_trace_linked_to_the_producer_span(db: Database, telemetry: Telemetry) -> None:
    harness = Harness(db, telemetry, RecordingHandler())
    producer_span = telemetry.tracer.start_span("intake.events.v1 publish", kind=SpanKind.PRODUCER)
    producer = producer_span.get_span_context()
    producer_span.end()
    event = registered_event(municipality="5032", case_id="case-9")

    await harness.process(incoming(event, headers={"traceparent": traceparent_of(producer)}))

    [span] = consumer_spans(telemetry)
    assert span.kind is SpanKind.CONSUMER
    assert span.parent is None
    assert span.context.trace_id != producer.trace_id
    [link] = span.links
    assert link.context.trace_id == producer.trace_id
    assert link.context.span_id == producer.span_id
    assert span.attributes is not None
    assert span.attributes[PREVIOUS_TRACE_ATTR] == format(producer.trace_id, "032x")
    assert span.attributes["municipality"] == "5032"
    assert span.attributes["case.id"] == "case-9"
    assert span.attributes["messaging.destination.name"] == TOPIC
    assert span.attributes["messaging.kafka.offset"] == 42
    assert span.attributes["messaging.consumer.group.name"] == CONSUMER
    assert span.attributes["forvalt.outcome"] == "processed"


async def test_consumer_span_is_a_new_trace_even_inside_an_active_span(db: Database, telemetry: Telemetry) -> None:
    harness = Harness(db, telemetry, RecordingHandler())

    with telemetry.tracer.start_as_current_span("ambient") as ambient:
        await harness.process(incoming())

    [span] = consumer_spans(telemetry)
    assert span.parent is None
    assert span.context.trace_id != ambient.get_span_context().trace_id


async def test_message_without_traceparent_gets_a_consumer_span_without_link(
    db: Database, telemetry: Telemetry
) -> None:
    harness = Harness(db, telemetry, RecordingHandler())

    await harness.process(incoming())

    [span] = consumer_spans(telemetry)
    assert list(span.links) == []
    assert span.attributes is not None
    assert PREVIOUS_TRACE_ATTR not in span.attributes


async def test_dead_lettered_message_has_an_error_span(db: Database, telemetry: Telemetry) -> None:
    harness = Harness(db, telemetry, RecordingHandler())

    await harness.process(incoming(value=b"nope"))

    [span] = consumer_spans(telemetry)
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes is not None
    assert span.attributes["forvalt.outcome"] == "dead_lettered"


async def test_consumer_span_does_not_inherit_municipality_or_case_of_the_previous_message(
    db: Database, telemetry: Telemetry
) -> None:
    # The subscriber hands messages over one after another in one task.
    harness = Harness(db, telemetry, RecordingHandler())
    await harness.process(incoming(registered_event(municipality="3426", case_id="case-1")))

    await harness.process(incoming(value=b"{not json", offset=43))

    first, second = consumer_spans(telemetry)
    assert first.attributes is not None
    assert second.attributes is not None
    assert first.attributes["municipality"] == "3426"
    assert "municipality" not in second.attributes
    assert "case.id" not in second.attributes


async def test_a_database_outage_is_not_dead_lettered_but_left_for_redelivery(
    db: Database, telemetry: Telemetry
) -> None:
    letters: list[DeadLetter] = []
    handlers = EventHandlers()
    calls = 0

    @handlers.on(ApplicationRegistered)
    async def down(event: Any, uow: Any) -> None:
        nonlocal calls
        calls += 1
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

    async def send(letter: DeadLetter) -> None:
        letters.append(letter)

    async def no_sleep(_: float) -> None:
        return None

    consumer = EventConsumer(
        name="test",
        handlers=handlers,
        db=db,
        policy=RetryPolicy(max_attempts=3),
        dead_letter=send,
        tracer=telemetry.tracer,
        sleep=no_sleep,
    )
    with pytest.raises(InfrastructureUnavailable) as raised:
        await consumer.process(incoming(registered_event()))
    # Left at once for redelivery after a pause: no sleeping in the handler while the database is away.
    assert calls == 1
    assert raised.value.delay_s == RetryPolicy().initial_backoff_s
    assert letters == []


# --- what fails for a while, and what fails for good ------------------------------------------


def as_sqlalchemy_raises(driver_error: Exception) -> DBAPIError:
    """A driver error as SQLAlchemy's asyncpg dialect surfaces it: its DB-API error carries the SQLSTATE and is
    raised from the driver's, and SQLAlchemy wraps that."""
    translated = AsyncAdapt_asyncpg_dbapi.Error(f"{type(driver_error)}: {driver_error}")
    translated.sqlstate = driver_error.sqlstate  # type: ignore[attr-defined]
    translated.__cause__ = driver_error
    return DBAPIError("SELECT 1", {}, translated)


TRANSIENT_DRIVER_ERRORS = [
    asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
    asyncpg.exceptions.TooManyConnectionsError("sorry, too many clients already"),
    asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command"),
    asyncpg.exceptions.CrashShutdownError("terminating connection because of crash of another server process"),
    asyncpg.exceptions.SerializationError("could not serialize access due to concurrent update"),
    asyncpg.exceptions.DeadlockDetectedError("deadlock detected"),
    asyncpg.exceptions.ConnectionDoesNotExistError("connection does not exist"),
]


@pytest.mark.parametrize("error", TRANSIENT_DRIVER_ERRORS, ids=lambda e: e.sqlstate)
def test_a_database_away_full_restarting_or_choosing_a_victim_is_transient_by_sqlstate(error: Exception) -> None:
    assert is_transient(as_sqlalchemy_raises(error)), "raised by a statement"
    assert is_transient(error), "raised while connecting, not wrapped by SQLAlchemy"


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.exceptions.UniqueViolationError("duplicate key value violates unique constraint"),
        asyncpg.exceptions.UntranslatableCharacterError("unsupported Unicode escape sequence"),
    ],
    ids=lambda e: e.sqlstate,
)
def test_a_database_error_of_the_message_itself_is_not_transient(error: Exception) -> None:
    assert not is_transient(as_sqlalchemy_raises(error))


def test_the_pools_timeout_is_transient() -> None:
    assert is_transient(PoolTimeout("QueuePool limit of size 5 overflow 10 reached, connection timed out"))


def test_the_sqlstate_is_found_on_sqlalchemys_error_its_orig_and_the_cause() -> None:
    wrapped = as_sqlalchemy_raises(asyncpg.exceptions.TooManyConnectionsError("too many"))

    assert sqlstate_of(wrapped) == "53300"
    assert sqlstate_of(wrapped.orig) == "53300"  # type: ignore[arg-type]
    assert sqlstate_of(ValueError("no database here")) is None


class DatabaseAway(Harness):
    """A harness whose handler fails with `error` on every call; redeliveries capped at `cap`."""

    def __init__(self, db: Database, telemetry: Telemetry, error: Exception, *, cap: int) -> None:
        super().__init__(db, telemetry, AlwaysFailing(error))
        self.consumer._max_redeliveries = cap


@pytest.mark.parametrize(
    "error",
    [as_sqlalchemy_raises(e) for e in TRANSIENT_DRIVER_ERRORS[:2]]
    + [PoolTimeout("connection timed out"), OperationalError("SELECT 1", {}, Exception("no such table: x"))],
    ids=["57P03", "53300", "pool-timeout", "sqlite-no-such-table"],
)
async def test_a_transient_failure_is_redelivered_with_growing_pauses_never_dead_lettered_below_the_cap(
    db: Database, telemetry: Telemetry, error: Exception
) -> None:
    harness = DatabaseAway(db, telemetry, error, cap=50)
    pauses = []

    for _ in range(4):
        with pytest.raises(InfrastructureUnavailable) as raised:
            await harness.process(incoming(offset=42))
        pauses.append(raised.value.delay_s)

    assert pauses == [0.2, 0.4, 0.8, 1.6]
    assert harness.handler.calls == 4
    assert harness.sleeps == [], "the handler never sleeps for a transient failure"
    assert harness.dead_letters == []


async def test_a_message_failing_for_a_transient_cause_past_the_cap_is_dead_lettered_with_an_alert(
    db: Database, telemetry: Telemetry, caplog: pytest.LogCaptureFixture
) -> None:
    harness = DatabaseAway(db, telemetry, OperationalError("SELECT 1", {}, Exception("no such table: x")), cap=3)

    for _ in range(3):
        with pytest.raises(InfrastructureUnavailable):
            await harness.process(incoming(offset=42))
    outcome = await harness.process(incoming(offset=42))

    assert outcome is Outcome.DEAD_LETTERED
    [letter] = harness.dead_letters
    assert "still failing after 4 deliveries" in letter.reason
    assert letter.error_type == "OperationalError"
    assert letter.attempts == 4
    [alert] = [r for r in caplog.records if "alert" in r.getMessage()]
    assert alert.levelno == logging.ERROR
    assert "intake.events.v1[1]@42" in alert.getMessage()


async def test_redeliveries_are_counted_per_message_and_forgotten_once_it_is_settled(
    db: Database, telemetry: Telemetry
) -> None:
    away = OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))
    harness = Harness(db, telemetry, RecordingHandler(away, away))
    harness.consumer._max_redeliveries = 2

    for _ in range(2):
        with pytest.raises(InfrastructureUnavailable):
            await harness.process(incoming(offset=42))
    # Another message's count starts afresh.
    other = DatabaseAway(db, telemetry, away, cap=2)
    with pytest.raises(InfrastructureUnavailable) as raised:
        await other.process(incoming(offset=43))
    assert raised.value.delay_s == 0.2
    # The database is back: the first message is processed, and its count is gone.
    assert await harness.process(incoming(offset=42)) is Outcome.PROCESSED
    assert harness.consumer._redeliveries == {}
    assert harness.dead_letters == []


# --- event types ---------------------------------------------------------------------------------


def envelope_of(event_type: str) -> bytes:
    document = json.loads(registered_event().to_json())
    document["type"] = event_type
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    "event_type", ["no.forvalt.intake.application-registered.v2", "no.forvalt.intake.person-moved.v1"]
)
async def test_an_event_type_of_our_namespace_no_contract_knows_is_dead_lettered_and_counted(
    db: Database, telemetry: Telemetry, caplog: pytest.LogCaptureFixture, event_type: str
) -> None:
    harness = Harness(db, telemetry, RecordingHandler())

    first = await harness.process(incoming(value=envelope_of(event_type), offset=1))
    second = await harness.process(incoming(value=envelope_of(event_type), offset=2))

    assert (first, second) == (Outcome.DEAD_LETTERED, Outcome.DEAD_LETTERED)
    assert harness.handler.calls == 0
    assert harness.consumer.unknown_types == {event_type: 2}
    letter = harness.dead_letters[0]
    assert letter.reason.startswith(f"unknown event type {event_type}")
    assert letter.error_type == "UnknownEventType"
    assert [r.levelno for r in caplog.records if event_type in r.getMessage()][:1] == [logging.WARNING]


async def test_an_event_type_of_another_namespace_is_ignored(db: Database, telemetry: Telemetry) -> None:
    harness = Harness(db, telemetry, RecordingHandler())

    outcome = await harness.process(incoming(value=envelope_of("com.example.crm.contact-updated.v1")))

    assert outcome is Outcome.IGNORED
    assert harness.dead_letters == []
    assert not harness.consumer.unknown_types
