"""Events of the assessment service (topic assessment.events.v1). Free-text health information never
travels here: it stays in the assessment service's database."""

from enum import StrEnum
from typing import Annotated

from pydantic import Field

from contracts.envelope import EventModel, register
from contracts.topics import Topic
from contracts.types import (
    MAX_LEGAL_BASIS,
    MAX_LIST,
    Code,
    HoursPerWeek,
    Identifier,
    Int32,
    Line,
    PlausibleDate,
    PlausibleTime,
    PositiveCount,
)


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
    service_code: Code
    hours_per_week: HoursPerWeek | None = None
    start_on: PlausibleDate
    end_on: PlausibleDate | None = None


class Recommendation(EventModel):
    """The assessor's proposed decision. The reasons' text stays in the assessment service."""

    services: list[RecommendedService] = Field(min_length=1, max_length=MAX_LIST)
    legal_basis: list[Line] = Field(min_length=1, max_length=MAX_LEGAL_BASIS)
    proposed_outcome: ProposedOutcome


@register
class AssessmentOpened(EventModel):
    event_type = "no.forvalt.assessment.opened.v1"
    topic = Topic.ASSESSMENT

    assessment_id: Identifier
    case_id: Identifier
    person_id: Identifier
    service_code: Code
    involves_child: bool = False


@register
class AssessorAssigned(EventModel):
    event_type = "no.forvalt.assessment.assessor-assigned.v1"
    topic = Topic.ASSESSMENT

    assessment_id: Identifier
    case_id: Identifier
    assignee_kind: AssigneeKind
    assignee: Code = Field(description="unit code or profession")
    writes_own_assessment: bool = False


@register
class VisitScheduled(EventModel):
    event_type = "no.forvalt.assessment.visit-scheduled.v1"
    topic = Topic.ASSESSMENT

    assessment_id: Identifier
    case_id: Identifier
    visit_id: Identifier
    kind: VisitKind
    scheduled_at: PlausibleTime


@register
class VisitRecorded(EventModel):
    event_type = "no.forvalt.assessment.visit-recorded.v1"
    topic = Topic.ASSESSMENT

    assessment_id: Identifier
    case_id: Identifier
    visit_id: Identifier
    held_at: PlausibleTime


@register
class InformationRequested(EventModel):
    event_type = "no.forvalt.assessment.information-requested.v1"
    topic = Topic.ASSESSMENT

    assessment_id: Identifier
    case_id: Identifier
    request_id: Identifier
    source: InformationSource
    due_on: PlausibleDate


@register
class InformationReceived(EventModel):
    event_type = "no.forvalt.assessment.information-received.v1"
    topic = Topic.ASSESSMENT

    assessment_id: Identifier
    case_id: Identifier
    request_id: Identifier
    received_on: PlausibleDate


@register
class FunctionalScoresRecorded(EventModel):
    """IPLOS functional scores: 1-5, or 9 where the variable is not relevant."""

    event_type = "no.forvalt.assessment.functional-scores-recorded.v1"
    topic = Topic.ASSESSMENT

    assessment_id: Identifier
    case_id: Identifier
    scores: dict[Code, Int32] = Field(min_length=1, max_length=MAX_LIST)
    assessed_on: PlausibleDate


@register
class CriteriaEvaluated(EventModel):
    event_type = "no.forvalt.assessment.criteria-evaluated.v1"
    topic = Topic.ASSESSMENT

    assessment_id: Identifier
    case_id: Identifier
    care_ladder_step: int | None = Field(default=None, ge=1, le=4)
    care_ladder_grounds: list[Code] = Field(default_factory=list, max_length=MAX_LIST)
    bti_level: int | None = Field(default=None, ge=0, le=3)
    coordinated_criteria_met: list[Code] = Field(default_factory=list, max_length=MAX_LIST)


@register
class ChildBestInterestsAssessed(EventModel):
    event_type = "no.forvalt.assessment.child-best-interests-assessed.v1"
    topic = Topic.ASSESSMENT

    assessment_id: Identifier
    case_id: Identifier
    children_considered: PositiveCount = Field(description="the child, siblings and children as next of kin")


@register
class AssessmentCompleted(EventModel):
    event_type = "no.forvalt.assessment.completed.v1"
    topic = Topic.ASSESSMENT

    assessment_id: Identifier
    case_id: Identifier
    person_id: Identifier
    completed_by: Annotated[Line, Field(max_length=60)] = Field(
        description="the office, or the unit that wrote its own assessment"
    )
    recommendation: Recommendation
    care_ladder_step: int | None = Field(default=None, ge=1, le=4)
    bti_level: int | None = Field(default=None, ge=0, le=3)
    emergency_measure: bool = False


@register
class CaseHandedOver(EventModel):
    """The case went to a partner municipality's office, which may now see and work on this case only."""

    event_type = "no.forvalt.assessment.case-handed-over.v1"
    topic = Topic.ASSESSMENT

    assessment_id: Identifier
    case_id: Identifier
    from_municipality: str = Field(pattern=r"^[0-9]{4}$")
    to_municipality: str = Field(pattern=r"^[0-9]{4}$")
    service_code: Code


@register
class AssessmentClosed(EventModel):
    """The assessment stopped without a recommendation: the application was withdrawn, or consent to process it."""

    event_type = "no.forvalt.assessment.closed.v1"
    topic = Topic.ASSESSMENT

    assessment_id: Identifier
    case_id: Identifier
    reason: str = Field(pattern=r"^(application_withdrawn|consent_withdrawn)$")
