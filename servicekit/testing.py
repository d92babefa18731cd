"""Test support every service shares: an app on a migrated database with a fixed clock, tokens, the consumer
fed by hand, and what a test reads back (outbox events, row counts, the fields a problem names).

Only tests import this module; it starts no servers. The app's lifespan (Kafka, the relay) is never run.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from sqlalchemy import Table, func, select

from contracts.envelope import CloudEvent, EventModel, parse_event
from servicekit.clock import Clock
from servicekit.consumer import DeadLetter, EventConsumer, IncomingMessage, Outcome, RetryPolicy
from servicekit.db import OUTBOX
from servicekit.migrate import upgrade
from servicekit.runtime import Runtime, ServiceSpec, create_app
from servicekit.settings import ServiceSettings

# Long enough for the settings' check; never the development default, so a test proves tokens are verified.
TEST_SECRET = "forvalt-test-secret-that-is-long-enough-0123"


async def migrated_app(spec: ServiceSpec, settings: ServiceSettings, clock: Clock) -> FastAPI:
    """The service's app on its migrated database, on `clock`."""
    app = create_app(spec, settings, clock=clock)
    await upgrade(runtime_of(app).db, spec.migrations_dir)
    return app


async def app_for_tests(
    spec: ServiceSpec, settings_type: type[ServiceSettings], database_url: str, data_dir: Path, clock: Clock
) -> FastAPI:
    """The service's app as its tests run it: the test environment and secret, traces kept in memory, its
    database migrated, on `clock`."""
    settings = settings_type(
        environment="test",
        database_url=database_url,
        data_dir=data_dir,
        jwt_secret=TEST_SECRET,
        telemetry_exporter="memory",
    )
    return await migrated_app(spec, settings, clock)


async def close_app(app: FastAPI) -> None:
    await runtime_of(app).db.dispose()
    runtime_of(app).telemetry.shutdown()


def runtime_of(app: FastAPI) -> Runtime:
    runtime: Runtime = app.state.runtime
    return runtime


def auth(
    app: FastAPI,
    municipality: str,
    roles: Sequence[str] = ("caseworker",),
    *,
    unit: str | None = None,
    subject: str = "kari",
    person_id: str | None = None,
) -> dict[str, str]:
    """Bearer headers of a token the app accepts."""
    token = runtime_of(app).verifier.issue(
        municipality=municipality, roles=list(roles), subject=subject, unit=unit, person_id=person_id
    )
    return {"Authorization": f"Bearer {token}"}


def incoming(event: CloudEvent[Any], *, offset: int = 0, partition: int = 0) -> IncomingMessage:
    """The Kafka message that carries `event` on its own topic, as the subscriber hands it over."""
    return IncomingMessage(
        topic=str(event.data.topic),
        partition=partition,
        offset=offset,
        key=event.subject,
        value=event.to_json(),
        headers={},
    )


class Deliveries:
    """The app's own consumer, fed one event at a time without Kafka; dead letters are kept, not sent."""

    def __init__(self, app: FastAPI, *, max_attempts: int = 2) -> None:
        runtime = runtime_of(app)
        self.dead_letters: list[DeadLetter] = []

        async def keep(letter: DeadLetter) -> None:
            self.dead_letters.append(letter)

        async def no_sleep(_: float) -> None:
            return None

        self.consumer = EventConsumer(
            name=runtime.settings.consumer_group,
            handlers=runtime.spec.handlers,
            db=runtime.db,
            policy=RetryPolicy(max_attempts=max_attempts),
            dead_letter=keep,
            tracer=runtime.telemetry.tracer,
            sleep=no_sleep,
        )
        self._offset = 0

    async def deliver(self, event: CloudEvent[Any]) -> Outcome:
        self._offset += 1
        return await self.consumer.process(incoming(event, offset=self._offset))


async def outbox_events(app: FastAPI) -> list[tuple[str, CloudEvent[Any]]]:
    """(topic, event) of every outbox row, oldest first."""
    async with runtime_of(app).db.engine.connect() as conn:
        rows = (await conn.execute(select(OUTBOX.c.topic, OUTBOX.c.payload).order_by(OUTBOX.c.id))).all()
    found = []
    for topic, payload in rows:
        event = parse_event(payload)
        assert event is not None, payload
        found.append((str(topic), event))
    return found


async def emitted(app: FastAPI, event_type: type[EventModel]) -> list[Any]:
    """The data of every outbox event of one type, oldest first."""
    return [e.data for _, e in await outbox_events(app) if e.type == event_type.event_type]


async def count(app: FastAPI, table: Table) -> int:
    async with runtime_of(app).db.engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(table)) or 0)


def fields_named(problem: dict[str, Any]) -> set[str]:
    """Every field a problem response names, at its top and in its `errors`."""
    named = {problem["field"]} if problem.get("field") else set()
    return named | {e["field"] for e in problem.get("errors", [])}
