"""Assessment's event handlers: an application opens an assessment; a consent withdrawal narrows it.

Coordination referrals and child-coordinator applications are the coordinating unit's business: no handler,
so the consumer acknowledges them as ignored. An emergency measure arrives as an ApplicationRegistered with
`emergency_measure` set, which is all the assessment needs.
"""

from __future__ import annotations

from typing import Any

from contracts.assessment import AssessmentClosed, AssessmentOpened, InformationSource
from contracts.deadlines import DeadlineCancelled, DeadlineKind
from contracts.envelope import CloudEvent
from contracts.intake import ApplicationRegistered, ApplicationWithdrawn, ConsentWithdrawn
from servicekit.consumer import EventHandlers
from servicekit.db import UnitOfWork, new_id
from services.assessment import db
from services.assessment.domain import CLOSED, RequestStatus, Status, requests_to_cancel

handlers = EventHandlers()


@handlers.on(ApplicationRegistered)
async def on_application_registered(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    """Open one assessment per case, however often the application is delivered."""
    data: ApplicationRegistered = event.data
    if await db.find_by_case(uow.session, event.municipality, data.case_id) is not None:
        return
    now = uow.clock.now()
    assessment_id = new_id()
    await db.add_assessment(
        uow.session,
        {
            "id": assessment_id,
            "municipality": event.municipality,
            "case_id": data.case_id,
            "journal_number": data.journal_number,
            "person_id": data.person_id,
            "service_code": data.service_code,
            "route": data.route.value,
            "received_on": data.received_on,
            "involves_child": data.involves_child,
            "emergency_measure": data.emergency_measure,
            "consent_scope": [s.value for s in data.consent.scope],
            "consent_share_with": list(data.consent.share_with),
            "status": Status.OPEN.value,
            "writes_own_assessment": False,
            "created_at": now,
            "updated_at": now,
        },
    )
    await uow.emit(
        AssessmentOpened(
            assessment_id=assessment_id,
            case_id=data.case_id,
            person_id=data.person_id,
            service_code=data.service_code,
            involves_child=data.involves_child,
        ),
    )


@handlers.on(ConsentWithdrawn)
async def on_consent_withdrawn(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    """Keep the consent that still holds; stop fetching what may no longer be fetched."""
    data: ConsentWithdrawn = event.data
    found = await db.find_by_case(uow.session, event.municipality, data.case_id)
    if found is None:
        return  # not an application we assess (e.g. a coordination referral)
    scope = [s.value for s in data.remaining.scope] if data.remaining else []
    share_with = list(data.remaining.share_with) if data.remaining else []
    now = uow.clock.now()
    await db.update_assessment(
        uow.session, found["id"], consent_scope=scope, consent_share_with=share_with, updated_at=now
    )
    open_requests = {r["id"]: r for r in await db.open_requests(uow.session, found["id"])}
    cancelled = requests_to_cancel(((rid, InformationSource(r["source"])) for rid, r in open_requests.items()), scope)
    await _cancel_requests(
        uow, event, found, {rid: open_requests[rid] for rid in cancelled}, RequestStatus.CANCELLED_CONSENT_WITHDRAWN
    )
    if data.remaining is None and Status(found["status"]) not in CLOSED:
        # Without consent to process, the case cannot be assessed any further.
        await _close(uow, event, found, Status.CONSENT_WITHDRAWN, "consent_withdrawn")


@handlers.on(ApplicationWithdrawn)
async def on_application_withdrawn(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    """A withdrawn application needs no assessment: close it and stop the clocks it started."""
    data: ApplicationWithdrawn = event.data
    found = await db.find_by_case(uow.session, event.municipality, data.case_id)
    if found is None or Status(found["status"]) in CLOSED:
        return
    open_requests = {r["id"]: r for r in await db.open_requests(uow.session, found["id"])}
    await _cancel_requests(uow, event, found, open_requests, RequestStatus.CANCELLED_APPLICATION_WITHDRAWN)
    await _close(uow, event, found, Status.WITHDRAWN, "application_withdrawn")


async def _cancel_requests(
    uow: UnitOfWork,
    event: CloudEvent[Any],
    found: dict[str, Any],
    requests: dict[str, dict[str, Any]],
    status: RequestStatus,
) -> None:
    reason = status.value.removeprefix("cancelled_")
    for request_id, request in requests.items():
        await db.update_child(
            uow.session, db.information_request, request_id, status=status.value, closed_at=uow.clock.now()
        )
        await uow.emit(
            DeadlineCancelled(
                deadline_id=request["deadline_id"],
                case_id=found["case_id"],
                kind=DeadlineKind.INFORMATION_REQUEST,
                reason=reason,
            ),
        )


async def _close(uow: UnitOfWork, event: CloudEvent[Any], found: dict[str, Any], status: Status, reason: str) -> None:
    await db.update_assessment(uow.session, found["id"], status=status.value, updated_at=uow.clock.now())
    await uow.emit(
        AssessmentClosed(assessment_id=found["id"], case_id=found["case_id"], reason=reason),
    )
