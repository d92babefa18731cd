"""Assessment's HTTP API: the office (and a unit that writes its own assessments) works a case to a
recommendation, or hands it to a partner office, which may then see and work on that case only.

Each route parses its body, hands the command to the bus (which acts for the caller's token and commits),
and shapes the response."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from servicekit.runtime import BusDep
from servicekit.types import Identifier, Limit, Offset
from services.assessment import commands
from services.assessment.commands import AssessmentView, Page, RequestView
from services.assessment.domain import AssessmentSummary, CriteriaEvaluation, ServiceLine, Status, Visit
from services.assessment.schemas import (
    AssessmentOut,
    AssessmentPage,
    AssignmentIn,
    ChildBestInterestsIn,
    CriteriaIn,
    FunctionalScoresIn,
    HandoverIn,
    InformationReceivedIn,
    InformationRequestIn,
    InformationRequestOut,
    RecommendationIn,
    VisitIn,
    VisitOut,
    VisitRecordIn,
)

router = APIRouter(prefix="/assessments", tags=["assessments"])


# --- reading -------------------------------------------------------------------------------------


@router.get("", response_model=AssessmentPage, summary="Assessments you may see, newest first")
async def list_assessments(
    *,
    bus: BusDep,
    status: Annotated[Status | None, Query(description="only assessments in this status")] = None,
    case_id: Annotated[
        Identifier | None, Query(description="only the assessments of this case (one per round)")
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    page = await bus.run(commands.list_assessments, commands.ListAssessments(status, case_id, limit, offset))
    return _page_out(page)


@router.get("/{assessment_id}", response_model=AssessmentOut, summary="One assessment, with everything recorded")
async def get_assessment(assessment_id: Identifier, bus: BusDep) -> dict[str, Any]:
    return _assessment_out(await bus.run(commands.get_assessment, commands.GetAssessment(assessment_id)))


@router.get(
    "/{assessment_id}/information-requests",
    response_model=list[InformationRequestOut],
    summary="Information requested from the GP or hospital; overdue when past due and not received",
)
async def list_information_requests(
    assessment_id: Identifier,
    bus: BusDep,
    overdue: Annotated[bool | None, Query(description="only overdue (true) or only not overdue (false)")] = None,
) -> list[dict[str, Any]]:
    cmd = commands.ListInformationRequests(assessment_id, overdue)
    return [_request_out(r) for r in await bus.run(commands.list_information_requests, cmd)]


# --- the office decides who assesses --------------------------------------------------------------


@router.post("/{assessment_id}/assignment", response_model=AssessmentOut, summary="Decide who assesses")
async def assign(assessment_id: Identifier, body: AssignmentIn, bus: BusDep) -> dict[str, Any]:
    cmd = commands.Assign(assessment_id, body.assignee_kind, body.assignee)
    return _assessment_out(await bus.run(commands.assign, cmd))


# --- visits --------------------------------------------------------------------------------------


@router.post("/{assessment_id}/visits", status_code=201, response_model=VisitOut, summary="Schedule a visit")
async def schedule_visit(assessment_id: Identifier, body: VisitIn, bus: BusDep) -> dict[str, Any]:
    cmd = commands.ScheduleVisit(assessment_id, body.kind, body.scheduled_at)
    return _visit_out(await bus.run(commands.schedule_visit, cmd))


@router.post(
    "/{assessment_id}/visits/{visit_id}/record",
    response_model=VisitOut,
    summary="Record that a visit was held; the notes stay in this service",
)
async def record_visit(
    assessment_id: Identifier, visit_id: Identifier, body: VisitRecordIn, bus: BusDep
) -> dict[str, Any]:
    cmd = commands.RecordVisit(assessment_id, visit_id, body.held_at, body.notes)
    return _visit_out(await bus.run(commands.record_visit, cmd))


# --- information from the GP or hospital ---------------------------------------------------------


@router.post(
    "/{assessment_id}/information-requests",
    status_code=201,
    response_model=InformationRequestOut,
    summary="Request information from the GP or hospital (needs the consent to fetch from it)",
)
async def request_information(assessment_id: Identifier, body: InformationRequestIn, bus: BusDep) -> dict[str, Any]:
    cmd = commands.RequestInformation(assessment_id, body.source, body.due_on)
    return _request_out(await bus.run(commands.request_information, cmd))


@router.post(
    "/{assessment_id}/information-requests/{request_id}/received",
    response_model=InformationRequestOut,
    summary="Record that the requested information arrived",
)
async def receive_information(
    assessment_id: Identifier, request_id: Identifier, body: InformationReceivedIn, bus: BusDep
) -> dict[str, Any]:
    cmd = commands.ReceiveInformation(assessment_id, request_id, body.received_on)
    return _request_out(await bus.run(commands.receive_information, cmd))


# --- IPLOS, criteria, the best interests of the child ---------------------------------------------


@router.put(
    "/{assessment_id}/functional-scores",
    response_model=AssessmentOut,
    summary="Record the IPLOS functional scores (1–5, or 9 when not relevant)",
)
async def record_functional_scores(assessment_id: Identifier, body: FunctionalScoresIn, bus: BusDep) -> dict[str, Any]:
    cmd = commands.RecordScores(assessment_id, body.scores, body.assessed_on)
    return _assessment_out(await bus.run(commands.record_scores, cmd))


@router.put(
    "/{assessment_id}/criteria",
    response_model=AssessmentOut,
    summary="Weigh the municipality's criteria: care ladder step and grounds, BTI level, coordinated services",
)
async def evaluate(assessment_id: Identifier, body: CriteriaIn, bus: BusDep) -> dict[str, Any]:
    given = CriteriaEvaluation(
        care_ladder_step=body.care_ladder_step,
        care_ladder_grounds=tuple(body.care_ladder_grounds),
        bti_level=body.bti_level,
        coordinated_criteria_met=tuple(body.coordinated_criteria_met),
    )
    return _assessment_out(await bus.run(commands.evaluate_criteria, commands.EvaluateCriteria(assessment_id, given)))


@router.post(
    "/{assessment_id}/child-best-interests",
    status_code=201,
    response_model=AssessmentOut,
    summary="Record the best-interests-of-the-child assessment (the child, siblings, children as next of kin)",
)
async def assess_child_best_interests(
    assessment_id: Identifier, body: ChildBestInterestsIn, bus: BusDep
) -> dict[str, Any]:
    cmd = commands.AssessChildBestInterests(assessment_id, body.children_considered, body.assessment)
    return _assessment_out(await bus.run(commands.assess_child_best_interests, cmd))


# --- recommendation, completion, hand-over -------------------------------------------------------


@router.put(
    "/{assessment_id}/recommendation",
    response_model=AssessmentOut,
    summary="The assessor's proposed decision: services, scope, period, legal basis and reasons",
)
async def recommend(assessment_id: Identifier, body: RecommendationIn, bus: BusDep) -> dict[str, Any]:
    cmd = commands.Recommend(
        assessment_id,
        services=tuple(
            ServiceLine(
                service_code=s.service_code, start_on=s.start_on, hours_per_week=s.hours_per_week, end_on=s.end_on
            )
            for s in body.services
        ),
        legal_basis=tuple(body.legal_basis) if body.legal_basis is not None else None,
        proposed_outcome=body.proposed_outcome,
        reasons=body.reasons,
    )
    return _assessment_out(await bus.run(commands.recommend, cmd))


@router.post(
    "/{assessment_id}/complete",
    response_model=AssessmentOut,
    summary="Complete the assessment; the recommendation goes on to the decision",
)
async def complete(assessment_id: Identifier, bus: BusDep) -> dict[str, Any]:
    return _assessment_out(await bus.run(commands.complete, commands.Complete(assessment_id)))


@router.post(
    "/{assessment_id}/handover",
    response_model=AssessmentOut,
    summary="Hand the case to the partner office that takes this service (needs the consent to share)",
)
async def hand_over(assessment_id: Identifier, bus: BusDep, body: HandoverIn | None = None) -> dict[str, Any]:
    return _assessment_out(await bus.run(commands.hand_over, commands.HandOver(assessment_id)))


# --- shaping the responses -----------------------------------------------------------------------


def _summary_out(s: AssessmentSummary) -> dict[str, Any]:
    opened = s.opened_because
    return {
        "id": s.id,
        "case_id": s.case_id,
        "round": s.round,
        "opened_because": {
            "reason": opened.reason,
            "outcome_id": opened.outcome_id,
            "appeal_id": opened.appeal_id,
            "decision_id": opened.decision_id,
            "decided_on": opened.decided_on,
        },
        "municipality": s.municipality,
        "journal_number": s.journal_number,
        "person_id": s.person_id,
        "service_code": s.service_code,
        "route": s.route,
        "involves_child": s.involves_child,
        "emergency_measure": s.emergency_measure,
        "status": s.status,
        "assignee_kind": s.assignment.kind,
        "assignee": s.assignment.assignee,
        "created_at": s.created_at,
        "updated_at": s.updated_at,
    }


def _page_out(page: Page) -> dict[str, Any]:
    items = [_summary_out(s) for s in page.items]
    return {"items": items, "total": page.total, "limit": page.limit, "offset": page.offset}


def _visit_out(v: Visit) -> dict[str, Any]:
    return {
        "id": v.id,
        "kind": v.kind,
        "scheduled_at": v.scheduled_at,
        "held_at": v.held_at,
        "notes": v.notes,
        "recorded_by": v.recorded_by,
    }


def _request_out(view: RequestView) -> dict[str, Any]:
    r = view.request
    return {
        "id": r.id,
        "source": r.source,
        "requested_on": r.requested_on,
        "due_on": r.due_on,
        "status": r.status,
        "received_on": r.received_on,
        "overdue": view.overdue,
    }


def _assessment_out(view: AssessmentView) -> dict[str, Any]:
    """The full state of one assessment; "overdue" as of the service clock's today."""
    a = view.assessment
    assignment = a.assignment
    criteria = a.criteria
    recommendation = a.recommendation
    return {
        **_summary_out(a.summary()),
        "received_on": a.received_on,
        "consent": {"scope": a.consent_scope, "share_with": a.consent_share_with},
        "assignment": (
            {
                "assignee_kind": assignment.kind,
                "assignee": assignment.assignee,
                "writes_own_assessment": assignment.writes_own_assessment,
            }
            if assignment.kind is not None
            else None
        ),
        "visits": [_visit_out(v) for v in a.visits],
        "information_requests": [_request_out(RequestView(r, r.overdue(view.today))) for r in a.information_requests],
        "functional_scores": (
            {"assessed_on": a.scores.assessed_on, "scores": dict(a.scores.scores), "recorded_by": a.scores.recorded_by}
            if a.scores is not None
            else None
        ),
        "criteria": (
            {
                "care_ladder_step": criteria.evaluation.care_ladder_step,
                "care_ladder_grounds": list(criteria.evaluation.care_ladder_grounds),
                "bti_level": criteria.evaluation.bti_level,
                "coordinated_criteria_met": list(criteria.evaluation.coordinated_criteria_met),
                "evaluated_at": criteria.evaluated_at,
            }
            if criteria is not None
            else None
        ),
        "child_best_interests": [
            {
                "id": b.id,
                "children_considered": b.children_considered,
                "assessment": b.text,
                "assessed_by": b.assessed_by,
                "assessed_at": b.assessed_at,
            }
            for b in a.best_interests
        ],
        "recommendation": (
            {
                **recommendation.recommendation.model_dump(),
                "reasons": recommendation.reasons,
                "recommended_by": recommendation.recommended_by,
            }
            if recommendation is not None
            else None
        ),
        "completed_by": a.completed_by,
        "completed_at": a.completed_at,
        "handed_over_to": a.partners,
    }
