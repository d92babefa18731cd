"""Decision's API bodies and answers (distinct from its tables and from the event contracts)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from contracts.appeals import BodyOutcome
from contracts.decision import AppealInformation, DecidedBy, DecisionKind, Outcome, ReviewResult
from contracts.intake import Route
from servicekit.types import (
    MAX_ENTRIES,
    MAX_LIST,
    PRINTABLE_TEXT,
    Code,
    HoursPerWeek,
    Identifier,
    LetterLine,
    LetterName,
    LetterText,
    Line,
    PlausibleDate,
    Text,
)
from services.decision.domain import AgendaStatus, CaseStatus, DecisionStatus, MeetingResult

FreeText = Field(default="", description="printed in the letter as written")
# A caseworker's or leader's text that a letter prints: 5000 characters the letter font can print.
ShortLetterText = Annotated[Text, Field(max_length=5000), PRINTABLE_TEXT]


class ServiceIn(BaseModel):
    """A service granted, with its scope and period."""

    model_config = ConfigDict(extra="forbid")

    service_code: Code = Field(description="code from the municipality's catalogue")
    hours_per_week: HoursPerWeek | None = None
    start_on: PlausibleDate
    end_on: PlausibleDate | None = Field(default=None, description="set for a time-limited decision")


class ReasonsIn(BaseModel):
    """forvaltningsloven §§ 24-25: required, all three, for a refusal, a partial grant, a change or a stop."""

    model_config = ConfigDict(extra="forbid")

    facts: LetterText = FreeText
    rules: LetterText = FreeText
    considerations: LetterText = FreeText


class DecisionIn(BaseModel):
    """The decision on a case that awaits one (initial, requested by the coordinating unit, or a reversal)."""

    model_config = ConfigDict(extra="forbid")

    case_id: Identifier
    outcome: Outcome
    services: list[ServiceIn] = Field(
        default_factory=list, max_length=MAX_ENTRIES, description="granted, with scope; none for a refusal"
    )
    refused_services: list[Code] = Field(
        default_factory=list, max_length=MAX_ENTRIES, description="service codes refused"
    )
    legal_basis: list[LetterLine] | None = Field(
        default=None,
        max_length=MAX_ENTRIES,
        description="leave out for the catalogue's legal basis of the services decided",
    )
    reasons: ReasonsIn = Field(default_factory=ReasonsIn)
    decided_on: PlausibleDate | None = Field(
        default=None,
        description="default today (the meeting's day when the meeting decides); refused where the unit leaders' "
        "final approval makes the decision",
    )


class ApprovalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    approved: bool = True
    reason: ShortLetterText | None = Field(default=None, description="required when not approving")
    decided_on: PlausibleDate | None = Field(default=None, description="the final approval's date; default today")


class ReviewIn(BaseModel):
    """The outcome of a review: a new decision superseding the reviewed one."""

    model_config = ConfigDict(extra="forbid")

    result: ReviewResult
    services: list[ServiceIn] | None = Field(
        default=None,
        max_length=MAX_ENTRIES,
        description="change: the services granted now; continue: leave out, or the same with a new period",
    )
    outcome: Outcome | None = Field(default=None, description="change: granted (default) or partly_granted")
    legal_basis: list[LetterLine] | None = Field(default=None, max_length=MAX_ENTRIES)
    reasons: ReasonsIn = Field(default_factory=ReasonsIn)
    decided_on: PlausibleDate | None = None
    meeting_id: Identifier | None = Field(default=None, description="where the meeting decides: the meeting that did")


class AttendeeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: LetterName
    role: Annotated[Line, Field(max_length=60)] = Field(description="e.g. allocation_office, unit_leader, doctor")
    unit: Annotated[Line, Field(max_length=60)] | None = None


class AttendeesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    attendees: list[AttendeeIn] = Field(min_length=1, max_length=MAX_LIST)


class OutcomeIn(BaseModel):
    """The meeting's conclusion on one case on its agenda, or that the case waits for the next meeting."""

    model_config = ConfigDict(extra="forbid")

    case_id: Identifier
    result: MeetingResult
    outcome: Outcome | None = Field(default=None, description="the conclusion; required when concluded")
    note: ShortLetterText | None = None


class PreliminaryReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expected_decision_on: PlausibleDate
    reason_for_delay: Annotated[Text, Field(min_length=1, max_length=5000), PRINTABLE_TEXT]


# --- answers -------------------------------------------------------------------------------------


class ServiceOut(BaseModel):
    service_code: str
    name: str
    hours_per_week: float | None
    start_on: date
    end_on: date | None


class ReasonsOut(BaseModel):
    facts: str
    rules: str
    considerations: str


class ApprovalOut(BaseModel):
    unit: str
    approved: bool
    reason: str | None
    recorded_by: str
    recorded_at: datetime


class ServiceOrderOut(BaseModel):
    order_id: str
    decision_id: str
    case_id: str
    unit: str
    service_code: str
    hours_per_week: float | None
    start_on: date
    end_on: date | None
    created_at: datetime


class DeadlineOut(BaseModel):
    deadline_id: str
    kind: str
    due_on: date
    status: str


class AppealOutcomeOut(BaseModel):
    """The appeal body's outcome of an appeal against the decision."""

    outcome_id: str
    appeal_id: str
    outcome: BodyOutcome
    decided_on: date = Field(description="the day the appeal body decided")
    appeal_body: str


class DecisionOut(BaseModel):
    id: str
    case_id: str
    person_id: str
    kind: DecisionKind
    status: DecisionStatus
    outcome: Outcome
    services: list[ServiceOut]
    refused_services: list[str]
    legal_basis: list[str]
    reasons: ReasonsOut
    decided_by: DecidedBy
    decided_on: date | None
    appeal: AppealInformation | None = Field(
        description="the right to appeal; none before the decision is made, and for a decision that carries out the "
        "appeal body's (decided_by appeal_body), which is final (forvaltningsloven § 28 third paragraph)"
    )
    supersedes: str | None
    superseded_by: str | None
    review_result: ReviewResult | None
    meeting_id: str | None
    approvals_required_from: list[str] = Field(description="units whose leader must approve (unit_leader authority)")
    approvals: list[ApprovalOut]
    returned_reason: str | None
    service_orders: list[ServiceOrderOut]
    deadlines: list[DeadlineOut]
    letter_id: str | None
    letter_url: str | None
    drafted_by: str
    created_at: datetime
    made_at: datetime | None
    appeal_outcomes: list[AppealOutcomeOut] = Field(
        default_factory=list, description="the appeal body's outcomes of appeals against it"
    )
    quashed_on: date | None = Field(default=None, description="the day the appeal body quashed it (status quashed)")
    quashed_by_outcome: str | None = Field(default=None, description="the appeal body's outcome that quashed it")


class DecisionSummaryOut(BaseModel):
    """One of the case's decisions, in the case's history."""

    id: str
    kind: DecisionKind
    status: DecisionStatus
    outcome: Outcome
    decided_by: DecidedBy
    decided_on: date | None
    supersedes: str | None
    superseded_by: str | None
    appeal_outcomes: list[AppealOutcomeOut]
    quashed_on: date | None
    quashed_by_outcome: str | None


class AgendaRef(BaseModel):
    meeting_id: str
    meeting_on: date
    status: AgendaStatus
    outcome: Outcome | None


class ProposalOut(BaseModel):
    """A starting point for POST /decisions: the recommendation, the request, or the appealed decision."""

    outcome: Outcome
    services: list[ServiceIn]
    refused_services: list[str]
    legal_basis: list[str] | None


class RightRequestOut(BaseModel):
    request_id: str
    right: str
    proposed: str
    requested_by: str


class ReversalOut(BaseModel):
    appeal_id: str
    decision_id: str
    reversed_on: date = Field(description="the office's reversal, or the appeal body's decision")
    appeal_body: str | None = Field(default=None, description="the appeal body that reversed it; none: the office")
    outcome_id: str | None = Field(default=None, description="the appeal body's outcome")
    partial: bool = False


class QuashedOut(BaseModel):
    """The decision the appeal body quashed: the case is assessed and decided anew."""

    decision_id: str
    outcome_id: str
    quashed_on: date
    appeal_body: str


class DueReviewOut(BaseModel):
    """A review or evaluation of the case's decision that fell due: on the next allocation meeting's agenda where the
    municipality holds meetings; for the office to take up either way."""

    deadline_id: str
    decision_id: str = Field(description="the decision to review or evaluate")
    kind: str = Field(description="decision_review (within a year) | time_limited_evaluation (before it ends)")
    due_on: date


class ExpectedChildOut(BaseModel):
    due_on: date = Field(description="the expected date of birth")
    parents: list[str] = Field(description="the expecting parents who applied (person ids): the letters go to them")


class CaseOut(BaseModel):
    case_id: str
    person_id: str | None
    journal_number: str | None
    service_code: str | None
    received_on: date | None
    status: CaseStatus
    route: Route | None = Field(default=None, description="intake's route: who decides the case (none: not told yet)")
    awaiting: DecisionKind | None = Field(description="the kind of decision the case waits for")
    decided_by: DecidedBy | None = Field(description="who makes it: office, meeting, or unit leaders' approval")
    emergency_measure: dict[str, Any] | None
    recommendation: dict[str, Any] | None = Field(description="the assessment's recommendation; its reasons stay there")
    requests: list[RightRequestOut] = Field(description="rights the coordinating unit asks a decision on")
    reversal: ReversalOut | None = Field(
        description="the appeal the office found justified, or the appeal body's reversal the case awaits"
    )
    appealed_decision: DecisionOut | None = Field(description="the decision a reversal replaces")
    agenda: AgendaRef | None
    pending_decision_id: str | None = Field(description="the draft that waits for approval")
    proposal: ProposalOut | None
    expected_child: ExpectedChildOut | None = Field(
        default=None, description="a child not yet born: its letters go to the expecting parents"
    )
    updated_at: datetime
    quashed: QuashedOut | None = Field(
        default=None, description="the decision the appeal body quashed, while the case is assessed and decided anew"
    )
    decisions: list[DecisionSummaryOut] = Field(
        default_factory=list, description="the case's decisions in the order they were drafted"
    )
    due_review: DueReviewOut | None = Field(
        default=None, description="a review or evaluation that fell due, until a review or reversal replaces it"
    )


class CasePage(BaseModel):
    items: list[CaseOut]
    limit: int
    offset: int


class AttendeeOut(BaseModel):
    name: str
    role: str
    unit: str | None


class AgendaItemOut(BaseModel):
    case_id: str
    person_id: str | None
    reason: str
    emergency_measure: bool
    submitted_at: datetime
    status: AgendaStatus
    outcome: Outcome | None
    note: str | None
    recorded_by: str | None
    recorded_at: datetime | None
    recommendation: dict[str, Any] | None


class MeetingOut(BaseModel):
    id: str
    name: str
    meeting_on: date
    starts_at: datetime
    cutoff_at: datetime
    attendees: list[AttendeeOut]
    attendees_recorded_at: datetime | None
    agenda: list[AgendaItemOut]


class LetterOut(BaseModel):
    id: str
    case_id: str
    decision_id: str | None
    kind: str
    language: str
    issued_on: date
    details: dict[str, Any]
    created_at: datetime
    pdf_url: str
