"""Wires one service: database, migrations, broker, subscribers, outbox relay, HTTP app, telemetry."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import uvicorn
from fastapi import APIRouter, Depends, FastAPI, Request
from faststream.kafka import KafkaBroker
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.trace import Tracer
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_delay, wait_exponential

from contracts.topics import dead_letter_topic, tenant_topic
from servicekit.auth import PrincipalDep, TokenVerifier
from servicekit.bus import Bus
from servicekit.clock import Clock, SystemClock
from servicekit.consumer import EventConsumer, EventHandlers, RetryPolicy
from servicekit.db import Database
from servicekit.http import health_router, install_error_handlers, install_request_guard
from servicekit.idempotency import claim_for, install_idempotency
from servicekit.messaging import build_broker, ensure_topics, publish, send_dead_letter, subscribe
from servicekit.migrate import upgrade
from servicekit.outbox import OutboxRelay, Retention, prune
from servicekit.settings import ServiceSettings
from servicekit.telemetry import Telemetry
from servicekit.tenants import Tenants

log = logging.getLogger(__name__)


@dataclass
class ServiceSpec:
    """What makes a service itself; everything else is shared runtime."""

    name: str
    title: str
    description: str
    produces: Sequence[str]
    migrations_dir: Path
    routers: Sequence[APIRouter] = ()
    handlers: EventHandlers = field(default_factory=EventHandlers)
    feeds: bool = False  # publishes each configured municipality's integration feed, tenant.<N>.events.v1
    # Periodic work, each called with the service's parts every `interval_s` seconds while the service runs.
    periodic: Sequence[tuple[float, Callable[[Parts], Awaitable[object]]]] = ()
    # The service's own check of the municipalities' configuration, run when the runtime is built: an exception
    # stops the start with its message (the decision service needs a `decision:` section in every tenant file).
    check_tenants: Callable[[Tenants], object] | None = None


@dataclass(frozen=True)
class Parts:
    """What periodic work is handed: the service's database, its bus and its tracer; never the whole runtime."""

    db: Database
    bus: Bus
    tracer: Tracer


class Runtime:
    """The live parts of a running service, reachable from routes through `request.app.state.runtime`."""

    def __init__(self, spec: ServiceSpec, settings: ServiceSettings, *, clock: Clock) -> None:
        self.spec = spec
        self.settings = settings
        # The one clock of the service: every unit of work, use case and route reads "now" from it.
        self.clock = clock
        self.tenants = Tenants.load(settings.tenants_dir)
        if spec.check_tenants is not None:
            spec.check_tenants(self.tenants)
        self.telemetry = Telemetry(settings)
        self.db = Database(
            settings.effective_database_url,
            clock=clock,
            source=f"/forvalt/{spec.name}",
            tenants=self.tenants,
            max_event_bytes=settings.outbox_max_event_bytes,
        )
        self.bus = Bus(self.db, service=spec.name)
        self.telemetry.trace_engine(self.db.engine.sync_engine)
        self.broker: KafkaBroker = build_broker(settings.kafka_bootstrap, client_id=spec.name)
        self.verifier = TokenVerifier(settings.jwt_secret, issuer=settings.jwt_issuer, audience=settings.jwt_audience)
        self.relay = OutboxRelay(
            self.db,
            lambda m: publish(self.broker, m),
            self.telemetry.tracer,
            batch_size=settings.relay_batch_size,
            poll_interval_s=settings.relay_poll_interval_s,
            broker_up=lambda: self.broker.ping(timeout=2.0),
        )
        self.retention = Retention(
            outbox=settings.outbox_retention, inbox=settings.inbox_retention, idempotency=settings.idempotency_retention
        )
        self.consumer = EventConsumer(
            name=settings.consumer_group,
            handlers=spec.handlers,
            db=self.db,
            policy=RetryPolicy(
                settings.consumer_max_attempts, settings.consumer_backoff_initial_s, settings.consumer_backoff_max_s
            ),
            dead_letter=lambda letter: send_dead_letter(self.broker, letter),
            tracer=self.telemetry.tracer,
            max_redeliveries=settings.consumer_max_redeliveries,
        )
        # One subscriber for every topic the service consumes: one member of the group, one rebalance per start.
        self.membership = subscribe(self.broker, spec.handlers.topics, self.consumer) if spec.handlers else None
        self._relay_task: asyncio.Task[None] | None = None
        self._periodic_tasks: list[asyncio.Task[None]] = []
        self.kafka_ready = False

    @property
    def source(self) -> str:
        return f"/forvalt/{self.spec.name}"

    async def start(self) -> None:
        if self.db.is_sqlite:
            self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.telemetry.trace_engine(self.db.engine.sync_engine)
        if self.settings.migrate_on_start:
            with self.telemetry.tracer.start_as_current_span(f"{self.spec.name} migrate"):
                await upgrade(self.db, self.spec.migrations_dir)
        topics = [
            *self.spec.produces,
            *(dead_letter_topic(t) for t in self.spec.handlers.topics),
            *self.spec.handlers.topics,
        ]
        if self.spec.feeds:
            topics += [tenant_topic(number) for number in self.tenants.numbers()]
        async for attempt in AsyncRetrying(
            stop=stop_after_delay(120),
            wait=wait_exponential(max=5),
            retry=retry_if_exception_type(Exception),
            reraise=True,
        ):
            with attempt:
                await ensure_topics(
                    self.settings.kafka_bootstrap,
                    topics,
                    partitions=self.settings.topic_partitions,
                    replication_factor=self.settings.topic_replication_factor,
                )
                await self.broker.start()
        self.kafka_ready = True
        self._relay_task = asyncio.create_task(self.relay.run(), name=f"{self.spec.name}-outbox-relay")
        self._periodic_tasks = [
            asyncio.create_task(self._every(interval_s, work), name=f"{self.spec.name}-periodic-{i}")
            for i, (interval_s, work) in enumerate(self.spec.periodic)
        ]
        self._periodic_tasks.append(asyncio.create_task(self._every(*self.prune_job), name=f"{self.spec.name}-prune"))

    @property
    def prune_job(self) -> tuple[float, Callable[[Parts], Awaitable[object]]]:
        """The periodic work every service runs: prune sent outbox rows, old inbox records and idempotency keys."""
        return self.settings.prune_interval_s, lambda parts: prune(parts.db, self.retention)

    @property
    def parts(self) -> Parts:
        return Parts(db=self.db, bus=self.bus, tracer=self.telemetry.tracer)

    async def _every(self, interval_s: float, work: Callable[[Parts], Awaitable[object]]) -> None:
        while True:
            try:
                await work(self.parts)
            except Exception:
                log.exception("periodic work failed; trying again in %.0f s", interval_s)
            await asyncio.sleep(interval_s)

    async def stop(self) -> None:
        for task in self._periodic_tasks:
            task.cancel()
        await asyncio.gather(*self._periodic_tasks, return_exceptions=True)
        self.relay.stop()
        if self._relay_task is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._relay_task, timeout=10)
        await self.broker.stop()
        await self.db.dispose()
        self.telemetry.shutdown()
        log.info("%s stopped cleanly", self.spec.name)

    async def broker_ready(self) -> bool:
        # A service that consumes is ready once its consumer has joined the group and holds its partitions.
        joined = self.membership is None or self.membership.joined.is_set()
        return self.kafka_ready and joined and await self.broker.ping(timeout=2.0)


def create_app(spec: ServiceSpec, settings: ServiceSettings, *, clock: Clock) -> FastAPI:
    runtime = Runtime(spec, settings, clock=clock)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(title=spec.title, description=spec.description, version="1.0", lifespan=lifespan)
    app.state.runtime = runtime
    app.state.token_verifier = runtime.verifier
    app.state.tenants = runtime.tenants
    install_error_handlers(app)
    install_idempotency(app)
    install_request_guard(app, max_body_bytes=settings.max_request_body_bytes)
    app.include_router(health_router({"database": runtime.db.ping, "kafka": runtime.broker_ready}))
    for router in spec.routers:
        app.include_router(router)
    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=runtime.telemetry.provider,
        excluded_urls="health/live,health/ready",
        exclude_spans=["receive", "send"],
    )
    return app


def serve(spec: ServiceSpec, settings: ServiceSettings, *, clock: Clock) -> None:
    """Run the service until SIGINT/SIGTERM; uvicorn then drains requests and runs the shutdown."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if not isinstance(clock, SystemClock):
        log.warning("%s runs on %r, not the machine's clock (a test server)", spec.name, clock)
    app = create_app(spec, settings, clock=clock)
    uvicorn.run(
        app, host=settings.http_host, port=settings.http_port, log_level="warning", timeout_graceful_shutdown=10
    )


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_bus(request: Request, principal: PrincipalDep) -> Bus:
    """The bus of this request: its use cases act for the caller and the caller's municipality (and record the
    request's `Idempotency-Key`, if it has one: `servicekit.idempotency`)."""
    runtime = get_runtime(request)
    return runtime.bus.acting_as(principal, claim=await claim_for(request, runtime.db, principal.municipality))


BusDep = Annotated[Bus, Depends(get_bus)]


def get_clock(request: Request) -> Clock:
    return get_runtime(request).clock


ClockDep = Annotated[Clock, Depends(get_clock)]
