"""Read models of the decision API, as query use cases run through the bus like the commands: `(query, uow)`,
reading the unit of work's municipality only. They shape what the routes answer: decisions with approvals,
orders and clocks; cases with what to decide; meetings with their agendas; letters; service orders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from contracts.assessment import ProposedOutcome
from contracts.coordination import ProposedResult
from contracts.decision import AppealInformation, DecidedBy, DecisionKind, Outcome, ReviewResult
from servicekit.calendar import local_date
from servicekit.db import UnitOfWork
from servicekit.errors import NotFound
from services.decision.config import Municipality
from services.decision.db import DecisionCases, Decisions, Letters, Meetings, ServiceOrders, measure_json
from services.decision.domain import (
    AgendaEntry,
    AgendaState,
    AgendaStatus,
    AppealOutcome,
    Approval,
    Attendee,
    CaseStatus,
    Decision,
    DecisionCase,
    DecisionStatus,
    DueReview,
    ExpectedChild,
    Letter,
    Meeting,
    QuashedDecision,
    Reasons,
    Reversal,
    RightRequest,
    ServiceLine,
    ServiceOrder,
    outcome_of_proposal,
)

# --- read models: what the routes answer, field for field as their response models ------------------------------


@dataclass(frozen=True)
class ServiceView:
    service_code: str
    name: str
    hours_per_week: float | None
    start_on: date
    end_on: date | None


@dataclass(frozen=True)
class OrderView:
    order_id: str
    decision_id: str
    case_id: str
    unit: str
    service_code: str
    hours_per_week: float | None
    start_on: date
    end_on: date | None
    created_at: datetime


@dataclass(frozen=True)
class DeadlineView:
    deadline_id: str
    kind: str
    due_on: date
    status: str


@dataclass(frozen=True)
class DecisionView:
    id: str
    case_id: str
    person_id: str
    kind: DecisionKind
    status: DecisionStatus
    outcome: Outcome
    services: tuple[ServiceView, ...]
    refused_services: tuple[str, ...]
    legal_basis: tuple[str, ...]
    reasons: Reasons
    decided_by: DecidedBy
    decided_on: date | None
    appeal: AppealInformation | None
    supersedes: str | None
    superseded_by: str | None
    review_result: ReviewResult | None
    meeting_id: str | None
    approvals_required_from: tuple[str, ...]
    approvals: tuple[Approval, ...]
    returned_reason: str | None
    service_orders: tuple[OrderView, ...]
    deadlines: tuple[DeadlineView, ...]
    letter_id: str | None
    letter_url: str | None
    drafted_by: str
    created_at: datetime
    made_at: datetime | None
    appeal_outcomes: tuple[AppealOutcome, ...]
    quashed_on: date | None
    quashed_by_outcome: str | None


@dataclass(frozen=True)
class DecisionSummary:
    """One of a case's decisions, as its history shows it: who decided, what superseded it, what the appeal body
    concluded about it, whether it was quashed."""

    id: str
    kind: DecisionKind
    status: DecisionStatus
    outcome: Outcome
    decided_by: DecidedBy
    decided_on: date | None
    supersedes: str | None
    superseded_by: str | None
    appeal_outcomes: tuple[AppealOutcome, ...]
    quashed_on: date | None
    quashed_by_outcome: str | None


@dataclass(frozen=True)
class ProposalView:
    """A starting point for a decision: the recommendation, the request, or the appealed decision."""

    outcome: Outcome
    services: tuple[ServiceLine, ...]
    refused_services: tuple[str, ...]
    legal_basis: tuple[str, ...] | None


@dataclass(frozen=True)
class CaseView:
    case_id: str
    person_id: str | None
    journal_number: str | None
    service_code: str | None
    received_on: date | None
    status: CaseStatus
    route: str | None
    awaiting: DecisionKind | None
    decided_by: DecidedBy | None
    emergency_measure: dict[str, Any] | None  # as stored: its times in ISO 8601
    recommendation: dict[str, Any] | None  # the assessment's, as it came
    requests: tuple[RightRequest, ...]
    reversal: Reversal | None
    appealed_decision: DecisionView | None
    agenda: AgendaState | None
    pending_decision_id: str | None
    proposal: ProposalView | None
    expected_child: ExpectedChild | None
    updated_at: datetime
    quashed: QuashedDecision | None
    decisions: tuple[DecisionSummary, ...]
    due_review: DueReview | None = None


@dataclass(frozen=True)
class AgendaItemView:
    case_id: str
    person_id: str | None
    reason: str
    emergency_measure: bool
    submitted_at: datetime
    status: AgendaStatus
    outcome: Outcome | None
    note: str | None
    recorded_by: str | None
    recorded_at: datetime | None
    recommendation: dict[str, Any] | None  # the assessment's, as it came


@dataclass(frozen=True)
class MeetingView:
    id: str
    name: str
    meeting_on: date
    starts_at: datetime
    cutoff_at: datetime
    attendees: tuple[Attendee, ...]
    attendees_recorded_at: datetime | None
    agenda: tuple[AgendaItemView, ...]


@dataclass(frozen=True)
class LetterView:
    id: str
    case_id: str
    decision_id: str | None
    kind: str
    language: str
    issued_on: date
    details: dict[str, Any]  # what the letter says, by kind
    created_at: datetime
    pdf_url: str


def letter_url(letter_id: str) -> str:
    return f"/letters/{letter_id}.pdf"


async def _decisions(uow: UnitOfWork, found: list[Decision], place: Municipality) -> list[DecisionView]:
    decisions = Decisions(uow)
    ids = [d.id for d in found]
    approvals = await decisions.approvals_of(ids)
    orders = await ServiceOrders(uow).of_decisions(ids)
    clocks = await decisions.clocks_of(ids)
    return [
        DecisionView(
            id=d.id,
            case_id=d.case_id,
            person_id=d.person_id,
            kind=d.kind,
            status=d.status,
            outcome=d.outcome,
            services=tuple(
                ServiceView(s.service_code, place.service_name(s.service_code), s.hours_per_week, s.start_on, s.end_on)
                for s in d.services
            ),
            refused_services=d.refused_services,
            legal_basis=d.legal_basis,
            reasons=d.reasons,
            decided_by=d.decided_by,
            decided_on=d.decided_on,
            appeal=d.appeal,
            supersedes=d.supersedes,
            superseded_by=d.superseded_by,
            review_result=d.review_result,
            meeting_id=d.meeting_id,
            approvals_required_from=d.required_units,
            approvals=tuple(a for a in approvals if a.decision_id == d.id),
            returned_reason=d.returned_reason,
            service_orders=tuple(_order(o) for o in orders if o.decision_id == d.id),
            deadlines=tuple(DeadlineView(c.id, c.kind, c.due_on, c.status) for c in clocks if c.decision_id == d.id),
            letter_id=d.letter_id,
            letter_url=letter_url(d.letter_id) if d.letter_id else None,
            drafted_by=d.drafted_by,
            created_at=d.created_at,
            made_at=d.made_at,
            appeal_outcomes=d.appeal_outcomes,
            quashed_on=d.quashed_on,
            quashed_by_outcome=d.quashed_by_outcome,
        )
        for d in found
    ]


def _summary(d: Decision) -> DecisionSummary:
    return DecisionSummary(
        id=d.id,
        kind=d.kind,
        status=d.status,
        outcome=d.outcome,
        decided_by=d.decided_by,
        decided_on=d.decided_on,
        supersedes=d.supersedes,
        superseded_by=d.superseded_by,
        appeal_outcomes=d.appeal_outcomes,
        quashed_on=d.quashed_on,
        quashed_by_outcome=d.quashed_by_outcome,
    )


def _order(order: ServiceOrder) -> OrderView:
    return OrderView(
        order_id=order.id,
        decision_id=order.decision_id,
        case_id=order.case_id,
        unit=order.unit,
        service_code=order.service_code,
        hours_per_week=order.hours_per_week,
        start_on=order.start_on,
        end_on=order.end_on,
        created_at=order.created_at,
    )


def _day(value: date | str) -> date:
    """A day from the recommendation as stored (JSON: ISO 8601)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def _recommended(service: dict[str, Any]) -> ServiceLine:
    end_on = service.get("end_on")
    return ServiceLine(
        service_code=service["service_code"],
        hours_per_week=service.get("hours_per_week"),
        start_on=_day(service["start_on"]),
        end_on=_day(end_on) if end_on is not None else None,
    )


def _proposal(case: DecisionCase, kind: DecisionKind, appealed: Decision | None, today: date) -> ProposalView | None:
    if kind is DecisionKind.REVERSAL and appealed is not None:
        return ProposalView(appealed.outcome, appealed.services, appealed.refused_services, appealed.legal_basis)
    if kind is DecisionKind.REQUESTED:
        granted = [r.right for r in case.requests if r.proposed == ProposedResult.GRANT]
        refused = [r.right for r in case.requests if r.proposed != ProposedResult.GRANT]
        outcome = Outcome.GRANTED if not refused else Outcome.REFUSED if not granted else Outcome.PARTLY_GRANTED
        return ProposalView(
            outcome,
            services=tuple(ServiceLine(code, None, today) for code in granted),
            refused_services=tuple(refused),
            legal_basis=None,
        )
    recommendation = case.recommendation
    if recommendation is not None:
        outcome = outcome_of_proposal(ProposedOutcome(recommendation["proposed_outcome"]))
        services = tuple(_recommended(s) for s in recommendation["services"])
        legal_basis = tuple(recommendation["legal_basis"])
        if outcome is Outcome.REFUSED:
            return ProposalView(outcome, (), tuple(s.service_code for s in services), legal_basis)
        return ProposalView(outcome, services, (), legal_basis)
    measure = case.emergency_measure
    if measure is not None:
        return ProposalView(
            Outcome.GRANTED,
            services=(ServiceLine(measure.service_code, None, local_date(measure.started_at)),),
            refused_services=(),
            legal_basis=None,
        )
    return None


async def _case(uow: UnitOfWork, case: DecisionCase, place: Municipality) -> CaseView:
    status = case.status
    waiting = status in (CaseStatus.AWAITING_DECISION, CaseStatus.AWAITING_APPROVAL)
    pending = case.pending
    kind = pending.kind if waiting else None
    decisions = Decisions(uow)
    appealed = await decisions.get(pending.reversal_of) if pending.reversal_of else None
    agenda = await Meetings(uow).agenda_state(case.agenda_item_id) if case.agenda_item_id else None
    draft = await decisions.pending_draft_of_case(case.case_id) if status is CaseStatus.AWAITING_APPROVAL else None
    today = uow.clock.today()
    return CaseView(
        case_id=case.case_id,
        person_id=case.person_id,
        journal_number=case.journal_number,
        service_code=case.service_code,
        received_on=case.received_on,
        status=status,
        route=case.route,
        awaiting=kind,
        decided_by=pending.decided_by(place.deciding(case.route).config.authority) if kind else None,
        emergency_measure=measure_json(case.emergency_measure) if case.emergency_measure else None,
        recommendation=case.recommendation,
        requests=case.requests,
        reversal=case.reversal,
        appealed_decision=(await _decisions(uow, [appealed], place))[0] if appealed else None,
        agenda=agenda,
        pending_decision_id=draft.id if draft else None,
        proposal=_proposal(case, kind, appealed, today) if kind and status is CaseStatus.AWAITING_DECISION else None,
        expected_child=case.expected_child,
        updated_at=case.updated_at,
        quashed=case.quashed,
        decisions=tuple(_summary(d) for d in await decisions.of_case(case.case_id)),
        due_review=case.due_review,
    )


async def _meetings(uow: UnitOfWork, found: list[Meeting]) -> list[MeetingView]:
    entries = await Meetings(uow).agenda_of([m.id for m in found])
    return [
        MeetingView(
            id=m.id,
            name=m.name,
            meeting_on=m.meeting_on,
            starts_at=m.starts_at,
            cutoff_at=m.cutoff_at,
            attendees=m.attendees,
            attendees_recorded_at=m.attendees_recorded_at,
            agenda=tuple(_agenda_item(e) for e in entries if e.item.meeting_id == m.id),
        )
        for m in found
    ]


def _agenda_item(entry: AgendaEntry) -> AgendaItemView:
    item = entry.item
    return AgendaItemView(
        case_id=item.case_id,
        person_id=entry.person_id,
        reason=item.reason,
        emergency_measure=item.emergency_measure,
        submitted_at=item.submitted_at,
        status=item.status,
        outcome=item.outcome,
        note=item.note,
        recorded_by=item.recorded_by,
        recorded_at=item.recorded_at,
        recommendation=entry.recommendation,
    )


def _letter(found: Letter) -> LetterView:
    return LetterView(
        id=found.id,
        case_id=found.case_id,
        decision_id=found.decision_id,
        kind=found.kind,
        language=found.language,
        issued_on=found.issued_on,
        details=found.details,
        created_at=found.created_at,
        pdf_url=letter_url(found.id),
    )


# --- cases --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListCases:
    place: Municipality
    statuses: tuple[CaseStatus, ...]
    limit: int
    offset: int


async def list_cases(query: ListCases, uow: UnitOfWork) -> list[CaseView]:
    found = await DecisionCases(uow).page(query.statuses, limit=query.limit, offset=query.offset)
    return [await _case(uow, c, query.place) for c in found]


@dataclass(frozen=True)
class GetCase:
    place: Municipality
    case_id: str


async def get_case(query: GetCase, uow: UnitOfWork) -> CaseView:
    found = await DecisionCases(uow).get(query.case_id)
    if found is None:
        raise NotFound(f"no case {query.case_id} in municipality {uow.municipality}")
    return await _case(uow, found, query.place)


# --- meetings -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListMeetings:
    from_on: date | None
    to_on: date | None
    limit: int


async def list_meetings(query: ListMeetings, uow: UnitOfWork) -> list[MeetingView]:
    found = await Meetings(uow).page(from_on=query.from_on, to_on=query.to_on, limit=query.limit)
    return await _meetings(uow, found)


async def get_meeting(meeting_id: str, uow: UnitOfWork) -> MeetingView:
    found = await Meetings(uow).get(meeting_id)
    if found is None:
        raise NotFound(f"no meeting {meeting_id} in municipality {uow.municipality}")
    return (await _meetings(uow, [found]))[0]


# --- decisions ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListDecisions:
    place: Municipality
    case_id: str | None
    status: DecisionStatus | None
    limit: int
    offset: int


async def list_decisions(query: ListDecisions, uow: UnitOfWork) -> list[DecisionView]:
    found = await Decisions(uow).page(
        case_id=query.case_id, status=query.status, limit=query.limit, offset=query.offset
    )
    return await _decisions(uow, found, query.place)


@dataclass(frozen=True)
class GetDecision:
    place: Municipality
    decision_id: str


async def get_decision(query: GetDecision, uow: UnitOfWork) -> DecisionView:
    found = await Decisions(uow).get(query.decision_id)
    if found is None:
        raise NotFound(f"no decision {query.decision_id} in municipality {uow.municipality}")
    return (await _decisions(uow, [found], query.place))[0]


# --- letters and service orders -----------------------------------------------------------------------------------


async def get_letter(letter_id: str, uow: UnitOfWork) -> LetterView:
    found = await Letters(uow).get(letter_id)
    if found is None:
        raise NotFound(f"no letter {letter_id} in municipality {uow.municipality}")
    return _letter(found)


async def letter_pdf(letter_id: str, uow: UnitOfWork) -> Letter:
    """The letter with its PDF."""
    found = await Letters(uow).get(letter_id, with_pdf=True)
    if found is None or found.pdf is None:
        raise NotFound(f"no letter {letter_id} in municipality {uow.municipality}")
    return found


@dataclass(frozen=True)
class ListLetters:
    case_id: str | None
    limit: int
    offset: int


async def list_letters(query: ListLetters, uow: UnitOfWork) -> list[LetterView]:
    found = await Letters(uow).page(case_id=query.case_id, limit=query.limit, offset=query.offset)
    return [_letter(f) for f in found]


@dataclass(frozen=True)
class ListServiceOrders:
    unit: str | None
    limit: int
    offset: int


async def list_service_orders(query: ListServiceOrders, uow: UnitOfWork) -> list[OrderView]:
    found = await ServiceOrders(uow).page(unit=query.unit, limit=query.limit, offset=query.offset)
    return [_order(o) for o in found]
