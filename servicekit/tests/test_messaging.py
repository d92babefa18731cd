"""The broker every service builds, and its one subscriber: a producer that waits for all in-sync replicas and
never duplicates; messages parsed whatever their headers, committed only once settled, else rewound."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest
from aiokafka import ConsumerRecord, TopicPartition
from aiokafka.errors import IllegalStateError
from faststream.kafka import KafkaMessage
from faststream.kafka.message import KafkaAckableMessage
from faststream.kafka.parser import AioKafkaParser
from faststream.kafka.subscriber.usecase import LogicSubscriber

from contracts.envelope import CloudEvent
from contracts.intake import ApplicationRegistered
from contracts.tests.examples import registered_event
from servicekit.clock import FixedClock
from servicekit.consumer import (
    DeadLetter,
    EventConsumer,
    EventHandlers,
    IncomingMessage,
    InfrastructureUnavailable,
    Outcome,
    RetryPolicy,
)
from servicekit.db import Database, UnitOfWork
from servicekit.messaging import (
    GroupMembership,
    build_broker,
    incoming_message,
    parse_tolerantly,
    settle,
    subscribe,
)
from servicekit.runtime import Runtime, ServiceSpec
from servicekit.settings import ServiceSettings
from servicekit.telemetry import Telemetry

TOPIC = "intake.events.v1"


def test_the_producer_waits_for_all_replicas_and_is_idempotent_set_explicitly() -> None:
    broker = build_broker("127.0.0.1:19092", client_id="intake")
    # Private to FastStream, but the one place these producer settings are kept before connecting.
    settings = broker._connection_kwargs

    assert settings["acks"] == "all"
    assert settings["enable_idempotence"] is True
    assert settings["client_id"] == "intake"


def test_building_a_broker_connects_to_nothing() -> None:
    broker = build_broker("127.0.0.1:1", client_id="intake")  # nothing listens there: building must not care
    assert broker._connection is None


# --- the subscriber path: tolerant headers, commit or rewind, one subscriber, readiness -----------


class FakeKafkaConsumer:
    """What a message's acknowledgement touches on the Kafka consumer: commit, seek, pause and resume."""

    def __init__(self) -> None:
        self.commits = 0
        self.seeks: list[tuple[TopicPartition, int]] = []
        self.paused: set[TopicPartition] = set()
        self.resumed: list[TopicPartition] = []

    async def commit(self) -> None:
        self.commits += 1

    def seek(self, partition: TopicPartition, offset: int) -> None:
        self.seeks.append((partition, offset))

    def pause(self, *partitions: TopicPartition) -> None:
        self.paused |= set(partitions)

    def resume(self, *partitions: TopicPartition) -> None:
        self.paused -= set(partitions)
        self.resumed.extend(partitions)


# Header values that Java clients, Connect and MirrorMaker send: bytes that are not UTF-8, and null.
FOREIGN_HEADERS: list[tuple[str, Any]] = [
    ("traceparent", b"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
    ("x-latin1", "Tolga kommune, Østerdalen".encode("latin-1")),
    ("x-null", None),
]


def record(value: bytes, *, headers: list[tuple[str, Any]] | None = None, offset: int = 7) -> ConsumerRecord[Any, Any]:
    return ConsumerRecord(
        topic=TOPIC,
        partition=2,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=b"case-1",
        value=value,
        checksum=None,
        serialized_key_size=6,
        serialized_value_size=len(value),
        headers=FOREIGN_HEADERS if headers is None else headers,
    )


async def parsed(raw: ConsumerRecord[Any, Any], kafka: FakeKafkaConsumer) -> KafkaMessage:
    """The message as the subscriber hands it to its handler: our parser around FastStream's, with manual ack."""
    faststreams = AioKafkaParser(msg_class=KafkaAckableMessage, regex=None)
    faststreams._setup(kafka)
    message = await parse_tolerantly(raw, faststreams.parse_message)
    return cast(KafkaMessage, message)


class Recording:
    """A consumer with a fake dead-letter sender that remembers what it was handed."""

    def __init__(self, db: Database, telemetry: Telemetry) -> None:
        self.letters: list[DeadLetter] = []
        self.seen: list[IncomingMessage] = []
        self.handlers = EventHandlers()

        @self.handlers.on(ApplicationRegistered)
        async def handle(event: CloudEvent[Any], uow: UnitOfWork) -> None:
            return None

        async def keep(letter: DeadLetter) -> None:
            self.letters.append(letter)

        self.consumer = EventConsumer(
            name="test-consumer",
            handlers=self.handlers,
            db=db,
            policy=RetryPolicy(max_attempts=1),
            dead_letter=keep,
            tracer=telemetry.tracer,
        )
        process = self.consumer.process

        async def remember(message: IncomingMessage) -> Outcome:
            self.seen.append(message)
            return await process(message)

        self.consumer.process = remember  # type: ignore[method-assign]


async def test_faststreams_own_parser_fails_on_foreign_header_values_and_ours_gives_text() -> None:
    kafka = FakeKafkaConsumer()
    faststreams = AioKafkaParser(msg_class=KafkaAckableMessage, regex=None)
    faststreams._setup(kafka)
    with pytest.raises((UnicodeDecodeError, AttributeError)):
        await faststreams.parse_message(record(b"{}"))

    message = await parsed(record(b"{}"), kafka)

    assert message.headers == {
        "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "x-latin1": "Tolga kommune, \ufffdsterdalen",
        "x-null": "",
    }
    assert message.consumer is kafka, "its acknowledgement reaches the Kafka consumer"


def test_a_records_headers_key_and_value_become_text_without_failing() -> None:
    incoming = incoming_message(record(b'{"x": 1}'))

    assert incoming.headers["x-latin1"] == "Tolga kommune, \ufffdsterdalen"
    assert incoming.headers["x-null"] == ""
    assert (incoming.topic, incoming.partition, incoming.offset, incoming.key) == (TOPIC, 2, 7, "case-1")
    assert incoming.value == b'{"x": 1}'


async def test_an_event_with_foreign_header_values_is_processed_and_then_committed(
    db: Database, telemetry: Telemetry
) -> None:
    kafka = FakeKafkaConsumer()
    recording = Recording(db, telemetry)
    event = registered_event()

    await settle(recording.consumer, await parsed(record(event.to_json()), kafka))

    [seen] = recording.seen
    assert seen.headers["x-null"] == ""
    assert seen.value == event.to_json()
    assert recording.letters == []
    assert (kafka.commits, kafka.seeks) == (1, [])


async def test_a_poison_message_with_foreign_header_values_reaches_the_dead_letter_topic_with_its_reason(
    db: Database, telemetry: Telemetry
) -> None:
    kafka = FakeKafkaConsumer()
    recording = Recording(db, telemetry)

    await settle(recording.consumer, await parsed(record(b"{not json"), kafka))

    [letter] = recording.letters
    assert "invalid envelope" in letter.reason
    assert letter.headers()["x-latin1"] == "Tolga kommune, \ufffdsterdalen"
    assert letter.headers()["x-dlq-original-offset"] == "7"
    assert kafka.commits == 1, "committed only once the letter is sent"


async def test_a_failure_anywhere_in_the_consumer_rewinds_the_message_and_commits_nothing(
    db: Database, telemetry: Telemetry
) -> None:
    kafka = FakeKafkaConsumer()
    recording = Recording(db, telemetry)

    async def broken(_: IncomingMessage) -> Outcome:
        raise RuntimeError("tracing broke")

    recording.consumer.process = broken  # type: ignore[method-assign, assignment]

    await settle(recording.consumer, await parsed(record(registered_event().to_json()), kafka))

    assert kafka.commits == 0
    assert kafka.seeks == [(TopicPartition(TOPIC, 2), 7)]


async def test_a_message_left_for_redelivery_holds_back_only_its_own_partition_for_the_delay(
    db: Database, telemetry: Telemetry
) -> None:
    kafka = FakeKafkaConsumer()
    recording = Recording(db, telemetry)

    async def database_away(_: IncomingMessage) -> Outcome:
        raise InfrastructureUnavailable("OperationalError", delay_s=0.05)

    recording.consumer.process = database_away  # type: ignore[method-assign, assignment]
    started = asyncio.get_running_loop().time()

    await settle(recording.consumer, await parsed(record(registered_event().to_json()), kafka))

    assert asyncio.get_running_loop().time() - started < 0.05, "the subscriber does not sleep: others go on"
    assert kafka.commits == 0
    assert kafka.seeks == [(TopicPartition(TOPIC, 2), 7)]
    assert kafka.paused == {TopicPartition(TOPIC, 2)}
    await asyncio.sleep(0.1)
    assert kafka.paused == set()
    assert kafka.resumed == [TopicPartition(TOPIC, 2)]


async def test_a_message_whose_partition_went_to_another_member_is_left_to_it_uncommitted(
    db: Database, telemetry: Telemetry
) -> None:
    class Revoked(FakeKafkaConsumer):
        def seek(self, partition: TopicPartition, offset: int) -> None:
            raise IllegalStateError(f"No current assignment for partition {partition}")

    kafka = Revoked()
    recording = Recording(db, telemetry)

    async def database_away(_: IncomingMessage) -> Outcome:
        raise InfrastructureUnavailable("OperationalError", delay_s=0.05)

    recording.consumer.process = database_away  # type: ignore[method-assign, assignment]

    await settle(recording.consumer, await parsed(record(registered_event().to_json()), kafka))

    assert kafka.commits == 0
    assert kafka.paused == set()


async def test_one_subscriber_consumes_every_topic_of_the_service_in_its_group(
    db: Database, telemetry: Telemetry
) -> None:
    broker = build_broker("127.0.0.1:1", client_id="notification")
    recording = Recording(db, telemetry)

    subscribe(broker, ["intake.events.v1", "deadlines.v1", "intake.events.v1"], recording.consumer)

    [subscriber] = broker.subscribers
    assert isinstance(subscriber, LogicSubscriber)
    assert subscriber.topic_names == ["deadlines.v1", "intake.events.v1"]
    assert subscriber.group_id == "test-consumer"


async def test_the_group_membership_counts_as_joined_on_the_first_assignment_even_an_empty_one() -> None:
    membership = GroupMembership()
    assert not membership.joined.is_set()

    await membership.on_partitions_assigned(set())

    assert membership.joined.is_set()
    assert membership.assignment == set()


def _runtime(tmp_path: Path, handlers: EventHandlers) -> Runtime:
    spec = ServiceSpec(
        name="test",
        title="test",
        description="test",
        produces=(),
        migrations_dir=tmp_path,
        handlers=handlers,
    )
    settings = ServiceSettings(service_name="test", data_dir=tmp_path, telemetry_exporter="memory")
    return Runtime(spec, settings, clock=FixedClock(datetime(2026, 3, 10, 12, 0, tzinfo=UTC)))


def _connected(runtime: Runtime) -> None:
    """As after start: the broker connected and answering."""

    async def answers(**_: object) -> bool:
        return True

    runtime.broker.ping = answers  # type: ignore[method-assign, assignment]
    runtime.kafka_ready = True


async def test_a_consuming_service_is_ready_only_once_its_consumer_has_joined_the_group(
    tmp_path: Path, db: Database, telemetry: Telemetry
) -> None:
    runtime = _runtime(tmp_path, Recording(db, telemetry).handlers)
    try:
        [subscriber] = runtime.broker.subscribers
        assert isinstance(subscriber, LogicSubscriber)
        assert subscriber.topic_names == ["intake.events.v1"]

        _connected(runtime)
        assert runtime.membership is not None
        assert await runtime.broker_ready() is False

        await runtime.membership.on_partitions_assigned({TopicPartition("intake.events.v1", 0)})

        assert await runtime.broker_ready() is True
    finally:
        await runtime.db.dispose()
        runtime.telemetry.shutdown()


async def test_a_service_without_handlers_has_no_subscriber_and_is_ready_when_the_broker_answers(
    tmp_path: Path,
) -> None:
    runtime = _runtime(tmp_path, EventHandlers())
    try:
        _connected(runtime)

        assert runtime.broker.subscribers == []
        assert await runtime.broker_ready() is True
    finally:
        await runtime.db.dispose()
        runtime.telemetry.shutdown()
