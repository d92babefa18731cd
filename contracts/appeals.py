"""Events of the appeals service (topic appeals.events.v1), and the two integration topics adapters write to: the
deliveries a digital mailbox reports and the outcomes an appeal body's system sends. Codes, ids and dates only: the
appeal's text, the office's comments, a late appeal's reason and a complaint's or deviation's description stay in
the appeals service's database."""

from enum import StrEnum

from pydantic import Field

from contracts.envelope import EventModel, register
from contracts.topics import Topic
from contracts.types import MAX_LIST, Code, Identifier, Line, PlausibleDate


class DeliveryBasis(StrEnum):
    """How the day the decision letter reached the person is known (forvaltningsloven § 29)."""

    DIGITAL_RECEIPT = "digital_receipt"  # the digital mailbox reported when the letter was delivered
    POSTAL_ASSUMPTION = "postal_assumption"  # sent by post: the days the municipality assumes the post takes
    HANDED_OVER = "handed_over"  # given to the person, recorded by a caseworker


class Appellant(StrEnum):
    """Who appeals: the person, or someone with the right to act for them."""

    PERSON = "person"
    GUARDIAN = "guardian"  # verge, or the parents of a child
    REPRESENTATIVE = "representative"  # a representative with written authority (fullmakt)


class AppealChannel(StrEnum):
    LETTER = "letter"
    DIGITAL = "digital"
    EMAIL = "email"
    IN_PERSON = "in_person"  # handed in, or written with the office's help (forvaltningsloven § 32)


class Examination(StrEnum):
    """The office's re-examination (forvaltningsloven § 33)."""

    JUSTIFIED = "justified"  # the office reverses its own decision
    PARTLY_JUSTIFIED = "partly_justified"  # a partial reversal; the rest is forwarded
    NOT_JUSTIFIED = "not_justified"  # prepared and forwarded to the appeal body


class ForwardedDocument(StrEnum):
    """What the office sends the appeal body with the appeal."""

    DECISION = "decision"
    LETTER = "letter"
    ASSESSMENT_SUMMARY = "assessment_summary"
    APPEAL = "appeal"
    OFFICE_COMMENTS = "office_comments"


class BodyOutcome(StrEnum):
    """What the appeal body concluded."""

    UPHELD = "upheld"  # stadfestet
    REVERSED = "reversed"  # omgjort
    PARTLY_REVERSED = "partly_reversed"
    QUASHED = "quashed"  # opphevet og sendt tilbake til ny behandling
    DISMISSED = "dismissed"  # avvist
    WITHDRAWN = "withdrawn"  # the person withdrew the appeal


class AppealEnd(StrEnum):
    """How an appeal ended without the appeal body's outcome."""

    WITHDRAWN = "withdrawn"  # by the person, before it was forwarded
    DISMISSED_AS_LATE = "dismissed_as_late"  # a late appeal the office did not take up (forvaltningsloven § 31)
    REVERSED_BY_OFFICE = "reversed_by_office"  # justified in full


class ComplaintKind(StrEnum):
    """A complaint about delivered services, not about a decision (Tolga 6)."""

    SERVICE_DELIVERED = "service_delivered"
    MISMATCH_WITH_DECISION = "mismatch_with_decision"  # what is delivered is not what was decided


class DeviationCategory(StrEnum):
    """A breach of routine (avvik), for the municipality's quality system."""

    ROUTINE = "routine"
    RESPONSIBILITY_SPLIT = "responsibility_split"  # between the allocation office and the units (Tolga 7)
    DEADLINE = "deadline"
    PRIVACY = "privacy"
    SERVICE_DELIVERY = "service_delivery"


@register
class DecisionDeliveryRecorded(EventModel):
    """The day a decision letter reached the person, and the appeal deadline it gives: first the postal assumption,
    then, when the digital mailbox reports it, the delivery it reports."""

    event_type = "no.forvalt.appeals.decision-delivery-recorded.v1"
    topic = Topic.APPEALS

    decision_id: Identifier
    case_id: Identifier
    delivered_on: PlausibleDate
    basis: DeliveryBasis
    appeal_deadline_on: PlausibleDate = Field(description="the last day to appeal, off weekends and holidays")
    deadline_weeks: int = Field(ge=1, le=8)
    deadline_rule: Line = Field(description="the paragraph that sets the deadline")


@register
class AppealRegistered(EventModel):
    """An appeal against a decision was received."""

    event_type = "no.forvalt.appeals.registered.v1"
    topic = Topic.APPEALS

    appeal_id: Identifier
    case_id: Identifier
    decision_id: Identifier
    person_id: Identifier
    appellant: Appellant
    received_on: PlausibleDate
    received_by: Code = Field(description="the office or unit that received it (Holtålen: the children's unit)")
    channel: AppealChannel
    helped_by_office: bool = Field(description="the office helped write it (forvaltningsloven § 32)")
    deadline_on: PlausibleDate
    late: bool = Field(description="received after the deadline; may still be taken up (forvaltningsloven § 31)")
    handling_due_on: PlausibleDate = Field(description="the office handles it without undue delay: by this day")


@register
class LateAppealTakenUp(EventModel):
    """The office takes up a late appeal (forvaltningsloven § 31); its reason stays in the appeals service."""

    event_type = "no.forvalt.appeals.late-appeal-taken-up.v1"
    topic = Topic.APPEALS

    appeal_id: Identifier
    case_id: Identifier
    taken_up_on: PlausibleDate


@register
class AppealReversedByOffice(EventModel):
    """The office found the appeal justified and reverses its own decision: the decision service makes a new one."""

    event_type = "no.forvalt.appeals.reversed-by-office.v1"
    topic = Topic.APPEALS

    appeal_id: Identifier
    case_id: Identifier
    decision_id: Identifier = Field(description="the appealed decision")
    reversed_on: PlausibleDate
    partial: bool = Field(default=False, description="partly justified: the rest is forwarded to the appeal body")


@register
class AppealForwarded(EventModel):
    """The office prepared the case and sent it to the appeal body."""

    event_type = "no.forvalt.appeals.forwarded.v1"
    topic = Topic.APPEALS

    forwarding_id: Identifier = Field(description="stable: the same forwarding always carries the same id")
    appeal_id: Identifier
    case_id: Identifier
    decision_id: Identifier
    appeal_body: Line
    forwarded_on: PlausibleDate
    documents: list[ForwardedDocument] = Field(min_length=1, max_length=MAX_LIST)


@register
class AppealOutcomeRecorded(EventModel):
    """The appeal body's outcome. A quashed decision reopens the case for a new assessment; a reversal by the body
    becomes a decision in the decision service."""

    event_type = "no.forvalt.appeals.outcome-recorded.v1"
    topic = Topic.APPEALS

    outcome_id: Identifier = Field(description="stable: the body's outcome always carries the same id")
    appeal_id: Identifier
    case_id: Identifier
    decision_id: Identifier = Field(description="the appealed decision")
    person_id: Identifier
    outcome: BodyOutcome
    decided_on: PlausibleDate
    appeal_body: Line


@register
class AppealClosed(EventModel):
    """An appeal ended without the appeal body: withdrawn, dismissed as late, or reversed in full by the office."""

    event_type = "no.forvalt.appeals.closed.v1"
    topic = Topic.APPEALS

    appeal_id: Identifier
    case_id: Identifier
    ended: AppealEnd
    closed_on: PlausibleDate


@register
class ComplaintRegistered(EventModel):
    """A complaint about delivered services reached the unit leader, who answers it by the due day."""

    event_type = "no.forvalt.appeals.complaint-registered.v1"
    topic = Topic.APPEALS

    complaint_id: Identifier
    case_id: Identifier = Field(description="the case the services were decided in, or the complaint's own id")
    person_id: Identifier
    unit: Code
    kind: ComplaintKind
    received_on: PlausibleDate
    response_due_on: PlausibleDate


@register
class ComplaintAnswered(EventModel):
    event_type = "no.forvalt.appeals.complaint-answered.v1"
    topic = Topic.APPEALS

    complaint_id: Identifier
    case_id: Identifier
    answered_on: PlausibleDate


@register
class DeviationRegistered(EventModel):
    """A deviation (avvik) for the municipality's quality system; its description stays in the appeals service."""

    event_type = "no.forvalt.appeals.deviation-registered.v1"
    topic = Topic.APPEALS

    deviation_id: Identifier
    case_id: Identifier = Field(description="the case it concerns, or the deviation's own id")
    category: DeviationCategory
    unit: Code
    occurred_on: PlausibleDate
    registered_on: PlausibleDate


# --- integration topics: adapters of outside systems write these ------------------------------------------------


@register
class LetterDelivered(EventModel):
    """A digital mailbox adapter reports that a letter reached the person's mailbox."""

    event_type = "no.forvalt.integration.letter-delivered.v1"
    topic = Topic.LETTER_DELIVERIES

    receipt_id: Identifier = Field(description="the mailbox's own id of the receipt: a repeated receipt is the same")
    letter_id: Identifier
    case_id: Identifier
    delivered_on: PlausibleDate


@register
class AppealBodyOutcome(EventModel):
    """An adapter for the appeal body's system reports its outcome of a forwarded appeal."""

    event_type = "no.forvalt.integration.appeal-body-outcome.v1"
    topic = Topic.APPEAL_OUTCOMES

    outcome_id: Identifier = Field(description="the body's own id of the outcome: a repeated outcome is the same")
    forwarding_id: Identifier = Field(description="the forwarding it answers, from AppealForwarded")
    case_id: Identifier
    outcome: BodyOutcome
    decided_on: PlausibleDate
