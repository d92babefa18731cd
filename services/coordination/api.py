"""Coordination's HTTP API: the coordinating unit assesses a referral, asks the office for the decisions on the
rights, and appoints, changes and records the declining of coordinators.

Each route parses its body, hands the command to the bus (which acts for the caller's token and commits),
and shapes the response."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from contracts.coordination import MeetingKind
from servicekit.calendar import local_date
from servicekit.http import problem_responses
from servicekit.runtime import BusDep
from servicekit.types import Code, Identifier, Limit, Offset
from services.coordination import commands
from services.coordination.commands import BtiView, HolderIn, Page, PlanView, ReferralView
from services.coordination.domain import (
    Appointment,
    BtiGuidance,
    Escalation,
    Meeting,
    PlanVersion,
    Proposal,
    Referral,
    RelayHolder,
    RelayLog,
    ReportFiling,
    Status,
    TrainingNeed,
    UnitReport,
    annual_report_due,
)
from services.coordination.schemas import (
    AnnualReportOut,
    AppointmentIn,
    AppointmentOut,
    ArrangementIn,
    ArrangementOut,
    AssessmentIn,
    AssessmentOut,
    BirthIn,
    BtiEntryOut,
    BtiGuidanceOut,
    BtiImplicationOut,
    BtiLevelIn,
    BtiOut,
    ChangeNoticeIn,
    CoordinatorChangeIn,
    DecisionRequestOut,
    EscalationAnswerIn,
    EscalationIn,
    EscalationOut,
    FollowUpOut,
    GoalIn,
    GoalOut,
    HolderOut,
    HomeVisitOut,
    MeasureCompletionIn,
    MeasureIn,
    MeasureOut,
    MeetingHeldIn,
    MeetingIn,
    MeetingOut,
    MinutesIn,
    NoteIn,
    NoteOut,
    PlanOut,
    PlanVersionOut,
    ProposalOut,
    ReferralOut,
    ReferralPage,
    ReferralSummaryOut,
    RelayEntryIn,
    RelayEntryOut,
    RelayLogIn,
    RelayLogOut,
    ReportFiguresOut,
    ReviewIn,
    ReviewOut,
    SubmissionOut,
    SubmitReportIn,
    TrainingCompletionIn,
    TrainingNeedIn,
    TrainingNeedOut,
    UnitReportOut,
)
from services.coordination.schemas import (
    HolderIn as HolderBody,
)

router = APIRouter(prefix="/referrals", tags=["referrals"])


READ_PROBLEMS = {
    403: "not a caseworker or leader of the coordinating unit",
    404: "no such referral in your municipality",
}
WRITE_PROBLEMS = {
    403: "not a caseworker of the referral's coordinating unit",
    404: "no such referral in your municipality",
    409: "the referral's state does not allow it; `field` names what stands in the way",
    422: "the body breaks a rule; `field` names it",
}


# --- reading -------------------------------------------------------------------------------------


@router.get(
    "",
    response_model=ReferralPage,
    summary="Referrals to your coordinating unit, newest first",
    responses=problem_responses({403: READ_PROBLEMS[403]}),
)
async def list_referrals(
    *,
    bus: BusDep,
    status: Annotated[Status | None, Query(description="only referrals in this status")] = None,
    case_id: Annotated[Identifier | None, Query(description="only the referral of this case")] = None,
    limit: Annotated[Limit, Query()] = 50,
    offset: Annotated[Offset, Query()] = 0,
) -> ReferralPage:
    page: Page = await bus.run(commands.list_referrals, commands.ListReferrals(status, case_id, limit, offset))
    return ReferralPage(
        items=[_summary_out(r) for r in page.items], total=page.total, limit=page.limit, offset=page.offset
    )


@router.get(
    "/{referral_id}",
    response_model=ReferralOut,
    summary="One referral, with everything recorded",
    responses=problem_responses(READ_PROBLEMS),
)
async def get_referral(referral_id: Identifier, bus: BusDep) -> ReferralOut:
    return _referral_out(await bus.run(commands.get_referral, commands.GetReferral(referral_id)))


# --- the child's birth date ----------------------------------------------------------------------


@router.put(
    "/{referral_id}/child",
    response_model=ReferralOut,
    summary="Record the child's birth date: a newborn or small child gets a home visit planned (where configured)",
    responses=problem_responses(WRITE_PROBLEMS),
)
async def record_birth(referral_id: Identifier, body: BirthIn, bus: BusDep) -> ReferralOut:
    return _referral_out(await bus.run(commands.record_birth, commands.RecordBirth(referral_id, body.born_on)))


# --- the criteria, the proposals, the requested decisions -----------------------------------------


@router.put(
    "/{referral_id}/assessment",
    response_model=ReferralOut,
    summary="Weigh the criteria and propose a result per right; a refusal needs written reasons",
    responses=problem_responses(WRITE_PROBLEMS),
)
async def assess(referral_id: Identifier, body: AssessmentIn, bus: BusDep) -> ReferralOut:
    cmd = commands.AssessReferral(
        referral_id,
        long_term_need=body.long_term_need,
        different_providers=body.services_from_different_providers,
        judgement=body.judgement,
        proposals={right: Proposal(p.result, p.reasons) for right, p in body.proposals.items()},
        specialist_services=tuple(body.specialist_services),
    )
    return _referral_out(await bus.run(commands.assess_referral, cmd))


@router.post(
    "/{referral_id}/decision-requests",
    response_model=ReferralOut,
    summary="Ask the office for the individual decision on each right assessed",
    responses=problem_responses(WRITE_PROBLEMS),
)
async def request_decisions(referral_id: Identifier, bus: BusDep) -> ReferralOut:
    return _referral_out(await bus.run(commands.request_decisions, commands.RequestDecisions(referral_id)))


# --- coordinators --------------------------------------------------------------------------------


@router.post(
    "/{referral_id}/coordinator",
    status_code=201,
    response_model=ReferralOut,
    summary="Appoint the coordinator (or child coordinator) with the unit that holds the responsibility",
    responses=problem_responses(WRITE_PROBLEMS),
)
async def appoint(referral_id: Identifier, body: AppointmentIn, bus: BusDep) -> ReferralOut:
    cmd = commands.AppointCoordinator(referral_id, body.role, body.coordinator, body.unit, body.wishes, body.wishes_met)
    return _referral_out(await bus.run(commands.appoint_coordinator, cmd))


@router.post(
    "/{referral_id}/coordinator-changes",
    response_model=ReferralOut,
    summary="Record a change of coordinator, with its reason",
    responses=problem_responses(WRITE_PROBLEMS),
)
async def change(referral_id: Identifier, body: CoordinatorChangeIn, bus: BusDep) -> ReferralOut:
    cmd = commands.ChangeCoordinator(
        referral_id, body.coordinator, body.unit, body.reason, body.wishes, body.wishes_met
    )
    return _referral_out(await bus.run(commands.change_coordinator, cmd))


@router.post(
    "/{referral_id}/change-notices",
    response_model=ReferralOut,
    summary="Record a change notice: the person declines the coordinator or the plan (declining the plan keeps "
    "the coordinator)",
    responses=problem_responses(WRITE_PROBLEMS),
)
async def change_notice(referral_id: Identifier, body: ChangeNoticeIn, bus: BusDep) -> ReferralOut:
    cmd = commands.RecordChangeNotice(referral_id, body.declined, body.declined_on)
    return _referral_out(await bus.run(commands.record_change_notice, cmd))


# --- Selbu's choice ------------------------------------------------------------------------------


@router.put(
    "/{referral_id}/arrangement",
    response_model=ReferralOut,
    summary="With the person's consent, link in the services and choose a responsibility group or a collaboration "
    "meeting (where configured, before the coordinator is chosen)",
    responses=problem_responses(WRITE_PROBLEMS),
)
async def choose_arrangement(referral_id: Identifier, body: ArrangementIn, bus: BusDep) -> ReferralOut:
    cmd = commands.ChooseArrangement(referral_id, body.form, body.linked_units, body.consent_on)
    return _referral_out(await bus.run(commands.choose_arrangement, cmd))


# --- the referral's individual plan and meetings -------------------------------------------------


@router.post(
    "/{referral_id}/plan",
    status_code=201,
    response_model=PlanOut,
    summary="Make the individual plan of a referral whose plan right was granted",
    responses=problem_responses(WRITE_PROBLEMS),
)
async def create_plan(referral_id: Identifier, bus: BusDep) -> PlanOut:
    return _plan_out(await bus.run(commands.create_plan, commands.CreatePlan(referral_id)))


@router.get(
    "/{referral_id}/plan",
    response_model=PlanOut,
    summary="The referral's individual plan (its participants only)",
    responses=problem_responses({403: READ_PROBLEMS[403], 404: "no plan, or you are not one of its participants"}),
)
async def plan_of_referral(referral_id: Identifier, bus: BusDep) -> PlanOut:
    return _plan_out(await bus.run(commands.plan_of_referral, commands.PlanOfReferral(referral_id)))


@router.post(
    "/{referral_id}/meetings",
    status_code=201,
    response_model=MeetingOut,
    summary="Call a collaboration, coordination or responsibility-group meeting (or record the hospital's call)",
    responses=problem_responses(WRITE_PROBLEMS),
)
async def call_meeting(referral_id: Identifier, body: MeetingIn, bus: BusDep) -> MeetingOut:
    cmd = commands.CallMeeting(referral_id, body.kind, body.planned_on, body.called_by, body.invited)
    return _meeting_out(await bus.run(commands.call_meeting, cmd))


@router.get(
    "/{referral_id}/meetings",
    response_model=list[MeetingOut],
    summary="The meetings around the person, in the order planned",
    responses=problem_responses(READ_PROBLEMS),
)
async def list_meetings(referral_id: Identifier, bus: BusDep) -> list[MeetingOut]:
    return [_meeting_out(m) for m in await bus.run(commands.list_meetings, commands.ListMeetings(referral_id))]


# --- the individual plan -------------------------------------------------------------------------

plans = APIRouter(prefix="/plans", tags=["individual plans"])
PLAN_PROBLEMS = {
    403: "not a caseworker or leader, or (to change it) a participant without the caseworker role",
    404: "no such plan, or you are not one of its participants",
    409: "the plan was declined, or its state does not allow it",
    422: "the body breaks a rule; `field` names it",
}


@plans.get(
    "/{plan_id}",
    response_model=PlanOut,
    summary="The individual plan as it stands (its participants only)",
    responses=problem_responses({403: PLAN_PROBLEMS[403], 404: PLAN_PROBLEMS[404]}),
)
async def get_plan(plan_id: Identifier, bus: BusDep) -> PlanOut:
    return _plan_out(await bus.run(commands.get_plan, commands.GetPlan(plan_id)))


@plans.get(
    "/{plan_id}/versions",
    response_model=list[PlanVersionOut],
    summary="Every version the plan had, oldest first",
    responses=problem_responses({403: PLAN_PROBLEMS[403], 404: PLAN_PROBLEMS[404]}),
)
async def plan_versions(plan_id: Identifier, bus: BusDep) -> list[PlanVersionOut]:
    return [_version_out(v) for v in await bus.run(commands.plan_versions, commands.GetPlan(plan_id))]


@plans.post(
    "/{plan_id}/goals",
    response_model=PlanOut,
    summary="Add one of the person's own goals (a new version)",
    responses=problem_responses(PLAN_PROBLEMS),
)
async def add_goal(plan_id: Identifier, body: GoalIn, bus: BusDep) -> PlanOut:
    return _plan_out(await bus.run(commands.add_goal, commands.AddGoal(plan_id, body.text)))


@plans.post(
    "/{plan_id}/measures",
    response_model=PlanOut,
    summary="Add a measure with its responsible service and due date (a new version)",
    responses=problem_responses(PLAN_PROBLEMS),
)
async def add_measure(plan_id: Identifier, body: MeasureIn, bus: BusDep) -> PlanOut:
    cmd = commands.AddMeasure(plan_id, body.description, body.responsible_unit, body.due_on, body.goal_id)
    return _plan_out(await bus.run(commands.add_measure, cmd))


@plans.put(
    "/{plan_id}/measures/{measure_id}/completion",
    response_model=PlanOut,
    summary="Record that a measure was carried out (a new version)",
    responses=problem_responses(PLAN_PROBLEMS),
)
async def complete_measure(
    plan_id: Identifier, measure_id: Identifier, body: MeasureCompletionIn, bus: BusDep
) -> PlanOut:
    cmd = commands.CompleteMeasure(plan_id, measure_id, body.completed_on)
    return _plan_out(await bus.run(commands.complete_measure, cmd))


@plans.post(
    "/{plan_id}/notes",
    response_model=PlanOut,
    summary="Add a progress note (a new version)",
    responses=problem_responses(PLAN_PROBLEMS),
)
async def add_note(plan_id: Identifier, body: NoteIn, bus: BusDep) -> PlanOut:
    return _plan_out(await bus.run(commands.add_note, commands.AddNote(plan_id, body.text, body.measure_id)))


@plans.post(
    "/{plan_id}/reviews",
    response_model=PlanOut,
    summary="Record a review of the plan (a new version)",
    responses=problem_responses(PLAN_PROBLEMS),
)
async def review_plan(plan_id: Identifier, body: ReviewIn, bus: BusDep) -> PlanOut:
    cmd = commands.ReviewPlan(plan_id, body.reviewed_on, body.summary, body.next_review_on)
    return _plan_out(await bus.run(commands.review_plan, cmd))


# --- meetings ------------------------------------------------------------------------------------

meetings = APIRouter(prefix="/meetings", tags=["meetings"])
MEETING_PROBLEMS = {**WRITE_PROBLEMS, 404: "no such meeting in your municipality"}


@meetings.get(
    "/{meeting_id}",
    response_model=MeetingOut,
    summary="One meeting, with its participants, minutes and follow-ups",
    responses=problem_responses({403: READ_PROBLEMS[403], 404: MEETING_PROBLEMS[404]}),
)
async def get_meeting(meeting_id: Identifier, bus: BusDep) -> MeetingOut:
    return _meeting_out(await bus.run(commands.get_meeting, commands.GetMeeting(meeting_id)))


@meetings.put(
    "/{meeting_id}/held",
    response_model=MeetingOut,
    summary="Record that the meeting was held and who took part; the minutes are then owed (a deadline)",
    responses=problem_responses(MEETING_PROBLEMS),
)
async def record_held(meeting_id: Identifier, body: MeetingHeldIn, bus: BusDep) -> MeetingOut:
    cmd = commands.RecordMeetingHeld(meeting_id, body.held_on, body.participants)
    return _meeting_out(await bus.run(commands.record_meeting_held, cmd))


@meetings.put(
    "/{meeting_id}/minutes",
    response_model=MeetingOut,
    summary="Record the minutes and the agreed follow-ups; the minutes deadline stops",
    responses=problem_responses(MEETING_PROBLEMS),
)
async def record_minutes(meeting_id: Identifier, body: MinutesIn, bus: BusDep) -> MeetingOut:
    follow_ups = [(f.description, f.responsible, f.due_on) for f in body.follow_ups]
    cmd = commands.RecordMinutes(meeting_id, body.minutes, follow_ups)
    return _meeting_out(await bus.run(commands.record_minutes, cmd))


# --- coordinators' training ----------------------------------------------------------------------

training = APIRouter(prefix="/training-needs", tags=["coordinator training"])
TRAINING_PROBLEMS = {
    403: "not a caseworker or leader of the unit or coordinating unit",
    404: "no such training need in your municipality",
    409: "the training is completed",
    422: "the body breaks a rule; `field` names it",
}


@training.post(
    "",
    status_code=201,
    response_model=TrainingNeedOut,
    summary="Register a coordinator's training need (the competence form); training is offered within six months",
    responses=problem_responses({403: TRAINING_PROBLEMS[403], 422: TRAINING_PROBLEMS[422]}),
)
async def register_training_need(body: TrainingNeedIn, bus: BusDep) -> TrainingNeedOut:
    cmd = commands.RegisterTrainingNeed(
        body.coordinator, body.unit, body.coordinating_unit, body.kind, body.needs, body.requested_on
    )
    return _training_out(await bus.run(commands.register_training_need, cmd))


@training.get(
    "/{need_id}",
    response_model=TrainingNeedOut,
    summary="One training need",
    responses=problem_responses({403: TRAINING_PROBLEMS[403], 404: TRAINING_PROBLEMS[404]}),
)
async def get_training_need(need_id: Identifier, bus: BusDep) -> TrainingNeedOut:
    return _training_out(await bus.run(commands.get_training_need, commands.GetTrainingNeed(need_id)))


@training.put(
    "/{need_id}/completion",
    response_model=TrainingNeedOut,
    summary="Record that the coordinator completed the training; its deadline stops",
    responses=problem_responses(TRAINING_PROBLEMS),
)
async def complete_training(need_id: Identifier, body: TrainingCompletionIn, bus: BusDep) -> TrainingNeedOut:
    cmd = commands.CompleteTraining(need_id, body.completed_on)
    return _training_out(await bus.run(commands.complete_training, cmd))


# --- the annual report ---------------------------------------------------------------------------

reports = APIRouter(prefix="/annual-reports", tags=["annual report"])
Year = Annotated[int, Path(ge=2000, le=2100, description="the calendar year counted")]
ReportUnit = Annotated[Code | None, Query(description="only this coordinating unit")]
REPORT_PROBLEMS = {403: "not a caseworker or leader (of that coordinating unit)", 422: "not a coordinating unit"}
CSV_COLUMNS = (
    "municipality",
    "year",
    "unit",
    "coordinators_active",
    "coordinators_appointed",
    "individual_plans_active",
    "individual_plans_created",
    "meetings_held",
    *(f"meetings_{k.value}" for k in MeetingKind),
    "due_on",
    "submitted_on",
)


@reports.get(
    "/{year}",
    response_model=AnnualReportOut,
    summary="Per coordinating unit: the year's coordinators, individual plans and meetings",
    responses=problem_responses(REPORT_PROBLEMS),
)
async def annual_report(year: Year, bus: BusDep, unit: ReportUnit = None) -> AnnualReportOut:
    found = await bus.run(commands.annual_report, commands.AnnualReport(year, unit))
    return AnnualReportOut(
        municipality=found.municipality,
        year=year,
        units=[_unit_report_out(r, year, found.submitted.get(r.unit)) for r in found.units],
    )


@reports.post(
    "/{year}/submissions",
    response_model=UnitReportOut,
    status_code=201,
    summary="The unit's leader submits the year's report: its figures are kept as they stand and its clock stops",
    responses=problem_responses(
        {
            403: "not the leader (of that coordinating unit)",
            409: "the unit's report for the year was submitted before",
            422: "not a coordinating unit, or a year not yet begun",
        }
    ),
)
async def submit_annual_report(year: Year, body: SubmitReportIn, bus: BusDep) -> UnitReportOut:
    filing = await bus.run(commands.submit_annual_report, commands.SubmitAnnualReport(year, body.unit))
    assert filing.submitted is not None
    return _unit_report_out(filing.submitted, year, filing)


@reports.get(
    "/{year}/csv",
    response_class=Response,
    summary="The annual report as CSV, one row per coordinating unit",
    responses={200: {"content": {"text/csv": {}}}, **problem_responses(REPORT_PROBLEMS)},
)
async def annual_report_csv(year: Year, bus: BusDep, unit: ReportUnit = None) -> Response:
    found = await bus.run(commands.annual_report, commands.AnnualReport(year, unit))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in found.units:
        writer.writerow(
            [
                found.municipality,
                year,
                r.unit,
                r.coordinators_active,
                r.coordinators_appointed,
                r.individual_plans_active,
                r.individual_plans_created,
                r.meetings_held,
                *(r.meetings_by_kind.get(k, 0) for k in MeetingKind),
                annual_report_due(year).isoformat(),
                _submitted_on(found.submitted.get(r.unit)),
            ]
        )
    return Response(
        out.getvalue(),
        media_type="text/csv",
        headers={"content-disposition": f'attachment; filename="annual-report-{year}.csv"'},
    )


# --- shaping the responses -----------------------------------------------------------------------


def _summary_out(r: Referral) -> ReferralSummaryOut:
    return ReferralSummaryOut(
        id=r.id,
        case_id=r.case_id,
        municipality=r.municipality,
        kind=r.kind,
        person_id=r.person_id,
        unit=r.unit,
        requested=list(r.requested),
        involves_child=r.involves_child,
        received_on=r.received_on,
        status=r.status,
        created_at=r.created_at,
        updated_at=r.updated_at,
    )


def _appointment_out(a: Appointment) -> AppointmentOut:
    return AppointmentOut(
        id=a.id,
        role=a.role,
        coordinator=a.coordinator,
        unit=a.unit,
        wishes=a.wishes,
        wishes_met=a.wishes_met,
        appointed_on=a.appointed_on,
        appointed_by=a.appointed_by,
        ends_on=a.ends_on,
        ended_on=a.ended_on,
        end_reason=a.end_reason,
    )


def _referral_out(view: ReferralView) -> ReferralOut:
    r, a = view.referral, view.referral.assessment
    current = r.current_coordinator
    return ReferralOut(
        **_summary_out(r).model_dump(),
        expected_birth_on=r.expected_birth_on,
        born_on=r.born_on,
        grounds=r.grounds,
        grounds_since=r.grounds_since,
        providers_seen=list(view.providers_seen),
        assessment=(
            AssessmentOut(
                long_term_need=a.long_term_need,
                services_from_different_providers=a.different_providers,
                providers_seen=list(a.providers_seen),
                criteria_met=a.criteria_met,
                judgement=a.judgement,
                proposals={right: ProposalOut(result=p.result, reasons=p.reasons) for right, p in a.proposals.items()},
                assessed_by=a.assessed_by,
                assessed_at=a.assessed_at,
                specialist_services=list(a.specialist_services),
            )
            if a is not None
            else None
        ),
        decision_requests=[
            DecisionRequestOut(request_id=q.request_id, right=q.right, proposed=q.proposed) for q in r.requests
        ],
        outcomes=dict(r.outcomes),
        decision_id=r.decision_id,
        home_visit=HomeVisitOut(visit_id=r.home_visit.visit_id, due_on=r.home_visit.due_on) if r.home_visit else None,
        coordinator=_appointment_out(current) if current is not None else None,
        coordinator_history=[_appointment_out(x) for x in r.appointments],
        coordinator_declined_on=r.coordinator_declined_on,
        plan_declined_on=r.plan_declined_on,
        arrangement=(
            ArrangementOut(
                form=r.arrangement.form,
                linked_units=list(r.arrangement.linked_units),
                consent_on=r.arrangement.consent_on,
                chosen_by=r.arrangement.chosen_by,
                chosen_on=r.arrangement.chosen_on,
            )
            if r.arrangement is not None
            else None
        ),
    )


def _plan_out(view: PlanView) -> PlanOut:
    p = view.plan
    return PlanOut(
        id=p.id,
        referral_id=p.referral_id,
        case_id=p.case_id,
        unit=p.unit,
        version=p.version,
        goals=[GoalOut(id=g.id, text=g.text, added_on=g.added_on) for g in p.goals],
        measures=[
            MeasureOut(
                id=m.id,
                description=m.description,
                responsible_unit=m.responsible_unit,
                due_on=m.due_on,
                goal_id=m.goal_id,
                added_on=m.added_on,
                completed_on=m.completed_on,
            )
            for m in p.measures
        ],
        notes=[
            NoteOut(id=n.id, text=n.text, written_by=n.written_by, written_on=n.written_on, measure_id=n.measure_id)
            for n in p.notes
        ],
        reviews=[
            ReviewOut(
                id=r.id,
                reviewed_on=r.reviewed_on,
                reviewed_by=r.reviewed_by,
                summary=r.summary,
                next_review_on=r.next_review_on,
            )
            for r in p.reviews
        ],
        declined_on=p.declined_on,
        participants=sorted(view.referral.plan_participants().units),
        informs=sorted(view.referral.plan_participants().informed),
        created_at=p.created_at,
        updated_at=p.updated_at,
    )


def _version_out(v: PlanVersion) -> PlanVersionOut:
    return PlanVersionOut(
        version=v.version, change=v.change, changed_by=v.changed_by, changed_at=v.changed_at, content=dict(v.content)
    )


def _meeting_out(m: Meeting) -> MeetingOut:
    return MeetingOut(
        id=m.id,
        referral_id=m.referral_id,
        case_id=m.case_id,
        unit=m.unit,
        kind=m.kind,
        planned_on=m.planned_on,
        called_by=m.called_by,
        coordinator=m.coordinator,
        members=list(m.members),
        held_on=m.held_on,
        participants=list(m.participants),
        minutes=m.minutes,
        minutes_recorded_on=m.minutes_recorded_on,
        follow_ups=[
            FollowUpOut(id=f.id, description=f.description, responsible=f.responsible, due_on=f.due_on)
            for f in m.follow_ups
        ],
    )


def _training_out(n: TrainingNeed) -> TrainingNeedOut:
    return TrainingNeedOut(
        id=n.id,
        coordinator=n.coordinator,
        unit=n.unit,
        coordinating_unit=n.coordinating_unit,
        kind=n.kind,
        needs=n.needs,
        requested_on=n.requested_on,
        due_on=n.due_on,
        registered_by=n.registered_by,
        completed_on=n.completed_on,
    )


def _figures(r: UnitReport) -> dict[str, Any]:
    return {
        "coordinators_active": r.coordinators_active,
        "coordinators_appointed": r.coordinators_appointed,
        "individual_plans_active": r.individual_plans_active,
        "individual_plans_created": r.individual_plans_created,
        "meetings_held": r.meetings_held,
        "meetings_by_kind": dict(r.meetings_by_kind),
        "meetings_per_coordinator": dict(r.meetings_per_coordinator),
    }


def _unit_report_out(r: UnitReport, year: int, filing: ReportFiling | None) -> UnitReportOut:
    submission = None
    if filing is not None and filing.submitted is not None:
        assert filing.submitted_at is not None
        assert filing.submitted_by is not None
        submission = SubmissionOut(
            submitted_at=filing.submitted_at,
            submitted_by=filing.submitted_by,
            figures=ReportFiguresOut(**_figures(filing.submitted)),
        )
    return UnitReportOut(unit=r.unit, due_on=annual_report_due(year), submission=submission, **_figures(r))


def _submitted_on(filing: ReportFiling | None) -> str:
    if filing is None or filing.submitted_at is None:
        return ""
    return local_date(filing.submitted_at).isoformat()


# --- BTI and the relay log (Holtålen) --------------------------------------------------------------------------

children = APIRouter(prefix="/children", tags=["BTI and relay log"])
ChildId = Annotated[Identifier, Path(description="the child's person id")]
BTI_PROBLEMS = {
    403: "not a caseworker (to read: or leader) of the coordinating unit for children",
    404: "no BTI level recorded for the child",
    409: "the municipality does not work by the BTI model, or the level is the one set already",
    422: "the body breaks a rule; `field` names it",
}
RELAY_PROBLEMS = {
    403: "not a caseworker of the coordinating unit, the holder's unit or the holder",
    404: "no relay log for the child, or not yours to read",
    409: "the municipality does not work by the BTI model, or the child's level keeps no relay log",
    422: "the body breaks a rule; `field` names it",
}


@children.put(
    "/{person_id}/bti",
    response_model=BtiOut,
    summary="Set the child's BTI level (0-3) with the reason; the history is kept",
    responses=problem_responses({k: v for k, v in BTI_PROBLEMS.items() if k != 404}),
)
async def set_bti_level(person_id: ChildId, body: BtiLevelIn, bus: BusDep) -> BtiOut:
    cmd = commands.SetBtiLevel(person_id, body.level, body.reason, body.note, body.set_on)
    return _bti_out(await bus.run(commands.set_bti_level, cmd))


@children.get(
    "/{person_id}/bti",
    response_model=BtiOut,
    summary="The child's BTI level, what it brings, and its history",
    responses=problem_responses({k: v for k, v in BTI_PROBLEMS.items() if k != 422}),
)
async def get_bti(person_id: ChildId, bus: BusDep) -> BtiOut:
    return _bti_out(await bus.run(commands.get_bti, commands.GetBti(person_id)))


@router.get(
    "/{referral_id}/bti-guidance",
    response_model=BtiGuidanceOut,
    summary="What the child's BTI level implies for the referral's criteria and proposals",
    responses=problem_responses(
        {**READ_PROBLEMS, 404: "no such referral, or no BTI level for its child", 409: BTI_PROBLEMS[409]}
    ),
)
async def referral_bti_guidance(referral_id: Identifier, bus: BusDep) -> BtiGuidanceOut:
    found: BtiGuidance = await bus.run(commands.referral_bti_guidance, commands.ReferralBtiGuidance(referral_id))
    return BtiGuidanceOut(
        level=found.level,
        long_term_need=found.long_term_need,
        different_providers=found.different_providers,
        proposals=dict(found.proposals),
        application_needed=found.application_needed,
    )


@children.post(
    "/{person_id}/relay-log",
    status_code=201,
    response_model=RelayLogOut,
    summary="Open the child's relay log (stafettlogg) with its holder",
    responses=problem_responses({k: v for k, v in RELAY_PROBLEMS.items() if k != 404}),
)
async def open_relay_log(person_id: ChildId, body: RelayLogIn, bus: BusDep) -> RelayLogOut:
    cmd = commands.OpenRelayLog(person_id, _holder_in(body.holder))
    return _relay_out(await bus.run(commands.open_relay_log, cmd))


@children.get(
    "/{person_id}/relay-log",
    response_model=RelayLogOut,
    summary="The child's relay log: its holder, the holders before, and the entries",
    responses=problem_responses({k: v for k, v in RELAY_PROBLEMS.items() if k != 422}),
)
async def get_relay_log(person_id: ChildId, bus: BusDep) -> RelayLogOut:
    return _relay_out(await bus.run(commands.get_relay_log, commands.GetRelayLog(person_id)))


@children.put(
    "/{person_id}/relay-log/holder",
    response_model=RelayLogOut,
    summary="Pass the relay log to a new holder",
    responses=problem_responses(RELAY_PROBLEMS),
)
async def change_relay_holder(person_id: ChildId, body: HolderBody, bus: BusDep) -> RelayLogOut:
    cmd = commands.ChangeRelayHolder(person_id, _holder_in(body))
    return _relay_out(await bus.run(commands.change_relay_holder, cmd))


@children.post(
    "/{person_id}/relay-log/entries",
    status_code=201,
    response_model=RelayLogOut,
    summary="Write an entry in the child's relay log",
    responses=problem_responses(RELAY_PROBLEMS),
)
async def add_relay_entry(person_id: ChildId, body: RelayEntryIn, bus: BusDep) -> RelayLogOut:
    cmd = commands.AddRelayEntry(person_id, body.entry_on, body.text)
    return _relay_out(await bus.run(commands.add_relay_entry, cmd))


def _holder_in(body: HolderBody) -> HolderIn:
    return HolderIn(body.name, body.role, body.unit, body.user, body.from_on)


def _bti_out(view: BtiView) -> BtiOut:
    r, implied = view.record, view.implication
    return BtiOut(
        id=r.id,
        person_id=r.person_id,
        unit=r.unit,
        level=r.level,
        implies=BtiImplicationOut(
            rights=sorted(implied.rights), relay_log=implied.relay_log, specialist_services=implied.specialist_services
        )
        if implied is not None
        else None,
        history=[
            BtiEntryOut(level=e.level, reason=e.reason, note=e.note, set_on=e.set_on, set_by=e.set_by)
            for e in r.history
        ],
    )


def _holder_out(h: RelayHolder) -> HolderOut:
    return HolderOut(
        id=h.id, name=h.name, role=h.role, unit=h.unit, user=h.user, from_on=h.from_on, until_on=h.until_on
    )


def _relay_out(log: RelayLog) -> RelayLogOut:
    return RelayLogOut(
        id=log.id,
        person_id=log.person_id,
        unit=log.unit,
        opened_on=log.opened_on,
        holder=_holder_out(log.holder),
        holders=[_holder_out(h) for h in log.holders],
        entries=[
            RelayEntryOut(id=e.id, entry_on=e.entry_on, text=e.text, written_by=e.written_by) for e in log.entries
        ],
    )


# --- needs raised to the coordinating unit ---------------------------------------------------------------------

escalations = APIRouter(prefix="/escalations", tags=["escalations"])
ESCALATION_PROBLEMS = {
    403: "not the coordinator, the unit holding the responsibility or the coordinating unit",
    404: "no such referral or escalation in your municipality (or not yours to read)",
    409: "no coordinator is appointed, or the unit has answered",
    422: "the body breaks a rule; `field` names it",
}


@router.post(
    "/{referral_id}/escalations",
    status_code=201,
    response_model=EscalationOut,
    summary="The coordinator raises large, complex needs to the coordinating unit, which must respond in time",
    responses=problem_responses(ESCALATION_PROBLEMS),
)
async def raise_need(referral_id: Identifier, body: EscalationIn, bus: BusDep) -> EscalationOut:
    cmd = commands.RaiseNeed(referral_id, body.reason, body.text)
    return _escalation_out(await bus.run(commands.raise_need, cmd))


@router.get(
    "/{referral_id}/escalations",
    response_model=list[EscalationOut],
    summary="The needs raised on a referral, with the coordinating unit's responses",
    responses=problem_responses(READ_PROBLEMS),
)
async def list_escalations(referral_id: Identifier, bus: BusDep) -> list[EscalationOut]:
    found = await bus.run(commands.list_escalations, commands.ListEscalations(referral_id))
    return [_escalation_out(e) for e in found]


@escalations.get(
    "/{escalation_id}",
    response_model=EscalationOut,
    summary="One raised need",
    responses=problem_responses({403: ESCALATION_PROBLEMS[403], 404: ESCALATION_PROBLEMS[404]}),
)
async def get_escalation(escalation_id: Identifier, bus: BusDep) -> EscalationOut:
    return _escalation_out(await bus.run(commands.get_escalation, commands.GetEscalation(escalation_id)))


@escalations.put(
    "/{escalation_id}/response",
    response_model=EscalationOut,
    summary="The coordinating unit records its response; its deadline stops",
    responses=problem_responses(ESCALATION_PROBLEMS),
)
async def answer_escalation(escalation_id: Identifier, body: EscalationAnswerIn, bus: BusDep) -> EscalationOut:
    cmd = commands.AnswerEscalation(escalation_id, body.response, body.text, body.answered_on)
    return _escalation_out(await bus.run(commands.answer_escalation, cmd))


def _escalation_out(e: Escalation) -> EscalationOut:
    return EscalationOut(
        id=e.id,
        referral_id=e.referral_id,
        unit=e.unit,
        reason=e.reason,
        text=e.text,
        raised_by=e.raised_by,
        raised_on=e.raised_on,
        due_on=e.due_on,
        response=e.response,
        response_text=e.response_text,
        answered_on=e.answered_on,
        answered_by=e.answered_by,
    )
