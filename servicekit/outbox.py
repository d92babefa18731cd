"""The outbox relay: publishes recorded events in order and marks them sent."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from opentelemetry import trace
from opentelemetry.instrumentation.utils import suppress_instrumentation
from opentelemetry.trace import SpanKind
from sqlalchemy import select, text, update

from servicekit.context import CASE_ID_ATTR, MUNICIPALITY_ATTR
from servicekit.db import OUTBOX, Database
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
    ) -> None:
        self._db = db
        self._publish = publish
        self._tracer = tracer
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._stopping = asyncio.Event()

    async def relay_once(self) -> int:
        """Publish up to one batch. Returns how many rows were published and marked."""
        published: list[int] = []
        # Polling is not work on a case: only the publish spans of rows that go out are traced.
        with suppress_instrumentation():
            return await self._relay_batch(published)

    async def _relay_batch(self, published: list[int]) -> int:
        async with self._db.sessions() as session, session.begin():
            if not self._db.is_sqlite:
                locked = await session.scalar(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": _RELAY_LOCK_KEY})
                if not locked:
                    return 0
            rows = (
                await session.execute(
                    select(
                        OUTBOX.c.id,
                        OUTBOX.c.topic,
                        OUTBOX.c.key,
                        OUTBOX.c.municipality,
                        OUTBOX.c.headers,
                        OUTBOX.c.payload,
                    )
                    .where(OUTBOX.c.published_at.is_(None))
                    .order_by(OUTBOX.c.id)
                    .limit(self._batch_size)
                )
            ).all()
            failure: Exception | None = None
            for row in rows:
                try:
                    await self._send(row.topic, row.key, row.municipality, row.headers or {}, row.payload)
                except Exception as exc:
                    failure = exc
                    break
                published.append(row.id)
            # Mark what went out even when a later row failed, so it is not sent again. The failure is
            # raised only after this transaction commits; raised inside it, it would roll the marks back.
            if published:
                await session.execute(
                    update(OUTBOX).where(OUTBOX.c.id.in_(published)).values(published_at=self._db.clock.now())
                )
        if failure is not None:
            raise failure
        return len(published)

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
                count = await self.relay_once()
                backoff = self._poll_interval_s
            except Exception:
                log.exception("outbox relay failed; retrying")
                count = 0
                backoff = min(backoff * 2, 10.0)
            if count >= self._batch_size:
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
