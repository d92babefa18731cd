"""Notification's event handlers."""

from __future__ import annotations

from typing import Any

from contracts.deadlines import DeadlineCancelled, DeadlineKind, DeadlineScheduled
from contracts.decision import DecisionMade, LetterIssued
from contracts.envelope import CloudEvent
from contracts.intake import ApplicationRegistered
from contracts.topics import Topic, tenant_topic
from servicekit.consumer import EventHandlers
from servicekit.db import UnitOfWork, new_id
from services.notification import db
from services.notification.domain import decision_notice, preliminary_reply_deadline, receipt_for

SOURCE = "/forvalt/notification"

handlers = EventHandlers()


@handlers.on(ApplicationRegistered)
async def on_application_registered(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    data: ApplicationRegistered = event.data
    now = uow.clock.now()
    receipt = receipt_for(data.journal_number, data.received_on)
    await db.add_notification(
        uow.session,
        municipality=event.municipality,
        case_id=data.case_id,
        note=receipt,
        source_event_id=event.id,
        at=now,
    )
    plan = preliminary_reply_deadline(data.received_on)
    deadline_id = new_id()
    await db.add(
        uow.session,
        db.deadline,
        {
            "id": deadline_id,
            "municipality": event.municipality,
            "case_id": data.case_id,
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
            case_id=data.case_id,
            kind=plan.kind,
            due_on=plan.due_on,
            responsible=plan.responsible,
        ),
        source=SOURCE,
        subject=data.case_id,
        municipality=event.municipality,
    )


@handlers.on(DeadlineScheduled)
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


@handlers.on(DeadlineCancelled)
async def on_deadline_cancelled(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    data: DeadlineCancelled = event.data
    await db.cancel_deadline(uow.session, event.municipality, data.deadline_id, data.reason)


@handlers.on(DecisionMade)
async def on_decision_made(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    """A decision answers the case: the preliminary reply is no longer owed, and the applicant is told."""
    data: DecisionMade = event.data
    await db.cancel_case_deadlines(
        uow.session, event.municipality, data.case_id, DeadlineKind.PRELIMINARY_REPLY.value, "decision_made"
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


@handlers.on(LetterIssued)
async def on_letter_issued(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    """A preliminary reply went out: what that clock waited for has happened."""
    data: LetterIssued = event.data
    if data.kind == DeadlineKind.PRELIMINARY_REPLY.value:
        await db.cancel_case_deadlines(
            uow.session,
            event.municipality,
            data.case_id,
            DeadlineKind.PRELIMINARY_REPLY.value,
            "preliminary_reply_sent",
        )


# --- per-municipality integration feeds ------------------------------------------------------------

FEED_TOPICS = [Topic.INTAKE, Topic.ASSESSMENT, Topic.DECISION, Topic.COORDINATION, Topic.APPEALS, Topic.DEADLINES]


async def to_feed(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    """Every step of the journey, as it happened, on the municipality's own topic for its other systems.

    Events carry no identity numbers or free-text health information, so they go out unchanged (same id)."""
    await uow.forward(event, topic=tenant_topic(event.municipality))


handlers.tap(FEED_TOPICS, to_feed)
