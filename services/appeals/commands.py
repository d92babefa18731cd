"""Appeals's use cases: load through the repository, let the aggregate check the rules and raise its events, save,
emit. The bus opens the unit of work (for the caller's municipality, or the event's) and commits it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from contracts.appeals import (
    AppealBodyOutcome,
    BodyOutcome,
    ComplaintKind,
    DeliveryBasis,
    DeviationCategory,
    Examination,
    ForwardedDocument,
    LetterDelivered,
)
from contracts.decision import DecisionMade
from contracts.envelope import CloudEvent
from servicekit.context import bind
from servicekit.db import UnitOfWork
from servicekit.errors import Conflict, DomainError
from servicekit.tenants import Tenant
from services.appeals.db import Appeals, Complaints, Deviations, KnownDecisions
from services.appeals.domain import (
    OFFICE_ROLES,
    Appeal,
    AppealInput,
    AppealStatus,
    Complaint,
    Deviation,
    KnownDecision,
    check_unit_reads,
)
from services.appeals.letters import Sender

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


def _units(tenant: Tenant) -> list[str]:
    """The units complaints and deviations name: the service units, the children's unit and the offices."""
    found = dict.fromkeys(u.code for u in tenant.units)
    if tenant.children_unit is not None:
        found[tenant.children_unit.code] = None
    found.update(dict.fromkeys(tenant.appeal_receivers()))
    return list(found)


# --- consumed events ----------------------------------------------------------------------------------------------


async def learn_decision(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    """A decision made: kept with its appeal route and its letter's assumed delivery (or the receipt that came
    first); the decision it supersedes can no longer be appealed."""
    made: DecisionMade = event.data
    decisions = KnownDecisions(uow)
    if await decisions.get(made.decision_id) is not None:
        return
    receipt_on = await decisions.early_receipt(made.letter_id) if made.letter_id else None
    known, events = KnownDecision.learn(
        uow.municipality, made, postal_days=uow.tenant.appeals.postal_delivery_working_days, receipt_on=receipt_on
    )
    await decisions.add(known)
    if made.supersedes is not None:
        older = await decisions.get(made.supersedes)
        if older is not None and older.superseded_by is None:
            older.superseded_by = made.decision_id
            await decisions.save(older)
    await uow.emit_all(events)


async def letter_delivered(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    """The digital mailbox reports a letter's delivery: the appeal deadline runs from that day."""
    data: LetterDelivered = event.data
    decisions = KnownDecisions(uow)
    known = await decisions.by_letter(data.letter_id)
    if known is None:  # not a decision letter, or its decision has not arrived yet
        await decisions.keep_receipt(data.letter_id, data.receipt_id, data.delivered_on)
        return
    if known.case_id != data.case_id:
        raise DomainError(
            f"case_id: letter {data.letter_id} belongs to case {known.case_id}, not {data.case_id}", field="case_id"
        )
    events = known.record_delivery(data.delivered_on, DeliveryBasis.DIGITAL_RECEIPT, uow.clock.today())
    await decisions.save(known)
    await uow.emit_all(events)


async def body_outcome(event: CloudEvent[Any], uow: UnitOfWork) -> None:
    """The appeal body's system reports its outcome of a forwarded appeal."""
    data: AppealBodyOutcome = event.data
    appeals = Appeals(uow)
    appeal = await appeals.by_forwarding(data.forwarding_id)
    if appeal.case_id != data.case_id:
        raise DomainError(
            f"case_id: forwarding {data.forwarding_id} is of case {appeal.case_id}, not {data.case_id}", field="case_id"
        )
    events = appeal.record_outcome(data.outcome_id, data.outcome, data.decided_on, uow.clock.now())
    await appeals.save(appeal)
    await uow.emit_all(events)


# --- decisions and their delivery ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class GetDecision:
    decision_id: str


async def get_decision(cmd: GetDecision, uow: UnitOfWork) -> KnownDecision:
    uow.actor.require(*OFFICE_ROLES)
    found = await KnownDecisions(uow).require(cmd.decision_id)
    bind(case_id=found.case_id)
    return found


@dataclass(frozen=True)
class RecordDelivery:
    decision_id: str
    delivered_on: date
    basis: DeliveryBasis


async def record_delivery(cmd: RecordDelivery, uow: UnitOfWork) -> KnownDecision:
    """A caseworker records when the letter reached the person (handed over), or a mailbox receipt by hand."""
    uow.actor.require(*OFFICE_ROLES)
    decisions = KnownDecisions(uow)
    known = await decisions.require(cmd.decision_id)
    bind(case_id=known.case_id)
    events = known.record_delivery(cmd.delivered_on, cmd.basis, uow.clock.today())
    await decisions.save(known)
    await uow.emit_all(events)
    return known


# --- appeals --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterAppeal:
    decision_id: str
    given: AppealInput


async def register_appeal(cmd: RegisterAppeal, uow: UnitOfWork) -> Appeal:
    """An appeal against one of the municipality's decisions; another municipality's decision is not found."""
    decisions, appeals = KnownDecisions(uow), Appeals(uow)
    uow.actor.require(*OFFICE_ROLES)
    decision = await decisions.require(cmd.decision_id)
    bind(case_id=decision.case_id)
    settings = uow.tenant.appeals
    appeal, events = Appeal.register(
        decision,
        uow.actor,
        cmd.given,
        receivers=uow.tenant.appeal_receivers(),
        handling_weeks=settings.handling_within_weeks,
        open_appeals=await appeals.open_on(decision.decision_id),
        now=uow.clock.now(),
    )
    await appeals.add(appeal)
    await uow.emit_all(events)
    return appeal


@dataclass(frozen=True)
class GetAppeal:
    appeal_id: str


async def get_appeal(cmd: GetAppeal, uow: UnitOfWork) -> Appeal:
    uow.actor.require(*OFFICE_ROLES)
    appeal = await Appeals(uow).get(cmd.appeal_id, for_update=False)
    bind(case_id=appeal.case_id)
    return appeal


@dataclass(frozen=True)
class ListAppeals:
    status: AppealStatus | None
    case_id: str | None
    decision_id: str | None
    limit: int
    offset: int


async def list_appeals(cmd: ListAppeals, uow: UnitOfWork) -> Page[Appeal]:
    uow.actor.require(*OFFICE_ROLES)
    items, total = await Appeals(uow).page(
        status=cmd.status, case_id=cmd.case_id, decision_id=cmd.decision_id, limit=cmd.limit, offset=cmd.offset
    )
    return Page(items, total, cmd.limit, cmd.offset)


async def _change(uow: UnitOfWork, appeal_id: str) -> tuple[Appeals, Appeal]:
    appeals = Appeals(uow)
    appeal = await appeals.get(appeal_id)
    bind(case_id=appeal.case_id)
    return appeals, appeal


@dataclass(frozen=True)
class ForwardingLetter:
    appeal_id: str


@dataclass(frozen=True)
class ForwardingPapers:
    appeal: Appeal
    decision: KnownDecision
    sender: Sender


async def forwarding_letter(cmd: ForwardingLetter, uow: UnitOfWork) -> ForwardingPapers:
    """What the forwarding letter of a forwarded appeal is written from."""
    uow.actor.require(*OFFICE_ROLES)
    appeal = await Appeals(uow).get(cmd.appeal_id, for_update=False)
    bind(case_id=appeal.case_id)
    if appeal.forwarding is None:
        raise Conflict(f"status: the appeal is {appeal.status.value}; only a forwarded one has a forwarding letter")
    decision = await KnownDecisions(uow).require(appeal.decision_id)
    tenant = uow.tenant
    return ForwardingPapers(appeal, decision, Sender(tenant.name, tenant.receiver_name(appeal.given.received_by)))


@dataclass(frozen=True)
class LateDecision:
    appeal_id: str
    take_up: bool
    reason: str
    on: date


async def decide_late_appeal(cmd: LateDecision, uow: UnitOfWork) -> Appeal:
    """A late appeal taken up with its reason (forvaltningsloven § 31), or dismissed."""
    appeals, appeal = await _change(uow, cmd.appeal_id)
    now = uow.clock.now()
    if cmd.take_up:
        events = appeal.take_up_late(uow.actor, cmd.reason, cmd.on, now)
    else:
        events = appeal.dismiss_as_late(uow.actor, cmd.reason, cmd.on, now)
    await appeals.save(appeal)
    await uow.emit_all(events)
    return appeal


@dataclass(frozen=True)
class Examine:
    appeal_id: str
    result: Examination
    comments: str
    documents: Sequence[ForwardedDocument]
    examined_on: date


async def examine(cmd: Examine, uow: UnitOfWork) -> Appeal:
    """The office's re-examination; a forwarded appeal goes to the appeal body of the decision's legal basis."""
    appeals, appeal = await _change(uow, cmd.appeal_id)
    decision = await KnownDecisions(uow).require(appeal.decision_id)
    events = appeal.examine(
        uow.actor,
        cmd.result,
        comments=cmd.comments,
        documents=cmd.documents,
        appeal_body=decision.appeal_body or "",
        on=cmd.examined_on,
        now=uow.clock.now(),
    )
    await appeals.save(appeal)
    await uow.emit_all(events)
    return appeal


@dataclass(frozen=True)
class RecordOutcome:
    appeal_id: str
    outcome_id: str
    outcome: BodyOutcome
    decided_on: date


async def record_outcome(cmd: RecordOutcome, uow: UnitOfWork) -> Appeal:
    """The appeal body's outcome as the office records it from the body's letter."""
    uow.actor.require(*OFFICE_ROLES)
    appeals, appeal = await _change(uow, cmd.appeal_id)
    events = appeal.record_outcome(cmd.outcome_id, cmd.outcome, cmd.decided_on, uow.clock.now())
    await appeals.save(appeal)
    await uow.emit_all(events)
    return appeal


@dataclass(frozen=True)
class Withdraw:
    appeal_id: str
    withdrawn_on: date


async def withdraw(cmd: Withdraw, uow: UnitOfWork) -> Appeal:
    appeals, appeal = await _change(uow, cmd.appeal_id)
    events = appeal.withdraw(uow.actor, cmd.withdrawn_on, uow.clock.now())
    await appeals.save(appeal)
    await uow.emit_all(events)
    return appeal


# --- complaints and deviations --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterComplaint:
    case_id: str | None
    person_id: str
    unit: str
    kind: ComplaintKind
    description: str
    received_on: date


async def register_complaint(cmd: RegisterComplaint, uow: UnitOfWork) -> Complaint:
    complaint, events = Complaint.register(
        uow.municipality,
        uow.actor,
        case_id=cmd.case_id,
        person_id=cmd.person_id,
        unit=cmd.unit,
        kind=cmd.kind,
        description=cmd.description,
        received_on=cmd.received_on,
        units=_units(uow.tenant),
        within_days=uow.tenant.appeals.complaint_response_within_days,
        now=uow.clock.now(),
    )
    bind(case_id=complaint.case_id)
    await Complaints(uow).add(complaint)
    await uow.emit_all(events)
    return complaint


@dataclass(frozen=True)
class AnswerComplaint:
    complaint_id: str
    answer: str
    answered_on: date


async def answer_complaint(cmd: AnswerComplaint, uow: UnitOfWork) -> Complaint:
    complaints = Complaints(uow)
    complaint = await complaints.get(cmd.complaint_id)
    bind(case_id=complaint.case_id)
    events = complaint.answer_by_leader(uow.actor, cmd.answer, cmd.answered_on, uow.clock.now())
    await complaints.save(complaint)
    await uow.emit_all(events)
    return complaint


@dataclass(frozen=True)
class GetComplaint:
    complaint_id: str


async def get_complaint(cmd: GetComplaint, uow: UnitOfWork) -> Complaint:
    """A complaint, for the office and for the unit it is about."""
    uow.actor.require(*OFFICE_ROLES, "unit")
    complaint = await Complaints(uow).get(cmd.complaint_id, for_update=False)
    check_unit_reads(uow.actor, complaint.unit)
    return complaint


@dataclass(frozen=True)
class ListComplaints:
    unit: str | None
    answered: bool | None
    limit: int
    offset: int


async def list_complaints(cmd: ListComplaints, uow: UnitOfWork) -> Page[Complaint]:
    """The complaints, the soonest due first; a token that names a unit sees that unit's only."""
    caller = uow.actor
    caller.require(*OFFICE_ROLES, "unit")
    unit = caller.unit or cmd.unit
    if caller.unit is not None and cmd.unit is not None:
        check_unit_reads(uow.actor, cmd.unit)
    items, total = await Complaints(uow).page(unit=unit, answered=cmd.answered, limit=cmd.limit, offset=cmd.offset)
    return Page(items, total, cmd.limit, cmd.offset)


@dataclass(frozen=True)
class RegisterDeviation:
    case_id: str | None
    category: DeviationCategory
    unit: str
    description: str
    occurred_on: date


async def register_deviation(cmd: RegisterDeviation, uow: UnitOfWork) -> Deviation:
    deviation, events = Deviation.register(
        uow.municipality,
        uow.actor,
        case_id=cmd.case_id,
        category=cmd.category,
        unit=cmd.unit,
        description=cmd.description,
        occurred_on=cmd.occurred_on,
        units=_units(uow.tenant),
        now=uow.clock.now(),
    )
    bind(case_id=deviation.case_id)
    await Deviations(uow).add(deviation)
    await uow.emit_all(events)
    return deviation


@dataclass(frozen=True)
class ListDeviations:
    category: DeviationCategory | None
    unit: str | None
    limit: int
    offset: int


async def list_deviations(cmd: ListDeviations, uow: UnitOfWork) -> Page[Deviation]:
    uow.actor.require(*OFFICE_ROLES)
    items, total = await Deviations(uow).page(category=cmd.category, unit=cmd.unit, limit=cmd.limit, offset=cmd.offset)
    return Page(items, total, cmd.limit, cmd.offset)
