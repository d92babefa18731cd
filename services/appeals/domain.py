"""Appeal rules: when a decision letter reached the person and the appeal deadline that gives (forvaltningsloven
§ 29; § 30 moves it off weekends and holidays), the appeal as received (who appeals, late or in time, § 31, with the
office's help, § 32), the office's re-examination (§ 33: reversed, partly reversed and the rest forwarded, or
prepared and forwarded to the appeal body), the appeal body's outcome, complaints about delivered services to the
unit leader, and deviations for the quality system.

The appeal's text, the office's comments, a late appeal's reason, a complaint and its answer and a deviation's
description are free text: they stay on the aggregates (and so in this service's database); the events carry
codes, ids and dates only."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from contracts.appeals import (
    AppealChannel,
    AppealClosed,
    AppealEnd,
    AppealForwarded,
    AppealOutcomeRecorded,
    AppealRegistered,
    AppealReversedByOffice,
    Appellant,
    BodyOutcome,
    ComplaintAnswered,
    ComplaintKind,
    ComplaintRegistered,
    DecisionDeliveryRecorded,
    DeliveryBasis,
    DeviationCategory,
    DeviationRegistered,
    Examination,
    ForwardedDocument,
    LateAppealTakenUp,
)
from contracts.deadlines import DeadlineCancelled, DeadlineKind, DeadlineScheduled
from contracts.decision import DecisionMade
from contracts.envelope import EventModel
from servicekit.actor import Actor
from servicekit.calendar import add_working_days, due_after_weeks, due_within_days, due_within_weeks, local_date
from servicekit.errors import Conflict, DomainError, Forbidden

OFFICE_ROLES = ("caseworker", "leader")
# What the office must send the appeal body at the least: the decision, the appeal and its own comments.
REQUIRED_DOCUMENTS = frozenset(
    {ForwardedDocument.DECISION, ForwardedDocument.APPEAL, ForwardedDocument.OFFICE_COMMENTS}
)


def _new_id() -> str:
    return str(uuid.uuid4())


_FORWARDING_NAMESPACE = uuid.UUID("6f1d3c55-4a3e-4f43-9a59-4d8e1e0b7a21")


def forwarding_id_of(appeal_id: str) -> str:
    """One forwarding per appeal, with an id every retry derives alike."""
    return str(uuid.uuid5(_FORWARDING_NAMESPACE, appeal_id))


def check_not_future(day: date, today: date, *, field: str) -> None:
    if day > today:
        raise DomainError(f"{field}: cannot be in the future", field=field)


def require_text(text: str | None, where: str) -> str:
    if text is None or not text.strip():
        raise DomainError(f"{where}: must be written out", field=where)
    return text


# --- when the letter reached the person, and the appeal deadline -------------------------------------------------


def appeal_deadline(delivered_on: date, weeks: int) -> date:
    """The last day to appeal: `weeks` from the day the letter reached the person, moved forward off a weekend or
    holiday (forvaltningsloven § 30; see Counting deadlines)."""
    return due_after_weeks(delivered_on, weeks)


def postal_delivery(letter_on: date, working_days: int) -> date:
    """The day a letter sent by post is assumed to reach the person: the municipality's working days after its date."""
    return add_working_days(letter_on, working_days)


@dataclass
class KnownDecision:
    """A decision as the appeals service keeps it: its appeal route, and when its letter reached the person."""

    decision_id: str
    municipality: str
    case_id: str
    person_id: str
    decided_on: date
    service_codes: tuple[str, ...]
    appeal_body: str | None  # none: the appeal body's own decision, which is final
    deadline_weeks: int | None
    deadline_rule: str | None
    submit_to: str | None
    letter_id: str | None
    delivered_on: date | None = None
    delivery_basis: DeliveryBasis | None = None
    superseded_by: str | None = None

    @property
    def appealable(self) -> bool:
        return self.appeal_body is not None and self.deadline_weeks is not None

    @property
    def appeal_deadline_on(self) -> date | None:
        if self.delivered_on is None or self.deadline_weeks is None:
            return None
        return appeal_deadline(self.delivered_on, self.deadline_weeks)

    @classmethod
    def learn(
        cls, municipality: str, made: DecisionMade, *, postal_days: int, receipt_on: date | None = None
    ) -> tuple[KnownDecision, list[EventModel]]:
        """A decision made: its letter is assumed delivered by post, unless the digital mailbox's receipt (which may
        arrive first) says when it was."""
        appeal = made.appeal
        known = cls(
            decision_id=made.decision_id,
            municipality=municipality,
            case_id=made.case_id,
            person_id=made.person_id,
            decided_on=made.decided_on,
            service_codes=tuple(s.service_code for s in made.services),
            appeal_body=appeal.appeal_body if appeal is not None else None,
            deadline_weeks=appeal.deadline_weeks if appeal is not None else None,
            deadline_rule=appeal.legal_basis if appeal is not None else None,
            submit_to=appeal.submit_to if appeal is not None else None,
            letter_id=made.letter_id,
        )
        if receipt_on is not None:
            return known, known._delivered(receipt_on, DeliveryBasis.DIGITAL_RECEIPT)
        return known, known._delivered(postal_delivery(made.decided_on, postal_days), DeliveryBasis.POSTAL_ASSUMPTION)

    def record_delivery(self, delivered_on: date, basis: DeliveryBasis, today: date) -> list[EventModel]:
        """A digital mailbox's receipt or a caseworker's record of handing the letter over replaces the postal
        assumption; a receipt is not replaced by a later record, and an unchanged delivery raises nothing."""
        if basis is DeliveryBasis.POSTAL_ASSUMPTION:
            raise DomainError("basis: the postal assumption is the municipality's rule, not a record", field="basis")
        check_not_future(delivered_on, today, field="delivered_on")
        if delivered_on < self.decided_on:
            raise DomainError(
                f"delivered_on: cannot be before the decision's date ({self.decided_on.isoformat()})",
                field="delivered_on",
            )
        if self.delivery_basis is DeliveryBasis.DIGITAL_RECEIPT and basis is not DeliveryBasis.DIGITAL_RECEIPT:
            raise Conflict(
                "delivered_on: the digital mailbox reported the delivery "
                f"({self.delivered_on.isoformat() if self.delivered_on else '?'}); it is not overridden by hand",
                field="delivered_on",
            )
        if (self.delivered_on, self.delivery_basis) == (delivered_on, basis):
            return []
        return self._delivered(delivered_on, basis)

    def _delivered(self, delivered_on: date, basis: DeliveryBasis) -> list[EventModel]:
        self.delivered_on, self.delivery_basis = delivered_on, basis
        deadline = self.appeal_deadline_on
        if deadline is None or self.deadline_weeks is None or self.deadline_rule is None:
            return []  # a final decision owes no appeal deadline
        return [
            DecisionDeliveryRecorded(
                decision_id=self.decision_id,
                case_id=self.case_id,
                delivered_on=delivered_on,
                basis=basis,
                appeal_deadline_on=deadline,
                deadline_weeks=self.deadline_weeks,
                deadline_rule=self.deadline_rule,
            )
        ]


# --- the appeal ---------------------------------------------------------------------------------------------------


class AppealStatus(StrEnum):
    """received -> (a late one taken up) -> forwarded -> decided by the body; or closed before that."""

    RECEIVED = "received"
    FORWARDED = "forwarded"
    DECIDED = "decided"
    CLOSED = "closed"


@dataclass(frozen=True)
class AppealInput:
    """An appeal as the office registers it."""

    appellant: Appellant
    appellant_name: str | None  # a guardian or representative; the person is known by the decision
    authority_on_file: bool  # a representative's written authority (fullmakt)
    appealed: str  # what is appealed and why, in the appellant's words
    appealed_services: tuple[str, ...]  # empty: the whole decision
    received_on: date
    received_by: str
    channel: AppealChannel
    helped_by_office: bool


@dataclass(frozen=True)
class Forwarding:
    id: str
    appeal_body: str
    forwarded_on: date
    documents: tuple[ForwardedDocument, ...]


@dataclass(frozen=True)
class BodyDecision:
    outcome_id: str
    outcome: BodyOutcome
    decided_on: date
    recorded_at: datetime


@dataclass
class Appeal:
    """One appeal against one decision, from its receipt to the office's reversal or the appeal body's outcome."""

    id: str
    municipality: str
    case_id: str
    decision_id: str
    person_id: str
    given: AppealInput
    deadline_on: date
    late: bool
    handling_due_on: date
    handling_deadline_id: str
    registered_by: str
    created_at: datetime
    updated_at: datetime
    status: AppealStatus = AppealStatus.RECEIVED
    taken_up_on: date | None = None
    late_reason: str | None = None
    examination: Examination | None = None
    examined_on: date | None = None
    office_comments: str | None = None
    forwarding: Forwarding | None = None
    body_decision: BodyDecision | None = None
    ended: AppealEnd | None = None
    closed_on: date | None = None

    @classmethod
    def register(
        cls,
        decision: KnownDecision,
        caller: Actor,
        given: AppealInput,
        *,
        receivers: Collection[str],
        handling_weeks: int,
        open_appeals: int,
        now: datetime,
    ) -> tuple[Appeal, list[EventModel]]:
        caller.require(*OFFICE_ROLES)
        check_appealable(decision, given, receivers=receivers, today=local_date(now))
        if open_appeals:
            raise Conflict(
                f"decision_id: decision {decision.decision_id} has an open appeal; add to it instead",
                field="decision_id",
            )
        deadline = decision.appeal_deadline_on
        assert deadline is not None  # check_appealable: an appealable decision has its delivery
        appeal = cls(
            id=_new_id(),
            municipality=decision.municipality,
            case_id=decision.case_id,
            decision_id=decision.decision_id,
            person_id=decision.person_id,
            given=given,
            deadline_on=deadline,
            late=given.received_on > deadline,
            handling_due_on=due_within_weeks(given.received_on, handling_weeks),
            handling_deadline_id=_new_id(),
            registered_by=caller.subject,
            created_at=now,
            updated_at=now,
        )
        return appeal, [
            AppealRegistered(
                appeal_id=appeal.id,
                case_id=appeal.case_id,
                decision_id=appeal.decision_id,
                person_id=appeal.person_id,
                appellant=given.appellant,
                received_on=given.received_on,
                received_by=given.received_by,
                channel=given.channel,
                helped_by_office=given.helped_by_office,
                deadline_on=deadline,
                late=appeal.late,
                handling_due_on=appeal.handling_due_on,
            ),
            DeadlineScheduled(
                deadline_id=appeal.handling_deadline_id,
                case_id=appeal.case_id,
                kind=DeadlineKind.APPEAL_HANDLING,
                due_on=appeal.handling_due_on,
                responsible=given.received_by,
            ),
        ]

    # --- a late appeal (forvaltningsloven § 31) -------------------------------------------------------------------

    def take_up_late(self, caller: Actor, reason: str, on: date, now: datetime) -> list[EventModel]:
        """The office takes up a late appeal, with its reason (the delay is excused, or the appeal ought to be)."""
        caller.require(*OFFICE_ROLES)
        self._check_open_received()
        self._check_late_undecided()
        check_not_future(on, local_date(now), field="taken_up_on")
        self._check_not_before_receipt(on, "taken_up_on")
        self.taken_up_on, self.late_reason = on, require_text(reason, "reason")
        self._touched(now)
        return [LateAppealTakenUp(appeal_id=self.id, case_id=self.case_id, taken_up_on=on)]

    def dismiss_as_late(self, caller: Actor, reason: str, on: date, now: datetime) -> list[EventModel]:
        """A late appeal the office does not take up is dismissed, with its reason."""
        caller.require(*OFFICE_ROLES)
        self._check_open_received()
        self._check_late_undecided()
        check_not_future(on, local_date(now), field="dismissed_on")
        self._check_not_before_receipt(on, "dismissed_on")
        self.late_reason = require_text(reason, "reason")
        return self._close(AppealEnd.DISMISSED_AS_LATE, on, now)

    # --- the office's re-examination (forvaltningsloven § 33) ----------------------------------------------------

    def examine(
        self,
        caller: Actor,
        result: Examination,
        *,
        comments: str,
        documents: Sequence[ForwardedDocument],
        appeal_body: str,
        on: date,
        now: datetime,
    ) -> list[EventModel]:
        """Justified: the office reverses its decision (the decision service makes the new one). Partly justified:
        a partial reversal, and the rest forwarded. Not justified: prepared and forwarded to the appeal body."""
        caller.require(*OFFICE_ROLES)
        self._check_open_received()
        if self.late and self.taken_up_on is None:
            raise Conflict(
                "status: a late appeal is taken up (with its reason) or dismissed before it is examined",
                field="status",
            )
        check_not_future(on, local_date(now), field="examined_on")
        self._check_not_before_receipt(on, "examined_on")
        self.office_comments = require_text(comments, "comments")
        self.examination, self.examined_on = result, on
        events: list[EventModel] = []
        if result is not Examination.NOT_JUSTIFIED:
            events.append(
                AppealReversedByOffice(
                    appeal_id=self.id,
                    case_id=self.case_id,
                    decision_id=self.decision_id,
                    reversed_on=on,
                    partial=result is Examination.PARTLY_JUSTIFIED,
                )
            )
        if result is Examination.JUSTIFIED:
            return [*events, *self._close(AppealEnd.REVERSED_BY_OFFICE, on, now)]
        chosen = tuple(dict.fromkeys(documents))
        missing = REQUIRED_DOCUMENTS - set(chosen)
        if missing:
            raise DomainError(
                "documents: the appeal body gets at least the decision, the appeal and the office's comments; "
                f"missing {sorted(d.value for d in missing)}",
                field="documents",
            )
        self.forwarding = Forwarding(forwarding_id_of(self.id), appeal_body, on, chosen)
        self.status = AppealStatus.FORWARDED
        self._touched(now)
        return [
            *events,
            AppealForwarded(
                forwarding_id=self.forwarding.id,
                appeal_id=self.id,
                case_id=self.case_id,
                decision_id=self.decision_id,
                appeal_body=appeal_body,
                forwarded_on=on,
                documents=list(chosen),
            ),
            self._handled("appeal_forwarded"),
        ]

    # --- the appeal body's outcome -------------------------------------------------------------------------------

    def record_outcome(
        self, outcome_id: str, outcome: BodyOutcome, decided_on: date, now: datetime
    ) -> list[EventModel]:
        """The appeal body's outcome of a forwarded appeal; the same outcome again (its stable id) changes nothing."""
        if self.body_decision is not None:
            if self.body_decision.outcome_id == outcome_id:
                return []
            raise Conflict(
                f"outcome: the appeal body's outcome ({self.body_decision.outcome.value}, "
                f"{self.body_decision.decided_on.isoformat()}) is recorded already",
                field="outcome",
            )
        if self.status is not AppealStatus.FORWARDED or self.forwarding is None:
            raise Conflict(
                f"status: the appeal is {self.status.value}, not forwarded to an appeal body", field="status"
            )
        check_not_future(decided_on, local_date(now), field="decided_on")
        if decided_on < self.forwarding.forwarded_on:
            raise DomainError(
                f"decided_on: cannot be before the appeal was forwarded ({self.forwarding.forwarded_on.isoformat()})",
                field="decided_on",
            )
        self.body_decision = BodyDecision(outcome_id, outcome, decided_on, now)
        self.status = AppealStatus.DECIDED
        self._touched(now)
        return [
            AppealOutcomeRecorded(
                outcome_id=outcome_id,
                appeal_id=self.id,
                case_id=self.case_id,
                decision_id=self.decision_id,
                person_id=self.person_id,
                outcome=outcome,
                decided_on=decided_on,
                appeal_body=self.forwarding.appeal_body,
            )
        ]

    def withdraw(self, caller: Actor, on: date, now: datetime) -> list[EventModel]:
        """The person withdraws the appeal before it is forwarded; after that, the appeal body's outcome records it."""
        caller.require(*OFFICE_ROLES)
        if self.status is AppealStatus.FORWARDED:
            raise Conflict(
                "status: the appeal is with the appeal body; its outcome 'withdrawn' records the withdrawal",
                field="status",
            )
        self._check_open_received()
        check_not_future(on, local_date(now), field="withdrawn_on")
        self._check_not_before_receipt(on, "withdrawn_on")
        return self._close(AppealEnd.WITHDRAWN, on, now)

    # --- helpers --------------------------------------------------------------------------------------------------

    def _check_open_received(self) -> None:
        if self.status is not AppealStatus.RECEIVED:
            raise Conflict(f"status: the appeal is {self.status.value}", field="status")

    def _check_late_undecided(self) -> None:
        if not self.late:
            raise Conflict("status: the appeal came in time; it is examined as it is", field="status")
        if self.taken_up_on is not None:
            raise Conflict(f"status: the late appeal was taken up on {self.taken_up_on.isoformat()}", field="status")

    def _check_not_before_receipt(self, on: date, where: str) -> None:
        if on < self.given.received_on:
            raise DomainError(
                f"{where}: cannot be before the appeal was received ({self.given.received_on.isoformat()})", field=where
            )

    def _close(self, ended: AppealEnd, on: date, now: datetime) -> list[EventModel]:
        self.status, self.ended, self.closed_on = AppealStatus.CLOSED, ended, on
        self._touched(now)
        return [
            AppealClosed(appeal_id=self.id, case_id=self.case_id, ended=ended, closed_on=on),
            self._handled(f"appeal_{ended.value}"),
        ]

    def _handled(self, reason: str) -> DeadlineCancelled:
        return DeadlineCancelled(
            deadline_id=self.handling_deadline_id,
            case_id=self.case_id,
            kind=DeadlineKind.APPEAL_HANDLING,
            reason=reason,
        )

    def _touched(self, now: datetime) -> None:
        self.updated_at = now


def check_appealable(decision: KnownDecision, given: AppealInput, *, receivers: Collection[str], today: date) -> None:
    """What an appeal needs: an appealable decision whose letter has gone out, someone with the right to appeal, a
    receiving office of the municipality, the decision's own services, and a receipt date that can be true."""
    if not decision.appealable:
        raise Conflict(
            "decision_id: the appeal body's decision is final and cannot be appealed (forvaltningsloven § 28)",
            field="decision_id",
        )
    if decision.superseded_by is not None:
        raise Conflict(
            f"decision_id: the decision was superseded by {decision.superseded_by}; an appeal is against that one",
            field="decision_id",
        )
    if decision.delivered_on is None:  # pragma: no cover - every known decision has its delivery
        raise Conflict("decision_id: the decision's letter has not gone out", field="decision_id")
    if given.received_by not in receivers:
        raise DomainError(
            f"received_by: {given.received_by!r} does not receive appeals in the municipality (receivers: "
            f"{', '.join(receivers)})",
            field="received_by",
        )
    if given.appellant is not Appellant.PERSON:
        require_text(given.appellant_name, "appellant_name")
    if given.appellant is Appellant.REPRESENTATIVE and not given.authority_on_file:
        raise DomainError(
            "authority_on_file: a representative appeals with the person's written authority (fullmakt)",
            field="authority_on_file",
        )
    require_text(given.appealed, "appealed")
    unknown = [c for c in given.appealed_services if c not in decision.service_codes]
    if unknown:
        raise DomainError(
            f"appealed_services: {unknown} not decided in decision {decision.decision_id} "
            f"({', '.join(decision.service_codes) or 'no services'})",
            field="appealed_services",
        )
    check_not_future(given.received_on, today, field="received_on")
    if given.received_on < decision.decided_on:
        raise DomainError(
            f"received_on: cannot be before the decision ({decision.decided_on.isoformat()})", field="received_on"
        )


# --- complaints about delivered services (Tolga 6) ----------------------------------------------------------------


@dataclass
class Complaint:
    """A complaint about a service delivered, or about what is delivered not matching the decision: the unit
    leader answers it by the due day."""

    id: str
    municipality: str
    case_id: str
    person_id: str
    unit: str
    kind: ComplaintKind
    description: str
    received_on: date
    response_due_on: date
    deadline_id: str
    registered_by: str
    created_at: datetime
    updated_at: datetime
    answer: str | None = None
    answered_on: date | None = None
    answered_by: str | None = None

    @classmethod
    def register(
        cls,
        municipality: str,
        caller: Actor,
        *,
        case_id: str | None,
        person_id: str,
        unit: str,
        kind: ComplaintKind,
        description: str,
        received_on: date,
        units: Collection[str],
        within_days: int,
        now: datetime,
    ) -> tuple[Complaint, list[EventModel]]:
        caller.require(*OFFICE_ROLES, "unit")
        if unit not in units:
            raise DomainError(f"unit: {unit!r} is not one of the municipality's units {sorted(units)}", field="unit")
        if caller.unit is not None and caller.unit != unit:
            raise Forbidden(f"a token of {caller.unit} registers complaints about its own unit, not {unit}")
        check_not_future(received_on, local_date(now), field="received_on")
        complaint_id = _new_id()
        complaint = cls(
            id=complaint_id,
            municipality=municipality,
            case_id=case_id or complaint_id,
            person_id=person_id,
            unit=unit,
            kind=kind,
            description=require_text(description, "description"),
            received_on=received_on,
            response_due_on=due_within_days(received_on, within_days),
            deadline_id=_new_id(),
            registered_by=caller.subject,
            created_at=now,
            updated_at=now,
        )
        return complaint, [
            ComplaintRegistered(
                complaint_id=complaint.id,
                case_id=complaint.case_id,
                person_id=person_id,
                unit=unit,
                kind=kind,
                received_on=received_on,
                response_due_on=complaint.response_due_on,
            ),
            DeadlineScheduled(
                deadline_id=complaint.deadline_id,
                case_id=complaint.case_id,
                kind=DeadlineKind.COMPLAINT_RESPONSE,
                due_on=complaint.response_due_on,
                responsible=unit,
            ),
        ]

    def answer_by_leader(self, caller: Actor, answer: str, on: date, now: datetime) -> list[EventModel]:
        """The leader of the unit complained about answers, once."""
        caller.require("leader")
        if caller.unit is not None and caller.unit != self.unit:
            raise Forbidden(f"the leader of {self.unit} answers this complaint, not a token of {caller.unit}")
        if self.answered_on is not None:
            raise Conflict(f"status: the complaint was answered on {self.answered_on.isoformat()}", field="status")
        check_not_future(on, local_date(now), field="answered_on")
        if on < self.received_on:
            raise DomainError(
                f"answered_on: cannot be before the complaint was received ({self.received_on.isoformat()})",
                field="answered_on",
            )
        self.answer, self.answered_on, self.answered_by = require_text(answer, "answer"), on, caller.subject
        self.updated_at = now
        return [
            ComplaintAnswered(complaint_id=self.id, case_id=self.case_id, answered_on=on),
            DeadlineCancelled(
                deadline_id=self.deadline_id,
                case_id=self.case_id,
                kind=DeadlineKind.COMPLAINT_RESPONSE,
                reason="complaint_answered",
            ),
        ]


def check_unit_reads(caller: Actor, unit: str) -> None:
    """A unit's token reads the complaints about its own unit; the office reads them all."""
    if caller.unit is not None and caller.unit != unit:
        raise Forbidden(f"a token of {caller.unit} reads its own unit's complaints, not {unit}'s")


# --- deviations (avvik, Tolga 7) -----------------------------------------------------------------------------------


@dataclass
class Deviation:
    """A breach of routine or of the split of responsibility, for the municipality's quality system."""

    id: str
    municipality: str
    case_id: str
    category: DeviationCategory
    unit: str
    description: str
    occurred_on: date
    registered_on: date
    registered_by: str
    created_at: datetime

    @classmethod
    def register(
        cls,
        municipality: str,
        caller: Actor,
        *,
        case_id: str | None,
        category: DeviationCategory,
        unit: str,
        description: str,
        occurred_on: date,
        units: Collection[str],
        now: datetime,
    ) -> tuple[Deviation, list[EventModel]]:
        caller.require(*OFFICE_ROLES, "unit")
        if unit not in units:
            raise DomainError(f"unit: {unit!r} is not one of the municipality's units {sorted(units)}", field="unit")
        today = local_date(now)
        check_not_future(occurred_on, today, field="occurred_on")
        deviation_id = _new_id()
        deviation = cls(
            id=deviation_id,
            municipality=municipality,
            case_id=case_id or deviation_id,
            category=category,
            unit=unit,
            description=require_text(description, "description"),
            occurred_on=occurred_on,
            registered_on=today,
            registered_by=caller.subject,
            created_at=now,
        )
        return deviation, [
            DeviationRegistered(
                deviation_id=deviation.id,
                case_id=deviation.case_id,
                category=category,
                unit=unit,
                occurred_on=occurred_on,
                registered_on=today,
            )
        ]
