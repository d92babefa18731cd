"""Events of the decision service (topic decision.events.v1): individual decisions, service orders, letters."""

from datetime import date
from enum import StrEnum

from pydantic import Field

from contracts.envelope import EventModel, register
from contracts.topics import Topic


class Outcome(StrEnum):
    GRANTED = "granted"
    PARTLY_GRANTED = "partly_granted"
    REFUSED = "refused"


class DecisionKind(StrEnum):
    INITIAL = "initial"
    REVIEW = "review"
    REVERSAL = "reversal"
    REQUESTED = "requested"


class ReviewResult(StrEnum):
    CONTINUE = "continue"
    CHANGE = "change"
    STOP = "stop"


class DecidedBy(StrEnum):
    OFFICE = "office"
    MEETING = "meeting"
    UNIT_LEADER = "unit_leader"


class DecidedService(EventModel):
    service_code: str = Field(min_length=1)
    hours_per_week: float | None = Field(default=None, ge=0, le=168)
    start_on: date
    end_on: date | None = None


class AppealInformation(EventModel):
    """forvaltningsloven § 27: the right to appeal, the deadline, where and how."""

    appeal_body: str = Field(min_length=1, description="who finally hears the appeal")
    submit_to: str = Field(min_length=1, description="where the appeal is sent: the office that decided")
    deadline_weeks: int = Field(ge=1, le=8)
    deadline_on: date = Field(description="the last day to appeal, counted from when the letter is received")
    legal_basis: str = Field(min_length=1, description="the rule that sets the deadline")


@register
class CaseScheduledForMeeting(EventModel):
    """The case is on the agenda of an allocation meeting."""

    event_type = "no.forvalt.decision.case-scheduled-for-meeting.v1"
    topic = Topic.DECISION

    case_id: str = Field(min_length=1)
    meeting_id: str = Field(min_length=1)
    meeting_on: date
    emergency_measure: bool = False


@register
class DecisionMade(EventModel):
    """An individual decision (enkeltvedtak) was made."""

    event_type = "no.forvalt.decision.made.v1"
    topic = Topic.DECISION

    decision_id: str = Field(min_length=1)
    case_id: str = Field(min_length=1)
    person_id: str = Field(min_length=1)
    kind: DecisionKind
    outcome: Outcome
    services: list[DecidedService] = Field(default_factory=list)
    legal_basis: list[str] = Field(min_length=1)
    decided_on: date
    decided_by: DecidedBy
    appeal: AppealInformation
    supersedes: str | None = Field(default=None, description="the decision this one replaces")
    review_result: ReviewResult | None = None
    letter_id: str | None = None


@register
class ServiceOrdered(EventModel):
    """A granted service is ordered from the unit that delivers it, so it can plan."""

    event_type = "no.forvalt.decision.service-ordered.v1"
    topic = Topic.DECISION

    order_id: str = Field(min_length=1)
    decision_id: str = Field(min_length=1)
    case_id: str = Field(min_length=1)
    unit: str = Field(min_length=1)
    service_code: str = Field(min_length=1)
    hours_per_week: float | None = Field(default=None, ge=0, le=168)
    start_on: date
    end_on: date | None = None


@register
class LetterIssued(EventModel):
    """A letter (decision or preliminary reply) was rendered and stored; fetch it from the decision API."""

    event_type = "no.forvalt.decision.letter-issued.v1"
    topic = Topic.DECISION

    letter_id: str = Field(min_length=1)
    case_id: str = Field(min_length=1)
    kind: str = Field(pattern=r"^[a-z][a-z_]*$", description="decision or preliminary_reply")
    language: str = Field(pattern=r"^(nb|nn)$")
    decision_id: str | None = None
