"""Topic names. Only the owning service produces to its topic."""

from enum import StrEnum


class Topic(StrEnum):
    INTAKE = "intake.events.v1"
    ASSESSMENT = "assessment.events.v1"
    DECISION = "decision.events.v1"
    COORDINATION = "coordination.events.v1"
    APPEALS = "appeals.events.v1"
    NOTIFICATION = "notification.events.v1"
    DEADLINES = "deadlines.v1"
    # Integration topics that adapters of outside systems write to (a digital mailbox, the appeal body's system).
    LETTER_DELIVERIES = "integration.letter-deliveries.v1"
    APPEAL_OUTCOMES = "integration.appeal-outcomes.v1"


def dead_letter_topic(topic: str) -> str:
    """The dead-letter topic of a topic: `<topic>.dlq`."""
    return f"{topic}.dlq"


def tenant_topic(municipality: str) -> str:
    """The integration feed of one municipality."""
    return f"tenant.{municipality}.events.v1"
