"""Events of the appeals service (topic appeals.events.v1)."""

from pydantic import Field

from contracts.envelope import EventModel, register
from contracts.topics import Topic
from contracts.types import Identifier, PlausibleDate


@register
class AppealReversedByOffice(EventModel):
    """The office found the appeal justified and reverses its own decision: the decision service makes a new one."""

    event_type = "no.forvalt.appeals.reversed-by-office.v1"
    topic = Topic.APPEALS

    appeal_id: Identifier
    case_id: Identifier
    decision_id: Identifier = Field(description="the appealed decision")
    reversed_on: PlausibleDate
