"""The FastStream Kafka broker of a service, its subscribers, and topic creation."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, Protocol, TypeAlias, cast

from aiokafka import ConsumerRebalanceListener, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import IllegalStateError, TopicAlreadyExistsError
from faststream.kafka import KafkaBroker, KafkaMessage
from faststream.message import StreamMessage
from faststream.middlewares import AckPolicy

from servicekit.consumer import DeadLetter, EventConsumer, IncomingMessage, InfrastructureUnavailable, Outcome
from servicekit.outbox import OutgoingMessage

log = logging.getLogger(__name__)

DEFAULT_PARTITIONS = 3


def build_broker(bootstrap: str, client_id: str) -> KafkaBroker:
    """A broker that connects only when started. The producer waits for all in-sync replicas and is
    idempotent; both are set explicitly since the client defaults are weaker."""
    return KafkaBroker(
        bootstrap,
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        log_level=logging.DEBUG,
    )


async def publish(broker: KafkaBroker, message: OutgoingMessage) -> None:
    await broker.publish(message.value, topic=message.topic, key=message.key.encode(), headers=message.headers)


async def send_dead_letter(broker: KafkaBroker, letter: DeadLetter) -> None:
    key = letter.message.key.encode() if letter.message.key else None
    await broker.publish(letter.message.value, topic=letter.topic, key=key, headers=letter.headers())


Record: TypeAlias = ConsumerRecord[Any, Any]
# The parser FastStream would use, handed to ours.
Parse = Callable[[Record], Awaitable[StreamMessage[Record]]]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)


def text_headers(headers: Iterable[tuple[str, object]] | None) -> dict[str, str]:
    """Kafka header values as text: bytes that are not UTF-8 replaced, a null value empty. Java clients, Connect
    and MirrorMaker send both."""
    return {str(name): _text(value) for name, value in (headers or ())}


def incoming_message(record: Record) -> IncomingMessage:
    return IncomingMessage(
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        key=_text(record.key) if record.key else None,
        value=bytes(record.value or b""),
        headers=text_headers(record.headers),
    )


async def parse_tolerantly(record: Record, original: Parse) -> StreamMessage[Record]:
    """FastStream's parser decodes every header value strictly, and a message it cannot parse never reaches the
    handler while the next acknowledgement commits past it. Hand it headers that are already text."""
    tolerant = dataclasses.replace(
        record, headers=[(name, value.encode()) for name, value in text_headers(record.headers).items()]
    )
    if hasattr(record, "consumer"):
        tolerant.consumer = record.consumer  # type: ignore[attr-defined]
    return await original(tolerant)


async def _raw_body(message: KafkaMessage) -> bytes:
    # Never let the framework parse: a malformed message must reach our dead-letter policy.
    return bytes(message.body or b"")


class _Pausable(Protocol):
    def pause(self, *partitions: TopicPartition) -> None: ...

    def resume(self, *partitions: TopicPartition) -> None: ...


async def _rewind(msg: KafkaMessage, delay_s: float) -> None:
    """Seek back to the message so it comes again after `delay_s`, holding back only its own partition."""
    record = cast(Record, msg.raw_message)
    consumer = msg.consumer
    partition = TopicPartition(record.topic, record.partition)
    pausable = cast(_Pausable, consumer) if hasattr(consumer, "pause") and hasattr(consumer, "resume") else None
    try:
        await msg.nack()
        if pausable is not None:
            pausable.pause(partition)
    except IllegalStateError:
        # A rebalance gave the partition to another member: it reads from the last commit, which is before this.
        log.warning("%s is no longer ours; its next owner redelivers offset %d", partition, record.offset)
        return
    if pausable is None:
        await asyncio.sleep(delay_s)
        return

    def resume() -> None:
        # The partition may have gone to another member meanwhile; then there is nothing to resume.
        with contextlib.suppress(Exception):
            pausable.resume(partition)

    asyncio.get_running_loop().call_later(delay_s, resume)


async def settle(consumer: EventConsumer, msg: KafkaMessage) -> None:
    """Hand one message to `consumer`, then commit, or rewind: never acknowledge past a message whose outcome
    is not durable."""
    record = cast(Record, msg.raw_message)
    try:
        incoming = incoming_message(record)
        outcome: Outcome = await consumer.process(incoming)
    except InfrastructureUnavailable as exc:
        log.warning(
            "%s[%d]@%d: %s; redelivering in %.1f s", record.topic, record.partition, record.offset, exc, exc.delay_s
        )
        await _rewind(msg, exc.delay_s)
        return
    except Exception:
        # Not even the dead-letter topic took it, or our own code failed: rewind so it comes again.
        log.exception("could not settle %s[%d]@%d; will redeliver", record.topic, record.partition, record.offset)
        await _rewind(msg, 1.0)
        return
    log.debug("%s[%d]@%d %s", record.topic, record.partition, record.offset, outcome.value)
    await msg.ack()


class GroupMembership(ConsumerRebalanceListener):  # type: ignore[misc]
    """Whether the consumer has joined its group: readiness waits for the first assignment, which may be
    empty when the group has more members than partitions."""

    def __init__(self) -> None:
        self.joined = asyncio.Event()
        self.assignment: set[TopicPartition] = set()

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        self.assignment -= set(revoked)

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        self.assignment = set(assigned)
        self.joined.set()


def subscribe(broker: KafkaBroker, topics: Iterable[str], consumer: EventConsumer) -> GroupMembership:
    """Attach `consumer` to all of `topics` with one subscriber, so the service is one member of its group and
    a replica joins with one rebalance. Commit only after the outcome is durable, never skip a message."""
    names: Sequence[str] = sorted(set(topics))
    membership = GroupMembership()

    @broker.subscriber(
        *names,
        group_id=consumer.name,
        ack_policy=AckPolicy.MANUAL,
        auto_offset_reset="earliest",
        listener=membership,
        parser=parse_tolerantly,
        decoder=_raw_body,
        title=f"{consumer.name}:{','.join(names)}",
    )
    async def _consume(msg: KafkaMessage) -> None:
        await settle(consumer, msg)

    return membership


async def ensure_topics(
    bootstrap: str, topics: Iterable[str], *, partitions: int = DEFAULT_PARTITIONS, replication_factor: int = 1
) -> None:
    """Create topics that do not exist yet (the owner's topic and the dead-letter topics)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(name=t, num_partitions=partitions, replication_factor=replication_factor)
            for t in sorted(set(topics))
            if t not in existing
        ]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(missing)
    finally:
        await admin.close()
