"""Assessment's event handlers: an application opens an assessment; a consent withdrawal narrows it; a
withdrawn application closes it; a decision the appeal body quashed opens the case's next round.

Coordination referrals and child-coordinator applications are the coordinating unit's business: no handler,
so the consumer acknowledges them as ignored. An emergency measure arrives as an ApplicationRegistered with
`emergency_measure` set, which is all the assessment needs.
"""

from __future__ import annotations

from typing import Any

from contracts.appeals import AppealOutcomeRecorded
from contracts.envelope import CloudEvent
from contracts.intake import ApplicationRegistered, ApplicationWithdrawn, ConsentWithdrawn
from servicekit.consumer import EventHandlers
from servicekit.db import UnitOfWork
from services.assessment import commands

handlers = EventHandlers()


@handlers.on(ApplicationRegistered)
async def on_application_registered(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    await commands.open_assessment(event, uow)


@handlers.on(ConsentWithdrawn)
async def on_consent_withdrawn(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    await commands.narrow_consent(event, uow)


@handlers.on(ApplicationWithdrawn)
async def on_application_withdrawn(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    await commands.close_withdrawn(event, uow)


@handlers.on(AppealOutcomeRecorded)
async def on_appeal_outcome_recorded(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    await commands.reopen_quashed(event, uow)
