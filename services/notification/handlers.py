"""Notification's event handlers: each hands its event to a use case (`commands`). The unit of work is opened for
the event's municipality, and who must act on a case's clocks comes from that municipality's configuration."""

from __future__ import annotations

from typing import Any

from contracts.appeals import (
    AppealClosed,
    AppealForwarded,
    AppealOutcomeRecorded,
    AppealRegistered,
    AppealReversedByOffice,
    DecisionDeliveryRecorded,
)
from contracts.deadlines import DeadlineCancelled, DeadlineScheduled
from contracts.decision import DecisionMade, LetterIssued
from contracts.envelope import CloudEvent
from contracts.intake import (
    ApplicationRegistered,
    ApplicationWithdrawn,
    ChildCoordinatorApplicationRegistered,
    ConsentWithdrawn,
    CoordinationReferralRegistered,
)
from contracts.topics import Topic
from servicekit.consumer import EventHandlers
from servicekit.db import UnitOfWork
from services.notification import commands

handlers = EventHandlers()


# Every registration that ends in an individual decision: each gets its receipt and preliminary-reply clock.
@handlers.on(ApplicationRegistered)
@handlers.on(CoordinationReferralRegistered)
@handlers.on(ChildCoordinatorApplicationRegistered)
async def on_case_registered(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    await commands.open_case(event, uow)


@handlers.on(ApplicationWithdrawn)
async def on_application_withdrawn(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    await commands.application_withdrawn(event, uow)


@handlers.on(ConsentWithdrawn)
async def on_consent_withdrawn(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    await commands.consent_withdrawn(event, uow)


@handlers.on(DeadlineScheduled)
async def on_deadline_scheduled(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    await commands.keep_deadline(event, uow)


@handlers.on(DeadlineCancelled)
async def on_deadline_cancelled(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    await commands.deadline_cancelled(event, uow)


@handlers.on(DecisionMade)
async def on_decision_made(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    await commands.decision_made(event, uow)


@handlers.on(LetterIssued)
async def on_letter_issued(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    await commands.letter_issued(event, uow)


# Each step of an appeal is told to the person.
@handlers.on(DecisionDeliveryRecorded)
async def on_decision_delivered(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    await commands.decision_delivered(event, uow)


@handlers.on(AppealRegistered)
async def on_appeal_registered(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    await commands.appeal_registered(event, uow)


@handlers.on(AppealReversedByOffice)
async def on_appeal_reversed_by_office(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    await commands.appeal_reversed_by_office(event, uow)


@handlers.on(AppealForwarded)
async def on_appeal_forwarded(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    await commands.appeal_forwarded(event, uow)


@handlers.on(AppealOutcomeRecorded)
async def on_appeal_outcome_recorded(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    await commands.appeal_outcome_recorded(event, uow)


@handlers.on(AppealClosed)
async def on_appeal_closed(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    await commands.appeal_closed(event, uow)


# Per-municipality integration feeds: every journey event, after its own handler, on tenant.<N>.events.v1.
FEED_TOPICS = [Topic.INTAKE, Topic.ASSESSMENT, Topic.DECISION, Topic.COORDINATION, Topic.APPEALS, Topic.DEADLINES]


async def to_feed(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    await commands.forward_to_feed(event, uow)


handlers.tap(FEED_TOPICS, to_feed)

# Topics whose events this service produces itself: each goes to the feed as it is emitted, not consumed back.
OWN_FEED_TOPICS = [Topic.NOTIFICATION]

# A case's status as the person sees it: every event of the journey may move it (after the event reached the feed,
# so that the feed carries the step before the status it gives).
STATUS_TOPICS = [Topic.INTAKE, Topic.ASSESSMENT, Topic.DECISION, Topic.COORDINATION, Topic.APPEALS]


async def to_case_status(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    await commands.track_status(event, uow)


handlers.tap(STATUS_TOPICS, to_case_status)
