"""Decision's HTTP API: cases awaiting decision, allocation meetings, decisions and approvals, reviews, letters,
service orders; always for the caller's municipality, from the token."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from servicekit.auth import Principal, PrincipalDep, TokenVerifier
from servicekit.context import bind
from servicekit.errors import DomainError, Forbidden
from servicekit.runtime import BusDep, RuntimeDep
from servicekit.types import Code, Identifier, Limit, Offset, PlausibleDate
from services.decision import cases as case_commands
from services.decision import commands, views
from services.decision.commands import DecisionInput
from services.decision.config import Municipality
from services.decision.domain import Attendee, CaseStatus, DecisionStatus, Reasons, ServiceLine
from services.decision.recipients import RecipientLookup
from services.decision.schemas import (
    ApprovalIn,
    AttendeesIn,
    CaseOut,
    CasePage,
    DecisionIn,
    DecisionOut,
    LetterOut,
    MeetingOut,
    OutcomeIn,
    PreliminaryReplyIn,
    ReasonsIn,
    ReviewIn,
    ServiceIn,
    ServiceOrderOut,
)

READERS = ("caseworker", "leader")


# The composition root's client that looks up a letter's recipient, built on the runtime's token verifier.
RecipientsFor = Callable[[TokenVerifier], RecipientLookup]


@dataclass(frozen=True)
class Wiring:
    """What the composition root gives the routes: where letters' recipients are looked up."""

    recipients: RecipientLookup


@dataclass(frozen=True)
class Caller:
    """Who calls (the one `servicekit.actor.Actor` of the verified token: `Principal` is that class), and the
    rules of their municipality. What they do runs through the bus, for their municipality."""

    principal: Principal
    place: Municipality


def _wiring(request: Request) -> Wiring:
    wiring: Wiring = request.state.decision  # set by the router `routers()` builds, before any route runs
    return wiring


def _caller(wiring: Annotated[Wiring, Depends(_wiring)], principal: PrincipalDep, runtime: RuntimeDep) -> Caller:
    place = Municipality.of(runtime.tenants.get(principal.municipality), wiring.recipients)
    return Caller(principal=principal, place=place)


CallerDep = Annotated[Caller, Depends(_caller)]


def _lines(services: list[ServiceIn]) -> list[ServiceLine]:
    return [ServiceLine(s.service_code, s.hours_per_week, s.start_on, s.end_on) for s in services]


def _reasons(body: ReasonsIn) -> Reasons:
    return Reasons(facts=body.facts, rules=body.rules, considerations=body.considerations)


# --- cases --------------------------------------------------------------------------------------

cases = APIRouter(prefix="/cases", tags=["cases"])


@cases.get("", response_model=CasePage, summary="Cases awaiting a decision, the longest waiting first")
async def list_cases(
    caller: CallerDep,
    bus: BusDep,
    status: Annotated[
        list[CaseStatus] | None,
        Query(max_length=len(CaseStatus), description="default: awaiting_decision and awaiting_approval"),
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> CasePage:
    caller.principal.require(*READERS)
    wanted = tuple(status or (CaseStatus.AWAITING_DECISION, CaseStatus.AWAITING_APPROVAL))
    items = await bus.run(views.list_cases, views.ListCases(caller.place, wanted, limit=limit, offset=offset))
    return CasePage.model_validate({"items": items, "limit": limit, "offset": offset}, from_attributes=True)


@cases.get("/{case_id}", response_model=CaseOut, summary="One case, what it awaits, and a proposal to decide from")
async def get_case(case_id: Identifier, caller: CallerDep, bus: BusDep) -> views.CaseView:
    caller.principal.require(*READERS)
    bind(case_id=case_id)
    return await bus.run(views.get_case, views.GetCase(caller.place, case_id))


@cases.post(
    "/{case_id}/preliminary-reply",
    status_code=201,
    response_model=LetterOut,
    tags=["letters"],
    summary="Send a preliminary reply (forvaltningsloven § 11 a): why it takes longer, and when to expect it",
)
async def send_preliminary_reply(
    case_id: Identifier, body: PreliminaryReplyIn, caller: CallerDep, bus: BusDep
) -> views.LetterView:
    caller.principal.require("caseworker")
    bind(case_id=case_id)
    letter_id = await bus.run(
        commands.preliminary_reply,
        commands.SendPreliminaryReply(
            place=caller.place,
            case_id=case_id,
            expected_decision_on=body.expected_decision_on,
            reason_for_delay=body.reason_for_delay,
        ),
    )
    return await bus.run(views.get_letter, letter_id)


# --- meetings -----------------------------------------------------------------------------------

meetings = APIRouter(prefix="/meetings", tags=["meetings"])


@meetings.get("", response_model=list[MeetingOut], summary="Allocation meetings with their agendas, by day")
async def list_meetings(
    caller: CallerDep,
    bus: BusDep,
    from_on: Annotated[PlausibleDate | None, Query(alias="from", description="meetings on or after this day")] = None,
    to_on: Annotated[PlausibleDate | None, Query(alias="to", description="meetings on or before this day")] = None,
    limit: Limit = 50,
) -> list[views.MeetingView]:
    caller.principal.require(*READERS)
    if from_on is not None and to_on is not None and from_on > to_on:
        raise DomainError("from: cannot be after to", field="query.from")
    return await bus.run(views.list_meetings, views.ListMeetings(from_on=from_on, to_on=to_on, limit=limit))


@meetings.get("/{meeting_id}", response_model=MeetingOut, summary="One meeting with its agenda")
async def get_meeting(meeting_id: Identifier, caller: CallerDep, bus: BusDep) -> views.MeetingView:
    caller.principal.require(*READERS)
    return await bus.run(views.get_meeting, meeting_id)


@meetings.post("/{meeting_id}/attendees", response_model=MeetingOut, summary="Record who attended (replaces the list)")
async def record_attendees(
    meeting_id: Identifier, body: AttendeesIn, caller: CallerDep, bus: BusDep
) -> views.MeetingView:
    caller.principal.require("caseworker")
    await bus.run(
        case_commands.record_attendees,
        case_commands.RecordAttendees(
            meeting_id=meeting_id, attendees=[Attendee(name=a.name, role=a.role, unit=a.unit) for a in body.attendees]
        ),
    )
    return await bus.run(views.get_meeting, meeting_id)


@meetings.post(
    "/{meeting_id}/outcomes",
    response_model=MeetingOut,
    summary="Record the meeting's conclusion on a case, or postpone it to the next meeting",
)
async def record_outcome(meeting_id: Identifier, body: OutcomeIn, caller: CallerDep, bus: BusDep) -> views.MeetingView:
    caller.principal.require("caseworker")
    bind(case_id=body.case_id)
    await bus.run(
        case_commands.record_outcome,
        case_commands.RecordOutcome(
            place=caller.place,
            meeting_id=meeting_id,
            case_id=body.case_id,
            result=body.result,
            outcome=body.outcome,
            note=body.note,
        ),
    )
    return await bus.run(views.get_meeting, meeting_id)


# --- decisions ----------------------------------------------------------------------------------

decisions = APIRouter(prefix="/decisions", tags=["decisions"])


@decisions.post(
    "",
    status_code=201,
    response_model=DecisionOut,
    summary="Decide a case: made at once, or drafted for the unit leaders' final approval",
)
async def make_decision(body: DecisionIn, caller: CallerDep, bus: BusDep) -> views.DecisionView:
    caller.principal.require("caseworker")
    bind(case_id=body.case_id)
    given = DecisionInput(
        outcome=body.outcome,
        services=_lines(body.services),
        refused=body.refused_services,
        legal_basis=body.legal_basis,
        reasons=_reasons(body.reasons),
        decided_on=body.decided_on,
    )
    decision_id = await bus.run(commands.decide, commands.Decide(place=caller.place, case_id=body.case_id, given=given))
    return await bus.run(views.get_decision, views.GetDecision(caller.place, decision_id))


@decisions.get("", response_model=list[DecisionOut], summary="Decisions, newest first")
async def list_decisions(
    *,
    caller: CallerDep,
    bus: BusDep,
    case_id: Identifier | None = None,
    status: DecisionStatus | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[views.DecisionView]:
    caller.principal.require(*READERS)
    if case_id:
        bind(case_id=case_id)
    return await bus.run(
        views.list_decisions,
        views.ListDecisions(caller.place, case_id=case_id, status=status, limit=limit, offset=offset),
    )


@decisions.get("/{decision_id}", response_model=DecisionOut, summary="One decision")
async def get_decision(decision_id: Identifier, caller: CallerDep, bus: BusDep) -> views.DecisionView:
    caller.principal.require(*READERS)
    return await bus.run(views.get_decision, views.GetDecision(caller.place, decision_id))


@decisions.post(
    "/{decision_id}/approval",
    response_model=DecisionOut,
    summary="A unit leader's final approval, or the draft's return to the office with a reason",
)
async def approve(decision_id: Identifier, body: ApprovalIn, caller: CallerDep, bus: BusDep) -> views.DecisionView:
    caller.principal.require("leader")
    await bus.run(
        commands.approve,
        commands.Approve(
            place=caller.place,
            decision_id=decision_id,
            approved=body.approved,
            reason=body.reason,
            decided_on=body.decided_on,
        ),
    )
    return await bus.run(views.get_decision, views.GetDecision(caller.place, decision_id))


@decisions.post(
    "/{decision_id}/review",
    status_code=201,
    response_model=DecisionOut,
    summary="Review a decision: continue, change or stop, as a new decision that supersedes it",
)
async def review(decision_id: Identifier, body: ReviewIn, caller: CallerDep, bus: BusDep) -> views.DecisionView:
    caller.principal.require("caseworker")
    new_id = await bus.run(
        commands.review,
        commands.Review(
            place=caller.place,
            decision_id=decision_id,
            result=body.result,
            services=_lines(body.services) if body.services is not None else None,
            outcome=body.outcome,
            legal_basis=body.legal_basis,
            reasons=_reasons(body.reasons),
            decided_on=body.decided_on,
            meeting_id=body.meeting_id,
        ),
    )
    return await bus.run(views.get_decision, views.GetDecision(caller.place, new_id))


# --- letters and service orders -----------------------------------------------------------------

letters = APIRouter(prefix="/letters", tags=["letters"])


@letters.get(
    "/{letter_id}.pdf",
    summary="The letter as PDF",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "the letter"}},
)
async def letter_pdf(letter_id: Identifier, caller: CallerDep, bus: BusDep) -> Response:
    caller.principal.require(*READERS)
    found = await bus.run(views.letter_pdf, letter_id)
    bind(case_id=found.case_id)
    return Response(
        content=found.pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{found.kind}-{letter_id}.pdf"'},
    )


@letters.get("/{letter_id}", response_model=LetterOut, summary="One letter's details")
async def get_letter(letter_id: Identifier, caller: CallerDep, bus: BusDep) -> views.LetterView:
    caller.principal.require(*READERS)
    return await bus.run(views.get_letter, letter_id)


@letters.get("", response_model=list[LetterOut], summary="Letters, newest first")
async def list_letters(
    caller: CallerDep,
    bus: BusDep,
    case_id: Identifier | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[views.LetterView]:
    caller.principal.require(*READERS)
    return await bus.run(views.list_letters, views.ListLetters(case_id=case_id, limit=limit, offset=offset))


service_orders = APIRouter(prefix="/service-orders", tags=["service orders"])


@service_orders.get(
    "", response_model=list[ServiceOrderOut], summary="Services ordered from units; a unit sees its own"
)
async def list_service_orders(
    caller: CallerDep,
    bus: BusDep,
    unit: Code | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[views.OrderView]:
    principal = caller.principal
    principal.require("unit", *READERS)
    if not principal.roles.intersection(READERS):
        if principal.unit is None:
            raise Forbidden("a unit's token must carry the unit claim")
        if unit not in (None, principal.unit):
            raise Forbidden(f"unit {principal.unit} may see its own orders only")
        unit = principal.unit
    return await bus.run(views.list_service_orders, views.ListServiceOrders(unit=unit, limit=limit, offset=offset))


ROUTERS = (cases, meetings, decisions, letters, service_orders)


def routers(recipients_for: RecipientsFor) -> list[APIRouter]:
    """The API bound to the composition root's configuration and clients: one router whose dependency hands them
    to every route of this app (the recipient lookup on the runtime's own token verifier)."""

    def wire(request: Request, runtime: RuntimeDep) -> None:
        request.state.decision = Wiring(recipients=recipients_for(runtime.verifier))

    root = APIRouter(dependencies=[Depends(wire)])
    for router in ROUTERS:
        root.include_router(router)
    return [root]
