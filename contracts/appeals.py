"""Events of the appeals service (topic appeals.events.v1)."""

from datetime import date

from pydantic import Field

from contracts.envelope import EventModel, register
from contracts.topics import Topic


@register
class AppealReversedByOffice(EventModel):
    """The office found the appeal justified and reverses its own decision: the decision service makes a new one."""

    event_type = "no.forvalt.appeals.reversed-by-office.v1"
    topic = Topic.APPEALS

    appeal_id: str = Field(min_length=1)
    case_id: str = Field(min_length=1)
    decision_id: str = Field(min_length=1, description="the appealed decision")
    reversed_on: date
