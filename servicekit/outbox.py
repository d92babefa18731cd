"""The outbox relay: publishes recorded events in order and marks them sent, parks the rows the broker can never
take, and prunes what is old. `python -m servicekit.outbox list-parked|release ID` shows and releases parked rows."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated, Any

import typer
from aiokafka.errors import (
    CorruptRecordException,
    InvalidTimestampError,
    InvalidTopicError,
    MessageSizeTooLargeError,
    PolicyViolationError,
    RecordListTooLargeError,
    RecordTooLargeError,
    TopicAuthorizationFailedError,
    UnknownTopicOrPartitionError,
    UnsupportedForMessageFormatError,
)
from opentelemetry import trace
from opentelemetry.instrumentation.utils import suppress_instrumentation
from opentelemetry.trace import SpanKind
from sqlalchemy import ColumnElement, Row, delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.clock import SystemClock
from servicekit.context import CASE_ID_ATTR, MUNICIPALITY_ATTR
from servicekit.db import IDEMPOTENCY, INBOX, OUTBOX, Database
from servicekit.settings import ServiceSettings
from servicekit.telemetry import context_from_headers, inject

log = logging.getLogger(__name__)

# Any constant works; it only has to be the same for every replica of one service's database.
_RELAY_LOCK_KEY = 0x0F0B0C5


@dataclass(frozen=True)
class OutgoingMessage:
    topic: str
    key: str
    value: bytes
    headers: dict[str, str]


Publish = Callable[[OutgoingMessage], Awaitable[None]]

# Errors about the message or its topic, which the broker gives again however often the row is sent: such a row is
# parked. Every other error (broker down, timeouts, the producer's own state) stops the round, to retry later.
# KafkaTimeoutError is not here although aiokafka calls it non-retriable: it is what an unreachable broker gives.
UNSENDABLE: tuple[type[Exception], ...] = (
    MessageSizeTooLargeError,
    RecordTooLargeError,
    RecordListTooLargeError,
    InvalidTopicError,
    UnknownTopicOrPartitionError,
    TopicAuthorizationFailedError,
    CorruptRecordException,
    InvalidTimestampError,
    UnsupportedForMessageFormatError,
    PolicyViolationError,
)


# Of those, the errors about the topic rather than the message: the topic's other rows in the round are held too,
# rather than each waiting out the producer's timeout for the same answer.
TOPIC_UNSENDABLE: tuple[type[Exception], ...] = (
    InvalidTopicError,
    UnknownTopicOrPartitionError,
    TopicAuthorizationFailedError,
)


@dataclass
class _Outcome:
    """What one round did: the rows sent, the rows parked (with why), and the error that stopped it, if any."""

    published: list[int] = field(default_factory=list)
    parked: dict[int, str] = field(default_factory=dict)
    failure: Exception | None = None


def _reason(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


class OutboxRelay:
    """Drains the outbox. One replica at a time relays (advisory lock on PostgreSQL), so order holds."""

    def __init__(
        self,
        db: Database,
        publish: Publish,
        tracer: trace.Tracer,
        *,
        batch_size: int = 100,
        poll_interval_s: float = 0.5,
        broker_up: Callable[[], Awaitable[bool]] | None = None,
    ) -> None:
        self._db = db
        self._publish = publish
        self._tracer = tracer
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._broker_up = broker_up
        self._stopping = asyncio.Event()
        self._round = asyncio.Lock()
        self._last_batch = 0

    async def relay_once(self) -> int:
        """Publish up to one batch. Returns how many rows were published and marked (parked rows not counted)."""
        # Polling is not work on a case: only the publish spans of rows that go out are traced.
        with suppress_instrumentation():
            async with self._round:
                self._last_batch = 0
                return await self._relay_batch()

    async def _relay_batch(self) -> int:
        if self._db.is_sqlite:
            # SQLite has one writer at a time: talking to Kafka inside a transaction would hold every write of the
            # service while the broker is slow or down. Read, commit, send, then mark in a second transaction. A
            # SQLite database belongs to one process, and `_round` keeps its relay rounds one at a time.
            async with self._db.sessions() as session, session.begin():
                rows, parked_keys = await self._pending(session)
            outcome = await self._send_all(rows, parked_keys)
            async with self._db.sessions() as session, session.begin():
                await self._mark(session, outcome)
        else:
            # On PostgreSQL the transaction holds the advisory lock that makes this replica the only relay, and it
            # blocks no writer: the rows are read, sent and marked in it, so no other replica sends them too.
            async with self._db.sessions() as session, session.begin():
                locked = await session.scalar(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": _RELAY_LOCK_KEY})
                if not locked:
                    return 0
                rows, parked_keys = await self._pending(session)
                outcome = await self._send_all(rows, parked_keys)
                await self._mark(session, outcome)
        # Raised only after the marks are committed; raised inside, it would roll them back and send rows twice.
        if outcome.failure is not None:
            raise outcome.failure
        return len(outcome.published)

    async def _pending(self, session: AsyncSession) -> tuple[list[Row[Any]], dict[str, int]]:
        """The next batch of rows to send, and for each of their keys held up by a parked row, that row's id."""
        rows = list(
            (
                await session.execute(
                    select(
                        OUTBOX.c.id,
                        OUTBOX.c.topic,
                        OUTBOX.c.key,
                        OUTBOX.c.municipality,
                        OUTBOX.c.headers,
                        OUTBOX.c.payload,
                    )
                    .where(OUTBOX.c.published_at.is_(None), OUTBOX.c.parked_at.is_(None))
                    .order_by(OUTBOX.c.id)
                    .limit(self._batch_size)
                )
            ).all()
        )
        keys = {row.key for row in rows}
        parked: dict[str, int] = {}
        if keys:
            found = await session.execute(
                select(OUTBOX.c.key, func.min(OUTBOX.c.id))
                .where(OUTBOX.c.parked_at.is_not(None), OUTBOX.c.published_at.is_(None), OUTBOX.c.key.in_(keys))
                .group_by(OUTBOX.c.key)
            )
            parked = {key: int(first) for key, first in found.all()}
        return rows, parked

    async def _send_all(self, rows: list[Row[Any]], parked_keys: dict[str, int]) -> _Outcome:
        self._last_batch = len(rows)
        outcome = _Outcome()
        parked_topics: dict[str, int] = {}
        for row in rows:
            behind = parked_keys.get(row.key)
            if behind is None or behind > row.id:
                behind = parked_topics.get(row.topic)
            if behind is not None and behind < row.id:
                # The events of one case go out in order: none overtakes a parked one of the same case.
                outcome.parked[row.id] = f"behind parked {behind}"
                continue
            try:
                await self._send(row.topic, row.key, row.municipality, row.headers or {}, row.payload)
            except Exception as exc:
                if not await self._unsendable(exc):
                    outcome.failure = exc
                    break
                reason = _reason(exc)
                log.error(
                    "outbox row %d parked: %s [%s] of municipality %s can never be sent as it is: %s; the rows after "
                    "it go on, later rows of the same case wait; release it with `python -m servicekit.outbox "
                    "release %d` once the cause is fixed",
                    row.id,
                    row.topic,
                    row.key,
                    row.municipality,
                    reason,
                    row.id,
                )
                outcome.parked[row.id] = reason
                parked_keys.setdefault(row.key, row.id)
                if isinstance(exc, TOPIC_UNSENDABLE):
                    parked_topics.setdefault(row.topic, row.id)
                continue
            outcome.published.append(row.id)
        return outcome

    async def _unsendable(self, exc: Exception) -> bool:
        if not isinstance(exc, UNSENDABLE):
            return False
        if isinstance(exc, UnknownTopicOrPartitionError) and self._broker_up is not None:
            # The producer also answers "unknown topic" when it cannot reach the broker to learn the topic's
            # partitions: a row is parked for its topic only when the broker answers.
            return await self._broker_up()
        return True

    async def _mark(self, session: AsyncSession, outcome: _Outcome) -> None:
        now = self._db.clock.now()
        # What went out is marked even when a later row failed, so it is not sent again.
        if outcome.published:
            await session.execute(update(OUTBOX).where(OUTBOX.c.id.in_(outcome.published)).values(published_at=now))
        for row_id, reason in outcome.parked.items():
            await session.execute(update(OUTBOX).where(OUTBOX.c.id == row_id).values(parked_at=now, park_reason=reason))

    async def _send(
        self, topic: str, key: str, municipality: str, stored_headers: dict[str, str], payload: str
    ) -> None:
        # The publish span continues the trace of the request that wrote the row.
        parent = context_from_headers(stored_headers)
        with self._tracer.start_as_current_span(
            f"{topic} publish",
            context=parent,
            kind=SpanKind.PRODUCER,
            attributes={
                "messaging.system": "kafka",
                "messaging.destination.name": topic,
                MUNICIPALITY_ATTR: municipality,
                CASE_ID_ATTR: key,
            },
        ):
            headers = {"content-type": "application/cloudevents+json"}
            inject(headers)
            await self._publish(OutgoingMessage(topic=topic, key=key, value=payload.encode(), headers=headers))

    async def run(self) -> None:
        """Relay until `stop()`: wakes on new outbox rows in this process, else polls."""
        backoff = self._poll_interval_s
        while not self._stopping.is_set():
            # Cleared before reading, so a commit during the read wakes the next round at once.
            self._db.outbox_written.clear()
            try:
                await self.relay_once()
                backoff = self._poll_interval_s
            except Exception:
                log.exception("outbox relay failed; retrying")
                self._last_batch = 0
                backoff = min(backoff * 2, 10.0)
            # A full batch (sent or parked) means more may be waiting.
            if self._last_batch >= self._batch_size:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wait_for_work(), timeout=backoff)

    async def _wait_for_work(self) -> None:
        stop = asyncio.create_task(self._stopping.wait())
        work = asyncio.create_task(self._db.outbox_written.wait())
        try:
            await asyncio.wait({stop, work}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
            work.cancel()

    def stop(self) -> None:
        self._stopping.set()


# --- what an operator sees and does --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParkedRow:
    id: int
    topic: str
    key: str
    municipality: str
    created_at: datetime
    parked_at: datetime
    reason: str


async def parked_rows(db: Database) -> list[ParkedRow]:
    """Every parked row, oldest first."""
    async with db.engine.connect() as conn:
        found = await conn.execute(
            select(
                OUTBOX.c.id,
                OUTBOX.c.topic,
                OUTBOX.c.key,
                OUTBOX.c.municipality,
                OUTBOX.c.created_at,
                OUTBOX.c.parked_at,
                OUTBOX.c.park_reason,
            )
            .where(OUTBOX.c.parked_at.is_not(None), OUTBOX.c.published_at.is_(None))
            .order_by(OUTBOX.c.id)
        )
        return [
            ParkedRow(r.id, r.topic, r.key, r.municipality, r.created_at, r.parked_at, r.park_reason or "")
            for r in found
        ]


async def release(db: Database, row_id: int | None) -> int:
    """Let a parked row, and the rows parked behind it, be sent again; every parked row with `row_id` None. Returns
    how many were released: the relay sends them in order, and parks again what still cannot be sent."""
    which: list[ColumnElement[bool]] = [OUTBOX.c.published_at.is_(None), OUTBOX.c.parked_at.is_not(None)]
    if row_id is not None:
        which.append((OUTBOX.c.id == row_id) | (OUTBOX.c.park_reason == f"behind parked {row_id}"))
    async with db.sessions() as session, session.begin():
        released = await session.execute(update(OUTBOX).where(*which).values(parked_at=None, park_reason=None))
    count = int(getattr(released, "rowcount", 0) or 0)
    if count:
        db.outbox_written.set()
    return count


# --- pruning --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Retention:
    """How long sent outbox rows, inbox records (redeliveries come within hours) and idempotency keys are kept."""

    outbox: timedelta = timedelta(days=7)
    inbox: timedelta = timedelta(days=30)
    idempotency: timedelta = timedelta(hours=24)


@dataclass(frozen=True)
class Pruned:
    outbox: int
    inbox: int
    idempotency: int


async def prune(db: Database, retention: Retention) -> Pruned:
    """Delete sent outbox rows, inbox records and idempotency keys older than their retention, by the service's
    clock. Rows not yet sent, and parked rows, are never pruned. One short transaction per table."""
    now = db.clock.now()
    statements = (
        delete(OUTBOX).where(OUTBOX.c.published_at.is_not(None), OUTBOX.c.published_at < now - retention.outbox),
        delete(INBOX).where(INBOX.c.processed_at < now - retention.inbox),
        delete(IDEMPOTENCY).where(IDEMPOTENCY.c.created_at < now - retention.idempotency),
    )
    counts: list[int] = []
    with suppress_instrumentation():
        for statement in statements:
            async with db.sessions() as session, session.begin():
                result = await session.execute(statement)
            counts.append(int(getattr(result, "rowcount", 0) or 0))
    pruned = Pruned(*counts)
    if any(counts):
        log.info(
            "pruned %d sent outbox row(s), %d inbox record(s), %d idempotency key(s)",
            pruned.outbox,
            pruned.inbox,
            pruned.idempotency,
        )
    return pruned


# --- command line ---------------------------------------------------------------------------------------------------

cli = typer.Typer(add_completion=False, help="Inspect and release parked outbox rows of one service's database.")

ServiceOption = Annotated[str, typer.Option(help="the service whose database to open, e.g. intake")]
UrlOption = Annotated[str | None, typer.Option(help="the database URL; else the service's configured database")]


def _database(service: str, database_url: str | None) -> Database:
    settings = ServiceSettings(service_name=service)
    return Database(database_url or settings.effective_database_url, clock=SystemClock())


@cli.command("list-parked")
def list_parked(service: ServiceOption, database_url: UrlOption = None) -> None:
    """Print every parked row as one JSON line: id, topic, case, municipality, when and why."""

    async def run() -> list[ParkedRow]:
        db = _database(service, database_url)
        try:
            return await parked_rows(db)
        finally:
            await db.dispose()

    for row in asyncio.run(run()):
        typer.echo(
            json.dumps(
                {
                    "id": row.id,
                    "topic": row.topic,
                    "key": row.key,
                    "municipality": row.municipality,
                    "created_at": row.created_at.isoformat(),
                    "parked_at": row.parked_at.isoformat(),
                    "reason": row.reason,
                },
                ensure_ascii=False,
            )
        )


@cli.command("release")
def release_row(
    service: ServiceOption,
    row_id: Annotated[int | None, typer.Argument(help="the id of a parked row (see list-parked)")] = None,
    database_url: UrlOption = None,
    everything: Annotated[bool, typer.Option("--all", help="release every parked row")] = False,
) -> None:
    """Send a parked row again (with the rows parked behind it), once its cause is fixed; or, with --all, every one."""
    if (row_id is None) == (not everything):
        typer.echo("name one parked row, or give --all", err=True)
        raise typer.Exit(2)

    async def run() -> int:
        db = _database(service, database_url)
        try:
            return await release(db, None if everything else row_id)
        finally:
            await db.dispose()

    count = asyncio.run(run())
    if not count:
        typer.echo("no such parked row" if row_id is not None else "no parked rows", err=True)
        raise typer.Exit(1)
    typer.echo(f"released {count} row(s); the relay sends them in order")


if __name__ == "__main__":
    cli()
