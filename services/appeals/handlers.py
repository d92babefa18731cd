"""Appeals's event handlers: every decision made is learned with its appeal route and its letter's assumed
delivery; a digital mailbox's receipt fixes the day the letter reached the person; the appeal body's system reports
its outcomes."""

from __future__ import annotations

from typing import Any

from contracts.appeals import AppealBodyOutcome, LetterDelivered
from contracts.decision import DecisionMade
from contracts.envelope import CloudEvent
from servicekit.consumer import EventHandlers
from servicekit.db import UnitOfWork
from services.appeals import commands

handlers = EventHandlers()


@handlers.on(DecisionMade)
async def on_decision_made(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    await commands.learn_decision(event, uow)


@handlers.on(LetterDelivered)
async def on_letter_delivered(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    await commands.letter_delivered(event, uow)


@handlers.on(AppealBodyOutcome)
async def on_appeal_body_outcome(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    await commands.body_outcome(event, uow)
