"""Inspect and replay dead letters: python -m servicekit.deadletters list|replay TOPIC.dlq"""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord

from servicekit.settings import ServiceSettings

app = typer.Typer(add_completion=False, help=__doc__)

DLQ_PREFIX = "x-dlq-"


async def _read_all(bootstrap: str, topic: str, timeout_ms: int = 3000) -> list[ConsumerRecord[bytes, bytes]]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    try:
        while True:
            batch = await consumer.getmany(timeout_ms=timeout_ms)
            if not batch:
                return records
            for part in batch.values():
                records.extend(part)
    finally:
        await consumer.stop()


def _headers(record: ConsumerRecord[bytes, bytes]) -> dict[str, str]:
    return {k: v.decode(errors="replace") for k, v in (record.headers or ())}


@app.command("list")
def list_letters(
    topic: Annotated[str, typer.Argument(help="a dead-letter topic, e.g. intake.events.v1.dlq")],
) -> None:
    """Print every dead letter of TOPIC as one JSON line: position, reason and the message."""
    bootstrap = ServiceSettings().kafka_bootstrap
    for record in asyncio.run(_read_all(bootstrap, topic)):
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
    offset: Annotated[list[int] | None, typer.Option(help="replay only these offsets; repeat")] = None,
) -> None:
    """Send dead letters back to the topic they came from; consumers deduplicate by event id."""
    bootstrap = ServiceSettings().kafka_bootstrap

    async def run() -> int:
        records = await _read_all(bootstrap, topic)
        chosen = [r for r in records if offset is None or r.offset in offset]
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
        await producer.start()
        try:
            for record in chosen:
                headers = _headers(record)
                original = headers.get("x-dlq-original-topic") or topic.removesuffix(".dlq")
                kept = [(k, v.encode()) for k, v in headers.items() if not k.startswith(DLQ_PREFIX)]
                await producer.send_and_wait(original, record.value, key=record.key, headers=kept)
        finally:
            await producer.stop()
        return len(chosen)

    typer.echo(f"replayed {asyncio.run(run())} message(s)")


if __name__ == "__main__":
    app()
