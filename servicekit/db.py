"""Database engine, sessions, the unit of work, and the outbox and inbox tables every service has."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from opentelemetry.instrumentation.utils import suppress_instrumentation
from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    event,
    func,
    select,
)
from sqlalchemy.engine import Dialect, RowMapping, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.sql.elements import ColumnElement

from contracts.envelope import CloudEvent, EventModel
from servicekit.actor import Actor, CaseGrant
from servicekit.clock import Clock
from servicekit.errors import DomainError
from servicekit.telemetry import current_trace_headers
from servicekit.tenants import Tenant, Tenants

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

BigId = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime: time columns hold timezone-aware UTC")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def new_metadata() -> MetaData:
    """The metadata of one service: its own tables plus the outbox, the inbox and the idempotency keys."""
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    messaging_tables(metadata)
    idempotency_table(metadata)
    return metadata


def messaging_tables(metadata: MetaData) -> tuple[Table, Table]:
    outbox = Table(
        "outbox_message",
        metadata,
        Column("id", BigId, primary_key=True, autoincrement=True),
        Column("event_id", String(64), nullable=False, unique=True),
        Column("topic", String(200), nullable=False),
        Column("key", String(200), nullable=False),
        Column("municipality", String(4), nullable=False),
        Column("headers", JSON, nullable=False),
        Column("payload", Text, nullable=False),
        Column("created_at", UtcDateTime(), nullable=False),
        Column("published_at", UtcDateTime(), nullable=True, index=True),
        # A row the broker can never take (too large, unknown or forbidden topic) is parked with its reason, so the
        # rows after it flow; an operator releases it (`python -m servicekit.outbox`) once the cause is fixed.
        Column("parked_at", UtcDateTime(), nullable=True, index=True),
        Column("park_reason", Text, nullable=True),
    )
    inbox = Table(
        "inbox_message",
        metadata,
        Column("consumer", String(100), primary_key=True),
        Column("event_id", String(64), primary_key=True),
        Column("event_type", String(200), nullable=False),
        Column("processed_at", UtcDateTime(), nullable=False, index=True),
    )
    return outbox, inbox


def idempotency_table(metadata: MetaData) -> Table:
    """The first answer to each POST that carried an `Idempotency-Key`, per municipality (`servicekit.idempotency`)."""
    return Table(
        "idempotency_key",
        metadata,
        Column("municipality", String(4), primary_key=True),
        Column("key", String(200), primary_key=True),
        Column("route", String(500), nullable=False),
        Column("body_hash", String(64), nullable=False),
        # Null until the first request's answer is recorded, just after its transaction committed.
        Column("status", Integer, nullable=True),
        Column("media_type", String(100), nullable=True),
        Column("response", Text, nullable=True),
        Column("created_at", UtcDateTime(), nullable=False, index=True),
    )


_M = MetaData(naming_convention=NAMING_CONVENTION)
OUTBOX, INBOX = messaging_tables(_M)
IDEMPOTENCY = idempotency_table(_M)

# Below the broker's default request size (1 MiB), with room for the record's own framing.
DEFAULT_MAX_EVENT_BYTES = 900 * 1024


class EventTooLarge(DomainError):
    """An event too large for one Kafka message: refused when emitted, so nothing is written."""

    title = "Event too large"


class Database:
    """The engine and session factory of one service, and its clock. Built in main(), never at import time.

    Every unit of work carries the clock, so a use case reads "now" from the one clock the service was given,
    and stamps the events it emits with `source`, the producing service's CloudEvents source."""

    def __init__(
        self,
        url: str,
        *,
        clock: Clock,
        source: str = "",
        tenants: Tenants | None = None,
        echo: bool = False,
        max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES,
    ) -> None:
        self.url = make_url(url)
        self.clock = clock
        self.source = source
        self.tenants = tenants
        self.max_event_bytes = max_event_bytes
        # A database error must not carry its parameters (identity numbers, names) into logs, spans or headers.
        kwargs: dict[str, Any] = {"echo": echo, "pool_pre_ping": True, "hide_parameters": True}
        if self.is_sqlite:
            kwargs["connect_args"] = {"timeout": 30}
            # The SQLite driver logs every statement with its parameters at DEBUG: never let it.
            logging.getLogger("aiosqlite").setLevel(max(logging.INFO, logging.getLogger("aiosqlite").level))
        else:
            kwargs.update(pool_size=10, max_overflow=10)
        self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
            event.listen(self.engine.sync_engine, "begin", _sqlite_begin)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.outbox_written = asyncio.Event()

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    def unit_of_work(self, actor: Actor | None = None) -> UnitOfWork:
        """A unit of work for `actor`, and so for the actor's municipality (see `UnitOfWork.municipality`)."""
        return UnitOfWork(self, actor)

    async def ping(self) -> bool:
        # A readiness probe is not work on a case: leave it out of the traces.
        with suppress_instrumentation():
            try:
                async with self.engine.connect() as conn:
                    await conn.exec_driver_sql("SELECT 1")
                return True
            except Exception:
                return False

    async def dispose(self) -> None:
        await self.engine.dispose()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # The sqlite3 driver begins a transaction only before INSERT/UPDATE/DELETE. A SAVEPOINT issued
    # before that (the inbox insert in `first_time`) then opens a transaction of its own, and its
    # RELEASE commits it: the inbox row outlives a rolled-back handler. Let SQLAlchemy begin instead.
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # IMMEDIATE: a transaction that reads, then writes (the relay) must not lose the lock in between.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


class UnitOfWork:
    """One transaction, for one acting municipality. Rolls back unless `commit()` is called; events emitted
    here go to the outbox, stamped with the service's source, the case and the municipality."""

    def __init__(self, db: Database, actor: Actor | None = None) -> None:
        self._db = db
        self.clock: Clock = db.clock
        self._actor = actor
        self._session: AsyncSession | None = None
        self._emitted = False

    @property
    def actor(self) -> Actor:
        """Who acts in this unit of work: the caller of a route, or the service on a consumed event."""
        if self._actor is None:
            raise RuntimeError("this unit of work was opened for no actor; open it with db.unit_of_work(actor)")
        return self._actor

    @property
    def municipality(self) -> str:
        """The municipality this unit of work acts for: repositories read and write its rows only."""
        return self.actor.municipality

    @property
    def tenant(self) -> Tenant:
        """The configuration of the municipality this unit of work acts for (NotFound when it has none)."""
        if self._db.tenants is None:
            raise RuntimeError("this database was built without the municipalities' configuration")
        return self._db.tenants.get(self.municipality)

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("unit of work used outside `async with`")
        return self._session

    async def __aenter__(self) -> UnitOfWork:
        self._session = self._db.sessions()
        await self._session.begin()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        session = self.session
        try:
            if session.in_transaction():
                await session.rollback()
        finally:
            await session.close()
            self._session = None

    async def commit(self) -> None:
        await self.session.commit()
        if self._emitted:
            self._db.outbox_written.set()

    async def emit(self, data: EventModel, *, grant: CaseGrant | None = None) -> CloudEvent[Any]:
        """Record an event in the outbox, in this transaction; the relay publishes it after commit.

        The envelope is derived, never given: `subject` is the event's `case_id`, `source` the service's,
        `municipality` the one this unit of work acts for. With a `grant`, the event is about a case of another
        municipality that this one works on by a recorded hand-over: it is emitted for that (home) municipality."""
        case_id = _subject_of(data)
        if grant is not None:
            if grant.case_id != case_id:
                raise ValueError(f"{data.event_type}: the grant is for case {grant.case_id}, the event for {case_id}")
            owner = grant.home
        else:
            owner = self._municipality_of(data)
        envelope = CloudEvent.wrap(
            data, source=self._source(), subject=case_id, municipality=owner, time=self.clock.now()
        )
        await self._record(envelope.id, str(data.topic), envelope)
        return envelope

    async def emit_all(self, events: Iterable[EventModel], *, grant: CaseGrant | None = None) -> None:
        """Record the events an aggregate raised, in order (for the home municipality, with a `grant`)."""
        for data in events:
            await self.emit(data, grant=grant)

    def tenant_of(self, grant: CaseGrant) -> Tenant:
        """The configuration of the home municipality of a case this unit of work works on by a grant."""
        if self._db.tenants is None:
            raise RuntimeError("this database was built without the municipalities' configuration")
        return self._db.tenants.get(grant.home)

    def _source(self) -> str:
        if not self._db.source:
            raise ValueError("an event needs a source: build the Database with the service's source")
        return self._db.source

    def _municipality_of(self, data: EventModel) -> str:
        if self._actor is None:
            raise ValueError(f"{data.event_type}: a unit of work opened for no actor cannot tell its municipality")
        return self._actor.municipality

    async def forward(self, envelope: CloudEvent[Any], *, topic: str) -> None:
        """Record an event as it is (same CloudEvent id) for publication on another topic, in this transaction."""
        # The outbox row needs its own id: the same event may go out on its own topic and on this one.
        await self._record(new_id(), topic, envelope)

    async def _record(self, row_id: str, topic: str, envelope: CloudEvent[Any]) -> None:
        payload = envelope.to_json()
        headers = current_trace_headers()
        _check_size(envelope, payload, headers, self._db.max_event_bytes)
        await self.session.execute(
            OUTBOX.insert().values(
                event_id=row_id,
                topic=topic,
                key=envelope.subject,
                municipality=envelope.municipality,
                headers=headers,
                payload=payload.decode(),
                created_at=self.clock.now(),
            )
        )
        self._emitted = True

    async def first_time(self, consumer: str, event_id: str, event_type: str) -> bool:
        """Inbox: record that `consumer` processed `event_id`. False when it already had."""
        seen = await self.session.scalar(
            select(INBOX.c.event_id).where(INBOX.c.consumer == consumer, INBOX.c.event_id == event_id)
        )
        if seen is not None:
            return False
        try:
            async with self.session.begin_nested():
                await self.session.execute(
                    INBOX.insert().values(
                        consumer=consumer, event_id=event_id, event_type=event_type, processed_at=self.clock.now()
                    )
                )
        except IntegrityError:
            return False
        return True


# The headers the relay adds to every message: the content type, and a traceparent in place of the stored one.
_RELAY_HEADER_BYTES = len("content-type") + len("application/cloudevents+json") + len("traceparent") + 55


def _check_size(envelope: CloudEvent[Any], payload: bytes, headers: dict[str, str], limit: int) -> None:
    """Refuse an event the broker would never take: one such row in the outbox would hold up every row after it."""
    size = (
        len(payload)
        + len(envelope.subject.encode())
        + sum(len(k.encode()) + len(v.encode()) for k, v in headers.items())
        + _RELAY_HEADER_BYTES
    )
    if size <= limit:
        return
    fields = envelope.data.model_dump(mode="json")
    largest = max(fields, key=lambda name: len(json.dumps(fields[name], ensure_ascii=False).encode()), default=None)
    where = f"; its largest field is {largest!r}" if largest is not None else ""
    raise EventTooLarge(
        f"{envelope.type}: the event would be {size} bytes, over the {limit} bytes one message may hold{where}; "
        "send fewer or shorter entries",
        field=largest,
    )


def _subject_of(data: EventModel) -> str:
    """Every event is about one case, and its CloudEvents subject (and Kafka key) is that case's id."""
    case_id = getattr(data, "case_id", None)
    if not isinstance(case_id, str) or not case_id:
        raise ValueError(f"{data.event_type}: every event names its case; this one has no case_id")
    return case_id


def new_id() -> str:
    return str(uuid.uuid4())


async def rows_page(
    session: AsyncSession,
    table: Table,
    where: Sequence[ColumnElement[bool]],
    order_by: Sequence[ColumnElement[Any]],
    *,
    limit: int,
    offset: int,
) -> tuple[Sequence[RowMapping], int]:
    """One page of a table's rows matching `where`, in `order_by` (which must end in a unique column, so that pages
    never overlap or skip), and how many match in all."""
    total = await session.scalar(select(func.count()).select_from(table).where(*where))
    query = select(table).where(*where).order_by(*order_by).limit(limit).offset(offset)
    rows = (await session.execute(query)).mappings().all()
    return rows, int(total or 0)


async def first_row(
    session: AsyncSession, table: Table, where: Sequence[ColumnElement[bool]], *, for_update: bool
) -> RowMapping | None:
    """The first row of `table` matching `where` (which names the municipality), locked for update when asked."""
    query = select(table).where(*where)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).mappings().first()
