"""Events of the assessment service (topic assessment.events.v1). Free-text health information never
travels here: it stays in the assessment service's database."""

from datetime import date, datetime
from enum import StrEnum

from pydantic import Field

from contracts.envelope import EventModel, register
from contracts.topics import Topic


class AssigneeKind(StrEnum):
    UNIT = "unit"
    PROFESSION = "profession"


class VisitKind(StrEnum):
    HOME_VISIT = "home_visit"
    INTERVIEW = "interview"


class InformationSource(StrEnum):
    GP = "gp"
    HOSPITAL = "hospital"


class ProposedOutcome(StrEnum):
    GRANT = "grant"
    PARTLY = "partly"
    REFUSE = "refuse"


class RecommendedService(EventModel):
    service_code: str = Field(min_length=1)
    hours_per_week: float | None = Field(default=None, ge=0, le=168)
    start_on: date
    end_on: date | None = None


class Recommendation(EventModel):
    """The assessor's proposed decision. The reasons' text stays in the assessment service."""

    services: list[RecommendedService] = Field(min_length=1)
    legal_basis: list[str] = Field(min_length=1)
    proposed_outcome: ProposedOutcome


@register
class AssessmentOpened(EventModel):
    event_type = "no.forvalt.assessment.opened.v1"
    topic = Topic.ASSESSMENT

    assessment_id: str = Field(min_length=1)
    case_id: str = Field(min_length=1)
    person_id: str = Field(min_length=1)
    service_code: str = Field(min_length=1)
    involves_child: bool = False


@register
class AssessorAssigned(EventModel):
    event_type = "no.forvalt.assessment.assessor-assigned.v1"
    topic = Topic.ASSESSMENT

    assessment_id: str = Field(min_length=1)
    case_id: str = Field(min_length=1)
    assignee_kind: AssigneeKind
    assignee: str = Field(min_length=1, description="unit code or profession")
    writes_own_assessment: bool = False


@register
class VisitScheduled(EventModel):
    event_type = "no.forvalt.assessment.visit-scheduled.v1"
    topic = Topic.ASSESSMENT

    assessment_id: str = Field(min_length=1)
    case_id: str = Field(min_length=1)
    visit_id: str = Field(min_length=1)
    kind: VisitKind
    scheduled_at: datetime


@register
class VisitRecorded(EventModel):
    event_type = "no.forvalt.assessment.visit-recorded.v1"
    topic = Topic.ASSESSMENT

    assessment_id: str = Field(min_length=1)
    case_id: str = Field(min_length=1)
    visit_id: str = Field(min_length=1)
    held_at: datetime


@register
class InformationRequested(EventModel):
    event_type = "no.forvalt.assessment.information-requested.v1"
    topic = Topic.ASSESSMENT

    assessment_id: str = Field(min_length=1)
    case_id: str = Field(min_length=1)
    request_id: str = Field(min_length=1)
    source: InformationSource
    due_on: date


@register
class InformationReceived(EventModel):
    event_type = "no.forvalt.assessment.information-received.v1"
    topic = Topic.ASSESSMENT

    assessment_id: str = Field(min_length=1)
    case_id: str = Field(min_length=1)
    request_id: str = Field(min_length=1)
    received_on: date


@register
class FunctionalScoresRecorded(EventModel):
    """IPLOS functional scores: 1-5, or 9 where the variable is not relevant."""

    event_type = "no.forvalt.assessment.functional-scores-recorded.v1"
    topic = Topic.ASSESSMENT

    assessment_id: str = Field(min_length=1)
    case_id: str = Field(min_length=1)
    scores: dict[str, int] = Field(min_length=1)
    assessed_on: date


@register
class CriteriaEvaluated(EventModel):
    event_type = "no.forvalt.assessment.criteria-evaluated.v1"
    topic = Topic.ASSESSMENT

    assessment_id: str = Field(min_length=1)
    case_id: str = Field(min_length=1)
    care_ladder_step: int | None = Field(default=None, ge=1, le=4)
    care_ladder_grounds: list[str] = Field(default_factory=list)
    bti_level: int | None = Field(default=None, ge=0, le=3)
    coordinated_criteria_met: list[str] = Field(default_factory=list)


@register
class ChildBestInterestsAssessed(EventModel):
    event_type = "no.forvalt.assessment.child-best-interests-assessed.v1"
    topic = Topic.ASSESSMENT

    assessment_id: str = Field(min_length=1)
    case_id: str = Field(min_length=1)
    children_considered: int = Field(ge=1, description="the child, siblings and children as next of kin")


@register
class AssessmentCompleted(EventModel):
    event_type = "no.forvalt.assessment.completed.v1"
    topic = Topic.ASSESSMENT

    assessment_id: str = Field(min_length=1)
    case_id: str = Field(min_length=1)
    person_id: str = Field(min_length=1)
    completed_by: str = Field(min_length=1, description="the office, or the unit that wrote its own assessment")
    recommendation: Recommendation
    care_ladder_step: int | None = Field(default=None, ge=1, le=4)
    bti_level: int | None = Field(default=None, ge=0, le=3)
    emergency_measure: bool = False


@register
class CaseHandedOver(EventModel):
    """The case went to a partner municipality's office, which may now see and work on this case only."""

    event_type = "no.forvalt.assessment.case-handed-over.v1"
    topic = Topic.ASSESSMENT

    assessment_id: str = Field(min_length=1)
    case_id: str = Field(min_length=1)
    from_municipality: str = Field(pattern=r"^[0-9]{4}$")
    to_municipality: str = Field(pattern=r"^[0-9]{4}$")
    service_code: str = Field(min_length=1)


@register
class AssessmentClosed(EventModel):
    """The assessment stopped without a recommendation: the application was withdrawn, or consent to process it."""

    event_type = "no.forvalt.assessment.closed.v1"
    topic = Topic.ASSESSMENT

    assessment_id: str = Field(min_length=1)
    case_id: str = Field(min_length=1)
    reason: str = Field(pattern=r"^(application_withdrawn|consent_withdrawn)$")
