"""Deadline events (topic deadlines.v1): clocks that services start and the notification service keeps."""

from datetime import date
from enum import StrEnum

from pydantic import Field

from contracts.envelope import EventModel, register
from contracts.topics import Topic


class DeadlineKind(StrEnum):
    PRELIMINARY_REPLY = "preliminary_reply"
    INFORMATION_REQUEST = "information_request"


@register
class DeadlineScheduled(EventModel):
    """A legal or internal clock was started for a case."""

    event_type = "no.forvalt.deadline.scheduled.v1"
    topic = Topic.DEADLINES

    deadline_id: str = Field(min_length=1)
    case_id: str = Field(min_length=1)
    kind: str = Field(
        pattern=r"^[a-z][a-z_]*$",
        description="a DeadlineKind value; new kinds are added without a new version, so consumers accept unknown ones",
    )
    due_on: date = Field(description="the working day the deadline falls on")
    responsible: str = Field(min_length=1, description="who must act, e.g. allocation_office")


@register
class DeadlineCancelled(EventModel):
    """A clock stopped before it ran out: the act it waited for happened, or is no longer owed."""

    event_type = "no.forvalt.deadline.cancelled.v1"
    topic = Topic.DEADLINES

    deadline_id: str = Field(min_length=1)
    case_id: str = Field(min_length=1)
    kind: str = Field(pattern=r"^[a-z][a-z_]*$")
    reason: str = Field(min_length=1, max_length=200, description="e.g. information_received, decision_made")


@register
class DeadlineDue(EventModel):
    """A clock ran out today without the act it waited for: whoever is responsible must act now."""

    event_type = "no.forvalt.deadline.due.v1"
    topic = Topic.DEADLINES

    deadline_id: str = Field(min_length=1)
    case_id: str = Field(min_length=1)
    kind: str = Field(pattern=r"^[a-z][a-z_]*$")
    due_on: date
    responsible: str = Field(min_length=1)
