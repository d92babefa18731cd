"""The FastStream Kafka broker of a service, its subscribers, and topic creation."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from typing import cast

from aiokafka import ConsumerRecord
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from faststream.kafka import KafkaBroker, KafkaMessage
from faststream.middlewares import AckPolicy

from servicekit.consumer import DeadLetter, EventConsumer, IncomingMessage, Outcome
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


async def _raw_body(message: KafkaMessage) -> bytes:
    # Never let the framework parse: a malformed message must reach our dead-letter policy.
    return message.body


def subscribe(broker: KafkaBroker, topic: str, consumer: EventConsumer) -> None:
    """Attach `consumer` to `topic`: commit only after the outcome is durable, never skip a message."""

    @broker.subscriber(
        topic,
        group_id=consumer.name,
        ack_policy=AckPolicy.MANUAL,
        auto_offset_reset="earliest",
        decoder=_raw_body,
        title=f"{consumer.name}:{topic}",
    )
    async def _consume(msg: KafkaMessage) -> None:
        record = cast(ConsumerRecord, msg.raw_message)  # type: ignore[type-arg]
        incoming = IncomingMessage(
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            key=record.key.decode(errors="replace") if record.key else None,
            value=msg.body,
            headers={k: v.decode(errors="replace") for k, v in (record.headers or ())},
        )
        try:
            outcome: Outcome = await consumer.process(incoming)
        except Exception:
            # The database is down, or not even the dead-letter topic took it: rewind so it comes again.
            log.exception(
                "could not settle %s[%d]@%d; will redeliver", incoming.topic, incoming.partition, incoming.offset
            )
            await msg.nack()
            await asyncio.sleep(1.0)
            return
        log.debug("%s[%d]@%d %s", incoming.topic, incoming.partition, incoming.offset, outcome.value)
        await msg.ack()


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
