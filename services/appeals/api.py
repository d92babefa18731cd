"""Appeals's routes: the decisions with their letters' delivery and appeal deadline, appeals from receipt to the
office's reversal or the appeal body's outcome, complaints about delivered services, and deviations. Each route
parses its body, builds the command, runs the use case on the bus and shapes the response."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from contracts.appeals import DeviationCategory
from servicekit.http import problem_responses
from servicekit.pdf import render_pdf_off_the_loop
from servicekit.runtime import BusDep
from servicekit.types import Code, Identifier, Limit, Offset
from services.appeals import commands, letters
from services.appeals.domain import Appeal, AppealInput, AppealStatus, Complaint, Deviation, KnownDecision
from services.appeals.schemas import (
    AppealIn,
    AppealOut,
    AppealPage,
    AppealSummaryOut,
    BodyOutcomeOut,
    ComplaintAnswerIn,
    ComplaintIn,
    ComplaintOut,
    ComplaintPage,
    DecisionOut,
    DeliveryIn,
    DeviationIn,
    DeviationOut,
    DeviationPage,
    ExaminationIn,
    ForwardingOut,
    LateIn,
    OutcomeIn,
    WithdrawalIn,
)

READ_PROBLEMS = {403: "not a caseworker or leader of the office", 404: "no such appeal in your municipality"}
WRITE_PROBLEMS = {
    403: "not a caseworker or leader of the office",
    404: "no such appeal in your municipality",
    409: "the appeal's state does not allow it; `field` names what stands in the way",
    422: "the body breaks a rule; `field` names it",
}

# --- decisions and their letters' delivery ------------------------------------------------------------------------

decisions = APIRouter(prefix="/decisions", tags=["decisions and delivery"])


@decisions.get(
    "/{decision_id}",
    response_model=DecisionOut,
    summary="A decision's appeal route, when its letter reached the person, and the appeal deadline",
    responses=problem_responses({403: READ_PROBLEMS[403], 404: "no such decision in your municipality"}),
)
async def get_decision(decision_id: Identifier, bus: BusDep) -> DecisionOut:
    return _decision_out(await bus.run(commands.get_decision, commands.GetDecision(decision_id)))


@decisions.put(
    "/{decision_id}/delivery",
    response_model=DecisionOut,
    summary="Record when the letter reached the person: handed over, or a mailbox receipt recorded by hand",
    responses=problem_responses(
        {
            **WRITE_PROBLEMS,
            404: "no such decision in your municipality",
            409: "the digital mailbox reported the delivery already",
        }
    ),
)
async def record_delivery(decision_id: Identifier, body: DeliveryIn, bus: BusDep) -> DecisionOut:
    cmd = commands.RecordDelivery(decision_id, body.delivered_on, body.basis)
    return _decision_out(await bus.run(commands.record_delivery, cmd))


# --- appeals --------------------------------------------------------------------------------------------------------

router = APIRouter(prefix="/appeals", tags=["appeals"])


@router.post(
    "",
    response_model=AppealOut,
    status_code=201,
    summary="Register an appeal against one of your municipality's decisions; a late one is flagged",
    responses=problem_responses(
        {
            **WRITE_PROBLEMS,
            404: "no such decision in your municipality",
            409: "the decision is final, superseded, or has an open appeal",
        }
    ),
)
async def register_appeal(body: AppealIn, bus: BusDep) -> AppealOut:
    given = AppealInput(
        appellant=body.appellant,
        appellant_name=body.appellant_name,
        authority_on_file=body.authority_on_file,
        appealed=body.appealed,
        appealed_services=tuple(body.appealed_services),
        received_on=body.received_on,
        received_by=body.received_by,
        channel=body.channel,
        helped_by_office=body.helped_by_office,
    )
    return _appeal_out(await bus.run(commands.register_appeal, commands.RegisterAppeal(body.decision_id, given)))


@router.get(
    "",
    response_model=AppealPage,
    summary="Your municipality's appeals, the soonest handling due first",
    responses=problem_responses({403: READ_PROBLEMS[403]}),
)
async def list_appeals(
    *,
    bus: BusDep,
    status: Annotated[AppealStatus | None, Query(description="only appeals in this status")] = None,
    case_id: Annotated[Identifier | None, Query(description="only the appeals of this case")] = None,
    decision_id: Annotated[Identifier | None, Query(description="only the appeals against this decision")] = None,
    limit: Annotated[Limit, Query()] = 50,
    offset: Annotated[Offset, Query()] = 0,
) -> AppealPage:
    cmd = commands.ListAppeals(status, case_id, decision_id, limit, offset)
    page = await bus.run(commands.list_appeals, cmd)
    return AppealPage(
        items=[_summary_out(a) for a in page.items], total=page.total, limit=page.limit, offset=page.offset
    )


@router.get(
    "/{appeal_id}",
    response_model=AppealOut,
    summary="One appeal with everything recorded",
    responses=problem_responses(READ_PROBLEMS),
)
async def get_appeal(appeal_id: Identifier, bus: BusDep) -> AppealOut:
    return _appeal_out(await bus.run(commands.get_appeal, commands.GetAppeal(appeal_id)))


@router.post(
    "/{appeal_id}/late-decision",
    response_model=AppealOut,
    summary="Take up a late appeal with the reason (forvaltningsloven § 31), or dismiss it",
    responses=problem_responses(WRITE_PROBLEMS),
)
async def decide_late(appeal_id: Identifier, body: LateIn, bus: BusDep) -> AppealOut:
    cmd = commands.LateDecision(appeal_id, body.take_up, body.reason, body.on)
    return _appeal_out(await bus.run(commands.decide_late_appeal, cmd))


@router.post(
    "/{appeal_id}/examination",
    response_model=AppealOut,
    summary="The office's re-examination: reverse, partly reverse and forward the rest, or forward to the appeal body",
    responses=problem_responses(WRITE_PROBLEMS),
)
async def examine(appeal_id: Identifier, body: ExaminationIn, bus: BusDep) -> AppealOut:
    cmd = commands.Examine(appeal_id, body.result, body.comments, tuple(body.documents), body.examined_on)
    return _appeal_out(await bus.run(commands.examine, cmd))


@router.get(
    "/{appeal_id}/forwarding-letter.pdf",
    response_class=Response,
    summary="The forwarding letter to the appeal body: the case as prepared, the office's comments, what is enclosed",
    responses={
        200: {"content": {"application/pdf": {}}},
        **problem_responses({**READ_PROBLEMS, 409: "the appeal has not been forwarded"}),
    },
)
async def forwarding_letter_pdf(appeal_id: Identifier, bus: BusDep) -> Response:
    papers = await bus.run(commands.forwarding_letter, commands.ForwardingLetter(appeal_id))
    text = letters.forwarding_letter(papers.appeal, papers.decision, papers.sender)
    forwarding = papers.appeal.forwarding
    assert forwarding is not None  # the use case refuses an appeal not forwarded
    # The forwarding letter is written in bokmål; it is set in a worker thread, off the event loop.
    pdf = await render_pdf_off_the_loop(
        text,
        title="Oversendelse av klagesak",
        footer=f"{papers.sender.municipality_name} kommune",
        created_at=papers.appeal.updated_at,
        language="nb",
    )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"content-disposition": f'inline; filename="oversendelse-{appeal_id}.pdf"'},
    )


@router.post(
    "/{appeal_id}/outcome",
    response_model=AppealOut,
    summary="Record the appeal body's outcome of a forwarded appeal (its adapter may write the integration topic)",
    responses=problem_responses({**WRITE_PROBLEMS, 409: "not forwarded, or another outcome is recorded"}),
)
async def record_outcome(appeal_id: Identifier, body: OutcomeIn, bus: BusDep) -> AppealOut:
    # Without the body's own reference, the same outcome posted again derives the same id (harmless); another
    # outcome derives another id and is refused.
    derived = f"appeal-outcome:{appeal_id}:{body.outcome.value}:{body.decided_on.isoformat()}"
    outcome_id = body.outcome_id or str(uuid.uuid5(uuid.NAMESPACE_URL, derived))
    cmd = commands.RecordOutcome(appeal_id, outcome_id, body.outcome, body.decided_on)
    return _appeal_out(await bus.run(commands.record_outcome, cmd))


@router.post(
    "/{appeal_id}/withdrawal",
    response_model=AppealOut,
    summary="The person withdraws the appeal before it is forwarded",
    responses=problem_responses(WRITE_PROBLEMS),
)
async def withdraw(appeal_id: Identifier, body: WithdrawalIn, bus: BusDep) -> AppealOut:
    return _appeal_out(await bus.run(commands.withdraw, commands.Withdraw(appeal_id, body.withdrawn_on)))


# --- complaints about delivered services ----------------------------------------------------------------------------

complaints = APIRouter(prefix="/complaints", tags=["complaints"])
COMPLAINT_PROBLEMS = {
    403: "not the office, or a unit's token about another unit; only the unit's leader answers",
    404: "no such complaint in your municipality",
    409: "answered already",
    422: "the body breaks a rule; `field` names it",
}


@complaints.post(
    "",
    response_model=ComplaintOut,
    status_code=201,
    summary="Register a complaint about delivered services (or a mismatch with the decision) for the unit leader",
    responses=problem_responses({k: v for k, v in COMPLAINT_PROBLEMS.items() if k in (403, 422)}),
)
async def register_complaint(body: ComplaintIn, bus: BusDep) -> ComplaintOut:
    cmd = commands.RegisterComplaint(
        body.case_id, body.person_id, body.unit, body.kind, body.description, body.received_on
    )
    return _complaint_out(await bus.run(commands.register_complaint, cmd))


@complaints.get(
    "",
    response_model=ComplaintPage,
    summary="Complaints, the soonest due first; a unit's token sees its own unit's",
    responses=problem_responses({403: COMPLAINT_PROBLEMS[403]}),
)
async def list_complaints(
    *,
    bus: BusDep,
    unit: Annotated[Code | None, Query(description="only complaints about this unit")] = None,
    answered: Annotated[bool | None, Query(description="only answered (true) or unanswered (false) ones")] = None,
    limit: Annotated[Limit, Query()] = 50,
    offset: Annotated[Offset, Query()] = 0,
) -> ComplaintPage:
    page = await bus.run(commands.list_complaints, commands.ListComplaints(unit, answered, limit, offset))
    return ComplaintPage(
        items=[_complaint_out(c) for c in page.items], total=page.total, limit=page.limit, offset=page.offset
    )


@complaints.get(
    "/{complaint_id}",
    response_model=ComplaintOut,
    summary="One complaint",
    responses=problem_responses({k: v for k, v in COMPLAINT_PROBLEMS.items() if k in (403, 404)}),
)
async def get_complaint(complaint_id: Identifier, bus: BusDep) -> ComplaintOut:
    return _complaint_out(await bus.run(commands.get_complaint, commands.GetComplaint(complaint_id)))


@complaints.post(
    "/{complaint_id}/answer",
    response_model=ComplaintOut,
    summary="The unit leader's answer",
    responses=problem_responses(COMPLAINT_PROBLEMS),
)
async def answer_complaint(complaint_id: Identifier, body: ComplaintAnswerIn, bus: BusDep) -> ComplaintOut:
    cmd = commands.AnswerComplaint(complaint_id, body.answer, body.answered_on)
    return _complaint_out(await bus.run(commands.answer_complaint, cmd))


# --- deviations -----------------------------------------------------------------------------------------------------

deviations = APIRouter(prefix="/deviations", tags=["deviations"])


@deviations.post(
    "",
    response_model=DeviationOut,
    status_code=201,
    summary="Register a deviation (avvik); its category goes on the municipality's feed for the quality system",
    responses=problem_responses({403: "not the office or a unit", 422: "the body breaks a rule; `field` names it"}),
)
async def register_deviation(body: DeviationIn, bus: BusDep) -> DeviationOut:
    cmd = commands.RegisterDeviation(body.case_id, body.category, body.unit, body.description, body.occurred_on)
    return _deviation_out(await bus.run(commands.register_deviation, cmd))


@deviations.get(
    "",
    response_model=DeviationPage,
    summary="Your municipality's deviations, newest first",
    responses=problem_responses({403: "not a caseworker or leader of the office"}),
)
async def list_deviations(
    *,
    bus: BusDep,
    category: Annotated[DeviationCategory | None, Query(description="only this category")] = None,
    unit: Annotated[Code | None, Query(description="only this unit")] = None,
    limit: Annotated[Limit, Query()] = 50,
    offset: Annotated[Offset, Query()] = 0,
) -> DeviationPage:
    page = await bus.run(commands.list_deviations, commands.ListDeviations(category, unit, limit, offset))
    return DeviationPage(
        items=[_deviation_out(d) for d in page.items], total=page.total, limit=page.limit, offset=page.offset
    )


# --- shaping the responses ------------------------------------------------------------------------------------------


def _decision_out(k: KnownDecision) -> DecisionOut:
    return DecisionOut(
        decision_id=k.decision_id,
        case_id=k.case_id,
        decided_on=k.decided_on,
        services=list(k.service_codes),
        appealable=k.appealable,
        appeal_body=k.appeal_body,
        deadline_weeks=k.deadline_weeks,
        deadline_rule=k.deadline_rule,
        delivered_on=k.delivered_on,
        delivery_basis=k.delivery_basis,
        appeal_deadline_on=k.appeal_deadline_on,
        superseded_by=k.superseded_by,
    )


def _summary_out(a: Appeal) -> AppealSummaryOut:
    return AppealSummaryOut(
        id=a.id,
        case_id=a.case_id,
        decision_id=a.decision_id,
        status=a.status,
        received_on=a.given.received_on,
        deadline_on=a.deadline_on,
        late=a.late,
        handling_due_on=a.handling_due_on,
    )


def _appeal_out(a: Appeal) -> AppealOut:
    g, f, b = a.given, a.forwarding, a.body_decision
    return AppealOut(
        **_summary_out(a).model_dump(),
        person_id=a.person_id,
        appellant=g.appellant,
        appellant_name=g.appellant_name,
        authority_on_file=g.authority_on_file,
        appealed=g.appealed,
        appealed_services=list(g.appealed_services),
        received_by=g.received_by,
        channel=g.channel,
        helped_by_office=g.helped_by_office,
        taken_up_on=a.taken_up_on,
        late_reason=a.late_reason,
        examination=a.examination,
        examined_on=a.examined_on,
        office_comments=a.office_comments,
        forwarding=ForwardingOut(
            forwarding_id=f.id, appeal_body=f.appeal_body, forwarded_on=f.forwarded_on, documents=list(f.documents)
        )
        if f is not None
        else None,
        body_outcome=BodyOutcomeOut(outcome_id=b.outcome_id, outcome=b.outcome, decided_on=b.decided_on)
        if b is not None
        else None,
        ended=a.ended,
        closed_on=a.closed_on,
        registered_by=a.registered_by,
        created_at=a.created_at,
        updated_at=a.updated_at,
    )


def _complaint_out(c: Complaint) -> ComplaintOut:
    return ComplaintOut(
        id=c.id,
        case_id=c.case_id,
        person_id=c.person_id,
        unit=c.unit,
        kind=c.kind,
        description=c.description,
        received_on=c.received_on,
        response_due_on=c.response_due_on,
        answer=c.answer,
        answered_on=c.answered_on,
        answered_by=c.answered_by,
        registered_by=c.registered_by,
    )


def _deviation_out(d: Deviation) -> DeviationOut:
    return DeviationOut(
        id=d.id,
        case_id=d.case_id,
        category=d.category,
        unit=d.unit,
        description=d.description,
        occurred_on=d.occurred_on,
        registered_on=d.registered_on,
        registered_by=d.registered_by,
    )
