"""Notification's event handlers, bound to the municipalities' configuration (who must act on a case's clocks)."""

from __future__ import annotations

from typing import Any

from contracts.deadlines import DeadlineCancelled, DeadlineKind, DeadlineScheduled
from contracts.decision import DecisionMade, LetterIssued
from contracts.envelope import CloudEvent
from contracts.intake import (
    ApplicationRegistered,
    ApplicationWithdrawn,
    ChildCoordinatorApplicationRegistered,
    ConsentWithdrawn,
    CoordinationReferralRegistered,
)
from contracts.topics import Topic, tenant_topic
from servicekit.consumer import EventHandlers
from servicekit.db import UnitOfWork, new_id
from servicekit.tenants import Tenants
from services.notification import db
from services.notification.domain import (
    CancelReason,
    CaseOpening,
    case_opening,
    decision_notice,
    withdraws_processing,
)

# Every registration that ends in an individual decision: each gets its receipt and preliminary-reply clock.
CASE_REGISTERED = (ApplicationRegistered, CoordinationReferralRegistered, ChildCoordinatorApplicationRegistered)


def build_handlers(tenants: Tenants) -> EventHandlers:
    """The handlers, bound to the municipalities' configuration."""
    handlers = EventHandlers()

    async def on_case_registered(event: CloudEvent[Any], uow: UnitOfWork) -> None:
        await open_case(event, uow, case_opening(event.data, tenants.get(event.municipality)))

    for registered in CASE_REGISTERED:
        handlers.on(registered)(on_case_registered)

    handlers.on(ApplicationWithdrawn)(on_application_withdrawn)
    handlers.on(ConsentWithdrawn)(on_consent_withdrawn)
    handlers.on(DeadlineScheduled)(on_deadline_scheduled)
    handlers.on(DeadlineCancelled)(on_deadline_cancelled)
    handlers.on(DecisionMade)(on_decision_made)
    handlers.on(LetterIssued)(on_letter_issued)
    handlers.tap(FEED_TOPICS, to_feed)
    return handlers


async def open_case(event: CloudEvent[Any], uow: UnitOfWork, opening: CaseOpening) -> None:
    """Record the receipt, start the preliminary-reply clock and announce it on deadlines.v1."""
    case_id: str = event.data.case_id
    now = uow.clock.now()
    await db.add_notification(
        uow.session,
        municipality=event.municipality,
        case_id=case_id,
        note=opening.receipt,
        source_event_id=event.id,
        at=now,
    )
    plan = opening.deadline
    deadline_id = new_id()
    await db.add(
        uow.session,
        db.deadline,
        {
            "id": deadline_id,
            "municipality": event.municipality,
            "case_id": case_id,
            "kind": plan.kind.value,
            "due_on": plan.due_on,
            "responsible": plan.responsible,
            "status": "scheduled",
            "created_at": now,
        },
    )
    await uow.emit(
        DeadlineScheduled(
            deadline_id=deadline_id,
            case_id=case_id,
            kind=plan.kind,
            due_on=plan.due_on,
            responsible=plan.responsible,
        ),
    )


async def on_application_withdrawn(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    """No decision will be made: no clock of the case is owed any more."""
    data: ApplicationWithdrawn = event.data
    await db.cancel_case_deadlines(
        uow.session, event.municipality, data.case_id, CancelReason.APPLICATION_WITHDRAWN.value
    )


async def on_consent_withdrawn(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    """Without consent to processing the case cannot go on, so its clocks stop; a narrower withdrawal leaves them."""
    data: ConsentWithdrawn = event.data
    if withdraws_processing(data):
        await db.cancel_case_deadlines(
            uow.session, event.municipality, data.case_id, CancelReason.CONSENT_WITHDRAWN.value
        )


async def on_deadline_scheduled(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    """Keep a clock another service started (or our own, seen again on the topic: then nothing changes)."""
    data: DeadlineScheduled = event.data
    if await db.deadline_exists(uow.session, data.deadline_id):
        return
    await db.add(
        uow.session,
        db.deadline,
        {
            "id": data.deadline_id,
            "municipality": event.municipality,
            "case_id": data.case_id,
            "kind": data.kind,
            "due_on": data.due_on,
            "responsible": data.responsible,
            "status": "scheduled",
            "created_at": uow.clock.now(),
        },
    )


async def on_deadline_cancelled(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    data: DeadlineCancelled = event.data
    await db.cancel_deadline(uow.session, event.municipality, data.deadline_id, data.reason)


async def on_decision_made(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    """A decision answers the case: the preliminary reply is no longer owed, and the applicant is told."""
    data: DecisionMade = event.data
    await db.cancel_case_deadlines(
        uow.session,
        event.municipality,
        data.case_id,
        CancelReason.DECISION_MADE.value,
        kind=DeadlineKind.PRELIMINARY_REPLY.value,
    )
    letter = decision_notice(data.outcome.value, data.appeal.deadline_on)
    await db.add_notification(
        uow.session,
        municipality=event.municipality,
        case_id=data.case_id,
        note=letter,
        source_event_id=event.id,
        at=uow.clock.now(),
    )


async def on_letter_issued(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    """A preliminary reply went out: what that clock waited for has happened."""
    data: LetterIssued = event.data
    if data.kind == DeadlineKind.PRELIMINARY_REPLY.value:
        await db.cancel_case_deadlines(
            uow.session,
            event.municipality,
            data.case_id,
            CancelReason.PRELIMINARY_REPLY_SENT.value,
            kind=DeadlineKind.PRELIMINARY_REPLY.value,
        )


# --- per-municipality integration feeds ------------------------------------------------------------

FEED_TOPICS = [Topic.INTAKE, Topic.ASSESSMENT, Topic.DECISION, Topic.COORDINATION, Topic.APPEALS, Topic.DEADLINES]


async def to_feed(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    """Every step of the journey, as it happened, on the municipality's own topic for its other systems.

    Events carry no identity numbers or free-text health information, so they go out unchanged (same id)."""
    await uow.forward(event, topic=tenant_topic(event.municipality))
