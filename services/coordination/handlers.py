"""Coordination's event handlers: intake's coordination referrals and child-coordinator applications open a
referral; every decision made is kept (codes and ids) for the criteria, and answers a referral that asked for it."""

from __future__ import annotations

from typing import Any

from contracts.decision import DecisionMade
from contracts.envelope import CloudEvent
from contracts.intake import ChildCoordinatorApplicationRegistered, CoordinationReferralRegistered
from servicekit.consumer import EventHandlers
from servicekit.db import UnitOfWork
from services.coordination import commands

handlers = EventHandlers()


@handlers.on(CoordinationReferralRegistered)
async def on_referral_registered(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    await commands.open_referral(event, uow)


@handlers.on(ChildCoordinatorApplicationRegistered)
async def on_child_coordinator_application(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    await commands.open_child_application(event, uow)


@handlers.on(DecisionMade)
async def on_decision_made(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    await commands.record_decision(event, uow)
