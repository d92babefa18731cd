"""Inspect and replay dead letters: python -m servicekit.deadletters list|replay TOPIC.dlq"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Sequence
from contextlib import asynccontextmanager
from typing import Annotated, Protocol, TypeAlias

import typer
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition

from servicekit.settings import ServiceSettings

app = typer.Typer(add_completion=False, help=__doc__)

DLQ_PREFIX = "x-dlq-"

Letter: TypeAlias = ConsumerRecord[bytes, bytes]
# Sends one message: topic, value, key, headers.
Send: TypeAlias = Callable[[str, bytes | None, bytes | None, list[tuple[str, bytes]]], Awaitable[object]]


class LetterSource(Protocol):
    """The part of a Kafka consumer that reading a dead-letter topic needs."""

    def partitions_for_topic(self, topic: str) -> set[int] | None: ...

    def assign(self, partitions: list[TopicPartition]) -> None: ...

    async def seek_to_beginning(self, *partitions: TopicPartition) -> None: ...

    async def end_offsets(self, partitions: list[TopicPartition]) -> dict[TopicPartition, int]: ...

    async def position(self, partition: TopicPartition) -> int: ...

    async def getmany(self, *partitions: TopicPartition, timeout_ms: int = 0) -> dict[TopicPartition, list[Letter]]: ...


class Unreadable(RuntimeError):
    """The dead-letter topic could not be read to its end."""


async def read_letters(
    source: LetterSource,
    topic: str,
    *,
    partition: int | None = None,
    timeout_ms: int = 1000,
    max_idle_polls: int = 10,
) -> list[Letter]:
    """Every letter of `topic` (or of one partition of it) up to the end offsets taken when reading starts.

    An empty poll does not mean the end: the broker may be slow. Only reaching the end offsets does; a topic that
    gives nothing for `max_idle_polls` polls in a row before that is Unreadable.
    """
    known = source.partitions_for_topic(topic)
    if not known:
        raise Unreadable(f"{topic}: no such topic")
    if partition is not None and partition not in known:
        raise Unreadable(f"{topic} has no partition {partition}; it has {sorted(known)}")
    chosen = [TopicPartition(topic, p) for p in sorted(known) if partition is None or p == partition]
    source.assign(chosen)
    ends = await source.end_offsets(chosen)
    await source.seek_to_beginning(*chosen)
    letters: list[Letter] = []
    pending = [tp for tp in chosen if await source.position(tp) < ends[tp]]
    idle = 0
    while pending:
        batch = await source.getmany(*pending, timeout_ms=timeout_ms)
        got = False
        for tp, records in batch.items():
            kept = [r for r in records if r.offset < ends[tp]]
            letters.extend(kept)
            got = got or bool(records)
        idle = 0 if got else idle + 1
        if idle >= max_idle_polls:
            raise Unreadable(f"{topic}: nothing more after {idle} polls, short of the end offsets {_ends(ends)}")
        pending = [tp for tp in pending if await source.position(tp) < ends[tp]]
    return sorted(letters, key=lambda r: (r.partition, r.offset))


def _ends(ends: dict[TopicPartition, int]) -> str:
    return ", ".join(f"{tp.partition}:{end}" for tp, end in sorted(ends.items()))


async def replay_letters(letters: Sequence[Letter], topic: str, send: Send, *, offsets: Collection[int] = ()) -> int:
    """Send `letters` (only those at `offsets`, when given) back to the topic each came from, without the
    dead-letter headers; consumers deduplicate by event id. Returns how many were sent."""
    chosen = [r for r in letters if not offsets or r.offset in offsets]
    for record in chosen:
        original = _headers(record).get("x-dlq-original-topic") or topic.removesuffix(".dlq")
        kept = [(k, bytes(v or b"")) for k, v in (record.headers or ()) if not k.startswith(DLQ_PREFIX)]
        await send(original, record.value, record.key, kept)
    return len(chosen)


@asynccontextmanager
async def _reader(bootstrap: str, topic: str) -> AsyncIterator[AIOKafkaConsumer]:
    # Subscribing makes the client fetch the topic's partitions; reading then assigns them by hand.
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    try:
        consumer.unsubscribe()
        yield consumer
    finally:
        await consumer.stop()


async def _read(bootstrap: str, topic: str, partition: int | None) -> list[Letter]:
    async with _reader(bootstrap, topic) as consumer:
        try:
            return await read_letters(consumer, topic, partition=partition)
        except Unreadable as exc:
            raise typer.BadParameter(str(exc)) from exc


def _headers(record: Letter) -> dict[str, str]:
    return {k: (v or b"").decode(errors="replace") for k, v in (record.headers or ())}


@app.command("list")
def list_letters(
    topic: Annotated[str, typer.Argument(help="a dead-letter topic, e.g. intake.events.v1.dlq")],
    partition: Annotated[int | None, typer.Option(help="only this partition")] = None,
) -> None:
    """Print every dead letter of TOPIC as one JSON line: position, reason and the message."""
    bootstrap = ServiceSettings().kafka_bootstrap
    for record in asyncio.run(_read(bootstrap, topic, partition)):
        headers = _headers(record)
        typer.echo(
            json.dumps(
                {
                    "partition": record.partition,
                    "offset": record.offset,
                    "key": record.key.decode(errors="replace") if record.key else None,
                    "reason": headers.get("x-dlq-reason"),
                    "error_type": headers.get("x-dlq-error-type"),
                    "original": f"{headers.get('x-dlq-original-topic')}[{headers.get('x-dlq-original-partition')}]"
                    f"@{headers.get('x-dlq-original-offset')}",
                    "value": record.value.decode(errors="replace") if record.value else None,
                },
                ensure_ascii=False,
            )
        )


@app.command()
def replay(
    topic: Annotated[str, typer.Argument(help="a dead-letter topic, e.g. intake.events.v1.dlq")],
    partition: Annotated[int | None, typer.Option(help="only this partition of TOPIC")] = None,
    offset: Annotated[list[int] | None, typer.Option(help="only these offsets of --partition; repeat")] = None,
) -> None:
    """Send dead letters back to the topic they came from; consumers deduplicate by event id."""
    if offset and partition is None:
        # An offset names a letter only within its partition.
        raise typer.BadParameter("--offset needs --partition", param_hint="--offset")
    bootstrap = ServiceSettings().kafka_bootstrap

    async def run() -> int:
        letters = await _read(bootstrap, topic, partition)
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
        await producer.start()

        async def send(to: str, value: bytes | None, key: bytes | None, headers: list[tuple[str, bytes]]) -> None:
            await producer.send_and_wait(to, value, key=key, headers=headers)

        try:
            return await replay_letters(letters, topic, send, offsets=offset or ())
        finally:
            await producer.stop()

    typer.echo(f"replayed {asyncio.run(run())} message(s)")


if __name__ == "__main__":
    app()
