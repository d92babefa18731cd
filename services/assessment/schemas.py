"""Assessment's HTTP bodies and responses (neither the tables nor the event contracts)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, Strict

from contracts.assessment import AssigneeKind, InformationSource, ProposedOutcome, VisitKind
from servicekit.types import (
    MAX_ENTRIES,
    MAX_LIST,
    Code,
    FilledText,
    HoursPerWeek,
    Int32,
    LetterLine,
    PlausibleDate,
    PlausibleTime,
    PositiveCount,
    Text,
)
from services.assessment.domain import Opening, RequestStatus, Status

# A score, step or level: a whole number the rules check against their list (JSON numbers only, not "3").
Score = Annotated[Int32, Strict()]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AssignmentIn(_Body):
    assignee_kind: AssigneeKind
    assignee: Code = Field(description="a unit code of the municipality, or a profession, e.g. occupational_therapist")


class VisitIn(_Body):
    kind: VisitKind
    scheduled_at: PlausibleTime


class VisitRecordIn(_Body):
    held_at: PlausibleTime
    notes: FilledText = Field(description="health information: stays in the assessment service, never on a topic")


class InformationRequestIn(_Body):
    source: InformationSource
    due_on: PlausibleDate = Field(description="after today; moved to the next working day when it falls on a holiday")


class InformationReceivedIn(_Body):
    received_on: PlausibleDate


class FunctionalScoresIn(_Body):
    assessed_on: PlausibleDate
    scores: dict[Code, Score] = Field(
        max_length=MAX_LIST, description="IPLOS variable code → 1–5, or 9 when not relevant"
    )


class CriteriaIn(_Body):
    care_ladder_step: Score | None = None
    care_ladder_grounds: list[Code] = Field(default_factory=list, max_length=MAX_LIST)
    bti_level: Score | None = None
    coordinated_criteria_met: list[Code] = Field(default_factory=list, max_length=MAX_LIST)


class ChildBestInterestsIn(_Body):
    children_considered: PositiveCount = Field(description="the child, siblings and children as next of kin")
    assessment: FilledText = Field(description="stays in the assessment service, never on a topic")


class RecommendedServiceIn(_Body):
    service_code: Code
    hours_per_week: HoursPerWeek | None = None
    start_on: PlausibleDate
    end_on: PlausibleDate | None = None


class RecommendationIn(_Body):
    services: list[RecommendedServiceIn] = Field(min_length=1, max_length=MAX_ENTRIES)
    legal_basis: list[LetterLine] | None = Field(
        default=None,
        max_length=MAX_ENTRIES,
        description="defaults to the catalogue's legal basis of the recommended services",
    )
    reasons: Text = Field(default="", description="required for 'partly' and 'refuse'")
    proposed_outcome: ProposedOutcome


class HandoverIn(_Body):
    pass


class ConsentOut(BaseModel):
    scope: list[str]
    share_with: list[str]


class AssignmentOut(BaseModel):
    assignee_kind: AssigneeKind
    assignee: str
    writes_own_assessment: bool


class VisitOut(BaseModel):
    id: str
    kind: VisitKind
    scheduled_at: datetime
    held_at: datetime | None
    notes: str | None
    recorded_by: str | None


class InformationRequestOut(BaseModel):
    id: str
    source: InformationSource
    requested_on: date
    due_on: date
    status: RequestStatus
    received_on: date | None
    overdue: bool


class FunctionalScoresOut(BaseModel):
    assessed_on: date
    scores: dict[str, int]
    recorded_by: str | None


class CriteriaOut(BaseModel):
    care_ladder_step: int | None
    care_ladder_grounds: list[str]
    bti_level: int | None
    coordinated_criteria_met: list[str]
    evaluated_at: datetime


class ChildBestInterestsOut(BaseModel):
    id: str
    children_considered: int
    assessment: str
    assessed_by: str
    assessed_at: datetime


class RecommendedServiceOut(BaseModel):
    service_code: str
    hours_per_week: float | None
    start_on: date
    end_on: date | None


class RecommendationOut(BaseModel):
    services: list[RecommendedServiceOut]
    legal_basis: list[str]
    proposed_outcome: ProposedOutcome
    reasons: str
    recommended_by: str | None


class OpenedBecauseOut(BaseModel):
    """What opened this round: the application, or the appeal body's outcome that quashed a decision."""

    reason: Opening
    outcome_id: str | None
    appeal_id: str | None
    decision_id: str | None = Field(description="the quashed decision")
    decided_on: date | None = Field(description="the day the appeal body quashed it")


class AssessmentSummary(BaseModel):
    id: str
    case_id: str
    round: int = Field(description="1 for the application; one more each time a decision of the case is quashed")
    opened_because: OpenedBecauseOut
    municipality: str
    journal_number: str
    person_id: str
    service_code: str
    route: str
    involves_child: bool
    emergency_measure: bool
    status: Status
    assignee_kind: AssigneeKind | None
    assignee: str | None
    created_at: datetime
    updated_at: datetime


class AssessmentOut(AssessmentSummary):
    received_on: date
    consent: ConsentOut
    assignment: AssignmentOut | None
    visits: list[VisitOut]
    information_requests: list[InformationRequestOut]
    functional_scores: FunctionalScoresOut | None
    criteria: CriteriaOut | None
    child_best_interests: list[ChildBestInterestsOut]
    recommendation: RecommendationOut | None
    completed_by: str | None
    completed_at: datetime | None
    handed_over_to: list[str]


class AssessmentPage(BaseModel):
    items: list[AssessmentSummary]
    total: int
    limit: int
    offset: int
