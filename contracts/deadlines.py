"""Deadline events (topic deadlines.v1): clocks that services start and the notification service keeps."""

from enum import StrEnum

from pydantic import Field

from contracts.envelope import EventModel, register
from contracts.topics import Topic
from contracts.types import Code, Identifier, PlausibleDate


class DeadlineKind(StrEnum):
    PRELIMINARY_REPLY = "preliminary_reply"
    INFORMATION_REQUEST = "information_request"
    HOME_VISIT = "home_visit"
    CHILD_COORDINATOR_ENDS = "child_coordinator_ends"
    MEETING_MINUTES = "meeting_minutes"
    COORDINATOR_TRAINING = "coordinator_training"
    ANNUAL_REPORT = "annual_report"
    ESCALATION_RESPONSE = "escalation_response"
    APPEAL_HANDLING = "appeal_handling"
    COMPLAINT_RESPONSE = "complaint_response"
    DECISION_REVIEW = "decision_review"
    TIME_LIMITED_EVALUATION = "time_limited_evaluation"


@register
class DeadlineScheduled(EventModel):
    """A legal or internal clock was started for a case."""

    event_type = "no.forvalt.deadline.scheduled.v1"
    topic = Topic.DEADLINES

    deadline_id: Identifier
    case_id: Identifier
    kind: str = Field(
        pattern=r"^[a-z][a-z_]*$",
        max_length=40,
        description="a DeadlineKind value; new kinds are added without a new version, so consumers accept unknown ones",
    )
    due_on: PlausibleDate = Field(description="the working day the deadline falls on")
    responsible: Code = Field(description="who must act, e.g. allocation_office")


@register
class DeadlineCancelled(EventModel):
    """A clock stopped before it ran out: the act it waited for happened, or is no longer owed."""

    event_type = "no.forvalt.deadline.cancelled.v1"
    topic = Topic.DEADLINES

    deadline_id: Identifier
    case_id: Identifier
    kind: str = Field(pattern=r"^[a-z][a-z_]*$", max_length=40)
    reason: str = Field(min_length=1, max_length=200, description="e.g. information_received, decision_made")


@register
class DeadlineDue(EventModel):
    """A clock ran out today without the act it waited for: whoever is responsible must act now."""

    event_type = "no.forvalt.deadline.due.v1"
    topic = Topic.DEADLINES

    deadline_id: Identifier
    case_id: Identifier
    kind: str = Field(pattern=r"^[a-z][a-z_]*$", max_length=40)
    due_on: PlausibleDate
    responsible: Code


@register
class DeadlineEscalated(EventModel):
    """An overdue clock was escalated to the leader of whoever must act: at the due day, then on the kind's rhythm,
    one step at a time, until the clock is cancelled (the act was done)."""

    event_type = "no.forvalt.deadline.escalated.v1"
    topic = Topic.DEADLINES

    deadline_id: Identifier
    case_id: Identifier
    kind: str = Field(pattern=r"^[a-z][a-z_]*$", max_length=40)
    responsible: Code
    escalated_to: str = Field(
        pattern=r"^[a-z][a-z0-9_]*(:[a-z][a-z0-9_]*)?$",
        max_length=80,
        description="who was told, e.g. leader_of:allocation_office (the leader of the responsible office)",
    )
    step: int = Field(ge=1, le=1000, description="1 at the due day, then one more at each step of the rhythm")
    escalated_on: PlausibleDate = Field(description="the day of this step")
