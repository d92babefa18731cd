"""Notification rules: what a registered application owes the applicant, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from contracts.deadlines import DeadlineKind
from servicekit.calendar import due_after_months

# forvaltningsloven § 11 a: a preliminary reply is owed when a case cannot be answered within a month.
PRELIMINARY_REPLY_MONTHS = 1


@dataclass(frozen=True)
class Receipt:
    """The acknowledgement that an application was received, addressed to the applicant."""

    kind: str
    recipient: str
    text: str


@dataclass(frozen=True)
class DeadlinePlan:
    kind: DeadlineKind
    due_on: date
    responsible: str


def receipt_for(journal_number: str, received_on: date) -> Receipt:
    return Receipt(
        kind="receipt",
        recipient="applicant",
        text=f"Søknaden er mottatt {received_on.isoformat()} og registrert med journalnummer {journal_number}.",
    )


def preliminary_reply_deadline(received_on: date) -> DeadlinePlan:
    """One month after receipt, moved to the next working day when it falls on a weekend or holiday."""
    return DeadlinePlan(
        kind=DeadlineKind.PRELIMINARY_REPLY,
        due_on=due_after_months(received_on, PRELIMINARY_REPLY_MONTHS),
        responsible="allocation_office",
    )


_OUTCOME_TEXT = {"granted": "innvilget", "partly_granted": "delvis innvilget", "refused": "avslått"}


def decision_notice(outcome: str, appeal_deadline_on: date) -> Receipt:
    """Tells the applicant a decision was made and until when it can be appealed."""
    return Receipt(
        kind="decision",
        recipient="applicant",
        text=(
            f"Det er fattet vedtak i saken din: søknaden er {_OUTCOME_TEXT.get(outcome, outcome)}. "
            f"Fristen for å klage er {appeal_deadline_on.isoformat()}."
        ),
    )
