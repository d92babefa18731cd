"""Events of the coordination service (topic coordination.events.v1)."""

from enum import StrEnum

from pydantic import Field

from contracts.envelope import EventModel, register
from contracts.topics import Topic


class RequestedRight(StrEnum):
    INDIVIDUAL_PLAN = "individual_plan"
    COORDINATOR = "coordinator"
    CHILD_COORDINATOR = "child_coordinator"


class ProposedResult(StrEnum):
    GRANT = "grant"
    REFUSE = "refuse"


@register
class DecisionRequested(EventModel):
    """The coordinating unit asks the office for the individual decision on a right it assessed."""

    event_type = "no.forvalt.coordination.decision-requested.v1"
    topic = Topic.COORDINATION

    request_id: str = Field(min_length=1)
    case_id: str = Field(min_length=1)
    person_id: str = Field(min_length=1)
    right: RequestedRight
    proposed: ProposedResult
    requested_by: str = Field(min_length=1, description="the coordinating unit's code")
