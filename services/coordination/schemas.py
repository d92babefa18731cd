"""Coordination's HTTP bodies and responses (neither the tables nor the event contracts)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from contracts.coordination import (
    ArrangementForm,
    BtiLevel,
    BtiReason,
    ChangeReason,
    CoordinatorRole,
    Declined,
    EscalationReason,
    EscalationResponse,
    MeetingKind,
    PlanChange,
    ProposedResult,
    ReferralKind,
    RelayHolderRole,
    RequestedRight,
    TrainingKind,
)
from contracts.intake import ChildCoordinatorGrounds
from servicekit.types import MAX_ENTRIES, MAX_LIST, Code, FilledText, Identifier, Name, PlausibleDate
from services.coordination.domain import RightOutcome, Status


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BirthIn(_Body):
    born_on: PlausibleDate = Field(
        description="the child's birth date; a small child gets a home visit planned where configured"
    )


class ProposalIn(_Body):
    result: ProposedResult
    reasons: FilledText | None = Field(
        default=None, description="required for a refusal; stays in the coordination service, never on a topic"
    )


class AssessmentIn(_Body):
    long_term_need: StrictBool
    services_from_different_providers: StrictBool | None = Field(
        default=None,
        description="two or more services from different providers; leave out to take the proposal from the "
        "decisions seen (providers_seen), or set it from what the platform has not decided",
    )
    judgement: FilledText = Field(description="the individual judgement; stays in the coordination service")
    proposals: dict[RequestedRight, ProposalIn] = Field(
        min_length=1, max_length=len(RequestedRight), description="the proposed result per right"
    )
    specialist_services: list[Code] = Field(
        default_factory=list,
        max_length=MAX_LIST,
        description="specialist or mental-health services involved (codes); the municipality still coordinates, and "
        "the individual plan informs them",
    )


class AppointmentIn(_Body):
    role: CoordinatorRole
    coordinator: Identifier = Field(description="the coordinator's user id")
    unit: Code = Field(description="the unit that will hold the coordinator responsibility")
    wishes: FilledText | None = Field(default=None, description="the person's or family's wishes; stay in this service")
    wishes_met: StrictBool | None = None


class CoordinatorChangeIn(_Body):
    coordinator: Identifier
    unit: Code
    reason: ChangeReason
    wishes: FilledText | None = None
    wishes_met: StrictBool | None = None


class ChangeNoticeIn(_Body):
    declined: Declined = Field(description="what the person declines: the coordinator or the individual plan")
    declined_on: PlausibleDate


class ArrangementIn(_Body):
    form: ArrangementForm = Field(description="a responsibility group or a collaboration meeting")
    linked_units: list[Code] = Field(
        min_length=1, max_length=MAX_ENTRIES, description="the services (units) linked in around the person"
    )
    consent_on: PlausibleDate | None = Field(
        default=None, description="the day the person consented to the services being linked in (required)"
    )


class ArrangementOut(BaseModel):
    form: ArrangementForm
    linked_units: list[str]
    consent_on: date
    chosen_by: str
    chosen_on: date


class ProposalOut(BaseModel):
    result: ProposedResult
    reasons: str | None


class AssessmentOut(BaseModel):
    long_term_need: bool
    services_from_different_providers: bool
    providers_seen: list[str]
    criteria_met: bool
    judgement: str
    proposals: dict[RequestedRight, ProposalOut]
    assessed_by: str
    assessed_at: datetime
    specialist_services: list[str] = Field(default_factory=list)


class DecisionRequestOut(BaseModel):
    request_id: str
    right: RequestedRight
    proposed: ProposedResult


class HomeVisitOut(BaseModel):
    visit_id: str
    due_on: date


class AppointmentOut(BaseModel):
    id: str
    role: CoordinatorRole
    coordinator: str
    unit: str
    wishes: str | None
    wishes_met: bool | None
    appointed_on: date
    appointed_by: str
    ends_on: date | None
    ended_on: date | None
    end_reason: str | None


class ReferralSummaryOut(BaseModel):
    id: str
    case_id: str
    municipality: str
    kind: ReferralKind
    person_id: str
    unit: str
    requested: list[RequestedRight]
    involves_child: bool
    received_on: date
    status: Status
    created_at: datetime
    updated_at: datetime


class ReferralOut(ReferralSummaryOut):
    expected_birth_on: date | None
    born_on: date | None
    grounds: ChildCoordinatorGrounds | None = Field(
        default=None, description="a child-coordinator application's grounds of the right (§ 7-2 a)"
    )
    grounds_since: date | None = Field(
        default=None, description="no child coordinator starts before this day (an allocation or takeover of care)"
    )
    providers_seen: list[str] = Field(description="providers of the person's granted services, from the decisions seen")
    assessment: AssessmentOut | None
    decision_requests: list[DecisionRequestOut]
    outcomes: dict[RequestedRight, RightOutcome]
    decision_id: str | None
    home_visit: HomeVisitOut | None
    coordinator: AppointmentOut | None = Field(description="the coordinator appointed now")
    coordinator_history: list[AppointmentOut]
    coordinator_declined_on: date | None
    plan_declined_on: date | None
    arrangement: ArrangementOut | None = Field(description="the services linked in and how they work together")


class ReferralPage(BaseModel):
    items: list[ReferralSummaryOut]
    total: int
    limit: int
    offset: int


# --- the individual plan -------------------------------------------------------------------------


class GoalIn(_Body):
    text: FilledText = Field(description="one of the person's own goals; stays in the coordination service")


class MeasureIn(_Body):
    description: FilledText
    responsible_unit: Code = Field(description="the service or unit responsible for the measure")
    due_on: PlausibleDate | None = None
    goal_id: Identifier | None = Field(default=None, description="the goal the measure serves")


class MeasureCompletionIn(_Body):
    completed_on: PlausibleDate


class NoteIn(_Body):
    text: FilledText = Field(description="a progress note; stays in the coordination service")
    measure_id: Identifier | None = None


class ReviewIn(_Body):
    reviewed_on: PlausibleDate
    summary: FilledText
    next_review_on: PlausibleDate | None = None


class GoalOut(BaseModel):
    id: str
    text: str
    added_on: date


class MeasureOut(BaseModel):
    id: str
    description: str
    responsible_unit: str
    due_on: date | None
    goal_id: str | None
    added_on: date
    completed_on: date | None


class NoteOut(BaseModel):
    id: str
    text: str
    written_by: str
    written_on: date
    measure_id: str | None


class ReviewOut(BaseModel):
    id: str
    reviewed_on: date
    reviewed_by: str
    summary: str
    next_review_on: date | None


class PlanOut(BaseModel):
    id: str
    referral_id: str
    case_id: str
    unit: str
    version: int
    goals: list[GoalOut]
    measures: list[MeasureOut]
    notes: list[NoteOut]
    reviews: list[ReviewOut]
    declined_on: date | None = Field(description="the person declined the plan: it is kept as it stood")
    participants: list[str] = Field(description="the units that take part (and so may read it)")
    informs: list[str] = Field(
        default_factory=list, description="specialist services involved that the plan informs; they never hold it"
    )
    created_at: datetime
    updated_at: datetime


class PlanVersionOut(BaseModel):
    version: int
    change: PlanChange | None = Field(description="none for the plan as it was made")
    changed_by: str
    changed_at: datetime
    content: dict[str, object]


# --- meetings ------------------------------------------------------------------------------------


class MeetingIn(_Body):
    kind: MeetingKind
    planned_on: PlausibleDate
    called_by: Code | None = Field(
        default=None,
        description="who called it (the hospital department for a discharge collaboration meeting); "
        "by default the coordinating unit",
    )
    invited: list[Code] = Field(
        default_factory=list,
        max_length=MAX_LIST,
        description="others invited; the coordinator and the person are fixed members",
    )


class MeetingHeldIn(_Body):
    held_on: PlausibleDate
    participants: list[Code] = Field(
        min_length=1, max_length=MAX_LIST, description="who took part: coordinator, person, or the invited"
    )


class FollowUpIn(_Body):
    description: FilledText
    responsible: Code
    due_on: PlausibleDate | None = None


class MinutesIn(_Body):
    minutes: FilledText = Field(description="the minutes; stay in the coordination service")
    follow_ups: list[FollowUpIn] = Field(default_factory=list, max_length=MAX_LIST)


class FollowUpOut(BaseModel):
    id: str
    description: str
    responsible: str
    due_on: date | None


class MeetingOut(BaseModel):
    id: str
    referral_id: str
    case_id: str
    unit: str
    kind: MeetingKind
    planned_on: date
    called_by: str
    coordinator: str | None
    members: list[str] = Field(description="the fixed members and the invited")
    held_on: date | None
    participants: list[str]
    minutes: str | None
    minutes_recorded_on: date | None
    follow_ups: list[FollowUpOut]


# --- coordinators' training ----------------------------------------------------------------------


class TrainingNeedIn(_Body):
    coordinator: Identifier = Field(description="the coordinator's user id")
    unit: Code = Field(description="the unit that registers the need (the coordinator's)")
    coordinating_unit: Code | None = Field(
        default=None, description="the coordinating unit that offers the training; by default the one for adults"
    )
    kind: TrainingKind
    needs: FilledText = Field(description="the competence form's answers; stay in the coordination service")
    requested_on: PlausibleDate


class TrainingCompletionIn(_Body):
    completed_on: PlausibleDate


class TrainingNeedOut(BaseModel):
    id: str
    coordinator: str
    unit: str
    coordinating_unit: str
    kind: TrainingKind
    needs: str
    requested_on: date
    due_on: date = Field(description="the last working day the training is to be offered by")
    registered_by: str
    completed_on: date | None


# --- the annual report ---------------------------------------------------------------------------


class ReportFiguresOut(BaseModel):
    coordinators_active: int = Field(description="coordinators (people) appointed at some time in the year")
    coordinators_appointed: int = Field(description="appointments made in the year")
    individual_plans_active: int
    individual_plans_created: int
    meetings_held: int
    meetings_by_kind: dict[MeetingKind, int]
    meetings_per_coordinator: dict[str, int]


class SubmissionOut(BaseModel):
    submitted_at: datetime
    submitted_by: str
    figures: ReportFiguresOut = Field(description="the figures as they stood when the leader submitted them")


class UnitReportOut(ReportFiguresOut):
    unit: str
    due_on: date = Field(description="ready by 15 November: the last working day on or before")
    submission: SubmissionOut | None = Field(description="none until the unit's leader submits the report")


class SubmitReportIn(_Body):
    unit: Code = Field(description="the coordinating unit whose report the leader submits")


class AnnualReportOut(BaseModel):
    municipality: str
    year: int
    units: list[UnitReportOut]


# --- BTI and the relay log (Holtålen) --------------------------------------------------------------------------


class BtiLevelIn(_Body):
    level: BtiLevel = Field(description="0 mapping, 1 one or two local services, 2 several, 3 with specialist services")
    reason: BtiReason
    note: FilledText | None = Field(default=None, description="why, in the caseworker's words; stays in this service")
    set_on: PlausibleDate


class BtiEntryOut(BaseModel):
    level: int
    reason: BtiReason
    note: str | None
    set_on: date
    set_by: str


class BtiImplicationOut(BaseModel):
    rights: list[RequestedRight] = Field(
        description="what the level brings: a coordinator, or at 3 a child-and-family "
        "coordinator with an individual plan"
    )
    relay_log: bool
    specialist_services: bool


class BtiOut(BaseModel):
    id: str
    person_id: str
    unit: str
    level: int | None
    implies: BtiImplicationOut | None
    history: list[BtiEntryOut]


class BtiGuidanceOut(BaseModel):
    level: int
    long_term_need: bool
    different_providers: bool
    proposals: dict[RequestedRight, ProposedResult] = Field(
        description="a grant for each right asked for that the level brings; the caseworker still judges"
    )
    application_needed: bool = Field(
        description="the level brings a child-and-family coordinator, which only the family's application leads to"
    )


class HolderIn(_Body):
    name: Name = Field(description="the holder's name; stays in this service, never on a topic")
    role: RelayHolderRole
    unit: Code | None = Field(
        default=None,
        description="the holder's unit; a teacher or kindergarten teacher outside the municipality's units has none",
    )
    user: Identifier | None = Field(default=None, description="the holder's user id, where they have one")
    from_on: PlausibleDate


class RelayLogIn(_Body):
    holder: HolderIn


class RelayEntryIn(_Body):
    entry_on: PlausibleDate
    text: FilledText = Field(description="the entry; stays in this service")


class HolderOut(BaseModel):
    id: str
    name: str
    role: RelayHolderRole
    unit: str | None
    user: str | None
    from_on: date
    until_on: date | None


class RelayEntryOut(BaseModel):
    id: str
    entry_on: date
    text: str
    written_by: str


class RelayLogOut(BaseModel):
    id: str
    person_id: str
    unit: str
    opened_on: date
    holder: HolderOut
    holders: list[HolderOut]
    entries: list[RelayEntryOut]


# --- needs raised to the coordinating unit ---------------------------------------------------------------------


class EscalationIn(_Body):
    reason: EscalationReason
    text: FilledText = Field(description="the large, complex needs in the coordinator's words; stays in this service")


class EscalationAnswerIn(_Body):
    response: EscalationResponse
    text: FilledText = Field(description="the coordinating unit's response; stays in this service")
    answered_on: PlausibleDate


class EscalationOut(BaseModel):
    id: str
    referral_id: str
    unit: str
    reason: EscalationReason
    text: str
    raised_by: str
    raised_on: date
    due_on: date = Field(description="the last working day the coordinating unit is to respond by")
    response: EscalationResponse | None
    response_text: str | None
    answered_on: date | None
    answered_by: str | None
