"""Notification's use cases: one per consumed event, the sweep of one deadline, the claim and the result of one
e-mail delivery, and the inbox. Each runs in a unit of work the bus opened for the acting municipality (the
service, on an event, a sweep or a delivery; the caller, on a request) and never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from contracts.appeals import (
    AppealClosed,
    AppealForwarded,
    AppealOutcomeRecorded,
    AppealRegistered,
    AppealReversedByOffice,
    DecisionDeliveryRecorded,
)
from contracts.deadlines import DeadlineCancelled, DeadlineKind, DeadlineScheduled
from contracts.decision import DecisionMade, LetterIssued
from contracts.envelope import CloudEvent, EventModel
from contracts.intake import ApplicationWithdrawn, ConsentWithdrawn
from contracts.topics import tenant_topic
from servicekit.calendar import local_date
from servicekit.context import bind
from servicekit.db import UnitOfWork, new_id
from servicekit.errors import NotFound
from servicekit.tenants import Language, NotificationSettings
from services.notification import db
from services.notification.db import (
    CaseStatuses,
    Deadlines,
    Deliveries,
    DeliveryCandidate,
    Notifications,
    SweepCandidate,
)
from services.notification.domain import (
    MAX_DELIVERY_ATTEMPTS,
    STAFF_KINDS,
    CancelReason,
    CaseRegistered,
    CaseState,
    Deadline,
    DeliveryStatus,
    KindRule,
    Notification,
    Receipt,
    Sweep,
    appeal_closed_notice,
    appeal_deadline_notice,
    appeal_forwarded_notice,
    appeal_outcome_notice,
    appeal_receipt,
    appeal_reversal_notice,
    authorize_inbox,
    case_opening,
    citizen_reading,
    decision_notice,
    delivery_failed_alert,
    email_delivery_for,
    email_text,
    for_feed,
    kind_rule,
    next_status,
    readable_by,
    staff_offices,
    withdraws_processing,
)


def _rule(uow: UnitOfWork, kind: str) -> KindRule:
    """The kind's lead time, recipients and escalation in the acting municipality (its defaults where the
    municipality is not configured here: a clock another service started still runs)."""
    try:
        settings = uow.tenant.notification
    except NotFound:
        settings = NotificationSettings()
    return kind_rule(kind, settings)


# --- a registered case: its receipt and its preliminary-reply clock ------------------------------------------------


async def open_case(event: CloudEvent[Any], uow: UnitOfWork) -> Deadline:
    """Record the receipt, start the preliminary-reply clock and announce it on deadlines.v1. Who must act comes
    from the acting municipality's configuration (NotFound, so a dead letter, for a municipality without one)."""
    registered: CaseRegistered = event.data
    opening = case_opening(registered, uow.tenant)
    await Notifications(uow).record(case_id=registered.case_id, note=opening.receipt, source_event_id=event.id)
    deadline, scheduled = Deadline.open(
        deadline_id=new_id(),
        municipality=uow.municipality,
        case_id=registered.case_id,
        plan=opening.deadline,
        now=uow.clock.now(),
        rule=_rule(uow, opening.deadline.kind),
    )
    await Deadlines(uow).add(deadline)
    await uow.emit(scheduled)
    return deadline


# --- what stops a case's clocks ---------------------------------------------------------------------------------


async def _cancel_case_clocks(uow: UnitOfWork, case_id: str, reason: CancelReason, *, kind: str | None = None) -> None:
    deadlines = Deadlines(uow)
    for deadline in await deadlines.running_of_case(case_id, kind=kind):
        if deadline.cancel(reason.value):
            await deadlines.save(deadline)


async def application_withdrawn(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    """No decision will be made: no clock of the case is owed any more."""
    data: ApplicationWithdrawn = event.data
    await _cancel_case_clocks(uow, data.case_id, CancelReason.APPLICATION_WITHDRAWN)


async def consent_withdrawn(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    """Without consent to processing the case cannot go on, so its clocks stop; a narrower withdrawal leaves them."""
    data: ConsentWithdrawn = event.data
    if withdraws_processing(data):
        await _cancel_case_clocks(uow, data.case_id, CancelReason.CONSENT_WITHDRAWN)


async def decision_made(event: CloudEvent[Any], uow: UnitOfWork) -> Notification:
    """A decision answers the case: the preliminary reply is no longer owed, and the applicant is told."""
    data: DecisionMade = event.data
    await _cancel_case_clocks(uow, data.case_id, CancelReason.DECISION_MADE, kind=DeadlineKind.PRELIMINARY_REPLY)
    return await Notifications(uow).record(
        case_id=data.case_id,
        note=decision_notice(data.outcome.value, data.appeal),
        source_event_id=event.id,
    )


async def letter_issued(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    """A preliminary reply went out: what that clock waited for has happened."""
    data: LetterIssued = event.data
    if data.kind == DeadlineKind.PRELIMINARY_REPLY.value:
        await _cancel_case_clocks(
            uow, data.case_id, CancelReason.PRELIMINARY_REPLY_SENT, kind=DeadlineKind.PRELIMINARY_REPLY
        )


# --- an appeal, step by step: the person is told ----------------------------------------------------------------
# The appeals service keeps its own clocks (the office's handling, a complaint's answer) on deadlines.v1, kept here
# like any other service's.


async def _tell(uow: UnitOfWork, event: CloudEvent[Any], case_id: str, note: Receipt) -> Notification:
    return await Notifications(uow).record(case_id=case_id, note=note, source_event_id=event.id)


async def decision_delivered(event: CloudEvent[Any], uow: UnitOfWork) -> Notification:
    """The day the decision letter reached the person is known: the person is told the last day to appeal."""
    data: DecisionDeliveryRecorded = event.data
    note = appeal_deadline_notice(data.delivered_on, data.basis, data.appeal_deadline_on)
    return await _tell(uow, event, data.case_id, note)


async def appeal_registered(event: CloudEvent[Any], uow: UnitOfWork) -> Notification:
    """A receipt for the appeal: when it was received, and whether in time."""
    data: AppealRegistered = event.data
    note = appeal_receipt(data.received_on, late=data.late, deadline_on=data.deadline_on)
    return await _tell(uow, event, data.case_id, note)


async def appeal_reversed_by_office(event: CloudEvent[Any], uow: UnitOfWork) -> Notification:
    """The office found the appeal justified: a new decision follows."""
    data: AppealReversedByOffice = event.data
    return await _tell(uow, event, data.case_id, appeal_reversal_notice(data.reversed_on, partial=data.partial))


async def appeal_forwarded(event: CloudEvent[Any], uow: UnitOfWork) -> Notification:
    """The appeal went to the appeal body."""
    data: AppealForwarded = event.data
    return await _tell(uow, event, data.case_id, appeal_forwarded_notice(data.appeal_body, data.forwarded_on))


async def appeal_outcome_recorded(event: CloudEvent[Any], uow: UnitOfWork) -> Notification:
    """The appeal body's outcome."""
    data: AppealOutcomeRecorded = event.data
    note = appeal_outcome_notice(data.outcome, data.appeal_body, data.decided_on)
    return await _tell(uow, event, data.case_id, note)


async def appeal_closed(event: CloudEvent[Any], uow: UnitOfWork) -> Notification | None:
    """The appeal ended without the appeal body (withdrawn, dismissed as late); a reversal in full was told already."""
    data: AppealClosed = event.data
    note = appeal_closed_notice(data.ended, data.closed_on)
    return None if note is None else await _tell(uow, event, data.case_id, note)


# --- clocks other services start and stop -------------------------------------------------------------------------


async def keep_deadline(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    """Keep a clock another service started (or our own, seen again on the topic: then nothing changes)."""
    data: DeadlineScheduled = event.data
    deadlines = Deadlines(uow)
    if await deadlines.get(data.deadline_id) is not None:
        return
    rule = _rule(uow, data.kind)
    await deadlines.add(Deadline.kept(data, municipality=uow.municipality, now=uow.clock.now(), rule=rule))


async def deadline_cancelled(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    """Another service stopped its clock; a cancellation of a clock never seen (here) changes nothing."""
    data: DeadlineCancelled = event.data
    deadlines = Deadlines(uow)
    deadline = await deadlines.get(data.deadline_id)
    if deadline is not None and deadline.cancel(data.reason):
        await deadlines.save(deadline)


# --- the timer ------------------------------------------------------------------------------------------------------


async def sweep_candidates_of_every_municipality(uow: UnitOfWork, *, limit: int) -> list[SweepCandidate]:
    """ACROSS MUNICIPALITIES, in a unit of work opened for no actor: (municipality, deadline id) of every running
    clock that may be owed a reminder or an alert today. Each is then swept by `sweep_deadline` in a unit of work of
    its own municipality."""
    return await db.sweep_candidates_of_every_municipality(uow.session, uow.clock.today(), limit=limit)


@dataclass(frozen=True)
class SweepDeadline:
    """Send what one deadline of the acting municipality is owed now, by the service's clock."""

    deadline_id: str


async def sweep_deadline(cmd: SweepDeadline, uow: UnitOfWork) -> Sweep:
    """Remind before the clock runs out, alert and announce DeadlineDue when it has; returns what was sent
    (NOTHING when nothing was owed, or another replica sent it first)."""
    deadlines = Deadlines(uow)
    deadline = await deadlines.get(cmd.deadline_id)
    if deadline is None:
        return Sweep.NOTHING
    bind(case_id=deadline.case_id)
    now = uow.clock.now()
    action = deadline.needs(local_date(now))
    rule = _rule(uow, deadline.kind)
    events: list[EventModel] = []
    notes: tuple[Receipt, ...]
    if action is Sweep.REMIND:
        notes = deadline.remind_all(now, rule)
    elif action is Sweep.DUE:
        notes, events = deadline.fall_due_all(now, rule)
    elif action is Sweep.ESCALATE:
        from_step = deadline.escalation_step
        note, escalated = deadline.escalate(now, rule)
        if not await deadlines.save_escalation(deadline, from_step=from_step):
            return Sweep.NOTHING  # another replica sent this step first, or the clock was cancelled meanwhile
        await _record_escalation(uow, deadline, note)
        await uow.emit(escalated)
        return action
    else:
        return Sweep.NOTHING
    if not await deadlines.save(deadline):
        return Sweep.NOTHING  # another replica got there first
    for index, note in enumerate(n for n in notes if n.kind != "escalation"):
        # One row per recipient; the first keeps the clock's own source id (the one every earlier reminder had).
        source = f"deadline:{deadline.id}" if index == 0 else f"deadline:{deadline.id}:{index}"
        await _notify_staff(uow, case_id=deadline.case_id, note=note, source_event_id=source)
    for note in (n for n in notes if n.kind == "escalation"):
        await _record_escalation(uow, deadline, note)
    await uow.emit_all(events)
    return action


async def _record_escalation(uow: UnitOfWork, deadline: Deadline, note: Receipt) -> None:
    """The escalation step's notification to the leader, once per step (its source id names the step)."""
    source = f"deadline:{deadline.id}:step:{deadline.escalation_step}"
    await _notify_staff(uow, case_id=deadline.case_id, note=note, source_event_id=source)


# --- staff notifications delivered: e-mail to the configured addresses, the inbox in the platform ---------------


def _settings(uow: UnitOfWork) -> NotificationSettings:
    try:
        return uow.tenant.notification
    except NotFound:
        return NotificationSettings()


async def _notify_staff(uow: UnitOfWork, *, case_id: str, note: Receipt, source_event_id: str) -> Notification:
    """Record a notification to staff (in the recipient's inbox), and its e-mail where the municipality configured
    an address for the recipient."""
    recorded = await Notifications(uow).record(case_id=case_id, note=note, source_event_id=source_event_id)
    email = email_delivery_for(recorded, _settings(uow), delivery_id=new_id(), now=uow.clock.now())
    if email is not None:
        await Deliveries(uow).add(email)
    return recorded


async def deliveries_due_in_every_municipality(uow: UnitOfWork, *, limit: int) -> list[DeliveryCandidate]:
    """ACROSS MUNICIPALITIES, in a unit of work opened for no actor: the deliveries whose attempt is due now. Each
    is then claimed by `claim_delivery` in a unit of work of its own municipality."""
    return await db.deliveries_due_in_every_municipality(uow.session, uow.clock.now(), limit=limit)


@dataclass(frozen=True)
class ClaimDelivery:
    """Take one due delivery of the acting municipality for an attempt (`email_on`: e-mail is configured here)."""

    delivery_id: str
    email_on: bool = True


@dataclass(frozen=True)
class Outgoing:
    """A claimed e-mail, as it is to be sent (outside the transaction that claimed it)."""

    delivery_id: str
    attempt: int
    to: str
    subject: str
    body: str
    at: datetime


async def claim_delivery(cmd: ClaimDelivery, uow: UnitOfWork) -> Outgoing | None:
    """Claim the delivery for one attempt, so no other replica tries it meanwhile; None when it is not due any more
    (another replica claimed it first), or e-mail is off here (then recorded as such, never tried)."""
    deliveries = Deliveries(uow)
    delivery = await deliveries.get(cmd.delivery_id)
    now = uow.clock.now()
    if delivery is None or not delivery.due(now):
        return None
    note = await Notifications(uow).get(delivery.notification_id)
    if note is None:
        raise NotFound(f"notification {delivery.notification_id} of delivery {delivery.id} is gone")
    bind(case_id=note.case_id)
    attempts, next_at = delivery.attempts, delivery.next_attempt_at
    if not cmd.email_on:
        delivery.switched_off()
        await deliveries.save(delivery, attempts_before=attempts, next_attempt_before=next_at)
        return None
    delivery.claim(now)
    if not await deliveries.save(delivery, attempts_before=attempts, next_attempt_before=next_at):
        return None
    try:
        tenant = uow.tenant
        text = email_text(note, municipality=tenant.name, language=tenant.language)
    except NotFound:
        text = email_text(note, municipality=uow.municipality, language=Language.BOKMAL)
    return Outgoing(delivery.id, delivery.attempts, delivery.address, text.subject, text.body, now)


@dataclass(frozen=True)
class RecordAttempt:
    """How one claimed attempt went: sent (no error), or the error the server or the network gave."""

    delivery_id: str
    attempt: int
    error: str | None = None
    max_attempts: int = MAX_DELIVERY_ATTEMPTS


async def record_attempt(cmd: RecordAttempt, uow: UnitOfWork) -> DeliveryStatus | None:
    """Record the attempt's result: sent; or tried again later; or, after the last attempt, failed, with an alert
    to the recipient's leader. None when the attempt is no longer this replica's (its lease ran out and another
    took it)."""
    deliveries = Deliveries(uow)
    delivery = await deliveries.get(cmd.delivery_id)
    if delivery is None or delivery.status is not DeliveryStatus.PENDING or delivery.attempts != cmd.attempt:
        return None
    attempts, next_at = delivery.attempts, delivery.next_attempt_at
    now = uow.clock.now()
    gave_up = False
    if cmd.error is None:
        delivery.sent(now)
    else:
        gave_up = delivery.attempt_failed(now, cmd.error, max_attempts=cmd.max_attempts)
    if not await deliveries.save(delivery, attempts_before=attempts, next_attempt_before=next_at):
        return None
    if gave_up:
        note = await Notifications(uow).get(delivery.notification_id)
        alert = None if note is None else delivery_failed_alert(note, delivery)
        if note is not None and alert is not None:
            bind(case_id=note.case_id)
            await _notify_staff(uow, case_id=note.case_id, note=alert, source_event_id=f"delivery:{delivery.id}")
    return delivery.status


# --- the inbox ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Inbox:
    """One page of a recipient's staff notifications, newest first."""

    recipient: str
    limit: int
    offset: int


@dataclass(frozen=True)
class InboxPage:
    items: list[Notification]
    total: int
    limit: int
    offset: int


def _authorize_inbox(uow: UnitOfWork, recipient: str) -> None:
    try:
        offices = staff_offices(uow.tenant)
    except NotFound:
        offices = ()
    authorize_inbox(uow.actor, recipient, offices)


async def inbox(query: Inbox, uow: UnitOfWork) -> InboxPage:
    """A unit reads its own and its leader's inbox; the office its offices'; Forbidden otherwise."""
    _authorize_inbox(uow, query.recipient)
    items, total = await Notifications(uow).inbox(query.recipient, STAFF_KINDS, limit=query.limit, offset=query.offset)
    return InboxPage(items, total, query.limit, query.offset)


@dataclass(frozen=True)
class MarkRead:
    notification_id: str


async def mark_read(cmd: MarkRead, uow: UnitOfWork) -> Notification:
    """Mark a notification of an inbox the caller reads as read (once: marking it again keeps the first time)."""
    notifications = Notifications(uow)
    note = await notifications.get(cmd.notification_id)
    if note is None or note.kind not in STAFF_KINDS:
        raise NotFound(f"notification_id: no notification {cmd.notification_id} in an inbox", field="notification_id")
    bind(case_id=note.case_id)
    _authorize_inbox(uow, note.recipient)
    await notifications.mark_read(note.id, at=uow.clock.now(), by=uow.actor.subject)
    marked = await notifications.get(note.id)
    assert marked is not None
    return marked


# --- per-municipality integration feeds ---------------------------------------------------------------------------


async def forward_to_feed(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    """Every step of the journey, as it happened, on the municipality's own topic for its other systems.

    Events carry no identity numbers; what free text one may carry is withheld (`for_feed`), the rest goes out
    unchanged (same id)."""
    await uow.forward(for_feed(event), topic=tenant_topic(uow.municipality))


# --- reads for the API ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One page of a municipality's notifications or deadlines, oldest first: of one case, or of all."""

    case_id: str | None
    limit: int
    offset: int


async def list_notifications(query: Page, uow: UnitOfWork) -> list[Notification]:
    return await Notifications(uow).page(query.case_id, limit=query.limit, offset=query.offset)


async def list_deadlines(query: Page, uow: UnitOfWork) -> list[Deadline]:
    return await Deadlines(uow).page(query.case_id, limit=query.limit, offset=query.offset)


# --- a case's status as the person sees it ---------------------------------------------------------------------


async def track_status(event: CloudEvent[Any], uow: UnitOfWork) -> CaseState | None:
    """Move the case's status by a journey event, and announce the new status on notification.events.v1 and on the
    municipality's feed (this service produces it, so it goes to the feed as it is emitted). None when the event
    changes nothing: it does not move a case, or it is late."""
    statuses = CaseStatuses(uow)
    current = await statuses.get(event.subject)
    moved = next_status(current, event)
    if moved is None:
        return None
    await statuses.save(moved, previous=current)
    announced = await uow.emit(moved.announced())
    await uow.forward(for_feed(announced), topic=tenant_topic(uow.municipality))
    return moved


@dataclass(frozen=True)
class CasesOfPerson:
    """One page of a person's cases with their statuses, the latest step first."""

    person_id: str
    limit: int
    offset: int


@dataclass(frozen=True)
class CasePage:
    items: list[CaseState]
    total: int
    limit: int
    offset: int


async def cases_of_person(query: CasesOfPerson, uow: UnitOfWork) -> CasePage:
    """The office reads any person's cases of its municipality; a citizen their own only (another person's are
    not found, as if there were none)."""
    citizen = citizen_reading(uow.actor)
    if citizen is not None and citizen != query.person_id:
        raise NotFound(f"person_id: no person {query.person_id} in your municipality", field="person_id")
    items, total = await CaseStatuses(uow).of_person(query.person_id, limit=query.limit, offset=query.offset)
    return CasePage(items, total, query.limit, query.offset)


@dataclass(frozen=True)
class GetCaseStatus:
    case_id: str


async def case_status(query: GetCaseStatus, uow: UnitOfWork) -> CaseState:
    citizen = citizen_reading(uow.actor)
    state = await CaseStatuses(uow).get(query.case_id)
    if state is None or not readable_by(state, citizen):
        raise NotFound(f"case_id: no case {query.case_id} in your municipality", field="case_id")
    return state
