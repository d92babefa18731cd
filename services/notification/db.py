"""Notification's tables and repository: `Deadlines(uow)`, `Notifications(uow)` and `Deliveries(uow)` read and write
the unit of work's municipality only; `sweep_candidates_of_every_municipality` and
`deliveries_due_in_every_municipality` are the reads across municipalities."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    Row,
    Select,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.appeals import AppealEnd, BodyOutcome
from contracts.decision import DecidedBy, Outcome
from contracts.notification import CaseStatus, ClosedReason
from servicekit.db import UnitOfWork, UtcDateTime, new_id, new_metadata, rows_page
from servicekit.errors import Conflict
from services.notification.domain import (
    CaseState,
    Channel,
    Deadline,
    DeadlineStatus,
    Delivery,
    DeliveryStatus,
    Notification,
    Receipt,
    StatusCodes,
    StatusRank,
    StatusStep,
)

metadata = new_metadata()

notification = Table(
    "notification",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("municipality", String(4), nullable=False, index=True),
    Column("case_id", String(36), nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("recipient", String(80), nullable=False, doc="a role code, or leader_of:<responsible>"),
    Column("text", Text, nullable=False),
    Column("source_event_id", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("read_at", UtcDateTime(), nullable=True, doc="when it was marked read in the recipient's inbox"),
    Column("read_by", String(200), nullable=True, doc="the token subject that marked it read"),
    UniqueConstraint("source_event_id", "kind", name="uq_notification_source_event_id"),
    Index("ix_notification_municipality_recipient", "municipality", "recipient", "created_at"),
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
    Column("remind_on", Date, nullable=False, doc="the day the reminder is owed, by the kind's lead time"),
    Column("escalation_step", Integer, nullable=False, doc="the escalation steps sent (0: none)"),
    Column("escalate_on", Date, nullable=True, doc="the day the next escalation step is owed (none: not escalating)"),
    Index("ix_deadline_status_due_on", "status", "due_on"),
    Index("ix_deadline_status_remind_on", "status", "remind_on"),
    Index("ix_deadline_status_escalate_on", "status", "escalate_on"),
)


# A reminded deadline is stored as scheduled with `reminded_at` set: the column holds whether the clock runs.
_RUNNING = DeadlineStatus.SCHEDULED.value
# Owed something still: running, or overdue and escalating until it is cancelled.
_OWED = or_(
    deadline.c.status == _RUNNING,
    and_(deadline.c.status == DeadlineStatus.DUE.value, deadline.c.escalate_on.is_not(None)),
)


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
        remind_on=row.remind_on,
        escalation_step=row.escalation_step,
        escalate_on=row.escalate_on,
    )


def _notification_of(row: Any) -> Notification:
    return Notification(
        id=row.id,
        municipality=row.municipality,
        case_id=row.case_id,
        kind=row.kind,
        recipient=row.recipient,
        text=row.text,
        source_event_id=row.source_event_id,
        created_at=row.created_at,
        read_at=row.read_at,
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
        """The case's clocks that still run (scheduled or reminded) or, overdue, still escalate: those of `kind`, or
        every one of them."""
        query = self._mine().where(deadline.c.case_id == case_id, _OWED)
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
                        remind_on=new.reminder_on,
                        escalation_step=new.escalation_step,
                        escalate_on=new.escalate_on,
                    )
                )
        except IntegrityError as exc:
            raise Conflict(f"deadline id {new.id} is already taken") from exc

    async def save(self, changed: Deadline) -> bool:
        """Store the step a clock took, on the condition that the stored clock could still take it: it still runs,
        and for a reminder, was not reminded yet. True when this call stored it; False when another replica (or
        a cancellation) got there first, so a reminder or an alert is sent once however many replicas sweep."""
        query = update(deadline).where(deadline.c.id == changed.id, deadline.c.municipality == self._municipality)
        if changed.status is DeadlineStatus.CANCELLED:
            query = query.where(_OWED)  # an overdue clock's escalation stops too
        else:
            query = query.where(deadline.c.status == _RUNNING)
        if changed.status is DeadlineStatus.REMINDED:
            query = query.where(deadline.c.reminded_at.is_(None))
        result = await self._session.execute(query.values(**_step_values(changed)))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def save_escalation(self, changed: Deadline, *, from_step: int) -> bool:
        """Store an escalation step, on the condition that the stored clock still escalates from `from_step`: True
        when this call stored it; False when another replica sent that step first, or the clock was cancelled."""
        result = await self._session.execute(
            update(deadline)
            .where(
                deadline.c.id == changed.id,
                deadline.c.municipality == self._municipality,
                deadline.c.status == DeadlineStatus.DUE.value,
                deadline.c.escalate_on.is_not(None),
                deadline.c.escalation_step == from_step,
            )
            .values(**_step_values(changed))
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def _step_values(changed: Deadline) -> dict[str, Any]:
    return {
        "status": _stored_status(changed.status),
        "cancel_reason": changed.cancel_reason,
        "reminded_at": changed.reminded_at,
        "due_at": changed.due_at,
        "escalation_step": changed.escalation_step,
        "escalate_on": changed.escalate_on,
    }


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

    async def get(self, notification_id: str) -> Notification | None:
        query = select(notification).where(
            notification.c.municipality == self._municipality, notification.c.id == notification_id
        )
        row = (await self._session.execute(query)).one_or_none()
        return None if row is None else _notification_of(row)

    async def inbox(
        self, recipient: str, kinds: frozenset[str], *, limit: int, offset: int
    ) -> tuple[list[Notification], int]:
        """A recipient's notifications of `kinds`, newest first, and how many there are in all."""
        rows, total = await rows_page(
            self._session,
            notification,
            [
                notification.c.municipality == self._municipality,
                notification.c.recipient == recipient,
                notification.c.kind.in_(sorted(kinds)),
            ],
            [notification.c.created_at.desc(), notification.c.id.desc()],
            limit=limit,
            offset=offset,
        )
        return [_notification_of(r) for r in rows], total

    async def mark_read(self, notification_id: str, *, at: datetime, by: str) -> None:
        """Marked read once: a second mark keeps the first time."""
        await self._session.execute(
            update(notification)
            .where(
                notification.c.municipality == self._municipality,
                notification.c.id == notification_id,
                notification.c.read_at.is_(None),
            )
            .values(read_at=at, read_by=by)
        )

    async def page(self, case_id: str | None, *, limit: int, offset: int) -> list[Notification]:
        query = select(notification).where(notification.c.municipality == self._municipality)
        if case_id is not None:
            query = query.where(notification.c.case_id == case_id)
        query = query.order_by(notification.c.created_at, notification.c.id).limit(limit).offset(offset)
        return [_notification_of(r) for r in (await self._session.execute(query)).all()]


# --- deliveries of staff notifications -------------------------------------------------------------------------

delivery = Table(
    "delivery",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("municipality", String(4), nullable=False, index=True),
    Column("notification_id", String(36), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("address", String(320), nullable=False),
    Column("status", String(20), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime(), nullable=True, doc="pending: when it may be tried (again)"),
    Column("last_error", String(500), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("sent_at", UtcDateTime(), nullable=True),
    UniqueConstraint("notification_id", "channel", "address", name="uq_delivery_notification_id"),
    Index("ix_delivery_status_next_attempt_at", "status", "next_attempt_at"),
)


def _delivery_of(row: Row[Any]) -> Delivery:
    return Delivery(
        id=row.id,
        municipality=row.municipality,
        notification_id=row.notification_id,
        channel=Channel(row.channel),
        address=row.address,
        created_at=row.created_at,
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        sent_at=row.sent_at,
    )


def _delivery_values(d: Delivery) -> dict[str, Any]:
    return {
        "status": d.status.value,
        "attempts": d.attempts,
        "next_attempt_at": d.next_attempt_at,
        "last_error": d.last_error,
        "sent_at": d.sent_at,
    }


class Deliveries:
    """The deliveries of the unit of work's municipality."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._session = uow.session
        self._municipality = uow.municipality

    def _mine(self) -> Select[Any]:
        return select(delivery).where(delivery.c.municipality == self._municipality)

    async def get(self, delivery_id: str) -> Delivery | None:
        row = (await self._session.execute(self._mine().where(delivery.c.id == delivery_id))).one_or_none()
        return None if row is None else _delivery_of(row)

    async def of_notification(self, notification_id: str) -> list[Delivery]:
        query = self._mine().where(delivery.c.notification_id == notification_id).order_by(delivery.c.id)
        return [_delivery_of(r) for r in (await self._session.execute(query)).all()]

    async def add(self, new: Delivery) -> None:
        if new.municipality != self._municipality:
            raise ValueError(f"delivery of municipality {new.municipality} in a unit of work for {self._municipality}")
        await self._session.execute(
            insert(delivery).values(
                id=new.id,
                municipality=new.municipality,
                notification_id=new.notification_id,
                channel=new.channel.value,
                address=new.address,
                created_at=new.created_at,
                **_delivery_values(new),
            )
        )

    async def save(self, changed: Delivery, *, attempts_before: int, next_attempt_before: datetime | None) -> bool:
        """Store a claim or an attempt's result, on the condition that the stored row is still as loaded: pending,
        with the attempts and the next attempt's time this unit of work saw. True when this call stored it; False
        when another replica claimed it first (or recorded its result), so each attempt is made by one replica."""
        result = await self._session.execute(
            update(delivery)
            .where(
                delivery.c.id == changed.id,
                delivery.c.municipality == self._municipality,
                delivery.c.status == DeliveryStatus.PENDING.value,
                delivery.c.attempts == attempts_before,
                delivery.c.next_attempt_at == next_attempt_before,
            )
            .values(**_delivery_values(changed))
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


class DeliveryCandidate(NamedTuple):
    municipality: str
    delivery_id: str


async def deliveries_due_in_every_municipality(
    session: AsyncSession, now: datetime, *, limit: int
) -> list[DeliveryCandidate]:
    """ACROSS MUNICIPALITIES: the pending deliveries whose (next) attempt is due, the longest waiting first. Only
    (municipality, id) leaves here: each is then claimed in a unit of work of its own municipality."""
    rows = await session.execute(
        select(delivery.c.municipality, delivery.c.id)
        .where(delivery.c.status == DeliveryStatus.PENDING.value, delivery.c.next_attempt_at <= now)
        .order_by(delivery.c.next_attempt_at, delivery.c.id)
        .limit(limit)
    )
    return [DeliveryCandidate(municipality, delivery_id) for municipality, delivery_id in rows.all()]


# --- the one read that is not bound to a municipality ------------------------------------------------------------


class SweepCandidate(NamedTuple):
    municipality: str
    deadline_id: str


async def sweep_candidates_of_every_municipality(
    session: AsyncSession, today: date, *, limit: int
) -> list[SweepCandidate]:
    """ACROSS MUNICIPALITIES: the clocks of every municipality that need work on `today`, oldest due first: a
    running clock whose reminder day has come and that was not reminded yet, a running clock that ran out, and an
    overdue clock whose next escalation step is owed. Exactly what `Deadline.needs` answers with work, by the days
    stored on each row (its kind's lead time in its municipality): a batch never fills with clocks that need
    nothing today (reminded and not yet due, or inside a longer lead than their own), so none starves the next.
    Only (municipality, id) leaves here: each is then loaded and swept in a unit of work of its own municipality."""
    running = and_(
        deadline.c.status == _RUNNING,
        or_(and_(deadline.c.reminded_at.is_(None), deadline.c.remind_on <= today), deadline.c.due_on <= today),
    )
    escalating = and_(deadline.c.status == DeadlineStatus.DUE.value, deadline.c.escalate_on <= today)
    rows = await session.execute(
        select(deadline.c.municipality, deadline.c.id)
        .where(or_(running, escalating))
        .order_by(deadline.c.due_on, deadline.c.id)
        .limit(limit)
    )
    return [SweepCandidate(municipality, deadline_id) for municipality, deadline_id in rows.all()]


# --- a case's status as the person sees it ---------------------------------------------------------------------

case_status = Table(
    "case_status",
    metadata,
    Column("municipality", String(4), primary_key=True),
    Column("case_id", String(64), primary_key=True),
    Column("person_id", String(64), nullable=True),
    Column("person_registered", Boolean, nullable=False),
    Column("status", String(30), nullable=False),
    Column("since_at", UtcDateTime(), nullable=False),
    Column("rank", Integer, nullable=False),
    Column("event_id", String(64), nullable=False, doc="the event that set the status"),
    Column("outcome", String(30), nullable=True),
    Column("decided_by", String(30), nullable=True),
    Column("appeal_outcome", String(30), nullable=True),
    Column("appeal_end", String(30), nullable=True),
    Column("appeal_body", String(500), nullable=True),
    Column("expected_on", Date, nullable=True),
    Column("closed_reason", String(30), nullable=True),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index("ix_case_status_municipality_person_id", "municipality", "person_id", "since_at"),
)


def _case_state_of(row: Any) -> CaseState:
    codes = StatusCodes(
        outcome=None if row.outcome is None else Outcome(row.outcome),
        decided_by=None if row.decided_by is None else DecidedBy(row.decided_by),
        appeal_outcome=None if row.appeal_outcome is None else BodyOutcome(row.appeal_outcome),
        appeal_end=None if row.appeal_end is None else AppealEnd(row.appeal_end),
        appeal_body=row.appeal_body,
        expected_on=row.expected_on,
        closed_reason=None if row.closed_reason is None else ClosedReason(row.closed_reason),
    )
    step = StatusStep(CaseStatus(row.status), StatusRank(row.rank), row.since_at, row.event_id, codes)
    return CaseState(row.case_id, step, row.person_id, row.person_registered)


def _case_status_values(state: CaseState) -> dict[str, Any]:
    codes = state.codes
    return {
        "person_id": state.person_id,
        "person_registered": state.person_registered,
        "status": state.status.value,
        "since_at": state.since,
        "rank": int(state.step.rank),
        "event_id": state.step.event_id,
        "outcome": None if codes.outcome is None else codes.outcome.value,
        "decided_by": None if codes.decided_by is None else codes.decided_by.value,
        "appeal_outcome": None if codes.appeal_outcome is None else codes.appeal_outcome.value,
        "appeal_end": None if codes.appeal_end is None else codes.appeal_end.value,
        "appeal_body": codes.appeal_body,
        "expected_on": codes.expected_on,
        "closed_reason": None if codes.closed_reason is None else codes.closed_reason.value,
    }


class CaseStatusMoved(RuntimeError):
    """Another replica moved the case's status first: handling the event again starts from what it stored."""


class CaseStatuses:
    """The cases' statuses of the unit of work's municipality."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._session = uow.session
        self._municipality = uow.municipality
        self._clock = uow.clock

    async def get(self, case_id: str) -> CaseState | None:
        query = select(case_status).where(
            case_status.c.municipality == self._municipality, case_status.c.case_id == case_id
        )
        row = (await self._session.execute(query)).one_or_none()
        return None if row is None else _case_state_of(row)

    async def save(self, state: CaseState, *, previous: CaseState | None) -> None:
        """Store the case's status over the `previous` one this unit of work loaded (None: the case's first). Events
        of one case come on several topics, so two replicas may each move the same case at once: the row is only
        replaced as it was loaded, and otherwise this fails, so the consumer tries the event again on the status
        the other stored."""
        values = {**_case_status_values(state), "updated_at": self._clock.now()}
        if previous is None:
            await self._session.execute(
                insert(case_status).values(municipality=self._municipality, case_id=state.case_id, **values)
            )
            return
        result = await self._session.execute(
            update(case_status)
            .where(
                case_status.c.municipality == self._municipality,
                case_status.c.case_id == state.case_id,
                case_status.c.event_id == previous.step.event_id,
                case_status.c.person_id.is_not_distinct_from(previous.person_id),
            )
            .values(**values)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            raise CaseStatusMoved(f"the status of case {state.case_id} changed while this event was handled")

    async def of_person(self, person_id: str, *, limit: int, offset: int) -> tuple[list[CaseState], int]:
        """The person's cases, the latest step first, and how many there are in all."""
        rows, total = await rows_page(
            self._session,
            case_status,
            [case_status.c.municipality == self._municipality, case_status.c.person_id == person_id],
            [case_status.c.since_at.desc(), case_status.c.case_id],
            limit=limit,
            offset=offset,
        )
        return [_case_state_of(r) for r in rows], total
