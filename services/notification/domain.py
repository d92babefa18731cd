"""Notification rules: what a registered case owes the person, and when, who must act, what stops the clocks, and how
staff's notifications are delivered (e-mail with retries, the inbox and who reads it)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from enum import IntEnum, StrEnum
from typing import Any

from contracts.appeals import (
    AppealClosed,
    AppealEnd,
    AppealForwarded,
    AppealOutcomeRecorded,
    AppealRegistered,
    BodyOutcome,
    DecisionDeliveryRecorded,
    DeliveryBasis,
)
from contracts.assessment import AssessmentClosed, AssessmentCompleted, AssessmentOpened
from contracts.coordination import ReferralOpened
from contracts.deadlines import DeadlineCancelled, DeadlineDue, DeadlineEscalated, DeadlineKind, DeadlineScheduled
from contracts.decision import AppealInformation, DecidedBy, DecisionMade, LetterIssued, Outcome
from contracts.envelope import CloudEvent, EventModel
from contracts.intake import (
    ApplicationRegistered,
    ApplicationWithdrawn,
    ChildCoordinatorApplicationRegistered,
    ConsentScope,
    ConsentWithdrawn,
    CoordinationReferralRegistered,
    Route,
)
from contracts.notification import CaseStatus, CaseStatusChanged, ClosedReason
from servicekit.actor import Actor
from servicekit.calendar import due_within_months, local_date, next_working_day
from servicekit.errors import Conflict, Forbidden
from servicekit.tenants import Language, NotificationSettings, RecipientRole, Tenant

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
    # When a staff member marked it read in the recipient's inbox (None: unread).
    read_at: datetime | None = None


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


# Days before a deadline that the responsible party is reminded, for a kind without a lead of its own (calendar
# days; the reminder itself goes out on the first sweep on or after that day).
REMINDER_DAYS_BEFORE = 5
# The most escalation steps a clock counts (an event carries the step; after that, the step stays).
MAX_ESCALATION_STEP = 1000


@dataclass(frozen=True)
class KindRule:
    """What one kind of deadline gets: a reminder `remind_days_before` its due day to `recipients`, an alert at the
    due day to the same, and, for a kind that escalates, an escalation to the responsible's leader at the due day
    and then every `escalate_every_days` until the clock is cancelled."""

    remind_days_before: int = REMINDER_DAYS_BEFORE
    recipients: tuple[RecipientRole, ...] = (RecipientRole.RESPONSIBLE,)
    escalate_every_days: int | None = None

    def remind_on(self, due_on: date) -> date:
        """The day the reminder is owed: the lead in calendar days before the due day (which is a working day
        already). The sweep runs every day, so it goes out on that day whatever day of the week it is."""
        return due_on - timedelta(days=self.remind_days_before)

    def escalation_on(self, due_on: date, step: int) -> date | None:
        """The day of escalation `step` (1 at the due day): the rhythm counts from the due day, and a step that falls
        on a weekend or holiday goes out the next working day (without moving the later steps)."""
        if self.escalate_every_days is None:
            return None
        return next_working_day(due_on + timedelta(days=(step - 1) * self.escalate_every_days))

    def escalation_step(self, due_on: date, today: date) -> int:
        """The step a clock due on `due_on` has reached by `today` (0 before its due day, or for a kind that does not
        escalate). Steps a sweep missed are not sent one by one: the latest one is."""
        if self.escalate_every_days is None or today < due_on:
            return 0
        step = (today - due_on).days // self.escalate_every_days + 1
        while step > 0 and next_working_day(due_on + timedelta(days=(step - 1) * self.escalate_every_days)) > today:
            step -= 1  # this step moved off a holiday past today: the previous one is the latest
        return min(step, MAX_ESCALATION_STEP)


def _rule(days: int, *recipients: RecipientRole, every: int | None = None) -> KindRule:
    return KindRule(
        remind_days_before=days, recipients=recipients or (RecipientRole.RESPONSIBLE,), escalate_every_days=every
    )


_RESPONSIBLE, _LEADER, _COORDINATOR = RecipientRole.RESPONSIBLE, RecipientRole.LEADER, RecipientRole.COORDINATOR
# Each kind's defaults; a municipality overrides them in its tenant file's `notification.kinds`. The duties the law
# or the municipality's routine sets a period for escalate when overdue (domain: "reminders come before it;
# escalation after it"): the preliminary reply, the office's handling of an appeal, a complaint's answer, meeting
# minutes and coordinator training.
DEFAULT_KIND_RULES: Mapping[str, KindRule] = {
    DeadlineKind.PRELIMINARY_REPLY: _rule(5, _RESPONSIBLE, every=7),
    # The unit that started a measure out of hours and its leader: the first meeting must decide it.
    "emergency_measure": _rule(1, _RESPONSIBLE, _LEADER),
    DeadlineKind.INFORMATION_REQUEST: _rule(5, _RESPONSIBLE),
    DeadlineKind.HOME_VISIT: _rule(3, _RESPONSIBLE),
    # A review or an evaluation goes to an allocation meeting: a month (two weeks) ahead leaves time to submit it.
    DeadlineKind.DECISION_REVIEW: _rule(30, _RESPONSIBLE),
    DeadlineKind.TIME_LIMITED_EVALUATION: _rule(14, _RESPONSIBLE),
    DeadlineKind.APPEAL_HANDLING: _rule(5, _RESPONSIBLE, every=7),
    DeadlineKind.COMPLAINT_RESPONSE: _rule(5, _RESPONSIBLE, every=7),
    DeadlineKind.MEETING_MINUTES: _rule(2, _COORDINATOR, _RESPONSIBLE, every=7),
    DeadlineKind.COORDINATOR_TRAINING: _rule(30, _RESPONSIBLE, every=14),
    DeadlineKind.CHILD_COORDINATOR_ENDS: _rule(60, _RESPONSIBLE, _COORDINATOR),
    DeadlineKind.ANNUAL_REPORT: _rule(30, _RESPONSIBLE, _LEADER),
    DeadlineKind.ESCALATION_RESPONSE: _rule(5, _RESPONSIBLE, _LEADER),
}
FALLBACK_RULE = KindRule()


def kind_rule(kind: str, settings: NotificationSettings) -> KindRule:
    """A kind's rule in a municipality: its defaults (a kind without any: FALLBACK_RULE), with what the tenant file
    sets for it instead."""
    rule = DEFAULT_KIND_RULES.get(kind, FALLBACK_RULE)
    given = settings.kinds.get(kind)
    if given is None:
        return rule
    every = rule.escalate_every_days
    if given.escalates is False:
        every = None
    elif given.escalate_every_days is not None:
        every = given.escalate_every_days
    elif given.escalates and every is None:
        every = 7
    return KindRule(
        remind_days_before=rule.remind_days_before if given.remind_days_before is None else given.remind_days_before,
        recipients=rule.recipients if given.recipients is None else tuple(given.recipients),
        escalate_every_days=every,
    )


def recipient_of(role: RecipientRole, responsible: str) -> str:
    """Who a role is for one deadline: the responsible office or unit itself, its leader, or the case's coordinator
    (the notification is recorded for the case, whose coordinator the coordinating unit knows)."""
    if role is RecipientRole.LEADER:
        return leader_of(responsible)
    if role is RecipientRole.COORDINATOR:
        return "coordinator"
    return responsible


def leader_of(responsible: str) -> str:
    return f"leader_of:{responsible}"


class Sweep(StrEnum):
    """What a deadline needs on a day."""

    NOTHING = "nothing"
    REMIND = "remind"
    DUE = "due"
    ESCALATE = "escalate"


class DeadlineStatus(StrEnum):
    """Where a clock is: scheduled -> reminded -> due, or cancelled before it ran out (or, escalating, after)."""

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

    The kind's recipients (the responsible party, its leader, the coordinator) are reminded once its lead before
    the due day and alerted once when it runs out (when a deadline is first swept after it ran out, the alert goes
    out without a reminder). A kind that escalates then goes to the responsible's leader at the due day and on its
    rhythm, one step at a time, until the clock is cancelled. A cancelled clock is done."""

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
    # The day the reminder is owed (from the kind's lead time when the clock was kept); None: the default lead.
    remind_on: date | None = None
    # The escalation steps sent so far, and the day the next one is owed (None: the kind does not escalate).
    escalation_step: int = 0
    escalate_on: date | None = None

    @property
    def reminder_on(self) -> date:
        return self.remind_on or FALLBACK_RULE.remind_on(self.due_on)

    @classmethod
    def open(
        cls,
        *,
        deadline_id: str,
        municipality: str,
        case_id: str,
        plan: DeadlinePlan,
        now: datetime,
        rule: KindRule | None = None,
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
            remind_on=(rule or DEFAULT_KIND_RULES.get(plan.kind, FALLBACK_RULE)).remind_on(plan.due_on),
        )
        return deadline, DeadlineScheduled(
            deadline_id=deadline.id,
            case_id=case_id,
            kind=plan.kind,
            due_on=plan.due_on,
            responsible=plan.responsible,
        )

    @classmethod
    def kept(
        cls, scheduled: DeadlineScheduled, *, municipality: str, now: datetime, rule: KindRule | None = None
    ) -> Deadline:
        """Keep a clock another service started (it announced it; nothing more is raised here), reminded by its
        kind's lead time in the municipality."""
        return cls(
            id=scheduled.deadline_id,
            municipality=municipality,
            case_id=scheduled.case_id,
            kind=scheduled.kind,
            due_on=scheduled.due_on,
            responsible=scheduled.responsible,
            created_at=now,
            remind_on=(rule or DEFAULT_KIND_RULES.get(scheduled.kind, FALLBACK_RULE)).remind_on(scheduled.due_on),
        )

    @property
    def listed_status(self) -> str:
        """The status the API lists: a reminded clock is still scheduled (its reminder is a notification)."""
        return DeadlineStatus.SCHEDULED.value if self.status is DeadlineStatus.REMINDED else self.status.value

    def needs(self, today: date) -> Sweep:
        """What the clock needs on `today` (a Norwegian date): an alert when it has run out, a reminder shortly
        before, or nothing (not yet, already reminded, or no longer running)."""
        if self.status is DeadlineStatus.DUE and self.escalate_on is not None and self.escalate_on <= today:
            return Sweep.ESCALATE
        if not self.status.running:
            return Sweep.NOTHING
        if self.due_on <= today:
            return Sweep.DUE
        if self.status is DeadlineStatus.SCHEDULED and self.reminder_on <= today:
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

    def _to(self, note: Receipt, rule: KindRule) -> tuple[Receipt, ...]:
        """The same reminder or alert to each of the kind's recipients."""
        return tuple(
            Receipt(kind=note.kind, recipient=recipient_of(role, self.responsible), text=note.text)
            for role in rule.recipients
        )

    def remind_all(self, now: datetime, rule: KindRule) -> tuple[Receipt, ...]:
        """`remind`, to every recipient of the kind."""
        return self._to(self.remind(now), rule)

    def fall_due_all(self, now: datetime, rule: KindRule) -> tuple[tuple[Receipt, ...], list[EventModel]]:
        """The clock ran out: the alert to every recipient of the kind and DeadlineDue; for a kind that escalates,
        also the escalation step the due day (or a late first sweep) has reached."""
        events: list[EventModel] = [self.fall_due(now)]
        notes = self._to(self.alert(), rule)
        self.escalate_on = rule.escalation_on(self.due_on, 1)
        if self.needs(local_date(now)) is Sweep.ESCALATE:
            note, escalated = self.escalate(now, rule)
            notes, events = (*notes, note), [*events, escalated]
        return notes, events

    def escalate(self, now: datetime, rule: KindRule) -> tuple[Receipt, DeadlineEscalated]:
        """The overdue clock goes to the responsible's leader: the step the rhythm has reached today, once; the
        next step is owed on the rhythm's next day."""
        today = local_date(now)
        if self.needs(today) is not Sweep.ESCALATE:
            raise Conflict(f"deadline {self.id} ({self.status.value}, due {self.due_on}) is owed no escalation now")
        step = max(rule.escalation_step(self.due_on, today), self.escalation_step + 1)
        self.escalation_step = min(step, MAX_ESCALATION_STEP)
        following = rule.escalation_on(self.due_on, self.escalation_step + 1)
        self.escalate_on = following if self.escalation_step < MAX_ESCALATION_STEP else None
        leader = leader_of(self.responsible)
        note = Receipt(
            kind="escalation",
            recipient=leader,
            text=(
                f"Fristen ({self.kind}) gikk ut {self.due_on.isoformat()} og er ikke fulgt opp av {self.responsible}. "
                f"Saken er løftet til leder (trinn {self.escalation_step})."
            ),
        )
        return note, DeadlineEscalated(
            deadline_id=self.id,
            case_id=self.case_id,
            kind=self.kind,
            responsible=self.responsible,
            escalated_to=leader,
            step=self.escalation_step,
            escalated_on=today,
        )

    @property
    def escalating(self) -> bool:
        """It ran out and escalates on its rhythm until it is cancelled (the act was done after all)."""
        return self.status is DeadlineStatus.DUE and self.escalate_on is not None

    @property
    def owed(self) -> bool:
        """Still owed something: running, or overdue and escalating."""
        return self.status.running or self.escalating

    def cancel(self, reason: str) -> bool:
        """Stop the clock before it runs out, or stop the escalation of one that ran out when what it waited for is
        done; False when it is neither running nor escalating (then nothing changes)."""
        if not self.owed:
            return False
        self.status = DeadlineStatus.CANCELLED
        self.cancel_reason = reason
        self.escalate_on = None
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
    CaseStatusChanged.event_type: {"appeal_body": "the appeal body, as the appeal was forwarded to it"},
}


def for_feed(event: CloudEvent[Any]) -> CloudEvent[Any]:
    """The event as the municipality's integration feed carries it: the same id, type and case, without the
    fields an integration does not get."""
    withheld = FEED_WITHHELD.get(event.type)
    if not withheld:
        return event
    data = event.data.model_copy(update=dict.fromkeys(withheld))
    return event.model_copy(update={"data": data})


# --- a case's status as the person sees it ---------------------------------------------------------------------
# Every journey event that moves a case is one step: its status, its codes, and when it happened (its CloudEvent
# `time`). A case is at the step that happened last, whatever order the topics deliver them in: the steps are
# ordered by time (then by how far along the journey they are, then by event id, so that no two tie), and a step
# only replaces one that happened before it. A late event, one that happened before the case's current step, so
# never moves it back. The journey goes back only where the rules send it: a quashed decision is assessed anew, and
# the assessment's new round happens after the quash. A closed case stays closed at the step that first closed it.
# The services' clocks are assumed to agree to well within the time one service takes to answer another's event.


class StatusRank(IntEnum):
    """How far along the journey a step is: the order of steps that happened at the same instant."""

    RECEIVED = 0
    ASSESSING = 1
    PRELIMINARY_REPLY = 2
    DECIDED = 3
    APPEALED = 4
    FORWARDED = 5
    APPEAL_ENDED = 6
    CLOSED = 7


@dataclass(frozen=True)
class StatusCodes:
    """What the person is shown with a status: codes and dates, never words about them."""

    outcome: Outcome | None = None
    decided_by: DecidedBy | None = None
    appeal_outcome: BodyOutcome | None = None
    appeal_end: AppealEnd | None = None
    appeal_body: str | None = None
    expected_on: date | None = None
    closed_reason: ClosedReason | None = None


@dataclass(frozen=True)
class StatusStep:
    """What one event says of its case's status."""

    status: CaseStatus
    rank: StatusRank
    at: datetime
    event_id: str
    codes: StatusCodes = StatusCodes()
    person_id: str | None = None
    # A registration names the person the case is about for good (intake keeps the person register).
    registers_person: bool = False

    @property
    def order(self) -> tuple[int, timedelta, int, str]:
        """Steps compare by this: the greatest is the case's status. A closing step beats every other, and of
        closing steps the first to happen does."""
        if self.status is CaseStatus.CLOSED:
            return (1, _EPOCH - self.at, self.rank, self.event_id)
        return (0, self.at - _EPOCH, self.rank, self.event_id)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class CaseState:
    """The status of one case: the step it is at, and the person it is about (when an event named them)."""

    case_id: str
    step: StatusStep
    person_id: str | None = None
    person_registered: bool = False

    @property
    def status(self) -> CaseStatus:
        return self.step.status

    @property
    def since(self) -> datetime:
        return self.step.at

    @property
    def codes(self) -> StatusCodes:
        return self.step.codes

    def announced(self) -> CaseStatusChanged:
        codes = self.codes
        return CaseStatusChanged(
            case_id=self.case_id,
            person_id=self.person_id,
            status=self.status,
            since=self.since,
            outcome=codes.outcome,
            decided_by=codes.decided_by,
            appeal_outcome=codes.appeal_outcome,
            appeal_end=codes.appeal_end,
            appeal_body=codes.appeal_body,
            expected_on=codes.expected_on,
            closed_reason=codes.closed_reason,
        )


def _step(status: CaseStatus, rank: StatusRank, event: CloudEvent[Any], **codes: Any) -> StatusStep:
    person_id = getattr(event.data, "person_id", None)
    return StatusStep(status, rank, event.time, event.id, StatusCodes(**codes), person_id=person_id)


def _after_appeal_body(outcome: BodyOutcome) -> tuple[CaseStatus, DecidedBy | None]:
    """Quashed: the case is assessed anew. Withdrawn: the decision stands. Otherwise the appeal body decided; where
    it changed the decision, the decision that carries it out follows (decided by the appeal body too)."""
    if outcome is BodyOutcome.QUASHED:
        return CaseStatus.BEING_ASSESSED, None
    if outcome is BodyOutcome.WITHDRAWN:
        return CaseStatus.DECIDED, None
    return CaseStatus.DECIDED, DecidedBy.APPEAL_BODY


def status_step(event: CloudEvent[Any]) -> StatusStep | None:
    """The step `event` is in its case's journey, or None for an event that does not move a case."""
    data = event.data
    match data:
        case ApplicationRegistered() | CoordinationReferralRegistered():
            return replace(_step(CaseStatus.RECEIVED, StatusRank.RECEIVED, event), registers_person=True)
        case ChildCoordinatorApplicationRegistered():
            # The parent who applied follows the case (the child may not be born yet).
            step = _step(CaseStatus.RECEIVED, StatusRank.RECEIVED, event)
            return replace(step, person_id=data.applicant_person_id, registers_person=True)
        case AssessmentOpened() | ReferralOpened():
            return _step(CaseStatus.BEING_ASSESSED, StatusRank.ASSESSING, event)
        case LetterIssued(kind=DeadlineKind.PRELIMINARY_REPLY.value):
            return _step(
                CaseStatus.PRELIMINARY_REPLY_SENT,
                StatusRank.PRELIMINARY_REPLY,
                event,
                expected_on=data.expected_decision_on,
            )
        case DecisionMade():
            return _step(
                CaseStatus.DECIDED, StatusRank.DECIDED, event, outcome=data.outcome, decided_by=data.decided_by
            )
        case AppealRegistered():
            return _step(CaseStatus.APPEALED, StatusRank.APPEALED, event)
        case AppealForwarded():
            return _step(CaseStatus.FORWARDED, StatusRank.FORWARDED, event, appeal_body=data.appeal_body)
        case AppealOutcomeRecorded():
            status, decided_by = _after_appeal_body(data.outcome)
            return _step(
                status,
                StatusRank.APPEAL_ENDED,
                event,
                decided_by=decided_by,
                appeal_outcome=data.outcome,
                appeal_body=data.appeal_body,
            )
        case AppealClosed(ended=AppealEnd.WITHDRAWN | AppealEnd.DISMISSED_AS_LATE):
            return _step(CaseStatus.DECIDED, StatusRank.APPEAL_ENDED, event, appeal_end=data.ended)
        case ApplicationWithdrawn():
            return _step(CaseStatus.CLOSED, StatusRank.CLOSED, event, closed_reason=ClosedReason.APPLICATION_WITHDRAWN)
        case ConsentWithdrawn() if withdraws_processing(data):
            return _step(CaseStatus.CLOSED, StatusRank.CLOSED, event, closed_reason=ClosedReason.CONSENT_WITHDRAWN)
        case AssessmentClosed():
            return _step(CaseStatus.CLOSED, StatusRank.CLOSED, event, closed_reason=ClosedReason(data.reason))
    # A reversal by the office in full is followed by the decision that carries it out; nothing else moves a case.
    return None


def next_status(current: CaseState | None, event: CloudEvent[Any]) -> CaseState | None:
    """The case's status after `event`, or None when the event changes nothing: it does not move a case, or it
    happened before the case's current step (a late event) and names no person not known yet."""
    step = status_step(event)
    if step is None:
        return None
    if current is None:
        return CaseState(event.subject, step, step.person_id, step.registers_person and step.person_id is not None)
    person_id, registered = _person(current, step)
    if step.order > current.step.order:
        return CaseState(current.case_id, step, person_id, registered)
    if (person_id, registered) == (current.person_id, current.person_registered):
        return None
    return replace(current, person_id=person_id, person_registered=registered)


def _person(current: CaseState, step: StatusStep) -> tuple[str | None, bool]:
    """Whom the case is about: the person its registration names; until that is seen, the first person named."""
    if step.person_id is None or current.person_registered:
        return current.person_id, current.person_registered
    if step.registers_person:
        return step.person_id, True
    return current.person_id or step.person_id, False


# Who reads cases' statuses: the office (every case of its municipality), and a citizen (their own cases only).
OFFICE_ROLES = ("caseworker", "leader")
PERSON_ROLE = "person"


def citizen_reading(actor: Actor) -> str | None:
    """The person whose own cases `actor` may read, or None for the office, which reads every case of its
    municipality. A citizen's token names them by its `person_id` claim, else its subject; any other caller is
    Forbidden."""
    if actor.has(*OFFICE_ROLES):
        return None
    if actor.has(PERSON_ROLE):
        return actor.person_id or actor.subject
    raise Forbidden(
        f"reading cases' statuses needs one of the roles: {', '.join(sorted((*OFFICE_ROLES, PERSON_ROLE)))}"
    )


def readable_by(state: CaseState, citizen: str | None) -> bool:
    """Whether the reader sees the case: the office always, a citizen only their own (else, as if it did not
    exist, so no one learns that another person has a case)."""
    return citizen is None or (state.person_id is not None and state.person_id == citizen)


# --- delivering staff notifications: e-mail, and the inbox in the platform ---------------------------------------
# Every notification to staff (a reminder, an alert, an escalation, a failed delivery) is in its recipient's inbox.
# Where the municipality configured an e-mail address for the recipient (`notification.addresses`), it is also a
# delivery by e-mail: claimed by one replica, sent outside the transaction, and retried with a growing pause until
# it is sent or has failed MAX_DELIVERY_ATTEMPTS times. A failed delivery alerts the leader of its recipient, so it
# reaches a person instead of vanishing; the alert about a failed alert gets no alert of its own, so it never loops.

DELIVERY_FAILED = "delivery_failed"
# The notifications that are staff's, so in an inbox and delivered by e-mail: the applicant's go by letter.
STAFF_KINDS = frozenset({"reminder", "alert", "escalation", DELIVERY_FAILED})
MAX_DELIVERY_ATTEMPTS = 5
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=2)
# How long a claimed delivery is another replica's: a replica that dies while sending leaves it to be tried again.
CLAIM_LEASE = timedelta(minutes=5)
MAX_ERROR = 500


class Channel(StrEnum):
    EMAIL = "email"


class DeliveryStatus(StrEnum):
    """pending (until sent, or given up) -> sent | failed; off: e-mail delivery is not configured on this
    installation, so it was never tried (it stays in the inbox)."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    OFF = "off"


def retry_delay(attempts: int) -> timedelta:
    """The pause after the `attempts`-th failed attempt: FIRST_RETRY, doubling each time, at most LONGEST_RETRY."""
    if attempts < 1:
        raise ValueError("attempts: a pause follows a failed attempt (1 or more)")
    doubled: timedelta = FIRST_RETRY * (2 ** min(attempts - 1, 20))
    return min(doubled, LONGEST_RETRY)


@dataclass
class Delivery:
    """One notification's way to one address over one channel, and how its attempts went."""

    id: str
    municipality: str
    notification_id: str
    channel: Channel
    address: str
    created_at: datetime
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str | None = None
    sent_at: datetime | None = None

    def due(self, now: datetime) -> bool:
        pending = self.status is DeliveryStatus.PENDING
        return pending and self.next_attempt_at is not None and self.next_attempt_at <= now

    def claim(self, now: datetime) -> None:
        """This replica tries it now: one attempt more, and no other replica's until the lease runs out."""
        if not self.due(now):
            raise Conflict(f"delivery {self.id} ({self.status.value}) is not due for an attempt now")
        self.attempts += 1
        self.next_attempt_at = now + CLAIM_LEASE

    def sent(self, now: datetime) -> None:
        self.status = DeliveryStatus.SENT
        self.sent_at = now
        self.next_attempt_at = None

    def attempt_failed(self, now: datetime, error: str, *, max_attempts: int = MAX_DELIVERY_ATTEMPTS) -> bool:
        """The attempt failed: try again after a pause, or, at the last attempt, give up; True when it gave up."""
        self.last_error = error[:MAX_ERROR]
        if self.attempts >= max_attempts:
            self.status = DeliveryStatus.FAILED
            self.next_attempt_at = None
            return True
        self.next_attempt_at = now + retry_delay(self.attempts)
        return False

    def switched_off(self) -> None:
        """E-mail delivery is not configured here: recorded as not sent, and never tried."""
        self.status = DeliveryStatus.OFF
        self.next_attempt_at = None
        self.last_error = "e-mail delivery is not configured on this installation"


def email_delivery_for(
    note: Notification, settings: NotificationSettings, *, delivery_id: str, now: datetime
) -> Delivery | None:
    """The e-mail a staff notification owes, to its recipient's configured address; None for a notification that
    is not staff's, or a recipient without an address (the inbox only)."""
    if note.kind not in STAFF_KINDS:
        return None
    address = settings.address_of(note.recipient)
    if address is None:
        return None
    return Delivery(
        id=delivery_id,
        municipality=note.municipality,
        notification_id=note.id,
        channel=Channel.EMAIL,
        address=address,
        created_at=now,
        next_attempt_at=now,
    )


def responsible_leader(recipient: str) -> str:
    """The leader of a recipient: of an office or unit its leader; a leader's is the same leader (the inbox)."""
    return recipient if recipient.startswith("leader_of:") else leader_of(recipient)


def delivery_failed_alert(note: Notification, delivery: Delivery) -> Receipt | None:
    """The alert to the recipient's leader that a notification could not be delivered; None when the notification
    was itself such an alert (it is in the inbox, and one failure never starts another)."""
    if note.kind == DELIVERY_FAILED:
        return None
    return Receipt(
        kind=DELIVERY_FAILED,
        recipient=responsible_leader(note.recipient),
        text=(
            f"Varselet ({note.kind}) til {note.recipient} kunne ikke sendes til {delivery.address} etter "
            f"{delivery.attempts} forsøk ({delivery.last_error}). Det ligger i innboksen til {note.recipient}: "
            "sørg for at det blir fulgt opp."
        ),
    )


@dataclass(frozen=True)
class EmailText:
    subject: str
    body: str


_SUBJECTS: Mapping[Language, Mapping[str, str]] = {
    Language.BOKMAL: {
        "reminder": "Påminnelse om frist",
        "alert": "Fristen har gått ut",
        "escalation": "Frist løftet til leder",
        DELIVERY_FAILED: "Et varsel kunne ikke sendes",
    },
    Language.NYNORSK: {
        "reminder": "Påminning om frist",
        "alert": "Fristen har gått ut",
        "escalation": "Frist løfta til leiar",
        DELIVERY_FAILED: "Eit varsel kunne ikkje sendast",
    },
}
_BODIES: Mapping[Language, str] = {
    Language.BOKMAL: (
        "{text}\n\nSak: {case_id}\nMottaker: {recipient}\n\n"
        "Dette er et varsel fra Forvalt i {municipality} kommune. Alle varsler står i innboksen i Forvalt.\n"
    ),
    Language.NYNORSK: (
        "{text}\n\nSak: {case_id}\nMottakar: {recipient}\n\n"
        "Dette er eit varsel frå Forvalt i {municipality} kommune. Alle varsla står i innboksen i Forvalt.\n"
    ),
}


def email_text(note: Notification, *, municipality: str, language: Language) -> EmailText:
    """The e-mail of a staff notification in the municipality's language (bokmål or nynorsk): the subject names
    the municipality, what happened and the case; the body carries the notification's text. No names of persons
    or health information: the notification holds none."""
    what = _SUBJECTS[language].get(note.kind, "Varsel")
    return EmailText(
        subject=f"{municipality}: {what} (sak {note.case_id})",
        body=_BODIES[language].format(
            text=note.text, case_id=note.case_id, recipient=note.recipient, municipality=municipality
        ),
    )


# Who reads which inbox: a token with a `unit` claim its unit's and that unit's leader's; the office (caseworker,
# leader) its offices' (a leader also their leaders'); a coordinator the coordinators'.
def staff_offices(tenant: Tenant) -> tuple[str, ...]:
    """The offices whose inboxes the office roles read: the deciding offices, the children's unit and the
    coordinating units (where the configuration names no office, the route's role names that deadlines carry)."""
    found: dict[str, None] = dict.fromkeys(tenant.appeal_receivers())
    if tenant.coordination is not None:
        found.update(dict.fromkeys(u.code for u in tenant.coordination.units))
    if tenant.decision is None:
        found.update(dict.fromkeys(r.value for r in Route))
    return tuple(found)


def readable_inboxes(actor: Actor, offices: tuple[str, ...]) -> frozenset[str]:
    """The inboxes `actor` may read (and mark read in)."""
    if actor.unit is not None:
        return frozenset({actor.unit, leader_of(actor.unit)})
    found: set[str] = set()
    if actor.has("caseworker", "leader"):
        found.update(offices)
    if actor.has("leader"):
        found.update(leader_of(o) for o in offices)
    if actor.has("coordinator"):
        found.add("coordinator")
    return frozenset(found)


def authorize_inbox(actor: Actor, recipient: str, offices: tuple[str, ...]) -> None:
    """Forbidden unless `actor` may read `recipient`'s inbox."""
    if recipient not in readable_inboxes(actor, offices):
        raise Forbidden(f"recipient: the inbox of {recipient} is not yours to read", field="recipient")
