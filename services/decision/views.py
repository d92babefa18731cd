"""Read models of the decision API, as query use cases run through the bus like the commands: `(query, uow)`,
reading the unit of work's municipality only. They shape what the routes answer: decisions with approvals,
orders and clocks; cases with what to decide; meetings with their agendas; letters; service orders."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from contracts.assessment import ProposedOutcome
from contracts.coordination import ProposedResult
from contracts.decision import DecisionKind, Outcome
from servicekit.calendar import local_date
from servicekit.db import UnitOfWork
from servicekit.errors import NotFound
from services.decision.cases import Municipality
from services.decision.db import DecisionCases, Decisions, Letters, Meetings, ServiceOrders, measure_json
from services.decision.domain import (
    CaseStatus,
    Decision,
    DecisionCase,
    DecisionStatus,
    Letter,
    Meeting,
    ServiceOrder,
    decided_by,
    outcome_of_proposal,
)

View = dict[str, Any]  # the shape of one response body (validated by the route's response model)


def letter_url(letter_id: str) -> str:
    return f"/letters/{letter_id}.pdf"


async def _decisions(uow: UnitOfWork, found: list[Decision], place: Municipality) -> list[View]:
    decisions = Decisions(uow)
    ids = [d.id for d in found]
    approvals = await decisions.approvals_of(ids)
    orders = await ServiceOrders(uow).of_decisions(ids)
    clocks = await decisions.clocks_of(ids)
    return [
        {
            **asdict(d),
            "services": [{**asdict(s), "name": place.service_name(s.service_code)} for s in d.services],
            "appeal": d.appeal,
            "approvals_required_from": list(d.required_units),
            "approvals": [asdict(a) for a in approvals if a.decision_id == d.id],
            "service_orders": [_order(o) for o in orders if o.decision_id == d.id],
            "deadlines": [{**asdict(c), "deadline_id": c.id} for c in clocks if c.decision_id == d.id],
            "letter_url": letter_url(d.letter_id) if d.letter_id else None,
        }
        for d in found
    ]


def _order(order: ServiceOrder) -> View:
    return {**asdict(order), "order_id": order.id}


def _proposal(case: DecisionCase, kind: DecisionKind, appealed: Decision | None, today: date) -> View | None:
    if kind is DecisionKind.REVERSAL and appealed is not None:
        return {
            "outcome": appealed.outcome,
            "services": [asdict(s) for s in appealed.services],
            "refused_services": list(appealed.refused_services),
            "legal_basis": list(appealed.legal_basis),
        }
    if kind is DecisionKind.REQUESTED:
        granted = [r.right for r in case.requests if r.proposed == ProposedResult.GRANT]
        refused = [r.right for r in case.requests if r.proposed != ProposedResult.GRANT]
        outcome = Outcome.GRANTED if not refused else Outcome.REFUSED if not granted else Outcome.PARTLY_GRANTED
        return {
            "outcome": outcome,
            "services": [{"service_code": code, "hours_per_week": None, "start_on": today} for code in granted],
            "refused_services": refused,
            "legal_basis": None,
        }
    recommendation = case.recommendation
    if recommendation is not None:
        outcome = outcome_of_proposal(ProposedOutcome(recommendation["proposed_outcome"]))
        services = [
            {k: s.get(k) for k in ("service_code", "hours_per_week", "start_on", "end_on")}
            for s in recommendation["services"]
        ]
        if outcome is Outcome.REFUSED:
            return {
                "outcome": outcome,
                "services": [],
                "refused_services": [s["service_code"] for s in services],
                "legal_basis": recommendation["legal_basis"],
            }
        return {
            "outcome": outcome,
            "services": services,
            "refused_services": [],
            "legal_basis": recommendation["legal_basis"],
        }
    measure = case.emergency_measure
    if measure is not None:
        return {
            "outcome": Outcome.GRANTED,
            "services": [
                {
                    "service_code": measure.service_code,
                    "start_on": local_date(measure.started_at),
                }
            ],
            "refused_services": [],
            "legal_basis": None,
        }
    return None


async def _case(uow: UnitOfWork, case: DecisionCase, place: Municipality) -> View:
    status = case.status
    waiting = status in (CaseStatus.AWAITING_DECISION, CaseStatus.AWAITING_APPROVAL)
    pending = case.pending
    kind = pending.kind if waiting else None
    decisions = Decisions(uow)
    appealed = await decisions.get(pending.reversal_of) if pending.reversal_of else None
    agenda = await Meetings(uow).agenda_state(case.agenda_item_id) if case.agenda_item_id else None
    draft = await decisions.pending_draft_of_case(case.case_id) if status is CaseStatus.AWAITING_APPROVAL else None
    today = uow.clock.today()
    return {
        **asdict(case),
        "awaiting": kind,
        "decided_by": decided_by(kind, place.deciding(case.route).config.authority) if kind else None,
        "emergency_measure": measure_json(case.emergency_measure) if case.emergency_measure else None,
        "requests": [asdict(r) for r in case.requests],
        "reversal": asdict(case.reversal) if case.reversal else None,
        "appealed_decision": (await _decisions(uow, [appealed], place))[0] if appealed else None,
        "agenda": asdict(agenda) if agenda else None,
        "pending_decision_id": draft.id if draft else None,
        "proposal": _proposal(case, kind, appealed, today) if kind and status is CaseStatus.AWAITING_DECISION else None,
    }


async def _meetings(uow: UnitOfWork, found: list[Meeting]) -> list[View]:
    entries = await Meetings(uow).agenda_of([m.id for m in found])
    return [
        {
            **asdict(m),
            "agenda": [
                {**asdict(e.item), "person_id": e.person_id, "recommendation": e.recommendation}
                for e in entries
                if e.item.meeting_id == m.id
            ],
        }
        for m in found
    ]


def _letter(found: Letter) -> View:
    return {**asdict(found), "pdf_url": letter_url(found.id)}


# --- cases --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListCases:
    place: Municipality
    statuses: tuple[CaseStatus, ...]
    limit: int
    offset: int


async def list_cases(query: ListCases, uow: UnitOfWork) -> list[View]:
    found = await DecisionCases(uow).page(query.statuses, limit=query.limit, offset=query.offset)
    return [await _case(uow, c, query.place) for c in found]


@dataclass(frozen=True)
class GetCase:
    place: Municipality
    case_id: str


async def get_case(query: GetCase, uow: UnitOfWork) -> View:
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


async def list_meetings(query: ListMeetings, uow: UnitOfWork) -> list[View]:
    found = await Meetings(uow).page(from_on=query.from_on, to_on=query.to_on, limit=query.limit)
    return await _meetings(uow, found)


async def get_meeting(meeting_id: str, uow: UnitOfWork) -> View:
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


async def list_decisions(query: ListDecisions, uow: UnitOfWork) -> list[View]:
    found = await Decisions(uow).page(
        case_id=query.case_id, status=query.status, limit=query.limit, offset=query.offset
    )
    return await _decisions(uow, found, query.place)


@dataclass(frozen=True)
class GetDecision:
    place: Municipality
    decision_id: str


async def get_decision(query: GetDecision, uow: UnitOfWork) -> View:
    found = await Decisions(uow).get(query.decision_id)
    if found is None:
        raise NotFound(f"no decision {query.decision_id} in municipality {uow.municipality}")
    return (await _decisions(uow, [found], query.place))[0]


# --- letters and service orders -----------------------------------------------------------------------------------


async def get_letter(letter_id: str, uow: UnitOfWork) -> View:
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


async def list_letters(query: ListLetters, uow: UnitOfWork) -> list[View]:
    found = await Letters(uow).page(case_id=query.case_id, limit=query.limit, offset=query.offset)
    return [_letter(f) for f in found]


@dataclass(frozen=True)
class ListServiceOrders:
    unit: str | None
    limit: int
    offset: int


async def list_service_orders(query: ListServiceOrders, uow: UnitOfWork) -> list[View]:
    found = await ServiceOrders(uow).page(unit=query.unit, limit=query.limit, offset=query.offset)
    return [_order(o) for o in found]
