"""Assessment's HTTP API: the office (and a unit that writes its own assessments) works a case to a
recommendation, or hands it to a partner office, which may then see and work on that case only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from contracts.assessment import (
    AssessmentCompleted,
    AssessorAssigned,
    AssigneeKind,
    CaseHandedOver,
    ChildBestInterestsAssessed,
    CriteriaEvaluated,
    FunctionalScoresRecorded,
    InformationReceived,
    InformationRequested,
    Recommendation,
    VisitRecorded,
    VisitScheduled,
)
from contracts.deadlines import DeadlineCancelled, DeadlineKind, DeadlineScheduled
from contracts.envelope import EventModel
from servicekit.auth import Principal, PrincipalDep
from servicekit.context import bind
from servicekit.db import UnitOfWork, new_id
from servicekit.errors import Forbidden, NotFound
from servicekit.runtime import Runtime, RuntimeDep
from services.assessment import db
from services.assessment.domain import (
    OFFICE,
    Action,
    Actor,
    Assignment,
    Caller,
    CriteriaEvaluation,
    RequestStatus,
    ServiceLine,
    Status,
    authorize,
    build_recommendation,
    check_assignment,
    check_completion,
    check_handover,
    check_information_received,
    check_information_request,
    check_scores,
    check_visit_record,
    evaluate_criteria,
    is_overdue,
    next_status,
)
from services.assessment.iplos import load_variables
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

Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0)]


@dataclass(frozen=True)
class _Loaded:
    row: dict[str, Any]
    actor: Actor
    partners: list[str]
    status: Status

    @property
    def id(self) -> str:
        return str(self.row["id"])


def _caller(principal: Principal) -> Caller:
    return Caller(municipality=principal.municipality, roles=principal.roles, unit=principal.unit)


async def _load(uow: UnitOfWork, principal: Principal, assessment_id: str, action: Action) -> _Loaded:
    """The assessment the caller may see (else 404), who the caller acts as (else 403), and its next status."""
    row = await db.get_visible(uow.session, principal.municipality, assessment_id, for_update=action is not Action.READ)
    if row is None:
        raise NotFound(f"no assessment {assessment_id} for municipality {principal.municipality}")
    bind(case_id=row["case_id"])
    partners = await db.partners_of(uow.session, assessment_id)
    assignment = Assignment(
        kind=AssigneeKind(row["assignee_kind"]) if row["assignee_kind"] else None,
        assignee=row["assignee"],
        writes_own_assessment=row["writes_own_assessment"],
    )
    actor = authorize(
        _caller(principal),
        home=row["municipality"],
        route=row["route"],
        assignment=assignment,
        partners=partners,
        action=action,
    )
    return _Loaded(row=row, actor=actor, partners=partners, status=next_status(Status(row["status"]), action))


async def _emit(uow: UnitOfWork, runtime: Runtime, row: dict[str, Any], event: EventModel) -> None:
    # Events belong to the case's home municipality, whoever (home or partner office) acted.
    await uow.emit(event, source=runtime.source, subject=row["case_id"], municipality=row["municipality"])


def _request_out(request: dict[str, Any], today: date) -> dict[str, Any]:
    status = RequestStatus(request["status"])
    return {**request, "status": status, "overdue": is_overdue(status, request["due_on"], today)}


async def _state(uow: UnitOfWork, assessment_id: str, partners: list[str]) -> dict[str, Any]:
    """The full state of one assessment, as GET returns it; "overdue" as of the service clock's today."""
    session = uow.session
    row = await db.get(session, assessment_id)
    today = uow.clock.today()
    visits = await db.children_of(session, db.visit, assessment_id)
    requests = await db.children_of(session, db.information_request, assessment_id)
    best_interests = await db.children_of(session, db.child_best_interests, assessment_id)
    recommendation = row["recommendation"]
    return {
        **row,
        "consent": {"scope": row["consent_scope"], "share_with": row["consent_share_with"]},
        "assignment": (
            {
                "assignee_kind": row["assignee_kind"],
                "assignee": row["assignee"],
                "writes_own_assessment": row["writes_own_assessment"],
            }
            if row["assignee_kind"]
            else None
        ),
        "visits": visits,
        "information_requests": [_request_out(r, today) for r in requests],
        "functional_scores": (
            {
                "assessed_on": row["scores_assessed_on"],
                "scores": row["scores"],
                "recorded_by": row["scores_recorded_by"],
            }
            if row["scores"] is not None
            else None
        ),
        "criteria": (
            {
                "care_ladder_step": row["care_ladder_step"],
                "care_ladder_grounds": row["care_ladder_grounds"] or [],
                "bti_level": row["bti_level"],
                "coordinated_criteria_met": row["coordinated_criteria_met"] or [],
                "evaluated_at": row["criteria_evaluated_at"],
            }
            if row["criteria_evaluated_at"] is not None
            else None
        ),
        "child_best_interests": [{**b, "assessed_at": b["created_at"]} for b in best_interests],
        "recommendation": (
            {
                **recommendation,
                "reasons": row["recommendation_reasons"] or "",
                "recommended_by": row["recommended_by"],
            }
            if recommendation is not None
            else None
        ),
        "handed_over_to": partners,
    }


# --- reading -------------------------------------------------------------------------------------


@router.get("", response_model=AssessmentPage, summary="Assessments you may see, newest first")
async def list_assessments(
    *,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    status: Annotated[Status | None, Query(description="only assessments in this status")] = None,
    case_id: Annotated[str | None, Query(max_length=64, description="only the assessment of this case")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    unit: str | None = None
    if not principal.roles.intersection({"caseworker", "leader"}):
        if "unit" not in principal.roles:
            raise Forbidden("reading assessments needs one of the roles: caseworker, leader, unit")
        if principal.unit is None:
            raise Forbidden("a token with the role 'unit' must name its unit (claim 'unit')")
        unit = principal.unit  # a unit sees the assessments assigned to it
    if case_id:
        bind(case_id=case_id)
    async with runtime.db.unit_of_work() as uow:
        items, total = await db.list_visible(
            uow.session,
            principal.municipality,
            status=status.value if status else None,
            case_id=case_id,
            unit=unit,
            limit=limit,
            offset=offset,
        )
    return {"items": items, "total": total, "limit": limit, "offset": offset}


@router.get("/{assessment_id}", response_model=AssessmentOut, summary="One assessment, with everything recorded")
async def get_assessment(assessment_id: str, principal: PrincipalDep, runtime: RuntimeDep) -> dict[str, Any]:
    async with runtime.db.unit_of_work() as uow:
        loaded = await _load(uow, principal, assessment_id, Action.READ)
        return await _state(uow, loaded.id, loaded.partners)


@router.get(
    "/{assessment_id}/information-requests",
    response_model=list[InformationRequestOut],
    summary="Information requested from the GP or hospital; overdue when past due and not received",
)
async def list_information_requests(
    assessment_id: str,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    overdue: Annotated[bool | None, Query(description="only overdue (true) or only not overdue (false)")] = None,
) -> list[dict[str, Any]]:
    async with runtime.db.unit_of_work() as uow:
        loaded = await _load(uow, principal, assessment_id, Action.READ)
        today = uow.clock.today()
        requests = [
            _request_out(r, today) for r in await db.children_of(uow.session, db.information_request, loaded.id)
        ]
    return [r for r in requests if overdue is None or r["overdue"] is overdue]


# --- the office decides who assesses --------------------------------------------------------------


@router.post("/{assessment_id}/assignment", response_model=AssessmentOut, summary="Decide who assesses")
async def assign(
    assessment_id: str, body: AssignmentIn, principal: PrincipalDep, runtime: RuntimeDep
) -> dict[str, Any]:
    async with runtime.db.unit_of_work() as uow:
        loaded = await _load(uow, principal, assessment_id, Action.ASSIGN)
        writes_own = check_assignment(
            body.assignee_kind, body.assignee, runtime.tenants.get(loaded.row["municipality"])
        )
        await db.update_assessment(
            uow.session,
            loaded.id,
            assignee_kind=body.assignee_kind.value,
            assignee=body.assignee,
            writes_own_assessment=writes_own,
            status=loaded.status.value,
            updated_at=uow.clock.now(),
        )
        await _emit(
            uow,
            runtime,
            loaded.row,
            AssessorAssigned(
                assessment_id=loaded.id,
                case_id=loaded.row["case_id"],
                assignee_kind=body.assignee_kind,
                assignee=body.assignee,
                writes_own_assessment=writes_own,
            ),
        )
        state = await _state(uow, loaded.id, loaded.partners)
        await uow.commit()
    return state


# --- visits --------------------------------------------------------------------------------------


@router.post("/{assessment_id}/visits", status_code=201, response_model=VisitOut, summary="Schedule a visit")
async def schedule_visit(
    assessment_id: str, body: VisitIn, principal: PrincipalDep, runtime: RuntimeDep
) -> dict[str, Any]:
    async with runtime.db.unit_of_work() as uow:
        loaded = await _load(uow, principal, assessment_id, Action.VISIT)
        now = uow.clock.now()
        visit = {
            "id": new_id(),
            "assessment_id": loaded.id,
            "kind": body.kind.value,
            "scheduled_at": body.scheduled_at,
            "held_at": None,
            "notes": None,
            "recorded_by": None,
            "created_at": now,
        }
        await db.add(uow.session, db.visit, visit)
        await db.update_assessment(uow.session, loaded.id, status=loaded.status.value, updated_at=now)
        await _emit(
            uow,
            runtime,
            loaded.row,
            VisitScheduled(
                assessment_id=loaded.id,
                case_id=loaded.row["case_id"],
                visit_id=visit["id"],
                kind=body.kind,
                scheduled_at=body.scheduled_at,
            ),
        )
        await uow.commit()
    return visit


@router.post(
    "/{assessment_id}/visits/{visit_id}/record",
    response_model=VisitOut,
    summary="Record that a visit was held; the notes stay in this service",
)
async def record_visit(
    assessment_id: str, visit_id: str, body: VisitRecordIn, principal: PrincipalDep, runtime: RuntimeDep
) -> dict[str, Any]:
    async with runtime.db.unit_of_work() as uow:
        loaded = await _load(uow, principal, assessment_id, Action.VISIT)
        visit = await db.child(uow.session, db.visit, loaded.id, visit_id)
        if visit is None:
            raise NotFound(f"no visit {visit_id} on assessment {assessment_id}")
        now = uow.clock.now()
        check_visit_record(visit["held_at"], body.held_at, now)
        recorded = {"held_at": body.held_at, "notes": body.notes, "recorded_by": loaded.actor.label}
        await db.update_child(uow.session, db.visit, visit_id, **recorded)
        await db.update_assessment(uow.session, loaded.id, status=loaded.status.value, updated_at=now)
        await _emit(
            uow,
            runtime,
            loaded.row,
            VisitRecorded(
                assessment_id=loaded.id, case_id=loaded.row["case_id"], visit_id=visit_id, held_at=body.held_at
            ),
        )
        await uow.commit()
    return {**visit, **recorded}


# --- information from the GP or hospital ---------------------------------------------------------


@router.post(
    "/{assessment_id}/information-requests",
    status_code=201,
    response_model=InformationRequestOut,
    summary="Request information from the GP or hospital (needs the consent to fetch from it)",
)
async def request_information(
    assessment_id: str, body: InformationRequestIn, principal: PrincipalDep, runtime: RuntimeDep
) -> dict[str, Any]:
    async with runtime.db.unit_of_work() as uow:
        loaded = await _load(uow, principal, assessment_id, Action.REQUEST_INFORMATION)
        today = uow.clock.today()
        due_on = check_information_request(body.source, body.due_on, loaded.row["consent_scope"], today)
        now = uow.clock.now()
        request = {
            "id": new_id(),
            "assessment_id": loaded.id,
            "source": body.source.value,
            "requested_on": today,
            "due_on": due_on,
            "status": RequestStatus.REQUESTED.value,
            "received_on": None,
            "deadline_id": new_id(),
            "created_at": now,
            "closed_at": None,
        }
        await db.add(uow.session, db.information_request, request)
        await db.update_assessment(uow.session, loaded.id, status=loaded.status.value, updated_at=now)
        case_id = loaded.row["case_id"]
        await _emit(
            uow,
            runtime,
            loaded.row,
            InformationRequested(
                assessment_id=loaded.id, case_id=case_id, request_id=request["id"], source=body.source, due_on=due_on
            ),
        )
        await _emit(
            uow,
            runtime,
            loaded.row,
            DeadlineScheduled(
                deadline_id=request["deadline_id"],
                case_id=case_id,
                kind=DeadlineKind.INFORMATION_REQUEST,
                due_on=due_on,
                responsible=OFFICE,
            ),
        )
        await uow.commit()
    return _request_out(request, today)


@router.post(
    "/{assessment_id}/information-requests/{request_id}/received",
    response_model=InformationRequestOut,
    summary="Record that the requested information arrived",
)
async def receive_information(
    assessment_id: str, request_id: str, body: InformationReceivedIn, principal: PrincipalDep, runtime: RuntimeDep
) -> dict[str, Any]:
    async with runtime.db.unit_of_work() as uow:
        loaded = await _load(uow, principal, assessment_id, Action.REQUEST_INFORMATION)
        today = uow.clock.today()
        request = await db.child(uow.session, db.information_request, loaded.id, request_id)
        if request is None:
            raise NotFound(f"no information request {request_id} on assessment {assessment_id}")
        check_information_received(RequestStatus(request["status"]), body.received_on, request["requested_on"], today)
        now = uow.clock.now()
        received = {"status": RequestStatus.RECEIVED.value, "received_on": body.received_on, "closed_at": now}
        await db.update_child(uow.session, db.information_request, request_id, **received)
        await db.update_assessment(uow.session, loaded.id, status=loaded.status.value, updated_at=now)
        case_id = loaded.row["case_id"]
        await _emit(
            uow,
            runtime,
            loaded.row,
            InformationReceived(
                assessment_id=loaded.id, case_id=case_id, request_id=request_id, received_on=body.received_on
            ),
        )
        await _emit(
            uow,
            runtime,
            loaded.row,
            DeadlineCancelled(
                deadline_id=request["deadline_id"],
                case_id=case_id,
                kind=DeadlineKind.INFORMATION_REQUEST,
                reason="information_received",
            ),
        )
        await uow.commit()
    return _request_out({**request, **received}, today)


# --- IPLOS, criteria, the best interests of the child ---------------------------------------------


@router.put(
    "/{assessment_id}/functional-scores",
    response_model=AssessmentOut,
    summary="Record the IPLOS functional scores (1–5, or 9 when not relevant)",
)
async def record_functional_scores(
    assessment_id: str, body: FunctionalScoresIn, principal: PrincipalDep, runtime: RuntimeDep
) -> dict[str, Any]:
    async with runtime.db.unit_of_work() as uow:
        loaded = await _load(uow, principal, assessment_id, Action.SCORE)
        check_scores(body.scores, load_variables(), body.assessed_on, uow.clock.today())
        await db.update_assessment(
            uow.session,
            loaded.id,
            scores=body.scores,
            scores_assessed_on=body.assessed_on,
            scores_recorded_by=loaded.actor.label,
            status=loaded.status.value,
            updated_at=uow.clock.now(),
        )
        await _emit(
            uow,
            runtime,
            loaded.row,
            FunctionalScoresRecorded(
                assessment_id=loaded.id,
                case_id=loaded.row["case_id"],
                scores=body.scores,
                assessed_on=body.assessed_on,
            ),
        )
        state = await _state(uow, loaded.id, loaded.partners)
        await uow.commit()
    return state


@router.put(
    "/{assessment_id}/criteria",
    response_model=AssessmentOut,
    summary="Weigh the municipality's criteria: care ladder step and grounds, BTI level, coordinated services",
)
async def evaluate(
    assessment_id: str, body: CriteriaIn, principal: PrincipalDep, runtime: RuntimeDep
) -> dict[str, Any]:
    async with runtime.db.unit_of_work() as uow:
        loaded = await _load(uow, principal, assessment_id, Action.EVALUATE_CRITERIA)
        tenant = runtime.tenants.get(loaded.row["municipality"])
        given = CriteriaEvaluation(
            care_ladder_step=body.care_ladder_step,
            care_ladder_grounds=tuple(body.care_ladder_grounds),
            bti_level=body.bti_level,
            coordinated_criteria_met=tuple(body.coordinated_criteria_met),
        )
        result = evaluate_criteria(given, tenant.criteria, tenant.name)
        now = uow.clock.now()
        await db.update_assessment(
            uow.session,
            loaded.id,
            care_ladder_step=result.care_ladder_step,
            care_ladder_grounds=list(result.care_ladder_grounds),
            bti_level=result.bti_level,
            coordinated_criteria_met=list(result.coordinated_criteria_met),
            criteria_evaluated_at=now,
            status=loaded.status.value,
            updated_at=now,
        )
        await _emit(
            uow,
            runtime,
            loaded.row,
            CriteriaEvaluated(
                assessment_id=loaded.id,
                case_id=loaded.row["case_id"],
                care_ladder_step=result.care_ladder_step,
                care_ladder_grounds=list(result.care_ladder_grounds),
                bti_level=result.bti_level,
                coordinated_criteria_met=list(result.coordinated_criteria_met),
            ),
        )
        state = await _state(uow, loaded.id, loaded.partners)
        await uow.commit()
    return state


@router.post(
    "/{assessment_id}/child-best-interests",
    status_code=201,
    response_model=AssessmentOut,
    summary="Record the best-interests-of-the-child assessment (the child, siblings, children as next of kin)",
)
async def assess_child_best_interests(
    assessment_id: str, body: ChildBestInterestsIn, principal: PrincipalDep, runtime: RuntimeDep
) -> dict[str, Any]:
    async with runtime.db.unit_of_work() as uow:
        loaded = await _load(uow, principal, assessment_id, Action.ASSESS_CHILD_BEST_INTERESTS)
        now = uow.clock.now()
        await db.add(
            uow.session,
            db.child_best_interests,
            {
                "id": new_id(),
                "assessment_id": loaded.id,
                "children_considered": body.children_considered,
                "assessment": body.assessment,
                "assessed_by": loaded.actor.label,
                "created_at": now,
            },
        )
        await db.update_assessment(uow.session, loaded.id, status=loaded.status.value, updated_at=now)
        await _emit(
            uow,
            runtime,
            loaded.row,
            ChildBestInterestsAssessed(
                assessment_id=loaded.id, case_id=loaded.row["case_id"], children_considered=body.children_considered
            ),
        )
        state = await _state(uow, loaded.id, loaded.partners)
        await uow.commit()
    return state


# --- recommendation, completion, hand-over -------------------------------------------------------


@router.put(
    "/{assessment_id}/recommendation",
    response_model=AssessmentOut,
    summary="The assessor's proposed decision: services, scope, period, legal basis and reasons",
)
async def recommend(
    assessment_id: str, body: RecommendationIn, principal: PrincipalDep, runtime: RuntimeDep
) -> dict[str, Any]:
    async with runtime.db.unit_of_work() as uow:
        loaded = await _load(uow, principal, assessment_id, Action.RECOMMEND)
        recommendation = build_recommendation(
            [
                ServiceLine(
                    service_code=s.service_code, start_on=s.start_on, hours_per_week=s.hours_per_week, end_on=s.end_on
                )
                for s in body.services
            ],
            body.legal_basis,
            body.proposed_outcome,
            body.reasons,
            runtime.tenants.get(loaded.row["municipality"]),
        )
        await db.update_assessment(
            uow.session,
            loaded.id,
            recommendation=recommendation.model_dump(mode="json"),
            recommendation_reasons=body.reasons,
            recommended_by=loaded.actor.label,
            status=loaded.status.value,
            updated_at=uow.clock.now(),
        )
        state = await _state(uow, loaded.id, loaded.partners)
        await uow.commit()
    return state


@router.post(
    "/{assessment_id}/complete",
    response_model=AssessmentOut,
    summary="Complete the assessment; the recommendation goes on to the decision",
)
async def complete(assessment_id: str, principal: PrincipalDep, runtime: RuntimeDep) -> dict[str, Any]:
    async with runtime.db.unit_of_work() as uow:
        loaded = await _load(uow, principal, assessment_id, Action.COMPLETE)
        row = loaded.row
        check_completion(
            has_recommendation=row["recommendation"] is not None,
            involves_child=row["involves_child"],
            has_child_best_interests=await db.has_child_best_interests(uow.session, loaded.id),
            has_scores=row["scores"] is not None,
            service_code=row["service_code"],
            variables=load_variables(),
        )
        now = uow.clock.now()
        await db.update_assessment(
            uow.session,
            loaded.id,
            status=loaded.status.value,
            completed_by=loaded.actor.label,
            completed_at=now,
            updated_at=now,
        )
        await _close_open_requests(uow, runtime, row, now)
        await _emit(
            uow,
            runtime,
            row,
            AssessmentCompleted(
                assessment_id=loaded.id,
                case_id=row["case_id"],
                person_id=row["person_id"],
                completed_by=loaded.actor.label,
                recommendation=Recommendation.model_validate(row["recommendation"]),
                care_ladder_step=row["care_ladder_step"],
                bti_level=row["bti_level"],
                emergency_measure=row["emergency_measure"],
            ),
        )
        state = await _state(uow, loaded.id, loaded.partners)
        await uow.commit()
    return state


async def _close_open_requests(uow: UnitOfWork, runtime: Runtime, row: dict[str, Any], now: datetime) -> None:
    """A completed assessment waits for nothing more: its open requests close and their clocks stop."""
    for request in await db.open_requests(uow.session, row["id"]):
        await db.update_child(
            uow.session,
            db.information_request,
            request["id"],
            status=RequestStatus.CANCELLED_ASSESSMENT_COMPLETED.value,
            closed_at=now,
        )
        await _emit(
            uow,
            runtime,
            row,
            DeadlineCancelled(
                deadline_id=request["deadline_id"],
                case_id=row["case_id"],
                kind=DeadlineKind.INFORMATION_REQUEST,
                reason="assessment_completed",
            ),
        )


@router.post(
    "/{assessment_id}/handover",
    response_model=AssessmentOut,
    summary="Hand the case to the partner office that takes this service (needs the consent to share)",
)
async def hand_over(
    assessment_id: str, principal: PrincipalDep, runtime: RuntimeDep, body: HandoverIn | None = None
) -> dict[str, Any]:
    async with runtime.db.unit_of_work() as uow:
        loaded = await _load(uow, principal, assessment_id, Action.HAND_OVER)
        row = loaded.row
        partner = check_handover(runtime.tenants.get(row["municipality"]), row["service_code"], row["consent_scope"])
        now = uow.clock.now()
        await db.add(
            uow.session,
            db.case_access,
            {
                "id": new_id(),
                "assessment_id": loaded.id,
                "case_id": row["case_id"],
                "home_municipality": row["municipality"],
                "partner_municipality": partner.municipality,
                "granted_by": principal.subject,
                "granted_at": now,
            },
        )
        await db.update_assessment(uow.session, loaded.id, status=loaded.status.value, updated_at=now)
        await _emit(
            uow,
            runtime,
            row,
            CaseHandedOver(
                assessment_id=loaded.id,
                case_id=row["case_id"],
                from_municipality=row["municipality"],
                to_municipality=partner.municipality,
                service_code=row["service_code"],
            ),
        )
        state = await _state(uow, loaded.id, [*loaded.partners, partner.municipality])
        await uow.commit()
    return state
