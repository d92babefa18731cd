"""Notification rules: what a registered application owes the applicant, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

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


# Days before a deadline that the responsible party is reminded (calendar days; the reminder itself goes out
# on the first sweep on or after that day).
REMINDER_DAYS_BEFORE = 5


class Sweep(StrEnum):
    NOTHING = "nothing"
    REMIND = "remind"
    DUE = "due"


def sweep_action(due_on: date, today: date, *, reminded: bool) -> Sweep:
    """What a scheduled deadline needs today: an alert when it has run out, a reminder shortly before."""
    if due_on <= today:
        return Sweep.DUE
    if not reminded and (due_on - today).days <= REMINDER_DAYS_BEFORE:
        return Sweep.REMIND
    return Sweep.NOTHING


def reminder(kind: str, due_on: date, responsible: str) -> Receipt:
    return Receipt(
        kind="reminder", recipient=responsible, text=f"Påminnelse: fristen ({kind}) går ut {due_on.isoformat()}."
    )


def alert(kind: str, due_on: date, responsible: str) -> Receipt:
    return Receipt(
        kind="alert", recipient=responsible, text=f"Fristen ({kind}) gikk ut {due_on.isoformat()} og må følges opp nå."
    )
