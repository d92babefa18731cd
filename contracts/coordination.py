"""Events of the coordination service (topic coordination.events.v1). Codes and ids only: the individual
judgement, the reasons, the person's wishes and the plan's content stay in the coordination service's database."""

from enum import StrEnum
from typing import Annotated

from pydantic import Field

from contracts.envelope import EventModel, register
from contracts.topics import Topic
from contracts.types import MAX_LIST, Code, Count, Identifier, PlausibleDate, PositiveCount

# A child's level in Holtålen's BTI model ("bedre tverrfaglig innsats", seed 004): 0 mapping the need, 1 one or two
# local services (relay log), 2 several local services (relay log), 3 local and specialist services (individual plan).
BtiLevel = Annotated[int, Field(ge=0, le=3)]


class RequestedRight(StrEnum):
    INDIVIDUAL_PLAN = "individual_plan"
    COORDINATOR = "coordinator"
    CHILD_COORDINATOR = "child_coordinator"


class ProposedResult(StrEnum):
    GRANT = "grant"
    REFUSE = "refuse"


class ReferralKind(StrEnum):
    """What opened the referral: a referral of a need for coordinated services, or a family's application for a
    child coordinator (helse- og omsorgstjenesteloven § 7-2 a)."""

    COORDINATION_REFERRAL = "coordination_referral"
    CHILD_COORDINATOR_APPLICATION = "child_coordinator_application"


class CoordinatorRole(StrEnum):
    COORDINATOR = "coordinator"
    CHILD_COORDINATOR = "child_coordinator"


class ChangeReason(StrEnum):
    """Why a coordinator was replaced (recorded on the change notice)."""

    PERSONS_WISH = "persons_wish"
    COORDINATOR_LEFT = "coordinator_left"
    CHANGED_NEEDS = "changed_needs"
    TRANSITION = "transition"
    OTHER = "other"


class Declined(StrEnum):
    """What the person (or family) declined by a change notice; each independently of the other."""

    COORDINATOR = "coordinator"
    INDIVIDUAL_PLAN = "individual_plan"


@register
class DecisionRequested(EventModel):
    """The coordinating unit asks the office for the individual decision on a right it assessed."""

    event_type = "no.forvalt.coordination.decision-requested.v1"
    topic = Topic.COORDINATION

    request_id: Identifier
    case_id: Identifier
    person_id: Identifier
    right: RequestedRight
    proposed: ProposedResult
    requested_by: Code = Field(description="the coordinating unit's code")


@register
class ReferralOpened(EventModel):
    """A referral reached the coordinating unit that serves the person."""

    event_type = "no.forvalt.coordination.referral-opened.v1"
    topic = Topic.COORDINATION

    referral_id: Identifier
    case_id: Identifier
    person_id: Identifier = Field(description="the child, or in pregnancy the applying parent")
    kind: ReferralKind
    requested: list[RequestedRight] = Field(min_length=1, max_length=len(RequestedRight))
    unit: Code = Field(description="the coordinating unit's code")
    received_on: PlausibleDate


@register
class HomeVisitPlanned(EventModel):
    """A newborn or small child was referred: the coordinating unit plans a home visit (Ålesund)."""

    event_type = "no.forvalt.coordination.home-visit-planned.v1"
    topic = Topic.COORDINATION

    referral_id: Identifier
    case_id: Identifier
    visit_id: Identifier
    due_on: PlausibleDate = Field(description="the working day by which the visit is to be made")


@register
class ReferralAssessed(EventModel):
    """The coordinating unit weighed the criteria and proposed a result per right."""

    event_type = "no.forvalt.coordination.referral-assessed.v1"
    topic = Topic.COORDINATION

    referral_id: Identifier
    case_id: Identifier
    long_term_need: bool
    services_from_different_providers: bool
    providers_seen: Count = Field(description="different providers of the person's granted services seen")
    criteria_met: bool
    proposed: dict[RequestedRight, ProposedResult] = Field(min_length=1, max_length=len(RequestedRight))
    specialist_services: list[Code] = Field(
        default_factory=list,
        max_length=MAX_LIST,
        description="specialist or mental-health services involved; the municipality coordinates and the plan "
        "informs them",
    )


@register
class CoordinatorAppointed(EventModel):
    """A coordinator (or child coordinator) was appointed together with the unit that holds the responsibility."""

    event_type = "no.forvalt.coordination.coordinator-appointed.v1"
    topic = Topic.COORDINATION

    referral_id: Identifier
    case_id: Identifier
    appointment_id: Identifier
    role: CoordinatorRole
    coordinator: Identifier = Field(description="the coordinator's user id")
    unit: Code = Field(description="the unit that holds the coordinator responsibility")
    wishes_recorded: bool
    wishes_met: bool | None = Field(default=None, description="whether the person's or family's wish was met")
    ends_on: PlausibleDate | None = Field(default=None, description="a child coordinator: the child's 18th birthday")


@register
class CoordinatorChanged(EventModel):
    """The coordinator was replaced; the reason is a code, the change notice stays in the service."""

    event_type = "no.forvalt.coordination.coordinator-changed.v1"
    topic = Topic.COORDINATION

    referral_id: Identifier
    case_id: Identifier
    appointment_id: Identifier = Field(description="the new appointment")
    replaces: Identifier = Field(description="the appointment that ended")
    role: CoordinatorRole
    coordinator: Identifier
    unit: Code
    reason: ChangeReason
    wishes_met: bool | None = None


@register
class CoordinationDeclined(EventModel):
    """By a change notice the person declined the coordinator or the individual plan (each independently)."""

    event_type = "no.forvalt.coordination.declined.v1"
    topic = Topic.COORDINATION

    referral_id: Identifier
    case_id: Identifier
    declined: Declined
    declined_on: PlausibleDate
    coordinator_kept: bool = Field(description="declining the plan keeps the coordinator")


class ArrangementForm(StrEnum):
    """How the linked services work together around the person (Selbu's choice, seed 001)."""

    RESPONSIBILITY_GROUP = "responsibility_group"
    COLLABORATION_MEETING = "collaboration_meeting"


class PlanChange(StrEnum):
    """What a new version of an individual plan changed."""

    GOAL_ADDED = "goal_added"
    MEASURE_ADDED = "measure_added"
    MEASURE_COMPLETED = "measure_completed"
    NOTE_ADDED = "note_added"
    REVIEWED = "reviewed"


class MeetingKind(StrEnum):
    COLLABORATION = "collaboration"
    COORDINATION = "coordination"
    RESPONSIBILITY_GROUP = "responsibility_group"
    DISCHARGE_COLLABORATION = "discharge_collaboration"


class TrainingKind(StrEnum):
    """What the competence form asks for the coordinator."""

    INITIAL = "initial"
    REFRESHER = "refresher"
    GUIDANCE = "guidance"


@register
class ArrangementChosen(EventModel):
    """After assessing the need and with the person's consent, the coordinating unit linked in the relevant
    services and chose a responsibility group or a collaboration meeting (the coordinator is chosen after)."""

    event_type = "no.forvalt.coordination.arrangement-chosen.v1"
    topic = Topic.COORDINATION

    referral_id: Identifier
    case_id: Identifier
    form: ArrangementForm
    linked_units: list[Code] = Field(min_length=1, max_length=50)
    consent_on: PlausibleDate


@register
class PlanCreated(EventModel):
    """An individual plan was created for a referral; its content stays in the coordination service."""

    event_type = "no.forvalt.coordination.plan-created.v1"
    topic = Topic.COORDINATION

    plan_id: Identifier
    referral_id: Identifier
    case_id: Identifier
    unit: Code = Field(description="the coordinating unit")
    version: PositiveCount


@register
class PlanRevised(EventModel):
    """A new version of an individual plan: what changed (a code) and the counts, never the content."""

    event_type = "no.forvalt.coordination.plan-revised.v1"
    topic = Topic.COORDINATION

    plan_id: Identifier
    case_id: Identifier
    version: PositiveCount
    change: PlanChange
    goals: Count
    measures: Count
    notes: Count
    reviews: Count


@register
class MeetingCalled(EventModel):
    """A meeting around the person was called; the coordinator and the person are fixed members."""

    event_type = "no.forvalt.coordination.meeting-called.v1"
    topic = Topic.COORDINATION

    meeting_id: Identifier
    referral_id: Identifier
    case_id: Identifier
    kind: MeetingKind
    planned_on: PlausibleDate
    called_by: Code = Field(description="who called it: the coordinating unit, a unit, or the hospital")
    coordinator: Identifier | None = None
    invited: Count


@register
class MeetingHeld(EventModel):
    """The meeting was held; the coordinator must see that its minutes are written (a meeting_minutes deadline)."""

    event_type = "no.forvalt.coordination.meeting-held.v1"
    topic = Topic.COORDINATION

    meeting_id: Identifier
    case_id: Identifier
    kind: MeetingKind
    held_on: PlausibleDate
    coordinator: Identifier | None = None
    participants: Count


@register
class MinutesRecorded(EventModel):
    """The meeting's minutes were written; the minutes and follow-ups stay in the coordination service."""

    event_type = "no.forvalt.coordination.minutes-recorded.v1"
    topic = Topic.COORDINATION

    meeting_id: Identifier
    case_id: Identifier
    recorded_on: PlausibleDate
    follow_ups: Count


@register
class TrainingNeedRegistered(EventModel):
    """A unit registered a coordinator's need for training (the competence form): offered within six months."""

    event_type = "no.forvalt.coordination.training-need-registered.v1"
    topic = Topic.COORDINATION

    need_id: Identifier
    case_id: Identifier = Field(description="a training need has no case: its own id stands for one")
    coordinator: Identifier
    unit: Code = Field(description="the unit that registered the need")
    coordinating_unit: Code
    kind: TrainingKind
    requested_on: PlausibleDate
    due_on: PlausibleDate


@register
class TrainingCompleted(EventModel):
    event_type = "no.forvalt.coordination.training-completed.v1"
    topic = Topic.COORDINATION

    need_id: Identifier
    case_id: Identifier = Field(description="the training need's id, as on its registration")
    coordinator: Identifier
    completed_on: PlausibleDate


@register
class AnnualReportSubmitted(EventModel):
    """A coordinating unit's leader submitted the year's report: the figures as they stood, and the clock stops."""

    event_type = "no.forvalt.coordination.annual-report-submitted.v1"
    topic = Topic.COORDINATION

    case_id: Identifier = Field(description="the report's own id: annual-report-<unit>-<year>")
    unit: Code
    year: int = Field(ge=2000, le=2100)
    submitted_on: PlausibleDate
    due_on: PlausibleDate
    coordinators_active: Count
    coordinators_appointed: Count
    individual_plans_active: Count
    individual_plans_created: Count
    meetings_held: Count


# --- BTI and the relay log (Holtålen, seed 004) -----------------------------------------------------------------


class BtiReason(StrEnum):
    """Why a child's BTI level was set; the caseworker's own words stay in the coordination service."""

    CONCERN_IDENTIFIED = "concern_identified"
    NEEDS_MAPPED = "needs_mapped"
    MORE_SERVICES_INVOLVED = "more_services_involved"
    SPECIALIST_SERVICES_INVOLVED = "specialist_services_involved"
    NEEDS_REDUCED = "needs_reduced"
    CONCERN_RESOLVED = "concern_resolved"
    OTHER = "other"


class RelayHolderRole(StrEnum):
    """Who holds the child's relay log: a municipal employee, or a teacher or kindergarten teacher."""

    PUBLIC_HEALTH_NURSE = "public_health_nurse"
    RESPITE_SERVICE = "respite_service"
    TEACHER = "teacher"
    KINDERGARTEN_TEACHER = "kindergarten_teacher"
    CHILD_COORDINATOR = "child_coordinator"
    OTHER = "other"


class EscalationReason(StrEnum):
    """Why a coordinator raised a need to the coordinating unit (Ålesund: large, complex needs along the way)."""

    COMPLEX_NEEDS = "complex_needs"
    SERVICES_MISSING = "services_missing"
    TRANSITION = "transition"
    HOUSING = "housing"
    DISAGREEMENT = "disagreement"
    OTHER = "other"


class EscalationResponse(StrEnum):
    """What the coordinating unit did with a raised need."""

    SERVICES_LINKED = "services_linked"
    MEETING_CALLED = "meeting_called"
    GUIDANCE_GIVEN = "guidance_given"
    REFERRED_ON = "referred_on"
    NO_ACTION = "no_action"


@register
class BtiLevelSet(EventModel):
    """A child's BTI level was set or changed; the caseworker's note stays in the coordination service."""

    event_type = "no.forvalt.coordination.bti-level-set.v1"
    topic = Topic.COORDINATION

    record_id: Identifier
    case_id: Identifier = Field(description="a child's BTI record has no case: its own id stands for one")
    person_id: Identifier = Field(description="the child")
    unit: Code = Field(description="the coordinating unit for children")
    level: BtiLevel
    previous: BtiLevel | None = None
    reason: BtiReason
    set_on: PlausibleDate


@register
class RelayLogOpened(EventModel):
    """A child's relay log (stafettlogg) was opened with its holder; the holder's name stays in the service."""

    event_type = "no.forvalt.coordination.relay-log-opened.v1"
    topic = Topic.COORDINATION

    log_id: Identifier
    case_id: Identifier = Field(description="the relay log's own id stands for a case")
    person_id: Identifier = Field(description="the child")
    unit: Code = Field(description="the coordinating unit")
    holder_id: Identifier
    holder_role: RelayHolderRole
    holder_unit: Code | None = Field(default=None, description="the holder's unit, where the holder has one")
    opened_on: PlausibleDate


@register
class RelayHolderChanged(EventModel):
    """The relay log passed to a new holder."""

    event_type = "no.forvalt.coordination.relay-holder-changed.v1"
    topic = Topic.COORDINATION

    log_id: Identifier
    case_id: Identifier
    holder_id: Identifier = Field(description="the new holder")
    replaces: Identifier = Field(description="the holder who passed it on")
    holder_role: RelayHolderRole
    holder_unit: Code | None = None
    changed_on: PlausibleDate


@register
class RelayEntryAdded(EventModel):
    """An entry was written in a child's relay log; its text stays in the service."""

    event_type = "no.forvalt.coordination.relay-entry-added.v1"
    topic = Topic.COORDINATION

    log_id: Identifier
    case_id: Identifier
    entry_id: Identifier
    entry_on: PlausibleDate
    entries: PositiveCount


@register
class NeedEscalated(EventModel):
    """The coordinator raised large, complex needs to the coordinating unit, which must respond by `due_on`."""

    event_type = "no.forvalt.coordination.need-escalated.v1"
    topic = Topic.COORDINATION

    escalation_id: Identifier
    referral_id: Identifier
    case_id: Identifier
    unit: Code = Field(description="the coordinating unit that must respond")
    reason: EscalationReason
    raised_on: PlausibleDate
    due_on: PlausibleDate


@register
class EscalationAnswered(EventModel):
    """The coordinating unit recorded its response to a raised need; the response's text stays in the service."""

    event_type = "no.forvalt.coordination.escalation-answered.v1"
    topic = Topic.COORDINATION

    escalation_id: Identifier
    referral_id: Identifier
    case_id: Identifier
    response: EscalationResponse
    answered_on: PlausibleDate
