"""Coordination's use cases: load the referral through the repository, let the aggregate check the rules and
raise its events, save it, emit the events. The bus opens the unit of work and commits it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from contracts.coordination import (
    ArrangementForm,
    BtiReason,
    ChangeReason,
    CoordinatorRole,
    Declined,
    EscalationReason,
    EscalationResponse,
    MeetingKind,
    RelayHolderRole,
    RequestedRight,
    TrainingKind,
)
from contracts.decision import DecisionMade
from contracts.envelope import CloudEvent, EventModel
from contracts.intake import ChildCoordinatorApplicationRegistered, CoordinationReferralRegistered
from servicekit.calendar import local_date
from servicekit.context import bind
from servicekit.db import UnitOfWork
from servicekit.errors import Conflict, DomainError, Forbidden, NotFound
from servicekit.tenants import BtiRule, CoordinationSettings, Tenant
from services.coordination.db import (
    AnnualReports,
    ChildBtis,
    Escalations,
    Meetings,
    Plans,
    Referrals,
    RelayLogs,
    SeenDecisions,
    TrainingNeeds,
)
from services.coordination.domain import (
    BtiGuidance,
    BtiImplication,
    ChildBti,
    Escalation,
    Meeting,
    Plan,
    PlanVersion,
    Proposal,
    Referral,
    RelayHolder,
    RelayLog,
    ReportFiling,
    SeenDecision,
    Status,
    TrainingNeed,
    UnitReport,
    annual_report_deadline,
    authorize,
    bti_guidance,
    bti_implication,
    new_holder,
    providers_of,
    report_year_of,
    unit_report,
)

# --- the municipality's configuration ------------------------------------------------------------


def _coordinating_units(uow: UnitOfWork) -> frozenset[str]:
    return frozenset(u.code for u in coordination_of(uow.tenant).units)


def coordination_of(tenant: Tenant) -> CoordinationSettings:
    if tenant.coordination is None:
        raise DomainError(
            f"{tenant.name} has no coordinating unit configured (coordination: in its deploy/tenants file)",
            field="coordination",
        )
    return tenant.coordination


def appointable_units(tenant: Tenant) -> set[str]:
    """The units that may hold a coordinator responsibility: the service units and the coordinating units."""
    units = {u.code for u in tenant.units}
    if tenant.children_unit is not None:
        units.add(tenant.children_unit.code)
    if tenant.coordination is not None:
        units |= {u.code for u in tenant.coordination.units}
    return units


def delivering_units(tenant: Tenant) -> Mapping[str, str]:
    return tenant.decision.delivering_units if tenant.decision is not None else {}


# --- results -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralView:
    """A referral as it stands, with the providers of the person's granted services the platform has seen."""

    referral: Referral
    providers_seen: tuple[str, ...]


@dataclass(frozen=True)
class Page:
    items: list[Referral]
    total: int
    limit: int
    offset: int


async def _load(uow: UnitOfWork, referral_id: str, *, for_update: bool = True) -> tuple[Referrals, Referral]:
    referrals = Referrals(uow)
    found = await referrals.get(referral_id, for_update=for_update)
    bind(case_id=found.case_id)
    return referrals, found


async def _providers(uow: UnitOfWork, referral: Referral) -> tuple[str, ...]:
    return providers_of(await SeenDecisions(uow).of_person(referral.person_id), delivering_units(uow.tenant))


async def _save_and_emit(
    uow: UnitOfWork, referrals: Referrals, referral: Referral, events: Sequence[EventModel]
) -> ReferralView:
    await referrals.save(referral)
    await uow.emit_all(events)
    return ReferralView(referral, await _providers(uow, referral))


# --- reading -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListReferrals:
    status: Status | None = None
    case_id: str | None = None
    limit: int = 50
    offset: int = 0


async def list_referrals(cmd: ListReferrals, uow: UnitOfWork) -> Page:
    """The municipality's referrals; a token that names a coordinating unit sees that unit's only."""
    caller = uow.actor
    caller.require("caseworker", "leader")
    if cmd.case_id:
        bind(case_id=cmd.case_id)
    items, total = await Referrals(uow).page(
        unit=caller.unit, status=cmd.status, case_id=cmd.case_id, limit=cmd.limit, offset=cmd.offset
    )
    return Page(items, total, cmd.limit, cmd.offset)


@dataclass(frozen=True)
class GetReferral:
    referral_id: str


async def get_referral(cmd: GetReferral, uow: UnitOfWork) -> ReferralView:
    _, referral = await _load(uow, cmd.referral_id, for_update=False)
    authorize(uow.actor, referral.unit, write=False)
    return ReferralView(referral, await _providers(uow, referral))


# --- the child's birth date ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordBirth:
    referral_id: str
    born_on: date


async def record_birth(cmd: RecordBirth, uow: UnitOfWork) -> ReferralView:
    referrals, referral = await _load(uow, cmd.referral_id)
    rule = coordination_of(uow.tenant).home_visit_for_small_children
    events = referral.record_birth(uow.actor, cmd.born_on, rule, uow.clock.now())
    return await _save_and_emit(uow, referrals, referral, events)


# --- the criteria, the proposals, the requested decisions -----------------------------------------------


@dataclass(frozen=True)
class AssessReferral:
    referral_id: str
    long_term_need: bool
    different_providers: bool | None
    judgement: str
    proposals: Mapping[RequestedRight, Proposal]
    specialist_services: tuple[str, ...] = ()


async def assess_referral(cmd: AssessReferral, uow: UnitOfWork) -> ReferralView:
    referrals, referral = await _load(uow, cmd.referral_id)
    providers = await _providers(uow, referral)
    events = referral.assess(
        uow.actor,
        long_term_need=cmd.long_term_need,
        different_providers=cmd.different_providers,
        providers_seen=providers,
        judgement=cmd.judgement,
        proposals=cmd.proposals,
        now=uow.clock.now(),
        specialist_services=cmd.specialist_services,
    )
    return await _save_and_emit(uow, referrals, referral, events)


@dataclass(frozen=True)
class RequestDecisions:
    referral_id: str


async def request_decisions(cmd: RequestDecisions, uow: UnitOfWork) -> ReferralView:
    referrals, referral = await _load(uow, cmd.referral_id)
    events = referral.request_decisions(uow.actor, uow.clock.now())
    return await _save_and_emit(uow, referrals, referral, events)


# --- coordinators --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AppointCoordinator:
    referral_id: str
    role: CoordinatorRole
    coordinator: str
    unit: str
    wishes: str | None
    wishes_met: bool | None


async def appoint_coordinator(cmd: AppointCoordinator, uow: UnitOfWork) -> ReferralView:
    referrals, referral = await _load(uow, cmd.referral_id)
    events = referral.appoint(
        uow.actor,
        role=cmd.role,
        coordinator=cmd.coordinator,
        unit=cmd.unit,
        wishes=cmd.wishes,
        wishes_met=cmd.wishes_met,
        units=appointable_units(uow.tenant),
        now=uow.clock.now(),
        arrangement_first=coordination_of(uow.tenant).arrangement_before_coordinator,
    )
    return await _save_and_emit(uow, referrals, referral, events)


@dataclass(frozen=True)
class ChangeCoordinator:
    referral_id: str
    coordinator: str
    unit: str
    reason: ChangeReason
    wishes: str | None
    wishes_met: bool | None


async def change_coordinator(cmd: ChangeCoordinator, uow: UnitOfWork) -> ReferralView:
    referrals, referral = await _load(uow, cmd.referral_id)
    events = referral.change_coordinator(
        uow.actor,
        coordinator=cmd.coordinator,
        unit=cmd.unit,
        reason=cmd.reason,
        wishes=cmd.wishes,
        wishes_met=cmd.wishes_met,
        units=appointable_units(uow.tenant),
        now=uow.clock.now(),
    )
    return await _save_and_emit(uow, referrals, referral, events)


@dataclass(frozen=True)
class RecordChangeNotice:
    referral_id: str
    declined: Declined
    declined_on: date


async def record_change_notice(cmd: RecordChangeNotice, uow: UnitOfWork) -> ReferralView:
    referrals, referral = await _load(uow, cmd.referral_id)
    events = referral.decline(uow.actor, cmd.declined, cmd.declined_on, uow.clock.now())
    if cmd.declined is Declined.INDIVIDUAL_PLAN:
        plans = Plans(uow)
        plan = await plans.of_referral(referral.id)
        if plan is not None:
            plan.declined(cmd.declined_on, uow.clock.now())
            await plans.save(plan)
    return await _save_and_emit(uow, referrals, referral, events)


# --- consumed events (the bus opens the unit of work for the event's municipality) ---------------------


async def open_referral(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    """One referral per case, however often intake's event is delivered."""
    data: CoordinationReferralRegistered = event.data
    referrals = Referrals(uow)
    if await referrals.by_case(data.case_id) is not None:
        return
    referral, events = Referral.open_referral(uow.municipality, data, coordination_of(uow.tenant), uow.clock.now())
    await referrals.add(referral)
    await uow.emit_all([*events, *await _annual_report_clock(uow, referral)])


async def open_child_application(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    data: ChildCoordinatorApplicationRegistered = event.data
    referrals = Referrals(uow)
    if await referrals.by_case(data.case_id) is not None:
        return
    referral, events = Referral.open_child_application(
        uow.municipality, data, coordination_of(uow.tenant), uow.clock.now()
    )
    await referrals.add(referral)
    await uow.emit_all([*events, *await _annual_report_clock(uow, referral)])


async def _annual_report_clock(uow: UnitOfWork, referral: Referral) -> list[EventModel]:
    """The first referral a coordinating unit receives for a report year starts the clock of that year's report
    (due 15 November; a referral after that day starts next year's)."""
    year = report_year_of(referral.received_on)
    deadline = annual_report_deadline(referral.unit, year)
    return [deadline] if await AnnualReports(uow).clock_started(referral.unit, year, deadline.deadline_id) else []


async def record_decision(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    """Keep the decision (codes and ids) for the criteria of the person's referrals; a decision on the rights a
    referral asked about answers it."""
    data: DecisionMade = event.data
    seen = SeenDecision.of(data)
    await SeenDecisions(uow).record(seen)
    referrals = Referrals(uow)
    referral = await referrals.by_case(seen.case_id)
    if referral is None:
        return
    now = uow.clock.now()
    referral.decided(seen, now)
    events: list[EventModel] = []
    if coordination_of(uow.tenant).child_coordinator_brings_plan_and_group and referral.granted(
        RequestedRight.CHILD_COORDINATOR
    ):
        events += referral.group_brought_by_child_coordinator(now)
        plans = Plans(uow)
        if await plans.of_referral(referral.id) is None and referral.plan_declined_on is None:
            plan, created = Plan.create(
                referral, uow.actor, now, brought_by_right=True, coordinating_units=_coordinating_units(uow)
            )
            await plans.add(plan)
            events += created
    await referrals.save(referral)
    await uow.emit_all(events)


# --- Selbu's choice: the services linked in and how they work together -------------------------------


@dataclass(frozen=True)
class ChooseArrangement:
    referral_id: str
    form: ArrangementForm
    linked_units: Sequence[str]
    consent_on: date | None


async def choose_arrangement(cmd: ChooseArrangement, uow: UnitOfWork) -> ReferralView:
    referrals, referral = await _load(uow, cmd.referral_id)
    events = referral.choose_arrangement(
        uow.actor,
        form=cmd.form,
        linked_units=cmd.linked_units,
        consent_on=cmd.consent_on,
        units=appointable_units(uow.tenant),
        now=uow.clock.now(),
    )
    return await _save_and_emit(uow, referrals, referral, events)


# --- the individual plan -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanView:
    plan: Plan
    referral: Referral


async def _plan_for(uow: UnitOfWork, plan_id: str, *, write: bool) -> tuple[Plans, Plan, Referral]:
    """The plan, for its participants only: to anyone else it does not exist (404)."""
    uow.actor.require("caseworker", "leader")
    plans = Plans(uow)
    plan = await plans.get(plan_id, for_update=write)
    bind(case_id=plan.case_id)
    referral = await Referrals(uow).get(plan.referral_id, for_update=False)
    participants = referral.plan_participants()
    if not participants.may_read(uow.actor):
        raise NotFound(f"no individual plan {plan_id} for municipality {uow.municipality}")
    if write and not participants.may_write(uow.actor):
        raise Forbidden("a participant with the caseworker role changes the plan")
    return plans, plan, referral


async def _save_plan(
    uow: UnitOfWork, plans: Plans, plan: Plan, referral: Referral, events: Sequence[EventModel]
) -> PlanView:
    await plans.save(plan)
    await uow.emit_all(events)
    return PlanView(plan, referral)


@dataclass(frozen=True)
class CreatePlan:
    referral_id: str


async def create_plan(cmd: CreatePlan, uow: UnitOfWork) -> PlanView:
    _, referral = await _load(uow, cmd.referral_id)
    referral.check_access(uow.actor)
    plans = Plans(uow)
    if await plans.of_referral(referral.id) is not None:
        raise Conflict("the referral has an individual plan already", field="plan")
    plan, events = Plan.create(referral, uow.actor, uow.clock.now(), coordinating_units=_coordinating_units(uow))
    await plans.add(plan)
    await uow.emit_all(events)
    return PlanView(plan, referral)


@dataclass(frozen=True)
class GetPlan:
    plan_id: str


async def get_plan(cmd: GetPlan, uow: UnitOfWork) -> PlanView:
    _, plan, referral = await _plan_for(uow, cmd.plan_id, write=False)
    return PlanView(plan, referral)


@dataclass(frozen=True)
class PlanOfReferral:
    referral_id: str


async def plan_of_referral(cmd: PlanOfReferral, uow: UnitOfWork) -> PlanView:
    """The referral's plan (made by a caseworker, or brought by a granted child coordinator where configured)."""
    plan = await Plans(uow).of_referral(cmd.referral_id)
    if plan is None:
        raise NotFound(f"no individual plan for referral {cmd.referral_id} in municipality {uow.municipality}")
    _, found, referral = await _plan_for(uow, plan.id, write=False)
    return PlanView(found, referral)


async def plan_versions(cmd: GetPlan, uow: UnitOfWork) -> list[PlanVersion]:
    plans, plan, _ = await _plan_for(uow, cmd.plan_id, write=False)
    return await plans.versions(plan.id)


@dataclass(frozen=True)
class AddGoal:
    plan_id: str
    text: str


async def add_goal(cmd: AddGoal, uow: UnitOfWork) -> PlanView:
    plans, plan, referral = await _plan_for(uow, cmd.plan_id, write=True)
    return await _save_plan(uow, plans, plan, referral, plan.add_goal(uow.actor, cmd.text, uow.clock.now()))


@dataclass(frozen=True)
class AddMeasure:
    plan_id: str
    description: str
    responsible_unit: str
    due_on: date | None
    goal_id: str | None


async def add_measure(cmd: AddMeasure, uow: UnitOfWork) -> PlanView:
    plans, plan, referral = await _plan_for(uow, cmd.plan_id, write=True)
    events = plan.add_measure(
        uow.actor,
        description=cmd.description,
        responsible_unit=cmd.responsible_unit,
        due_on=cmd.due_on,
        goal_id=cmd.goal_id,
        units=appointable_units(uow.tenant),
        now=uow.clock.now(),
    )
    return await _save_plan(uow, plans, plan, referral, events)


@dataclass(frozen=True)
class CompleteMeasure:
    plan_id: str
    measure_id: str
    completed_on: date


async def complete_measure(cmd: CompleteMeasure, uow: UnitOfWork) -> PlanView:
    plans, plan, referral = await _plan_for(uow, cmd.plan_id, write=True)
    events = plan.complete_measure(uow.actor, cmd.measure_id, cmd.completed_on, uow.clock.now())
    return await _save_plan(uow, plans, plan, referral, events)


@dataclass(frozen=True)
class AddNote:
    plan_id: str
    text: str
    measure_id: str | None


async def add_note(cmd: AddNote, uow: UnitOfWork) -> PlanView:
    plans, plan, referral = await _plan_for(uow, cmd.plan_id, write=True)
    events = plan.add_note(uow.actor, cmd.text, cmd.measure_id, uow.clock.now())
    return await _save_plan(uow, plans, plan, referral, events)


@dataclass(frozen=True)
class ReviewPlan:
    plan_id: str
    reviewed_on: date
    summary: str
    next_review_on: date | None


async def review_plan(cmd: ReviewPlan, uow: UnitOfWork) -> PlanView:
    plans, plan, referral = await _plan_for(uow, cmd.plan_id, write=True)
    events = plan.review(
        uow.actor,
        reviewed_on=cmd.reviewed_on,
        summary=cmd.summary,
        next_review_on=cmd.next_review_on,
        now=uow.clock.now(),
    )
    return await _save_plan(uow, plans, plan, referral, events)


# --- meetings ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallMeeting:
    referral_id: str
    kind: MeetingKind
    planned_on: date
    called_by: str | None
    invited: Sequence[str]


async def call_meeting(cmd: CallMeeting, uow: UnitOfWork) -> Meeting:
    _, referral = await _load(uow, cmd.referral_id, for_update=False)
    meeting, events = Meeting.call(
        referral,
        uow.actor,
        kind=cmd.kind,
        planned_on=cmd.planned_on,
        called_by=cmd.called_by,
        invited=cmd.invited,
        now=uow.clock.now(),
    )
    await Meetings(uow).add(meeting)
    await uow.emit_all(events)
    return meeting


@dataclass(frozen=True)
class ListMeetings:
    referral_id: str


async def list_meetings(cmd: ListMeetings, uow: UnitOfWork) -> list[Meeting]:
    _, referral = await _load(uow, cmd.referral_id, for_update=False)
    authorize(uow.actor, referral.unit, write=False)
    return await Meetings(uow).of_referral(referral.id)


@dataclass(frozen=True)
class GetMeeting:
    meeting_id: str


async def _meeting(uow: UnitOfWork, meeting_id: str, *, for_update: bool) -> tuple[Meetings, Meeting]:
    meetings = Meetings(uow)
    meeting = await meetings.get(meeting_id, for_update=for_update)
    bind(case_id=meeting.case_id)
    return meetings, meeting


async def get_meeting(cmd: GetMeeting, uow: UnitOfWork) -> Meeting:
    _, meeting = await _meeting(uow, cmd.meeting_id, for_update=False)
    authorize(uow.actor, meeting.unit, write=False)
    return meeting


@dataclass(frozen=True)
class RecordMeetingHeld:
    meeting_id: str
    held_on: date
    participants: Sequence[str]


async def record_meeting_held(cmd: RecordMeetingHeld, uow: UnitOfWork) -> Meeting:
    meetings, meeting = await _meeting(uow, cmd.meeting_id, for_update=True)
    events = meeting.held(
        uow.actor,
        held_on=cmd.held_on,
        participants=cmd.participants,
        within_days=coordination_of(uow.tenant).minutes_within_days,
        now=uow.clock.now(),
    )
    await meetings.save(meeting)
    await uow.emit_all(events)
    return meeting


@dataclass(frozen=True)
class RecordMinutes:
    meeting_id: str
    minutes: str
    follow_ups: Sequence[tuple[str, str, date | None]]


async def record_minutes(cmd: RecordMinutes, uow: UnitOfWork) -> Meeting:
    meetings, meeting = await _meeting(uow, cmd.meeting_id, for_update=True)
    events = meeting.record_minutes(uow.actor, minutes=cmd.minutes, follow_ups=cmd.follow_ups, now=uow.clock.now())
    await meetings.save(meeting)
    await uow.emit_all(events)
    return meeting


# --- coordinators' training ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterTrainingNeed:
    coordinator: str
    unit: str
    coordinating_unit: str | None
    kind: TrainingKind
    needs: str
    requested_on: date


async def register_training_need(cmd: RegisterTrainingNeed, uow: UnitOfWork) -> TrainingNeed:
    settings = coordination_of(uow.tenant)
    coordinating = cmd.coordinating_unit or _adults_unit(settings)
    if settings.unit(coordinating) is None:
        raise DomainError(
            f"coordinating_unit: '{coordinating}' is not a coordinating unit of the municipality",
            field="coordinating_unit",
        )
    need, events = TrainingNeed.register(
        uow.municipality,
        uow.actor,
        coordinator=cmd.coordinator,
        unit=cmd.unit,
        coordinating_unit=coordinating,
        kind=cmd.kind,
        needs=cmd.needs,
        requested_on=cmd.requested_on,
        units=appointable_units(uow.tenant),
        within_months=settings.training_within_months,
        now=uow.clock.now(),
    )
    await TrainingNeeds(uow).add(need)
    await uow.emit_all(events)
    return need


def _adults_unit(settings: CoordinationSettings) -> str:
    found = settings.unit_for(child=False)
    return found.code if found is not None else settings.units[0].code


@dataclass(frozen=True)
class GetTrainingNeed:
    need_id: str


async def get_training_need(cmd: GetTrainingNeed, uow: UnitOfWork) -> TrainingNeed:
    need = await TrainingNeeds(uow).get(cmd.need_id, for_update=False)
    caller = uow.actor
    caller.require("caseworker", "leader")
    if caller.unit is not None and caller.unit not in (need.unit, need.coordinating_unit):
        raise Forbidden(f"the training need is {need.unit}'s and {need.coordinating_unit}'s")
    return need


@dataclass(frozen=True)
class CompleteTraining:
    need_id: str
    completed_on: date


async def complete_training(cmd: CompleteTraining, uow: UnitOfWork) -> TrainingNeed:
    needs = TrainingNeeds(uow)
    need = await needs.get(cmd.need_id)
    events = need.complete(uow.actor, cmd.completed_on, uow.clock.now())
    await needs.save(need)
    await uow.emit_all(events)
    return need


# --- the annual report ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnnualReport:
    year: int
    unit: str | None = None


@dataclass(frozen=True)
class AnnualReportView:
    municipality: str
    year: int
    units: list[UnitReport]
    submitted: dict[str, ReportFiling]


async def annual_report(cmd: AnnualReport, uow: UnitOfWork) -> AnnualReportView:
    """Per coordinating unit, the year's coordinators, plans and meetings as the service recorded them. A token
    that names a coordinating unit sees that unit's only."""
    caller = uow.actor
    caller.require("caseworker", "leader")
    settings = coordination_of(uow.tenant)
    units = [u.code for u in settings.units]
    if cmd.unit is not None:
        if cmd.unit not in units:
            raise DomainError(f"unit: '{cmd.unit}' is not a coordinating unit of the municipality", field="unit")
        units = [cmd.unit]
    if caller.unit is not None:
        if cmd.unit is not None and cmd.unit != caller.unit:
            raise Forbidden(f"a token of {caller.unit} reads its own unit's report")
        units = [u for u in units if u == caller.unit]
    reports = AnnualReports(uow)
    counted = [await _count(reports, unit, cmd.year) for unit in units]
    submitted = await reports.submissions(cmd.year)
    return AnnualReportView(uow.municipality, cmd.year, counted, {u: f for u, f in submitted.items() if u in units})


@dataclass(frozen=True)
class SubmitAnnualReport:
    year: int
    unit: str


async def submit_annual_report(cmd: SubmitAnnualReport, uow: UnitOfWork) -> ReportFiling:
    """The unit's leader submits the year's report as the service counts it now; its clock stops."""
    if cmd.unit not in _coordinating_units(uow):
        raise DomainError(f"unit: '{cmd.unit}' is not a coordinating unit of the municipality", field="unit")
    reports = AnnualReports(uow)
    filing = await reports.filing(cmd.unit, cmd.year)
    counted = await _count(reports, cmd.unit, cmd.year)
    events = filing.submit(uow.actor, counted, uow.clock.now())
    await reports.save_filing(filing)
    await uow.emit_all(events)
    return filing


async def _count(reports: AnnualReports, unit: str, year: int) -> UnitReport:
    return unit_report(
        unit,
        year,
        appointments=await reports.appointments(unit),
        plans=[(local_date(at), declined) for at, declined in await reports.plans(unit)],
        meetings=await reports.meetings(unit),
    )


# --- BTI (Holtålen) --------------------------------------------------------------------------------------------


def bti_of(tenant: Tenant) -> tuple[BtiRule, str]:
    """The municipality's BTI rule and the coordinating unit for children that keeps it; a municipality that does
    not work by the BTI model refuses (409)."""
    settings = coordination_of(tenant)
    if settings.bti is None:
        raise Conflict(
            f"{tenant.name} does not work by the BTI model (coordination.bti in its deploy/tenants file)",
            field="coordination.bti",
        )
    unit = settings.unit_for(child=True)
    assert unit is not None  # the settings refuse a municipality without one
    return settings.bti, unit.code


@dataclass(frozen=True)
class BtiView:
    record: ChildBti
    implication: BtiImplication | None


@dataclass(frozen=True)
class SetBtiLevel:
    person_id: str
    level: int
    reason: BtiReason
    note: str | None
    set_on: date


async def set_bti_level(cmd: SetBtiLevel, uow: UnitOfWork) -> BtiView:
    rule, unit = bti_of(uow.tenant)
    records = ChildBtis(uow)
    record = await records.of_child(cmd.person_id)
    now = uow.clock.now()
    fresh = record is None
    if record is None:
        record = ChildBti.start(uow.municipality, cmd.person_id, unit, now)
    bind(case_id=record.id)
    events = record.set_level(uow.actor, level=cmd.level, reason=cmd.reason, note=cmd.note, set_on=cmd.set_on, now=now)
    await (records.add(record) if fresh else records.save(record))
    await uow.emit_all(events)
    return BtiView(record, bti_implication(cmd.level, rule.relay_log_from_level))


@dataclass(frozen=True)
class GetBti:
    person_id: str


async def get_bti(cmd: GetBti, uow: UnitOfWork) -> BtiView:
    rule, unit = bti_of(uow.tenant)
    authorize(uow.actor, unit, write=False)
    record = await ChildBtis(uow).of_child(cmd.person_id, for_update=False)
    if record is None:
        raise NotFound(f"no BTI level is recorded for {cmd.person_id} in municipality {uow.municipality}")
    level = record.level
    return BtiView(record, bti_implication(level, rule.relay_log_from_level) if level is not None else None)


@dataclass(frozen=True)
class ReferralBtiGuidance:
    referral_id: str


async def referral_bti_guidance(cmd: ReferralBtiGuidance, uow: UnitOfWork) -> BtiGuidance:
    """What the child's BTI level implies for the referral's criteria and proposals."""
    bti_of(uow.tenant)
    _, referral = await _load(uow, cmd.referral_id, for_update=False)
    authorize(uow.actor, referral.unit, write=False)
    if not referral.involves_child:
        raise Conflict("the referral is not about a child: BTI levels are children's", field="involves_child")
    record = await ChildBtis(uow).of_child(referral.person_id, for_update=False)
    if record is None or record.level is None:
        raise NotFound(f"no BTI level is recorded for the referral's child {referral.person_id}")
    return bti_guidance(record.level, referral.kind, referral.requested)


# --- the relay log -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HolderIn:
    name: str
    role: RelayHolderRole
    unit: str | None
    user: str | None
    from_on: date


@dataclass(frozen=True)
class OpenRelayLog:
    person_id: str
    holder: HolderIn


def _holder(h: HolderIn) -> RelayHolder:
    return new_holder(name=h.name, role=h.role, unit=h.unit, user=h.user, from_on=h.from_on)


async def open_relay_log(cmd: OpenRelayLog, uow: UnitOfWork) -> RelayLog:
    rule, unit = bti_of(uow.tenant)
    logs = RelayLogs(uow)
    if await logs.of_child(cmd.person_id) is not None:
        raise Conflict("the child has a relay log already: change its holder instead", field="person_id")
    record = await ChildBtis(uow).of_child(cmd.person_id, for_update=False)
    log, events = RelayLog.open(
        uow.municipality,
        uow.actor,
        person_id=cmd.person_id,
        unit=unit,
        bti_level=record.level if record is not None else None,
        from_level=rule.relay_log_from_level,
        holder=_holder(cmd.holder),
        units=appointable_units(uow.tenant),
        now=uow.clock.now(),
    )
    bind(case_id=log.id)
    await logs.add(log)
    await uow.emit_all(events)
    return log


async def _relay_log(uow: UnitOfWork, person_id: str, *, for_update: bool) -> tuple[RelayLogs, RelayLog]:
    """The child's relay log, for the coordinating unit and the holder's unit only: to others it does not exist."""
    bti_of(uow.tenant)
    uow.actor.require("caseworker", "leader")
    logs = RelayLogs(uow)
    log = await logs.of_child(person_id, for_update=for_update)
    if log is None or not log.may_read(uow.actor):
        raise NotFound(f"no relay log for {person_id} in municipality {uow.municipality}")
    bind(case_id=log.id)
    return logs, log


@dataclass(frozen=True)
class GetRelayLog:
    person_id: str


async def get_relay_log(cmd: GetRelayLog, uow: UnitOfWork) -> RelayLog:
    _, log = await _relay_log(uow, cmd.person_id, for_update=False)
    return log


@dataclass(frozen=True)
class ChangeRelayHolder:
    person_id: str
    holder: HolderIn


async def change_relay_holder(cmd: ChangeRelayHolder, uow: UnitOfWork) -> RelayLog:
    logs, log = await _relay_log(uow, cmd.person_id, for_update=True)
    events = log.change_holder(uow.actor, _holder(cmd.holder), appointable_units(uow.tenant), uow.clock.now())
    await logs.save(log)
    await uow.emit_all(events)
    return log


@dataclass(frozen=True)
class AddRelayEntry:
    person_id: str
    entry_on: date
    text: str


async def add_relay_entry(cmd: AddRelayEntry, uow: UnitOfWork) -> RelayLog:
    logs, log = await _relay_log(uow, cmd.person_id, for_update=True)
    events = log.add_entry(uow.actor, entry_on=cmd.entry_on, text=cmd.text, now=uow.clock.now())
    await logs.save(log)
    await uow.emit_all(events)
    return log


# --- needs raised to the coordinating unit ---------------------------------------------------------------------


@dataclass(frozen=True)
class RaiseNeed:
    referral_id: str
    reason: EscalationReason
    text: str


async def raise_need(cmd: RaiseNeed, uow: UnitOfWork) -> Escalation:
    settings = coordination_of(uow.tenant)
    _, referral = await _load(uow, cmd.referral_id, for_update=False)
    escalation, events = Escalation.raise_need(
        referral,
        uow.actor,
        reason=cmd.reason,
        text=cmd.text,
        within_days=settings.escalation_response_within_days,
        now=uow.clock.now(),
    )
    await Escalations(uow).add(escalation)
    await uow.emit_all(events)
    return escalation


@dataclass(frozen=True)
class ListEscalations:
    referral_id: str


async def list_escalations(cmd: ListEscalations, uow: UnitOfWork) -> list[Escalation]:
    _, referral = await _load(uow, cmd.referral_id, for_update=False)
    caller = uow.actor
    caller.require("caseworker", "leader")
    current = referral.current_coordinator
    if current is None or (caller.subject != current.coordinator and caller.unit != current.unit):
        authorize(caller, referral.unit, write=False)
    return await Escalations(uow).of_referral(referral.id)


@dataclass(frozen=True)
class GetEscalation:
    escalation_id: str


async def _escalation(uow: UnitOfWork, escalation_id: str, *, for_update: bool) -> tuple[Escalations, Escalation]:
    uow.actor.require("caseworker", "leader")
    escalations = Escalations(uow)
    escalation = await escalations.get(escalation_id, for_update=for_update)
    bind(case_id=escalation.case_id)
    referral = await Referrals(uow).get(escalation.referral_id, for_update=False)
    if not escalation.may_read(uow.actor, referral):
        raise NotFound(f"no escalation {escalation_id} for municipality {uow.municipality}")
    return escalations, escalation


async def get_escalation(cmd: GetEscalation, uow: UnitOfWork) -> Escalation:
    _, escalation = await _escalation(uow, cmd.escalation_id, for_update=False)
    return escalation


@dataclass(frozen=True)
class AnswerEscalation:
    escalation_id: str
    response: EscalationResponse
    text: str
    answered_on: date


async def answer_escalation(cmd: AnswerEscalation, uow: UnitOfWork) -> Escalation:
    escalations, escalation = await _escalation(uow, cmd.escalation_id, for_update=True)
    events = escalation.answer(
        uow.actor, response=cmd.response, text=cmd.text, answered_on=cmd.answered_on, now=uow.clock.now()
    )
    await escalations.save(escalation)
    await uow.emit_all(events)
    return escalation
