"""The transactional outbox: what a unit of work records, and how the relay publishes it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from opentelemetry.trace import SpanKind
from sqlalchemy import select

from contracts.envelope import parse_event
from contracts.intake import ApplicationRegistered
from contracts.tests.examples import application_registered
from contracts.topics import Topic
from servicekit.actor import Actor
from servicekit.clock import FixedClock
from servicekit.db import OUTBOX, Database
from servicekit.outbox import OutboxRelay, OutgoingMessage
from servicekit.telemetry import Telemetry
from servicekit.tests.support import count_rows, trace_id_in


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
