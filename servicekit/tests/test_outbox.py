"""The transactional outbox: what a unit of work records, and how the relay publishes it."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiokafka.errors import (
    CorruptRecordException,
    InvalidTopicError,
    KafkaConnectionError,
    KafkaTimeoutError,
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    TopicAuthorizationFailedError,
    UnknownTopicOrPartitionError,
)
from opentelemetry.trace import SpanKind
from sqlalchemy import select
from typer.testing import CliRunner

from contracts.envelope import CloudEvent, parse_event
from contracts.intake import ApplicationRegistered
from contracts.tests.examples import application_registered, registered_event
from contracts.topics import Topic
from servicekit.actor import Actor
from servicekit.clock import FixedClock
from servicekit.consumer import DeadLetter, EventConsumer, EventHandlers, IncomingMessage, Outcome, RetryPolicy
from servicekit.db import DEFAULT_MAX_EVENT_BYTES, INBOX, OUTBOX, Database, EventTooLarge, UnitOfWork
from servicekit.errors import DomainError
from servicekit.outbox import OutboxRelay, OutgoingMessage, Retention, parked_rows, prune, release
from servicekit.outbox import cli as outbox_cli
from servicekit.settings import ServiceSettings
from servicekit.telemetry import Telemetry
from servicekit.tests.support import count_rows, metadata, trace_id_in


class BrokerDown(Exception):
    pass


class FakePublish:
    """Records what the relay publishes; fails the n-th call when told to."""

    def __init__(self, fail_on_call: int | None = None) -> None:
        self.sent: list[OutgoingMessage] = []
        self.calls = 0
        self._fail_on_call = fail_on_call

    async def __call__(self, message: OutgoingMessage) -> None:
        self.calls += 1
        if self.calls == self._fail_on_call:
            raise BrokerDown("broker unavailable")
        self.sent.append(message)

    @property
    def keys(self) -> list[str]:
        return [m.key for m in self.sent]


def acting(municipality: str = "3426") -> Actor:
    return Actor.service("intake", municipality)


async def emit_committed(db: Database, *case_ids: str, municipality: str = "3426") -> None:
    async with db.unit_of_work(acting(municipality)) as uow:
        for case_id in case_ids:
            await uow.emit(application_registered(case_id=case_id))
        await uow.commit()


async def outbox_rows(db: Database) -> list[Any]:
    async with db.engine.connect() as conn:
        return list((await conn.execute(select(OUTBOX).order_by(OUTBOX.c.id))).all())


def relay(db: Database, publish: FakePublish, telemetry: Telemetry, batch_size: int = 100) -> OutboxRelay:
    return OutboxRelay(db, publish, telemetry.tracer, batch_size=batch_size, poll_interval_s=0.01)


async def test_emit_without_commit_leaves_no_outbox_row(db: Database) -> None:
    async with db.unit_of_work(acting()) as uow:
        await uow.emit(application_registered())

    assert await count_rows(db, OUTBOX) == 0
    assert not db.outbox_written.is_set()


async def test_emit_in_a_unit_of_work_that_raises_leaves_no_outbox_row(db: Database) -> None:
    async def emit_then_fail() -> None:
        async with db.unit_of_work(acting()) as uow:
            await uow.emit(application_registered())
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await emit_then_fail()

    assert await count_rows(db, OUTBOX) == 0


async def test_committed_emit_records_the_cloud_event_with_topic_key_and_municipality(
    db: Database, clock: FixedClock
) -> None:
    async with db.unit_of_work(acting("5032")) as uow:
        envelope = await uow.emit(application_registered(case_id="case-7"))
        await uow.commit()

    [row] = await outbox_rows(db)
    assert row.event_id == envelope.id
    assert row.topic == Topic.INTAKE
    assert row.key == "case-7"
    assert row.municipality == "5032"
    assert row.published_at is None
    assert row.created_at == envelope.time == clock.now(), "the event and its row carry the service's clock"
    parsed = parse_event(row.payload)
    assert parsed is not None
    assert parsed.model_dump() == envelope.model_dump()
    assert isinstance(parsed.data, ApplicationRegistered)


async def test_commit_after_emit_wakes_the_relay(db: Database) -> None:
    await emit_committed(db, "case-1")

    assert db.outbox_written.is_set()


async def test_commit_without_emit_does_not_wake_the_relay(db: Database) -> None:
    async with db.unit_of_work() as uow:
        await uow.commit()

    assert not db.outbox_written.is_set()


async def test_emit_inside_an_active_span_stores_its_traceparent(db: Database, telemetry: Telemetry) -> None:
    with telemetry.tracer.start_as_current_span("POST /applications") as span:
        await emit_committed(db, "case-1")
    context = span.get_span_context()

    [row] = await outbox_rows(db)
    assert trace_id_in(row.headers) == format(context.trace_id, "032x")
    assert row.headers["traceparent"].split("-")[2] == format(context.span_id, "016x")


async def test_emit_outside_any_span_stores_no_traceparent(db: Database) -> None:
    await emit_committed(db, "case-1")

    [row] = await outbox_rows(db)
    assert "traceparent" not in row.headers


async def test_relay_publishes_rows_in_id_order_and_marks_them(
    db: Database, telemetry: Telemetry, clock: FixedClock
) -> None:
    await emit_committed(db, "case-1", "case-2")
    await emit_committed(db, "case-3")
    await emit_committed(db, "case-4", "case-5")
    publish = FakePublish()
    sent_at = clock.advance(timedelta(seconds=3))

    published = await relay(db, publish, telemetry).relay_once()

    assert published == 5
    assert publish.keys == ["case-1", "case-2", "case-3", "case-4", "case-5"]
    rows = await outbox_rows(db)
    assert all(row.published_at == sent_at for row in rows)
    assert [m.value.decode() for m in publish.sent] == [row.payload for row in rows]
    assert {m.topic for m in publish.sent} == {Topic.INTAKE}
    assert all(m.headers["content-type"] == "application/cloudevents+json" for m in publish.sent)


async def test_second_relay_call_publishes_nothing_already_published(db: Database, telemetry: Telemetry) -> None:
    await emit_committed(db, "case-1", "case-2")
    publish = FakePublish()
    outbox_relay = relay(db, publish, telemetry)

    await outbox_relay.relay_once()
    again = await outbox_relay.relay_once()

    assert again == 0
    assert publish.keys == ["case-1", "case-2"]


async def test_relay_publishes_at_most_one_batch_per_call(db: Database, telemetry: Telemetry) -> None:
    await emit_committed(db, "case-1", "case-2", "case-3", "case-4", "case-5")
    publish = FakePublish()
    outbox_relay = relay(db, publish, telemetry, batch_size=2)

    counts = [await outbox_relay.relay_once() for _ in range(4)]

    assert counts == [2, 2, 1, 0]
    assert publish.keys == ["case-1", "case-2", "case-3", "case-4", "case-5"]


async def test_relay_rows_committed_later_go_out_on_a_later_call(db: Database, telemetry: Telemetry) -> None:
    publish = FakePublish()
    outbox_relay = relay(db, publish, telemetry)
    await emit_committed(db, "case-1")
    await outbox_relay.relay_once()
    await emit_committed(db, "case-2")

    assert await outbox_relay.relay_once() == 1
    assert publish.keys == ["case-1", "case-2"]


async def test_publish_failure_keeps_rows_before_it_marked_and_the_rest_for_the_next_call(
    db: Database, telemetry: Telemetry
) -> None:
    await emit_committed(db, "case-1", "case-2", "case-3", "case-4", "case-5")
    publish = FakePublish(fail_on_call=3)
    outbox_relay = relay(db, publish, telemetry)

    with pytest.raises(BrokerDown):
        await outbox_relay.relay_once()

    rows = await outbox_rows(db)
    assert [row.key for row in rows if row.published_at is not None] == ["case-1", "case-2"]
    assert [row.key for row in rows if row.published_at is None] == ["case-3", "case-4", "case-5"]

    assert await outbox_relay.relay_once() == 3
    # Each event went to the broker once: the two sent before the failure are not sent again.
    assert publish.keys == ["case-1", "case-2", "case-3", "case-4", "case-5"]
    assert all(row.published_at is not None for row in await outbox_rows(db))


async def test_published_message_continues_the_trace_stored_with_the_row(db: Database, telemetry: Telemetry) -> None:
    with telemetry.tracer.start_as_current_span("POST /applications") as request_span:
        await emit_committed(db, "case-1")
    publish = FakePublish()

    await relay(db, publish, telemetry).relay_once()

    [row] = await outbox_rows(db)
    [message] = publish.sent
    assert trace_id_in(message.headers) == trace_id_in(row.headers)
    assert trace_id_in(message.headers) == format(request_span.get_span_context().trace_id, "032x")
    # The header names the publish span, a child of the request span, not the request span itself.
    assert telemetry.memory is not None
    [publish_span] = [s for s in telemetry.memory.get_finished_spans() if s.name == "intake.events.v1 publish"]
    assert publish_span.kind is SpanKind.PRODUCER
    assert publish_span.parent is not None
    assert publish_span.parent.span_id == request_span.get_span_context().span_id
    assert message.headers["traceparent"].split("-")[2] == format(publish_span.context.span_id, "016x")
    assert publish_span.attributes is not None
    assert publish_span.attributes["municipality"] == "3426"
    assert publish_span.attributes["case.id"] == "case-1"


# --- the size of an event, checked when it is emitted ---------------------------------------------------------------


async def test_default_event_bound_leaves_room_below_the_brokers_one_mebibyte_request(db: Database) -> None:
    assert db.max_event_bytes == DEFAULT_MAX_EVENT_BYTES == ServiceSettings().outbox_max_event_bytes
    assert DEFAULT_MAX_EVENT_BYTES < 1024 * 1024


async def test_emit_refuses_an_event_over_the_bound_naming_it_and_records_nothing(db: Database) -> None:
    db.max_event_bytes = len(registered_event().to_json())  # the payload alone fills it; key and headers overflow

    async def emit_too_much() -> None:
        async with db.unit_of_work(acting()) as uow:
            await uow.emit(application_registered(case_id="case-1"))
            await uow.commit()

    with pytest.raises(EventTooLarge) as refused:
        await emit_too_much()

    assert isinstance(refused.value, DomainError)
    assert refused.value.status == 422
    assert ApplicationRegistered.event_type in refused.value.detail
    assert f"over the {db.max_event_bytes} bytes" in refused.value.detail
    assert refused.value.field in ApplicationRegistered.model_fields
    assert await count_rows(db, OUTBOX) == 0


async def test_emit_takes_an_event_within_the_bound(db: Database) -> None:
    db.max_event_bytes = 2 * len(registered_event().to_json())

    await emit_committed(db, "case-1")

    assert await count_rows(db, OUTBOX) == 1


async def test_a_consumed_event_whose_handler_emits_too_much_is_dead_lettered_with_the_reason(
    db: Database, telemetry: Telemetry
) -> None:
    db.max_event_bytes = len(registered_event().to_json())
    handlers = EventHandlers()

    @handlers.on(ApplicationRegistered)
    async def forward_it(event: CloudEvent[Any], uow: UnitOfWork) -> None:
        await uow.emit(application_registered(case_id=event.subject))

    letters: list[DeadLetter] = []

    async def keep(letter: DeadLetter) -> None:
        letters.append(letter)

    consumer = EventConsumer(
        name="test",
        handlers=handlers,
        db=db,
        policy=RetryPolicy(max_attempts=3),
        dead_letter=keep,
        tracer=telemetry.tracer,
    )
    event = registered_event()
    message = IncomingMessage(topic=Topic.INTAKE, partition=0, offset=7, key=event.subject, value=event.to_json())

    assert await consumer.process(message) is Outcome.DEAD_LETTERED

    [letter] = letters
    assert letter.error_type == "EventTooLarge"
    assert "over the" in letter.reason
    assert await count_rows(db, OUTBOX) == 0


# --- rows the broker can never take are parked; the rest flow -------------------------------------------------------


class ScriptedPublish(FakePublish):
    """Raises the error given for a case key (every time), sends the others; may block until released."""

    def __init__(self, errors: dict[str, Exception] | None = None) -> None:
        super().__init__()
        self.errors = errors or {}

    async def __call__(self, message: OutgoingMessage) -> None:
        self.calls += 1
        error = self.errors.get(message.key)
        if error is not None:
            raise error
        self.sent.append(message)


class TopicErrors(FakePublish):
    """Raises the error given for a topic (every time), sends the others."""

    def __init__(self, errors: dict[str, Exception]) -> None:
        super().__init__()
        self.errors = errors

    async def __call__(self, message: OutgoingMessage) -> None:
        self.calls += 1
        error = self.errors.get(message.topic)
        if error is not None:
            raise error
        self.sent.append(message)


def parked_of(rows: list[Any]) -> dict[str, str]:
    return {f"{row.id}:{row.key}": row.park_reason for row in rows if row.parked_at is not None}


MESSAGE_ERRORS = [
    MessageSizeTooLargeError("the message is 1200000 bytes when serialized"),
    RecordListTooLargeError(),
    CorruptRecordException(),
]
TOPIC_ERRORS = [UnknownTopicOrPartitionError(), TopicAuthorizationFailedError("intake.events.v1"), InvalidTopicError()]


@pytest.mark.parametrize("error", MESSAGE_ERRORS, ids=lambda e: type(e).__name__)
async def test_a_row_the_broker_never_takes_is_parked_with_its_reason_and_the_rows_after_it_go_out(
    db: Database, telemetry: Telemetry, clock: FixedClock, caplog: pytest.LogCaptureFixture, error: Exception
) -> None:
    await emit_committed(db, "case-1", "case-2", "case-3")
    await emit_committed(db, "case-4", municipality="5032")
    publish = ScriptedPublish({"case-2": error})
    parked_at = clock.advance(timedelta(seconds=5))

    with caplog.at_level(logging.ERROR, logger="servicekit.outbox"):
        published = await relay(db, publish, telemetry).relay_once()

    assert published == 3
    assert publish.keys == ["case-1", "case-3", "case-4"]
    rows = await outbox_rows(db)
    [parked] = [row for row in rows if row.key == "case-2"]
    assert parked.published_at is None
    assert parked.parked_at == parked_at
    assert parked.park_reason.startswith(type(error).__name__)
    assert all(row.published_at == parked_at for row in rows if row.key != "case-2")
    [alert] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert f"outbox row {parked.id} parked" in alert.getMessage()
    assert "case-2" in alert.getMessage()
    # Parked, it is not tried again.
    assert await relay(db, publish, telemetry).relay_once() == 0
    assert publish.calls == 4


async def test_later_rows_of_a_parked_case_wait_behind_it_and_other_cases_go_on(
    db: Database, telemetry: Telemetry
) -> None:
    await emit_committed(db, "case-1", "case-2", "case-1")
    publish = ScriptedPublish({"case-1": MessageSizeTooLargeError("too large")})
    outbox_relay = relay(db, publish, telemetry)

    assert await outbox_relay.relay_once() == 1
    first, second, third = await outbox_rows(db)
    assert first.park_reason.startswith("MessageSizeTooLargeError")
    assert second.published_at is not None
    assert third.park_reason == f"behind parked {first.id}"
    assert publish.calls == 2, "the row behind the parked one was not even tried"

    # An event of that case written later waits too; one of another case does not.
    publish.errors.clear()
    await emit_committed(db, "case-1", "case-3")
    assert await outbox_relay.relay_once() == 1
    assert publish.keys == ["case-2", "case-3"]
    rows = await outbox_rows(db)
    assert parked_of(rows) == {
        f"{first.id}:case-1": first.park_reason,
        f"{third.id}:case-1": f"behind parked {first.id}",
        f"{rows[3].id}:case-1": f"behind parked {first.id}",
    }


@pytest.mark.parametrize(
    "error",
    [BrokerDown("broker unavailable"), KafkaTimeoutError(), KafkaConnectionError("connection refused")],
    ids=lambda e: type(e).__name__,
)
async def test_a_broker_outage_parks_nothing_and_stops_the_round_for_a_later_retry(
    db: Database, telemetry: Telemetry, error: Exception
) -> None:
    await emit_committed(db, "case-1", "case-2")
    publish = ScriptedPublish({"case-1": error})

    with pytest.raises(type(error)):
        await relay(db, publish, telemetry).relay_once()

    rows = await outbox_rows(db)
    assert parked_of(rows) == {}
    assert all(row.published_at is None for row in rows)
    assert publish.calls == 1, "nothing after the failing row was sent out of order"


async def test_an_unknown_topic_while_the_broker_does_not_answer_is_retried_not_parked(
    db: Database, telemetry: Telemetry
) -> None:
    await emit_committed(db, "case-1")
    publish = ScriptedPublish({"case-1": UnknownTopicOrPartitionError()})

    async def broker_down() -> bool:
        return False

    outbox_relay = OutboxRelay(db, publish, telemetry.tracer, poll_interval_s=0.01, broker_up=broker_down)
    with pytest.raises(UnknownTopicOrPartitionError):
        await outbox_relay.relay_once()

    assert parked_of(await outbox_rows(db)) == {}


async def test_release_sends_a_parked_row_and_the_rows_behind_it_again_in_order(
    db: Database, telemetry: Telemetry
) -> None:
    await emit_committed(db, "case-1", "case-2", "case-1")
    await emit_committed(db, "case-5")
    publish = ScriptedPublish({"case-1": MessageSizeTooLargeError("too large"), "case-5": RecordListTooLargeError()})
    outbox_relay = relay(db, publish, telemetry)
    await outbox_relay.relay_once()
    first, _, third, other = await outbox_rows(db)
    assert [p.id for p in await parked_rows(db)] == [first.id, third.id, other.id]
    db.outbox_written.clear()

    publish.errors.clear()
    assert await release(db, first.id) == 2
    assert db.outbox_written.is_set(), "releasing wakes the relay"
    assert await release(db, first.id) == 0

    assert await outbox_relay.relay_once() == 2
    assert publish.keys == ["case-2", "case-1", "case-1"]
    assert [row.id for row in await parked_rows(db)] == [other.id]


def test_the_command_line_lists_parked_rows_and_releases_one(tmp_path: Path, clock: FixedClock) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/cli.db"

    async def park_one() -> int:
        database = Database(url, clock=clock, source="/forvalt/test")
        telemetry = Telemetry(ServiceSettings(service_name="test", telemetry_exporter="none"))
        try:
            async with database.engine.begin() as conn:
                await conn.run_sync(metadata.create_all)
            await emit_committed(database, "case-1")
            await OutboxRelay(
                database, ScriptedPublish({"case-1": RecordListTooLargeError()}), telemetry.tracer
            ).relay_once()
            [row] = await parked_rows(database)
            return row.id
        finally:
            await database.dispose()
            telemetry.shutdown()

    row_id = asyncio.run(park_one())
    runner = CliRunner()

    listed = runner.invoke(outbox_cli, ["list-parked", "--service", "intake", "--database-url", url])
    assert listed.exit_code == 0, listed.output
    [line] = listed.output.splitlines()
    shown = json.loads(line)
    assert (shown["id"], shown["key"], shown["municipality"]) == (row_id, "case-1", "3426")
    assert shown["reason"].startswith("RecordListTooLargeError")

    released = runner.invoke(outbox_cli, ["release", str(row_id), "--service", "intake", "--database-url", url])
    assert released.exit_code == 0, released.output
    assert runner.invoke(outbox_cli, ["list-parked", "--service", "intake", "--database-url", url]).output == ""
    again = runner.invoke(outbox_cli, ["release", str(row_id), "--service", "intake", "--database-url", url])
    assert again.exit_code == 1
    assert runner.invoke(outbox_cli, ["release", "--all", "--service", "intake", "--database-url", url]).exit_code == 1
    assert runner.invoke(outbox_cli, ["release", "--service", "intake", "--database-url", url]).exit_code == 2


# --- SQLite: the relay holds no write lock while it talks to the broker ---------------------------------------------


async def test_on_sqlite_a_unit_of_work_commits_while_the_relay_waits_on_the_broker(
    db: Database, telemetry: Telemetry
) -> None:
    assert db.is_sqlite
    await emit_committed(db, "case-1")
    sending = asyncio.Event()
    broker_answers = asyncio.Event()

    async def slow_publish(message: OutgoingMessage) -> None:
        sending.set()
        await broker_answers.wait()

    relaying = asyncio.create_task(OutboxRelay(db, slow_publish, telemetry.tracer).relay_once())
    await asyncio.wait_for(sending.wait(), timeout=5)
    try:
        # With the broker silent, a request's transaction still writes and commits at once.
        await asyncio.wait_for(emit_committed(db, "case-2"), timeout=3)
        assert await count_rows(db, OUTBOX) == 2
    finally:
        broker_answers.set()
        published = await asyncio.wait_for(relaying, timeout=5)

    assert published == 1
    rows = await outbox_rows(db)
    assert [row.published_at is not None for row in rows] == [True, False]


# --- pruning --------------------------------------------------------------------------------------------------------


async def test_prune_deletes_what_is_past_its_retention_by_the_services_clock(
    db: Database, telemetry: Telemetry, clock: FixedClock
) -> None:
    retention = Retention(outbox=timedelta(days=7), inbox=timedelta(days=30), idempotency=timedelta(hours=24))
    await emit_committed(db, "old-sent", "old-parked")
    await relay(db, ScriptedPublish({"old-parked": MessageSizeTooLargeError("too large")}), telemetry).relay_once()
    async with db.unit_of_work(acting()) as uow:
        assert await uow.first_time("consumer", "old-event", "t")
        await uow.commit()
    clock.advance(timedelta(days=6))
    await emit_committed(db, "unsent")
    clock.advance(timedelta(days=1, seconds=1))  # the first rows were sent 7 days and 1 second ago
    await emit_committed(db, "recent")
    await relay(db, ScriptedPublish(), telemetry).relay_once()
    async with db.unit_of_work(acting()) as uow:
        assert await uow.first_time("consumer", "recent-event", "t")
        await uow.commit()

    pruned = await prune(db, retention)

    assert (pruned.outbox, pruned.inbox) == (1, 0)
    assert sorted(row.key for row in await outbox_rows(db)) == ["old-parked", "recent", "unsent"]
    clock.advance(timedelta(days=23))
    assert (await prune(db, retention)).inbox == 1
    async with db.engine.connect() as conn:
        assert list((await conn.scalars(select(INBOX.c.event_id))).all()) == ["recent-event"]
    assert any(row.key == "old-parked" for row in await outbox_rows(db)), "a parked row is kept until released"


async def test_the_running_relay_goes_straight_on_after_a_batch_of_parked_rows(
    db: Database, telemetry: Telemetry
) -> None:
    await emit_committed(db, "case-1", "case-2", "case-3")
    too_large = MessageSizeTooLargeError("too large")
    publish = ScriptedPublish({"case-1": too_large, "case-2": too_large})
    outbox_relay = OutboxRelay(db, publish, telemetry.tracer, batch_size=2, poll_interval_s=60)

    running = asyncio.create_task(outbox_relay.run())
    try:
        for _ in range(200):
            if publish.keys:
                break
            await asyncio.sleep(0.01)
    finally:
        outbox_relay.stop()
        await asyncio.wait_for(running, timeout=5)

    assert publish.keys == ["case-3"], "the next batch went out without waiting for the poll interval"


@pytest.mark.parametrize("error", TOPIC_ERRORS, ids=lambda e: type(e).__name__)
async def test_after_a_topic_error_the_topics_other_rows_in_the_round_are_held_and_other_topics_go_on(
    db: Database, telemetry: Telemetry, error: Exception
) -> None:
    await emit_committed(db, "case-1", "case-2")
    async with db.unit_of_work(acting()) as uow:
        envelope = await uow.emit(application_registered(case_id="case-3"))
        await uow.forward(envelope, topic="tenant.3426.events.v1")
        await uow.commit()
    publish = TopicErrors({Topic.INTAKE: error})

    assert await relay(db, publish, telemetry).relay_once() == 1

    first, second, third, forwarded = await outbox_rows(db)
    assert first.park_reason.startswith(type(error).__name__)
    assert [second.park_reason, third.park_reason] == [f"behind parked {first.id}"] * 2
    assert forwarded.published_at is not None
    assert publish.calls == 2, "one wait for the topic's answer, not one per row"

    publish.errors.clear()
    assert await release(db, first.id) == 3
    assert await relay(db, publish, telemetry).relay_once() == 3
    assert publish.keys == ["case-3", "case-1", "case-2", "case-3"]


async def test_release_of_everything_lets_every_parked_row_go_out_again(db: Database, telemetry: Telemetry) -> None:
    await emit_committed(db, "case-1", "case-2")
    publish = ScriptedPublish({"case-1": RecordListTooLargeError(), "case-2": RecordListTooLargeError()})
    await relay(db, publish, telemetry).relay_once()
    assert len(await parked_rows(db)) == 2

    assert await release(db, None) == 2

    assert await parked_rows(db) == []
