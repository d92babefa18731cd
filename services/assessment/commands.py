"""Assessment's use cases: load the assessment through the repository, let the aggregate check the rules and
raise its events, save it, emit the events. The bus opens the unit of work and commits it.

A handed-over case is worked on by a partner office under a recorded grant: the unit of work then acts for
the partner municipality, while the case (its feed, its notifications, its rules) stays the home
municipality's. The two helpers below are the only places that cross from the acting municipality to the
home one, and both check the grant first.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from contracts.appeals import AppealOutcomeRecorded
from contracts.assessment import AssigneeKind, InformationSource, ProposedOutcome, VisitKind
from contracts.envelope import CloudEvent, EventModel
from contracts.intake import ApplicationRegistered, ApplicationWithdrawn, ConsentWithdrawn
from servicekit.actor import CaseGrant
from servicekit.context import bind
from servicekit.db import UnitOfWork
from servicekit.errors import Forbidden
from servicekit.tenants import Tenant
from services.assessment.db import Assessments
from services.assessment.domain import (
    Assessment,
    AssessmentSummary,
    CriteriaEvaluation,
    InformationRequest,
    ServiceLine,
    Status,
    Visit,
    listing_unit,
    reopening,
)
from services.assessment.iplos import load_variables

log = logging.getLogger(__name__)

# The CloudEvents source of this service (servicekit's Runtime derives the same from the service's name).


# --- acting on a case of another municipality by a grant -------------------------------------------


def _grant(uow: UnitOfWork, assessment: Assessment) -> CaseGrant | None:
    """None for the home office; for a partner office, the grant it works the case by (else Forbidden)."""
    if assessment.is_home(uow.municipality):
        return None
    if not assessment.has_grant_for(uow.municipality):
        raise Forbidden(f"municipality {uow.municipality} has no access to this case")
    return CaseGrant(home=assessment.municipality, case_id=assessment.case_id)


async def emit_for_home(uow: UnitOfWork, assessment: Assessment, events: Sequence[EventModel]) -> None:
    """Emit the events `assessment` raised for the case's HOME municipality, whoever acted: a partner office's
    events about a handed-over case belong to the home municipality's journey (its feed, its deadlines)."""
    await uow.emit_all(events, grant=_grant(uow, assessment))


def home_tenant(uow: UnitOfWork, assessment: Assessment) -> Tenant:
    """The configuration of the case's HOME municipality (its units, criteria, catalogue, partner offices):
    a partner office works on the case by the home's rules."""
    grant = _grant(uow, assessment)
    return uow.tenant if grant is None else uow.tenant_of(grant)


async def _load(uow: UnitOfWork, assessment_id: str, *, for_update: bool = True) -> tuple[Assessments, Assessment]:
    assessments = Assessments(uow)
    assessment = await assessments.get(assessment_id, for_update=for_update)
    bind(case_id=assessment.case_id)
    return assessments, assessment


async def _save_and_emit(
    uow: UnitOfWork, assessments: Assessments, assessment: Assessment, events: Sequence[EventModel]
) -> AssessmentView:
    await assessments.save(assessment)
    await emit_for_home(uow, assessment, events)
    return AssessmentView(assessment, uow.clock.today())


# --- results -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssessmentView:
    """An assessment as it stands, and the service clock's today (for "overdue")."""

    assessment: Assessment
    today: date


@dataclass(frozen=True)
class Page:
    items: list[AssessmentSummary]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True)
class RequestView:
    request: InformationRequest
    overdue: bool


def _request_view(request: InformationRequest, today: date) -> RequestView:
    return RequestView(request, request.overdue(today))


# --- reading -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListAssessments:
    status: Status | None = None
    case_id: str | None = None
    limit: int = 50
    offset: int = 0


async def list_assessments(cmd: ListAssessments, uow: UnitOfWork) -> Page:
    unit = listing_unit(uow.actor)
    if cmd.case_id:
        bind(case_id=cmd.case_id)
    items, total = await Assessments(uow).list_visible(
        status=cmd.status, case_id=cmd.case_id, unit=unit, limit=cmd.limit, offset=cmd.offset
    )
    return Page(items, total, cmd.limit, cmd.offset)


@dataclass(frozen=True)
class GetAssessment:
    assessment_id: str


async def get_assessment(cmd: GetAssessment, uow: UnitOfWork) -> AssessmentView:
    _, assessment = await _load(uow, cmd.assessment_id, for_update=False)
    assessment.acting_as(uow.actor)
    return AssessmentView(assessment, uow.clock.today())


@dataclass(frozen=True)
class ListInformationRequests:
    assessment_id: str
    overdue: bool | None = None


async def list_information_requests(cmd: ListInformationRequests, uow: UnitOfWork) -> list[RequestView]:
    _, assessment = await _load(uow, cmd.assessment_id, for_update=False)
    assessment.acting_as(uow.actor)
    today = uow.clock.today()
    views = [_request_view(r, today) for r in assessment.information_requests]
    return [v for v in views if cmd.overdue is None or v.overdue is cmd.overdue]


# --- the office decides who assesses ------------------------------------------------------------------


@dataclass(frozen=True)
class Assign:
    assessment_id: str
    assignee_kind: AssigneeKind
    assignee: str


async def assign(cmd: Assign, uow: UnitOfWork) -> AssessmentView:
    assessments, assessment = await _load(uow, cmd.assessment_id)
    events = assessment.assign(
        uow.actor, cmd.assignee_kind, cmd.assignee, home_tenant(uow, assessment), uow.clock.now()
    )
    return await _save_and_emit(uow, assessments, assessment, events)


# --- visits ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleVisit:
    assessment_id: str
    kind: VisitKind
    scheduled_at: datetime


async def schedule_visit(cmd: ScheduleVisit, uow: UnitOfWork) -> Visit:
    assessments, assessment = await _load(uow, cmd.assessment_id)
    events = assessment.schedule_visit(uow.actor, cmd.kind, cmd.scheduled_at, uow.clock.now())
    await _save_and_emit(uow, assessments, assessment, events)
    return assessment.visits[-1]


@dataclass(frozen=True)
class RecordVisit:
    assessment_id: str
    visit_id: str
    held_at: datetime
    notes: str


async def record_visit(cmd: RecordVisit, uow: UnitOfWork) -> Visit:
    assessments, assessment = await _load(uow, cmd.assessment_id)
    events = assessment.record_visit(uow.actor, cmd.visit_id, cmd.held_at, cmd.notes, uow.clock.now())
    await _save_and_emit(uow, assessments, assessment, events)
    return assessment.visit(cmd.visit_id)


# --- information from the GP or hospital --------------------------------------------------------------


@dataclass(frozen=True)
class RequestInformation:
    assessment_id: str
    source: InformationSource
    due_on: date


async def request_information(cmd: RequestInformation, uow: UnitOfWork) -> RequestView:
    assessments, assessment = await _load(uow, cmd.assessment_id)
    events = assessment.request_information(uow.actor, cmd.source, cmd.due_on, uow.clock.now())
    view = await _save_and_emit(uow, assessments, assessment, events)
    return _request_view(assessment.information_requests[-1], view.today)


@dataclass(frozen=True)
class ReceiveInformation:
    assessment_id: str
    request_id: str
    received_on: date


async def receive_information(cmd: ReceiveInformation, uow: UnitOfWork) -> RequestView:
    assessments, assessment = await _load(uow, cmd.assessment_id)
    events = assessment.receive_information(uow.actor, cmd.request_id, cmd.received_on, uow.clock.now())
    view = await _save_and_emit(uow, assessments, assessment, events)
    return _request_view(assessment.information_request(cmd.request_id), view.today)


# --- IPLOS, criteria, the best interests of the child -------------------------------------------------


@dataclass(frozen=True)
class RecordScores:
    assessment_id: str
    scores: dict[str, int]
    assessed_on: date


async def record_scores(cmd: RecordScores, uow: UnitOfWork) -> AssessmentView:
    assessments, assessment = await _load(uow, cmd.assessment_id)
    events = assessment.record_scores(uow.actor, cmd.scores, cmd.assessed_on, load_variables(), uow.clock.now())
    return await _save_and_emit(uow, assessments, assessment, events)


@dataclass(frozen=True)
class EvaluateCriteria:
    assessment_id: str
    given: CriteriaEvaluation


async def evaluate_criteria(cmd: EvaluateCriteria, uow: UnitOfWork) -> AssessmentView:
    assessments, assessment = await _load(uow, cmd.assessment_id)
    events = assessment.evaluate_criteria(uow.actor, cmd.given, home_tenant(uow, assessment), uow.clock.now())
    return await _save_and_emit(uow, assessments, assessment, events)


@dataclass(frozen=True)
class AssessChildBestInterests:
    assessment_id: str
    children_considered: int
    assessment: str


async def assess_child_best_interests(cmd: AssessChildBestInterests, uow: UnitOfWork) -> AssessmentView:
    assessments, assessment = await _load(uow, cmd.assessment_id)
    events = assessment.assess_child_best_interests(uow.actor, cmd.children_considered, cmd.assessment, uow.clock.now())
    return await _save_and_emit(uow, assessments, assessment, events)


# --- recommendation, completion, hand-over ------------------------------------------------------------


@dataclass(frozen=True)
class Recommend:
    assessment_id: str
    services: tuple[ServiceLine, ...]
    legal_basis: tuple[str, ...] | None
    proposed_outcome: ProposedOutcome
    reasons: str


async def recommend(cmd: Recommend, uow: UnitOfWork) -> AssessmentView:
    assessments, assessment = await _load(uow, cmd.assessment_id)
    events = assessment.recommend(
        uow.actor,
        services=cmd.services,
        legal_basis=cmd.legal_basis,
        proposed_outcome=cmd.proposed_outcome,
        reasons=cmd.reasons,
        tenant=home_tenant(uow, assessment),
        now=uow.clock.now(),
    )
    return await _save_and_emit(uow, assessments, assessment, events)


@dataclass(frozen=True)
class Complete:
    assessment_id: str


async def complete(cmd: Complete, uow: UnitOfWork) -> AssessmentView:
    assessments, assessment = await _load(uow, cmd.assessment_id)
    events = assessment.complete(uow.actor, load_variables(), uow.clock.now())
    return await _save_and_emit(uow, assessments, assessment, events)


@dataclass(frozen=True)
class HandOver:
    assessment_id: str


async def hand_over(cmd: HandOver, uow: UnitOfWork) -> AssessmentView:
    assessments, assessment = await _load(uow, cmd.assessment_id)
    events = assessment.hand_over(uow.actor, home_tenant(uow, assessment), uow.clock.now())
    return await _save_and_emit(uow, assessments, assessment, events)


# --- consumed events (the bus opens the unit of work for the event's municipality) ---------------------


async def open_assessment(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    """Open one assessment per case, however often the application is delivered."""
    data: ApplicationRegistered = event.data
    assessments = Assessments(uow)
    if await assessments.by_case(data.case_id) is not None:
        return
    assessment, events = Assessment.open(uow.municipality, data, uow.clock.now())
    await assessments.add(assessment)
    await uow.emit_all(events)


async def narrow_consent(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    """Keep the consent that still holds, in every round of the case (a partner office's grant on an earlier round
    holds only while the consent does); stop fetching what may no longer be fetched."""
    data: ConsentWithdrawn = event.data
    assessments = Assessments(uow)
    remaining = data.remaining
    # No round: not an application we assess (e.g. a coordination referral).
    for assessment in await assessments.rounds_of_case(data.case_id):
        events = assessment.update_consent(
            [s.value for s in remaining.scope] if remaining else [],
            list(remaining.share_with) if remaining else [],
            processing_withdrawn=remaining is None,
            now=uow.clock.now(),
        )
        await assessments.save(assessment)
        await uow.emit_all(events)


async def close_withdrawn(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    """A withdrawn application needs no assessment: close the round still open and stop the clocks it started."""
    data: ApplicationWithdrawn = event.data
    assessments = Assessments(uow)
    for assessment in await assessments.rounds_of_case(data.case_id):
        events = assessment.withdraw(uow.clock.now())
        if events:
            await assessments.save(assessment)
            await uow.emit_all(events)


async def reopen_quashed(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    """The appeal body quashed a decision of the case: the case is assessed anew in a new round. Other outcomes, and
    an outcome that already opened its round, change nothing; an outcome of a case this municipality does not
    assess is ignored, as intake's events of such cases are."""
    data: AppealOutcomeRecorded = event.data
    assessments = Assessments(uow)
    rounds = await assessments.rounds_of_case(data.case_id)
    if not rounds:
        log.info("appeal outcome %s of case %s: no assessment of the case here; ignored", data.outcome_id, data.case_id)
        return
    opened = reopening(rounds, data, uow.clock.now())
    if opened is None:
        return
    assessment, events = opened
    await assessments.add(assessment)
    await uow.emit_all(events)
