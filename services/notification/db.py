"""Notification's tables and repository: `Deadlines(uow)` and `Notifications(uow)` read and write the unit of
work's municipality only; `sweep_candidates_of_every_municipality` is the one read across municipalities."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, NamedTuple

from sqlalchemy import (
    Column,
    Date,
    Index,
    Row,
    Select,
    String,
    Table,
    Text,
    UniqueConstraint,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.db import UnitOfWork, UtcDateTime, new_id, new_metadata
from servicekit.errors import Conflict
from services.notification.domain import REMINDER_DAYS_BEFORE, Deadline, DeadlineStatus, Notification, Receipt

metadata = new_metadata()

notification = Table(
    "notification",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("municipality", String(4), nullable=False, index=True),
    Column("case_id", String(36), nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("recipient", String(40), nullable=False),
    Column("text", Text, nullable=False),
    Column("source_event_id", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("source_event_id", "kind", name="uq_notification_source_event_id"),
)

deadline = Table(
    "deadline",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("municipality", String(4), nullable=False, index=True),
    Column("case_id", String(36), nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("due_on", Date, nullable=False),
    Column("responsible", String(60), nullable=False),
    Column("status", String(20), nullable=False),
    Column("cancel_reason", String(200), nullable=True),
    Column("reminded_at", UtcDateTime(), nullable=True),
    Column("due_at", UtcDateTime(), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Index("ix_deadline_status_due_on", "status", "due_on"),
)


# A reminded deadline is stored as scheduled with `reminded_at` set: the column holds whether the clock runs.
_RUNNING = DeadlineStatus.SCHEDULED.value


def _stored_status(status: DeadlineStatus) -> str:
    return _RUNNING if status is DeadlineStatus.REMINDED else status.value


def _deadline_of(row: Row[Any]) -> Deadline:
    status = DeadlineStatus(row.status)
    if status is DeadlineStatus.SCHEDULED and row.reminded_at is not None:
        status = DeadlineStatus.REMINDED
    return Deadline(
        id=row.id,
        municipality=row.municipality,
        case_id=row.case_id,
        kind=row.kind,
        due_on=row.due_on,
        responsible=row.responsible,
        created_at=row.created_at,
        status=status,
        cancel_reason=row.cancel_reason,
        reminded_at=row.reminded_at,
        due_at=row.due_at,
    )


def _notification_of(row: Row[Any]) -> Notification:
    return Notification(
        id=row.id,
        municipality=row.municipality,
        case_id=row.case_id,
        kind=row.kind,
        recipient=row.recipient,
        text=row.text,
        source_event_id=row.source_event_id,
        created_at=row.created_at,
    )


class Deadlines:
    """The deadlines of the unit of work's municipality: no getter sees another municipality's clock."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._session = uow.session
        self._municipality = uow.municipality

    def _mine(self) -> Select[Any]:
        return select(deadline).where(deadline.c.municipality == self._municipality)

    async def get(self, deadline_id: str) -> Deadline | None:
        row = (await self._session.execute(self._mine().where(deadline.c.id == deadline_id))).one_or_none()
        return None if row is None else _deadline_of(row)

    async def running_of_case(self, case_id: str, *, kind: str | None = None) -> list[Deadline]:
        """The case's clocks that still run (scheduled or reminded): those of `kind`, or every one of them."""
        query = self._mine().where(deadline.c.case_id == case_id, deadline.c.status == _RUNNING)
        if kind is not None:
            query = query.where(deadline.c.kind == kind)
        rows = await self._session.execute(query.order_by(deadline.c.due_on, deadline.c.id))
        return [_deadline_of(r) for r in rows.all()]

    async def page(self, case_id: str | None, *, limit: int, offset: int) -> list[Deadline]:
        query = self._mine()
        if case_id is not None:
            query = query.where(deadline.c.case_id == case_id)
        query = query.order_by(deadline.c.created_at, deadline.c.id).limit(limit).offset(offset)
        return [_deadline_of(r) for r in (await self._session.execute(query)).all()]

    async def add(self, new: Deadline) -> None:
        """Store a new clock; Conflict when its id is taken (by a clock of another municipality: ours is found)."""
        if new.municipality != self._municipality:
            raise ValueError(f"deadline of municipality {new.municipality} in a unit of work for {self._municipality}")
        try:
            async with self._session.begin_nested():
                await self._session.execute(
                    insert(deadline).values(
                        id=new.id,
                        municipality=new.municipality,
                        case_id=new.case_id,
                        kind=new.kind,
                        due_on=new.due_on,
                        responsible=new.responsible,
                        status=_stored_status(new.status),
                        cancel_reason=new.cancel_reason,
                        reminded_at=new.reminded_at,
                        due_at=new.due_at,
                        created_at=new.created_at,
                    )
                )
        except IntegrityError as exc:
            raise Conflict(f"deadline id {new.id} is already taken") from exc

    async def save(self, changed: Deadline) -> bool:
        """Store the step a clock took, on the condition that the stored clock could still take it: it still runs,
        and for a reminder, was not reminded yet. True when this call stored it; False when another replica (or
        a cancellation) got there first, so a reminder or an alert is sent once however many replicas sweep."""
        query = update(deadline).where(
            deadline.c.id == changed.id,
            deadline.c.municipality == self._municipality,
            deadline.c.status == _RUNNING,
        )
        if changed.status is DeadlineStatus.REMINDED:
            query = query.where(deadline.c.reminded_at.is_(None))
        result = await self._session.execute(
            query.values(
                status=_stored_status(changed.status),
                cancel_reason=changed.cancel_reason,
                reminded_at=changed.reminded_at,
                due_at=changed.due_at,
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


class Notifications:
    """The notifications of the unit of work's municipality."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._session = uow.session
        self._municipality = uow.municipality
        self._clock = uow.clock

    async def record(self, *, case_id: str, note: Receipt, source_event_id: str) -> Notification:
        """Record a notification for a case, at the service's clock."""
        recorded = Notification(
            id=new_id(),
            municipality=self._municipality,
            case_id=case_id,
            kind=note.kind,
            recipient=note.recipient,
            text=note.text,
            source_event_id=source_event_id,
            created_at=self._clock.now(),
        )
        await self._session.execute(
            insert(notification).values(
                id=recorded.id,
                municipality=recorded.municipality,
                case_id=recorded.case_id,
                kind=recorded.kind,
                recipient=recorded.recipient,
                text=recorded.text,
                source_event_id=recorded.source_event_id,
                created_at=recorded.created_at,
            )
        )
        return recorded

    async def page(self, case_id: str | None, *, limit: int, offset: int) -> list[Notification]:
        query = select(notification).where(notification.c.municipality == self._municipality)
        if case_id is not None:
            query = query.where(notification.c.case_id == case_id)
        query = query.order_by(notification.c.created_at, notification.c.id).limit(limit).offset(offset)
        return [_notification_of(r) for r in (await self._session.execute(query)).all()]


# --- the one read that is not bound to a municipality ------------------------------------------------------------


class SweepCandidate(NamedTuple):
    municipality: str
    deadline_id: str


async def sweep_candidates_of_every_municipality(
    session: AsyncSession, today: date, *, limit: int
) -> list[SweepCandidate]:
    """ACROSS MUNICIPALITIES: the running clocks of every municipality that may need a reminder or an alert on
    `today`, oldest due first. Only (municipality, id) leaves here: each is then loaded and swept in a unit of
    work of its own municipality, where the aggregate decides (this is a cheap, index-friendly prefilter)."""
    rows = await session.execute(
        select(deadline.c.municipality, deadline.c.id)
        .where(
            deadline.c.status == _RUNNING,
            deadline.c.due_on <= today + timedelta(days=REMINDER_DAYS_BEFORE),
            or_(deadline.c.reminded_at.is_(None), deadline.c.due_on <= today),
        )
        .order_by(deadline.c.due_on, deadline.c.id)
        .limit(limit)
    )
    return [SweepCandidate(municipality, deadline_id) for municipality, deadline_id in rows.all()]
