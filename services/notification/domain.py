"""Notification rules: what a registered case owes the person, and when, who must act, and what stops the clocks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from contracts.appeals import (
    AppealEnd,
    AppealForwarded,
    AppealOutcomeRecorded,
    BodyOutcome,
    DecisionDeliveryRecorded,
    DeliveryBasis,
)
from contracts.assessment import AssessmentCompleted
from contracts.deadlines import DeadlineCancelled, DeadlineDue, DeadlineKind, DeadlineScheduled
from contracts.decision import AppealInformation, DecisionMade
from contracts.envelope import CloudEvent
from contracts.intake import (
    ApplicationRegistered,
    ApplicationWithdrawn,
    ChildCoordinatorApplicationRegistered,
    ConsentScope,
    ConsentWithdrawn,
    CoordinationReferralRegistered,
    Route,
)
from servicekit.calendar import due_within_months, local_date
from servicekit.errors import Conflict
from servicekit.tenants import Tenant

# forvaltningsloven § 11 a: a preliminary reply is owed when a case cannot be answered within a month.
PRELIMINARY_REPLY_MONTHS = 1


@dataclass(frozen=True)
class Receipt:
    """A notification to one recipient: the receipt of a case, a reminder, an alert, a decision notice."""

    kind: str
    recipient: str
    text: str


@dataclass(frozen=True)
class Notification:
    """A receipt, reminder, alert or decision notice as recorded for a case of a municipality."""

    id: str
    municipality: str
    case_id: str
    kind: str
    recipient: str
    text: str
    source_event_id: str
    created_at: datetime


@dataclass(frozen=True)
class DeadlinePlan:
    kind: DeadlineKind
    due_on: date
    responsible: str


# The registrations that end in an individual decision, so each owes a receipt and a preliminary reply: an
# application for services, and a referral for coordination or an application for a child coordinator (the right
# to an individual plan or a coordinator is an individual decision). An emergency measure is not among them: the
# first allocation meeting decides it.
CaseRegistered = ApplicationRegistered | CoordinationReferralRegistered | ChildCoordinatorApplicationRegistered

# What the receipt calls each kind of registered case.
_RECEIVED = {
    ApplicationRegistered: "Søknaden",
    CoordinationReferralRegistered: "Meldingen om behov for koordinerte tjenester",
    ChildCoordinatorApplicationRegistered: "Søknaden om barnekoordinator",
}


def receipt_for(journal_number: str, received_on: date, what: str = "Søknaden") -> Receipt:
    return Receipt(
        kind="receipt",
        recipient="applicant",
        text=f"{what} er mottatt {received_on.isoformat()} og registrert med journalnummer {journal_number}.",
    )


def preliminary_reply_due(received_on: date) -> date:
    """A duty the municipality owes within a month of receipt: the last working day on or before that month's end,
    so the reply goes out in time (never moved forward, as the person's own deadlines are)."""
    return due_within_months(received_on, PRELIMINARY_REPLY_MONTHS)


def preliminary_reply_deadline(received_on: date, responsible: str) -> DeadlinePlan:
    return DeadlinePlan(
        kind=DeadlineKind.PRELIMINARY_REPLY, due_on=preliminary_reply_due(received_on), responsible=responsible
    )


def responsible_for(route: Route, tenant: Tenant) -> str:
    """Who must act on a case's deadlines, by the route intake gave it and the municipality's configuration: the
    code of the office that decides the route's cases (the tenant file's `decision:` section, or its
    `decision.routes` entry for the route: Holtålen's adults go to the allocation office), else the children's
    unit's code for a children's case.

    Where the configuration names nobody for the route (no `decision:` office, no `children_unit`, and the tenant
    file has no coordinating unit at all), the route's own role name is responsible (`allocation_office`,
    `children_unit`, `coordinating_unit`): the role every deadline named before the configuration was consulted.
    """
    if tenant.decision is not None and route.value in tenant.decision.routes:
        return tenant.decision.for_route(route.value).office.code
    if route is Route.ALLOCATION_OFFICE and tenant.decision is not None:
        return tenant.decision.office.code
    if route is Route.CHILDREN_UNIT and tenant.children_unit is not None:
        return tenant.children_unit.code
    return route.value


@dataclass(frozen=True)
class CaseOpening:
    """What a newly registered case gets: a receipt to the person and the preliminary-reply clock."""

    receipt: Receipt
    deadline: DeadlinePlan


def case_opening(registered: CaseRegistered, tenant: Tenant) -> CaseOpening:
    return CaseOpening(
        receipt=receipt_for(registered.journal_number, registered.received_on, _RECEIVED[type(registered)]),
        deadline=preliminary_reply_deadline(registered.received_on, responsible_for(registered.route, tenant)),
    )


class CancelReason(StrEnum):
    """Why a clock stopped before it ran out (DeadlineCancelled.reason, the deadline's cancel_reason)."""

    DECISION_MADE = "decision_made"
    PRELIMINARY_REPLY_SENT = "preliminary_reply_sent"
    APPLICATION_WITHDRAWN = "application_withdrawn"
    CONSENT_WITHDRAWN = "consent_withdrawn"


def withdraws_processing(withdrawal: ConsentWithdrawn) -> bool:
    """Whether the case can no longer be processed: consent to processing was withdrawn (intake then withdraws
    everything and leaves no consent). Withdrawing only sharing or fetching leaves the case, and its clocks, alone."""
    return ConsentScope.PROCESSING in withdrawal.withdrawn_scopes or withdrawal.remaining is None


_OUTCOME_TEXT = {"granted": "innvilget", "partly_granted": "delvis innvilget", "refused": "avslått"}


def decision_notice(outcome: str, appeal: AppealInformation | None) -> Receipt:
    """Tells the applicant a decision was made and how long there is to appeal: the weeks run from the day the
    letter reaches them (forvaltningsloven § 29), so the date follows once the delivery is known
    (`appeal_deadline_notice`). A decision without appeal information carries out the appeal body's decision, which
    is final (forvaltningsloven § 28 third paragraph)."""
    right = (
        "Vedtaket gjennomfører klageinstansens avgjørelse. Det er endelig og kan ikke påklages."
        if appeal is None
        else f"Du kan klage innen {appeal.deadline_weeks} uker fra du mottok vedtaksbrevet ({appeal.legal_basis})."
    )
    return Receipt(
        kind="decision",
        recipient="applicant",
        text=f"Det er fattet vedtak i saken din: søknaden er {_OUTCOME_TEXT.get(outcome, outcome)}. {right}",
    )


_DELIVERY_TEXT = {
    DeliveryBasis.DIGITAL_RECEIPT: "ble levert i den digitale postkassen din",
    DeliveryBasis.POSTAL_ASSUMPTION: "regnes som mottatt med posten",
    DeliveryBasis.HANDED_OVER: "ble gitt til deg",
}


def appeal_deadline_notice(delivered_on: date, basis: DeliveryBasis, deadline_on: date) -> Receipt:
    """When the decision letter reached the person, and so the last day to appeal (moved off weekends and
    holidays); a later mailbox receipt tells it again, corrected."""
    return Receipt(
        kind="appeal_deadline",
        recipient="applicant",
        text=(
            f"Vedtaksbrevet {_DELIVERY_TEXT[basis]} {delivered_on.isoformat()}. "
            f"Fristen for å klage er {deadline_on.isoformat()}."
        ),
    )


# --- an appeal, step by step: what the person is told ----------------------------------------------------------
# Who appealed (the person, a guardian, a representative) is the appeals service's; the notices go to the person the
# case concerns, as the decision notice does.


def appeal_receipt(received_on: date, *, late: bool, deadline_on: date) -> Receipt:
    """The appeal was received: when, and whether in time (a late appeal may still be taken up, fvl. § 31)."""
    timing = (
        f"Klagen kom etter klagefristen ({deadline_on.isoformat()}). Kommunen vurderer om den likevel kan behandles."
        if late
        else f"Klagen kom innen klagefristen ({deadline_on.isoformat()})."
    )
    return Receipt(
        kind="appeal_receipt", recipient="applicant", text=f"Klagen din er mottatt {received_on.isoformat()}. {timing}"
    )


def appeal_reversal_notice(reversed_on: date, *, partial: bool) -> Receipt:
    """The office found the appeal justified and reverses its own decision; a new decision follows (and, when only
    partly justified, the rest goes to the appeal body)."""
    found = (
        "at klagen delvis skal tas til følge. Du får et nytt vedtak for den delen, og resten av klagen sendes til "
        "klageinstansen."
        if partial
        else "at klagen skal tas til følge. Du får et nytt vedtak."
    )
    return Receipt(
        kind="appeal_reversed",
        recipient="applicant",
        text=f"Kommunen har vurdert saken på nytt {reversed_on.isoformat()} og funnet {found}",
    )


def appeal_forwarded_notice(appeal_body: str, forwarded_on: date) -> Receipt:
    return Receipt(
        kind="appeal_forwarded",
        recipient="applicant",
        text=(
            f"Kommunen har ikke funnet grunn til å endre vedtaket. Klagen din er sendt til {appeal_body} "
            f"{forwarded_on.isoformat()} for endelig avgjørelse."
        ),
    )


_BODY_OUTCOME_TEXT = {
    BodyOutcome.UPHELD: "behandlet klagen din og stadfestet vedtaket. Klagen førte ikke fram.",
    BodyOutcome.REVERSED: "behandlet klagen din og omgjort vedtaket. Klagen førte fram.",
    BodyOutcome.PARTLY_REVERSED: "behandlet klagen din og omgjort vedtaket delvis. Klagen førte delvis fram.",
    BodyOutcome.QUASHED: "opphevet vedtaket og sendt saken tilbake. Kommunen behandler saken din på nytt.",
    BodyOutcome.DISMISSED: "avvist klagen din. Klagen blir ikke behandlet.",
    BodyOutcome.WITHDRAWN: "registrert at du har trukket klagen din.",
}


def appeal_outcome_notice(outcome: BodyOutcome, appeal_body: str, decided_on: date) -> Receipt:
    """The appeal body's outcome, in its words for the person, and the day it decided."""
    return Receipt(
        kind="appeal_outcome",
        recipient="applicant",
        text=f"{appeal_body} har {decided_on.isoformat()} {_BODY_OUTCOME_TEXT[outcome]}",
    )


_APPEAL_END_TEXT = {
    AppealEnd.WITHDRAWN: "Klagen din er trukket, og klagesaken er avsluttet {closed_on}.",
    AppealEnd.DISMISSED_AS_LATE: (
        "Klagen din kom etter klagefristen og er avvist {closed_on}. "
        "Kommunen fant ikke grunn til å behandle den likevel."
    ),
}


def appeal_closed_notice(ended: AppealEnd, closed_on: date) -> Receipt | None:
    """How an appeal ended without the appeal body; None for a reversal by the office in full, which the person was
    told of when the office reversed its decision."""
    text = _APPEAL_END_TEXT.get(ended)
    if text is None:
        return None
    return Receipt(kind="appeal_closed", recipient="applicant", text=text.format(closed_on=closed_on.isoformat()))


# Days before a deadline that the responsible party is reminded (calendar days; the reminder itself goes out
# on the first sweep on or after that day).
REMINDER_DAYS_BEFORE = 5


class Sweep(StrEnum):
    """What a deadline needs on a day."""

    NOTHING = "nothing"
    REMIND = "remind"
    DUE = "due"


class DeadlineStatus(StrEnum):
    """Where a clock is: scheduled -> reminded -> due, or cancelled before it ran out."""

    SCHEDULED = "scheduled"
    REMINDED = "reminded"
    DUE = "due"
    CANCELLED = "cancelled"

    @property
    def running(self) -> bool:
        return self in (DeadlineStatus.SCHEDULED, DeadlineStatus.REMINDED)


@dataclass
class Deadline:
    """A clock of a case, kept by this service: its own preliminary reply, or one another service started.

    The responsible party is reminded once shortly before the due day and alerted once when it runs out (when a
    deadline is first swept after it ran out, the alert goes out without a reminder). A cancelled clock is done."""

    id: str
    municipality: str
    case_id: str
    kind: str
    due_on: date
    responsible: str
    created_at: datetime
    status: DeadlineStatus = DeadlineStatus.SCHEDULED
    cancel_reason: str | None = None
    reminded_at: datetime | None = None
    due_at: datetime | None = None

    @classmethod
    def open(
        cls, *, deadline_id: str, municipality: str, case_id: str, plan: DeadlinePlan, now: datetime
    ) -> tuple[Deadline, DeadlineScheduled]:
        """Start one of this service's own clocks, announced on deadlines.v1."""
        deadline = cls(
            id=deadline_id,
            municipality=municipality,
            case_id=case_id,
            kind=plan.kind.value,
            due_on=plan.due_on,
            responsible=plan.responsible,
            created_at=now,
        )
        return deadline, DeadlineScheduled(
            deadline_id=deadline.id,
            case_id=case_id,
            kind=plan.kind,
            due_on=plan.due_on,
            responsible=plan.responsible,
        )

    @classmethod
    def kept(cls, scheduled: DeadlineScheduled, *, municipality: str, now: datetime) -> Deadline:
        """Keep a clock another service started (it announced it; nothing more is raised here)."""
        return cls(
            id=scheduled.deadline_id,
            municipality=municipality,
            case_id=scheduled.case_id,
            kind=scheduled.kind,
            due_on=scheduled.due_on,
            responsible=scheduled.responsible,
            created_at=now,
        )

    @property
    def listed_status(self) -> str:
        """The status the API lists: a reminded clock is still scheduled (its reminder is a notification)."""
        return DeadlineStatus.SCHEDULED.value if self.status is DeadlineStatus.REMINDED else self.status.value

    def needs(self, today: date) -> Sweep:
        """What the clock needs on `today` (a Norwegian date): an alert when it has run out, a reminder shortly
        before, or nothing (not yet, already reminded, or no longer running)."""
        if not self.status.running:
            return Sweep.NOTHING
        if self.due_on <= today:
            return Sweep.DUE
        if self.status is DeadlineStatus.SCHEDULED and (self.due_on - today).days <= REMINDER_DAYS_BEFORE:
            return Sweep.REMIND
        return Sweep.NOTHING

    def remind(self, now: datetime) -> Receipt:
        """Remind the responsible party that the clock runs out soon; returns the reminder to send."""
        if self.needs(local_date(now)) is not Sweep.REMIND:
            raise Conflict(f"deadline {self.id} ({self.status.value}, due {self.due_on}) is owed no reminder now")
        self.status = DeadlineStatus.REMINDED
        self.reminded_at = now
        return Receipt(
            kind="reminder",
            recipient=self.responsible,
            text=f"Påminnelse: fristen ({self.kind}) går ut {self.due_on.isoformat()}.",
        )

    def fall_due(self, now: datetime) -> DeadlineDue:
        """The clock ran out: whoever is responsible must act now (see `alert` for what they are told)."""
        if self.needs(local_date(now)) is not Sweep.DUE:
            raise Conflict(f"deadline {self.id} ({self.status.value}, due {self.due_on}) is not running out now")
        self.status = DeadlineStatus.DUE
        self.due_at = now
        return DeadlineDue(
            deadline_id=self.id,
            case_id=self.case_id,
            kind=self.kind,
            due_on=self.due_on,
            responsible=self.responsible,
        )

    def alert(self) -> Receipt:
        """What the responsible party is told when the clock ran out."""
        return Receipt(
            kind="alert",
            recipient=self.responsible,
            text=f"Fristen ({self.kind}) gikk ut {self.due_on.isoformat()} og må følges opp nå.",
        )

    def cancel(self, reason: str) -> bool:
        """Stop the clock before it runs out; False when it is no longer running (then nothing changes)."""
        if not self.status.running:
            return False
        self.status = DeadlineStatus.CANCELLED
        self.cancel_reason = reason
        return True


# --- per-municipality integration feeds ---------------------------------------------------------------------------

# What an integration does not get of an event: free text that may tell of a person's health or circumstances. A
# withheld field is optional, so that what the feed carries still validates against its event type's schema.
FEED_WITHHELD: Mapping[str, frozenset[str]] = {
    # Intake fills it no more (the code says why), but an event recorded before that may still carry words.
    ApplicationWithdrawn.event_type: frozenset({"reason"}),
}

# The text fields an integration does get, and why none of them is free text about a person.
FEED_FORWARDED_TEXT: Mapping[str, Mapping[str, str]] = {
    AssessmentCompleted.event_type: {
        "completed_by": "who completed: the route or partner office's label, never a name",
        "recommendation.legal_basis": "the provisions of law the recommendation rests on",
    },
    DecisionMade.event_type: {
        "legal_basis": "the provisions of law the decision rests on; an archive journals the decision by them",
        "appeal.appeal_body": "the appeal body, from the municipality's configuration",
        "appeal.submit_to": "where to appeal, from the municipality's configuration",
        "appeal.legal_basis": "the provision of law that grants the right to appeal",
    },
    DeadlineCancelled.event_type: {"reason": "a code the cancelling service sets (e.g. decision_superseded)"},
    DecisionDeliveryRecorded.event_type: {"deadline_rule": "the provision of law that sets the appeal deadline"},
    AppealForwarded.event_type: {"appeal_body": "the appeal body, from the municipality's configuration"},
    AppealOutcomeRecorded.event_type: {"appeal_body": "the appeal body that decided, as forwarded to it"},
}


def for_feed(event: CloudEvent[Any]) -> CloudEvent[Any]:
    """The event as the municipality's integration feed carries it: the same id, type and case, without the
    fields an integration does not get."""
    withheld = FEED_WITHHELD.get(event.type)
    if not withheld:
        return event
    data = event.data.model_copy(update=dict.fromkeys(withheld))
    return event.model_copy(update={"data": data})
