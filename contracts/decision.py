"""Events of the decision service (topic decision.events.v1): individual decisions, service orders, letters."""

from enum import StrEnum

from pydantic import Field

from contracts.envelope import EventModel, register
from contracts.topics import Topic
from contracts.types import MAX_LEGAL_BASIS, MAX_LIST, Code, HoursPerWeek, Identifier, Line, PlausibleDate


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
    # The appeal body changed the decision: the office writes the decision that carries out the body's, which is
    # final (forvaltningsloven § 28 third paragraph).
    APPEAL_BODY = "appeal_body"


class DecidedService(EventModel):
    service_code: Code
    hours_per_week: HoursPerWeek | None = None
    start_on: PlausibleDate
    end_on: PlausibleDate | None = None


class AppealInformation(EventModel):
    """forvaltningsloven § 27: the right to appeal, the deadline, where and how."""

    appeal_body: Line = Field(description="who finally hears the appeal")
    submit_to: Line = Field(description="where the appeal is sent: the office that decided")
    deadline_weeks: int = Field(ge=1, le=8)
    deadline_on: PlausibleDate = Field(description="the last day to appeal, counted from when the letter is received")
    legal_basis: Line = Field(description="the rule that sets the deadline")


@register
class CaseScheduledForMeeting(EventModel):
    """The case is on the agenda of an allocation meeting."""

    event_type = "no.forvalt.decision.case-scheduled-for-meeting.v1"
    topic = Topic.DECISION

    case_id: Identifier
    meeting_id: Identifier
    meeting_on: PlausibleDate
    emergency_measure: bool = False


@register
class DecisionMade(EventModel):
    """An individual decision (enkeltvedtak) was made."""

    event_type = "no.forvalt.decision.made.v1"
    topic = Topic.DECISION

    decision_id: Identifier
    case_id: Identifier
    person_id: Identifier
    kind: DecisionKind
    outcome: Outcome
    services: list[DecidedService] = Field(default_factory=list, max_length=MAX_LIST)
    legal_basis: list[Line] = Field(min_length=1, max_length=MAX_LEGAL_BASIS)
    decided_on: PlausibleDate
    decided_by: DecidedBy
    appeal: AppealInformation | None = Field(
        default=None,
        description="the right to appeal (forvaltningsloven § 27); none when the decision carries out the appeal "
        "body's decision (decided_by appeal_body), which is final and cannot be appealed (forvaltningsloven § 28 "
        "third paragraph)",
    )
    supersedes: Identifier | None = Field(default=None, description="the decision this one replaces")
    review_result: ReviewResult | None = None
    letter_id: Identifier | None = None


@register
class ServiceOrdered(EventModel):
    """A granted service is ordered from the unit that delivers it, so it can plan."""

    event_type = "no.forvalt.decision.service-ordered.v1"
    topic = Topic.DECISION

    order_id: Identifier
    decision_id: Identifier
    case_id: Identifier
    unit: Code
    service_code: Code
    hours_per_week: HoursPerWeek | None = None
    start_on: PlausibleDate
    end_on: PlausibleDate | None = None


@register
class LetterIssued(EventModel):
    """A letter (decision or preliminary reply) was rendered and stored; fetch it from the decision API."""

    event_type = "no.forvalt.decision.letter-issued.v1"
    topic = Topic.DECISION

    letter_id: Identifier
    case_id: Identifier
    kind: str = Field(pattern=r"^[a-z][a-z_]*$", max_length=60, description="decision or preliminary_reply")
    language: str = Field(pattern=r"^(nb|nn)$")
    decision_id: Identifier | None = None
    expected_decision_on: PlausibleDate | None = Field(
        default=None, description="a preliminary reply: when the person may expect the decision, as the letter says"
    )
