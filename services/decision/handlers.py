"""Decision's event handlers: cases become ready for a decision and go on an allocation meeting's agenda."""

from __future__ import annotations

from typing import Any

from contracts.appeals import AppealOutcomeRecorded, AppealReversedByOffice
from contracts.assessment import AssessmentCompleted
from contracts.coordination import DecisionRequested
from contracts.deadlines import DeadlineDue
from contracts.envelope import CloudEvent
from contracts.intake import (
    ApplicationRegistered,
    ApplicationWithdrawn,
    ChildCoordinatorApplicationRegistered,
    EmergencyMeasureRegistered,
)
from servicekit.consumer import EventHandlers
from servicekit.db import UnitOfWork
from services.decision import cases
from services.decision.config import Municipality


def build_handlers() -> EventHandlers:
    """The handlers. The municipality's configuration is the unit of work's (`uow.tenant`); when the event is
    processed is the service's clock (`uow.clock`); when something was submitted is the event's own time."""
    handlers = EventHandlers()

    def place(uow: UnitOfWork) -> Municipality:
        return Municipality.of(uow.tenant)

    @handlers.on(ApplicationRegistered)
    async def on_application_registered(event: CloudEvent[Any], uow: UnitOfWork) -> None:
        await cases.register_application(event.data, uow)

    @handlers.on(ChildCoordinatorApplicationRegistered)
    async def on_child_coordinator_application(event: CloudEvent[Any], uow: UnitOfWork) -> None:
        await cases.register_child_coordinator_application(event.data, uow)

    @handlers.on(ApplicationWithdrawn)
    async def on_application_withdrawn(event: CloudEvent[Any], uow: UnitOfWork) -> None:
        await cases.withdraw_application(event.data, uow)

    @handlers.on(EmergencyMeasureRegistered)
    async def on_emergency_measure(event: CloudEvent[Any], uow: UnitOfWork) -> None:
        await cases.register_emergency_measure(cases.MeasureRegistered(place(uow), event.data), uow)

    @handlers.on(AssessmentCompleted)
    async def on_assessment_completed(event: CloudEvent[Any], uow: UnitOfWork) -> None:
        # Submitted when the assessment was completed: the event's time, the same on every redelivery.
        await cases.receive_recommendation(cases.Recommendation(place(uow), event.data, event.time), uow)

    @handlers.on(DecisionRequested)
    async def on_decision_requested(event: CloudEvent[Any], uow: UnitOfWork) -> None:
        await cases.receive_request(event.data, uow)

    @handlers.on(AppealReversedByOffice)
    async def on_appeal_reversed(event: CloudEvent[Any], uow: UnitOfWork) -> None:
        await cases.receive_reversal(event.data, uow)

    @handlers.on(AppealOutcomeRecorded)
    async def on_appeal_outcome(event: CloudEvent[Any], uow: UnitOfWork) -> None:
        await cases.receive_appeal_outcome(event.data, uow)

    @handlers.on(DeadlineDue)
    async def on_deadline_due(event: CloudEvent[Any], uow: UnitOfWork) -> None:
        await cases.receive_due_deadline(cases.DueDeadline(place(uow), event.data), uow)

    return handlers
