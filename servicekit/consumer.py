"""Consuming events: parse, deduplicate (inbox), handle in one transaction, retry, dead-letter.

FastStream's Kafka default acknowledges before the handler runs. Here the offset is committed only
after the handler's transaction commits or the message is safely in `<topic>.dlq`.
"""

from __future__ import annotations

import asyncio
import enum
import json
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Link, SpanKind, Status, StatusCode
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from contracts.envelope import CloudEvent, EventModel, InvalidEvent, event_types, parse_event
from contracts.topics import dead_letter_topic
from servicekit.bus import Bus
from servicekit.context import bind, current_case_id, current_municipality
from servicekit.db import Database, UnitOfWork
from servicekit.errors import DomainError
from servicekit.redact import describe_error
from servicekit.telemetry import PREVIOUS_TRACE_ATTR, linked_span_context

log = logging.getLogger(__name__)

# The types of our own events; a type of another namespace on our topics is someone else's and is ignored.
OWN_NAMESPACE = "no.forvalt."

E = TypeVar("E", bound=EventModel)
Handler = Callable[[CloudEvent[Any], UnitOfWork], Awaitable[None]]


class EventHandlers:
    """The event types a service reacts to, each with one handler, and taps that see every event of some topics."""

    def __init__(self) -> None:
        self._handlers: dict[str, tuple[type[EventModel], Handler]] = {}
        self._taps: dict[str, tuple[type[EventModel], list[Handler]]] = {}

    def tap(self, topics: Iterable[str], fn: Handler) -> None:
        """Run `fn` for every known event type on `topics`, after its own handler, in the same transaction."""
        wanted = {str(t) for t in topics}
        for name, model in event_types().items():
            if str(model.topic) in wanted:
                self._taps.setdefault(name, (model, []))[1].append(fn)

    def on(self, model: type[E]) -> Callable[[Handler], Handler]:
        def register(fn: Handler) -> Handler:
            if model.event_type in self._handlers:
                raise ValueError(f"two handlers for {model.event_type}")
            self._handlers[model.event_type] = (model, fn)
            return fn

        return register

    @property
    def types(self) -> dict[str, type[EventModel]]:
        found = {name: model for name, (model, _) in self._taps.items()}
        found.update({name: model for name, (model, _) in self._handlers.items()})
        return found

    @property
    def topics(self) -> set[str]:
        return {str(model.topic) for model in self.types.values()}

    def handler(self, event_type: str) -> Handler:
        own = self._handlers[event_type][1] if event_type in self._handlers else None
        taps = self._taps.get(event_type, (None, []))[1]
        if not taps and own is not None:
            return own

        async def handle(event: CloudEvent[Any], uow: UnitOfWork) -> None:
            if own is not None:
                await own(event, uow)
            for fn in taps:
                await fn(event, uow)

        return handle

    def __bool__(self) -> bool:
        return bool(self._handlers or self._taps)


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries with exponential backoff, then the dead-letter topic."""

    max_attempts: int = 5
    initial_backoff_s: float = 0.2
    max_backoff_s: float = 5.0

    def delays(self) -> Iterator[float]:
        """The pauses between attempts: one fewer than the attempts."""
        delay = self.initial_backoff_s
        for _ in range(self.max_attempts - 1):
            yield min(delay, self.max_backoff_s)
            delay *= 2

    def redelivery_delay(self, redelivery: int) -> float:
        """The pause before the `redelivery`-th delivery (1, 2, ...) of a message that failed for a transient cause."""
        return min(self.initial_backoff_s * 2.0 ** min(redelivery - 1, 32), self.max_backoff_s)


@dataclass(frozen=True)
class IncomingMessage:
    topic: str
    partition: int
    offset: int
    key: str | None
    value: bytes
    headers: dict[str, str] = field(default_factory=dict)


class Outcome(enum.Enum):
    PROCESSED = "processed"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    DEAD_LETTERED = "dead_lettered"


@dataclass(frozen=True)
class DeadLetter:
    message: IncomingMessage
    reason: str
    error_type: str
    attempts: int
    consumer: str
    failed_at: datetime

    def headers(self) -> dict[str, str]:
        m = self.message
        return {
            **m.headers,
            "x-dlq-reason": _header_text(self.reason),
            "x-dlq-error-type": self.error_type,
            "x-dlq-attempts": str(self.attempts),
            "x-dlq-consumer": self.consumer,
            "x-dlq-original-topic": m.topic,
            "x-dlq-original-partition": str(m.partition),
            "x-dlq-original-offset": str(m.offset),
            "x-dlq-failed-at": self.failed_at.isoformat(),
        }

    @property
    def topic(self) -> str:
        return dead_letter_topic(self.message.topic)


def _header_text(text: str) -> str:
    return text.replace("\n", " ")[:2000]


SendDeadLetter = Callable[[DeadLetter], Awaitable[None]]


class InfrastructureUnavailable(RuntimeError):
    """Processing failed because a server it needs does not answer; the message must come again after `delay_s`."""

    def __init__(self, message: str, *, delay_s: float = 1.0) -> None:
        super().__init__(message)
        self.delay_s = delay_s


# SQLSTATEs of a database that is away, full, restarting, or that chose this transaction as a victim: the same
# message succeeds later. Classes: 08 connection exception, 53 insufficient resources (53300 too many connections).
TRANSIENT_SQLSTATE_CLASSES = frozenset({"08", "53"})
TRANSIENT_SQLSTATES = frozenset(
    {
        "57P01",  # admin_shutdown
        "57P02",  # crash_shutdown
        "57P03",  # cannot_connect_now: "the database system is starting up"
        "40001",  # serialization_failure
        "40P01",  # deadlock_detected
    }
)


def sqlstate_of(exc: BaseException) -> str | None:
    """The SQLSTATE an error carries: on asyncpg's exception, on SQLAlchemy's `orig`, or along the cause chain."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        state = getattr(current, "sqlstate", None) or getattr(current, "pgcode", None)
        if isinstance(state, str) and state:
            return state
        pending += [getattr(current, "orig", None), current.__cause__, current.__context__]
    return None


def is_transient(exc: BaseException) -> bool:
    """Failures of the database connection or the network, as opposed to a handler that fails on this input."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    state = sqlstate_of(exc)
    if state is not None:
        # The server said what went wrong: only these states pass; a constraint or a bad value fails again.
        return state[:2] in TRANSIENT_SQLSTATE_CLASSES or state in TRANSIENT_SQLSTATES
    # No SQLSTATE: SQLite's errors (locked, no such table), the pool's timeout, the network.
    return isinstance(exc, OperationalError | InterfaceError | PoolTimeout | OSError | TimeoutError)


class EventConsumer:
    """Processes one message at a time, as the subscriber hands them over."""

    def __init__(
        self,
        *,
        name: str,
        handlers: EventHandlers,
        db: Database,
        policy: RetryPolicy,
        dead_letter: SendDeadLetter,
        tracer: trace.Tracer,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        max_redeliveries: int = 50,
    ) -> None:
        self.name = name
        self._handlers = handlers
        self._db = db
        self._bus = Bus(db, service=name)
        self._policy = policy
        self._dead_letter = dead_letter
        self._tracer = tracer
        self._sleep = sleep
        self._max_redeliveries = max_redeliveries
        # Deliveries so far of each message that failed for a transient cause, by (topic, partition, offset).
        self._redeliveries: dict[tuple[str, int, int], int] = {}
        # Types of our own namespace that no contract knows (a newer version, a new type), by type.
        self.unknown_types: Counter[str] = Counter()

    async def process(self, message: IncomingMessage) -> Outcome:
        # Each step of a case is its own trace, linked to the step that sent the message.
        linked = linked_span_context(message.headers)
        links = [Link(linked)] if linked else []
        attributes: dict[str, str | int] = {
            "messaging.system": "kafka",
            "messaging.destination.name": message.topic,
            "messaging.kafka.partition": message.partition,
            "messaging.kafka.offset": message.offset,
            "messaging.consumer.group.name": self.name,
        }
        if linked:
            attributes[PREVIOUS_TRACE_ATTR] = format(linked.trace_id, "032x")
        token = otel_context.attach(otel_context.Context())
        # The subscriber hands messages over one after another in one task: forget the last one's tenant.
        municipality_token = current_municipality.set(None)
        case_token = current_case_id.set(None)
        try:
            with self._tracer.start_as_current_span(
                f"{message.topic} process", kind=SpanKind.CONSUMER, links=links, attributes=attributes
            ) as span:
                outcome = await self._process(message)
                span.set_attribute("forvalt.outcome", outcome.value)
                if outcome is Outcome.DEAD_LETTERED:
                    span.set_status(Status(StatusCode.ERROR, "dead-lettered"))
                return outcome
        finally:
            current_case_id.reset(case_token)
            current_municipality.reset(municipality_token)
            otel_context.detach(token)

    async def _process(self, message: IncomingMessage) -> Outcome:
        try:
            event = parse_event(message.value, self._handlers.types)
        except InvalidEvent as exc:
            return await self._to_dead_letter(message, str(exc), "InvalidEvent", attempts=1)
        if event is None:
            return await self._not_handled(message)
        bind(municipality=event.municipality, case_id=event.subject)
        position = (message.topic, message.partition, message.offset)
        try:
            outcome = await self._attempts(message, event)
        except InfrastructureUnavailable as exc:
            deliveries = self._redeliveries.get(position, 0) + 1
            if deliveries > self._max_redeliveries:
                log.error(
                    "alert: %s[%d]@%d failed for a transient cause in %d deliveries (%s); dead-lettering it",
                    *position,
                    deliveries,
                    exc,
                )
                cause = type(exc.__cause__ or exc).__name__
                outcome = await self._to_dead_letter(
                    message, f"still failing after {deliveries} deliveries: {exc}", cause, attempts=deliveries
                )
                self._redeliveries.pop(position, None)
                return outcome
            self._redeliveries.pop(position, None)
            # Bounded: only messages that are failing right now are remembered.
            while len(self._redeliveries) >= 10_000:
                self._redeliveries.pop(next(iter(self._redeliveries)))
            self._redeliveries[position] = deliveries
            exc.delay_s = self._policy.redelivery_delay(deliveries)
            raise
        self._redeliveries.pop(position, None)
        return outcome

    async def _not_handled(self, message: IncomingMessage) -> Outcome:
        # Topics carry many types this service does not handle; one of our namespace that no contract knows is
        # a type this service would silently miss.
        event_type = _type_of(message.value)
        if not event_type.startswith(OWN_NAMESPACE) or event_type in event_types():
            return Outcome.IGNORED
        self.unknown_types[event_type] += 1
        log.warning("%s[%d]@%d has unknown event type %s", message.topic, message.partition, message.offset, event_type)
        return await self._to_dead_letter(
            message,
            f"unknown event type {event_type}: no contract of this service knows it",
            "UnknownEventType",
            attempts=1,
        )

    async def _attempts(self, message: IncomingMessage, event: CloudEvent[Any]) -> Outcome:
        attempt = 0
        delays = self._policy.delays()
        while True:
            attempt += 1
            try:
                return await self._handle_once(event)
            except DomainError as exc:
                # A broken rule breaks again on retry.
                return await self._to_dead_letter(message, str(exc), type(exc).__name__, attempts=attempt)
            except Exception as exc:
                if is_transient(exc):
                    # The database or network is away, not the message bad: leave it for redelivery after a pause
                    # (the subscriber holds back only this partition) rather than sleep here.
                    raise InfrastructureUnavailable(describe_error(exc)) from exc
                delay = next(delays, None)
                if delay is None:
                    log.exception("giving up on %s after %d attempts", event.id, attempt)
                    return await self._to_dead_letter(
                        message, describe_error(exc), type(exc).__name__, attempts=attempt
                    )
                log.warning(
                    "attempt %d for %s failed (%s); retrying in %.2fs", attempt, event.id, describe_error(exc), delay
                )
                await self._sleep(delay)

    async def _handle_once(self, event: CloudEvent[Any]) -> Outcome:
        # The bus opens the unit of work for the event's municipality and records the inbox row in it.
        if not await self._bus.handle(self.name, event, self._handlers.handler(event.type)):
            return Outcome.DUPLICATE
        return Outcome.PROCESSED

    async def _to_dead_letter(
        self, message: IncomingMessage, reason: str, error_type: str, *, attempts: int
    ) -> Outcome:
        log.error("dead-lettering %s[%d]@%d: %s", message.topic, message.partition, message.offset, reason)
        await self._dead_letter(
            DeadLetter(
                message=message,
                reason=reason,
                error_type=error_type,
                attempts=attempts,
                consumer=self.name,
                failed_at=self._db.clock.now(),
            )
        )
        return Outcome.DEAD_LETTERED


def _type_of(value: bytes) -> str:
    # Called only for a valid envelope that parse_event did not know.
    document = json.loads(value)
    return str(document.get("type", "")) if isinstance(document, dict) else ""
