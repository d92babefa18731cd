"""Events of the notification service (topic notification.events.v1): a case's status as the person sees it.
Codes, ids and dates only: what the person is told in words stays in the notification service's database."""

from enum import StrEnum

from pydantic import Field

from contracts.appeals import AppealEnd, BodyOutcome
from contracts.decision import DecidedBy, Outcome
from contracts.envelope import EventModel, register
from contracts.topics import Topic
from contracts.types import Identifier, Line, PlausibleDate, PlausibleTime


class CaseStatus(StrEnum):
    """Where a case stands, in the plain steps a citizen portal shows."""

    RECEIVED = "received"
    BEING_ASSESSED = "being_assessed"
    PRELIMINARY_REPLY_SENT = "preliminary_reply_sent"  # the case takes longer (forvaltningsloven § 11 a)
    DECIDED = "decided"
    APPEALED = "appealed"
    FORWARDED = "forwarded"  # the appeal went to the appeal body
    CLOSED = "closed"  # no decision will be made: withdrawn, or consent to processing withdrawn


class ClosedReason(StrEnum):
    APPLICATION_WITHDRAWN = "application_withdrawn"
    CONSENT_WITHDRAWN = "consent_withdrawn"


@register
class CaseStatusChanged(EventModel):
    """A case's status as the person sees it changed: what the case is at, since when, and its codes."""

    event_type = "no.forvalt.notification.case-status-changed.v1"
    topic = Topic.NOTIFICATION

    case_id: Identifier
    person_id: Identifier | None = Field(
        description="the pseudonymous person the case is about (for a child coordinator, the applying parent); "
        "none while no event that names the person has been seen"
    )
    status: CaseStatus
    since: PlausibleTime = Field(description="when the step that set this status happened (its event's time)")
    outcome: Outcome | None = Field(default=None, description="decided: the decision's outcome")
    decided_by: DecidedBy | None = Field(default=None, description="decided: who made the decision")
    appeal_outcome: BodyOutcome | None = Field(
        default=None, description="the appeal body's outcome (decided, or being assessed again after quashed)"
    )
    appeal_end: AppealEnd | None = Field(default=None, description="decided: how an appeal ended without the body")
    appeal_body: Line | None = Field(
        default=None, max_length=200, description="forwarded or decided by it: the appeal body"
    )
    expected_on: PlausibleDate | None = Field(
        default=None, description="preliminary reply sent: when the decision is expected, when the letter said"
    )
    closed_reason: ClosedReason | None = Field(default=None, description="closed: why")
