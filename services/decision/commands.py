"""Decisions: made by the office or the meeting, or drafted for the unit leaders' approval; reviews, letters
and preliminary replies. Each use case runs in one unit of work; events go to the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from contracts.coordination import RequestedRight
from contracts.deadlines import DeadlineCancelled, DeadlineScheduled
from contracts.decision import (
    AppealInformation,
    DecidedBy,
    DecidedService,
    DecisionKind,
    DecisionMade,
    LetterIssued,
    Outcome,
    ReviewResult,
    ServiceOrdered,
)
from servicekit.actor import Actor
from servicekit.calendar import local_date
from servicekit.db import UnitOfWork, new_id
from servicekit.errors import Conflict, DomainError, NotFound
from services.decision import db, letters
from services.decision.cases import Municipality, Row, emit, update_case
from services.decision.domain import (
    AgendaState,
    AgendaStatus,
    CaseStatus,
    DeadlineKind,
    DecisionContent,
    DecisionStatus,
    PendingKind,
    Reasons,
    ServiceLine,
    appeal_information,
    appeal_route,
    approvals_complete,
    check_approver,
    check_content,
    check_decided_on,
    check_meeting_precondition,
    check_preliminary_reply,
    check_reviewable,
    check_rights_covered,
    decided_by,
    delivering_units,
    evaluation_due,
    review_due,
    review_plan,
)
from services.decision.recipients import Recipient

# Decisions on the rights the coordinating unit asks about are the office's alone.
RIGHTS = frozenset(r.value for r in RequestedRight)


def _lines(services: Sequence[dict[str, Any]]) -> list[ServiceLine]:
    return [
        ServiceLine(
            service_code=s["service_code"],
            hours_per_week=s.get("hours_per_week"),
            start_on=date.fromisoformat(s["start_on"]),
            end_on=date.fromisoformat(s["end_on"]) if s.get("end_on") else None,
        )
        for s in services
    ]


def _services_json(services: Sequence[ServiceLine]) -> list[dict[str, Any]]:
    return [
        {
            "service_code": s.service_code,
            "hours_per_week": s.hours_per_week,
            "start_on": s.start_on.isoformat(),
            "end_on": s.end_on.isoformat() if s.end_on else None,
        }
        for s in services
    ]


def _reasons(row: Row) -> Reasons:
    return Reasons(**row["reasons"])


# --- decisions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionInput:
    outcome: Outcome
    services: list[ServiceLine]
    refused: list[str]
    legal_basis: list[str] | None
    reasons: Reasons
    decided_on: date | None


def _check_reason_text(reasons: Reasons) -> None:
    letters.check_printable(
        {
            "reasons.facts": reasons.facts,
            "reasons.rules": reasons.rules,
            "reasons.considerations": reasons.considerations,
        }
    )


async def _agenda_state(uow: UnitOfWork, case: Row) -> AgendaState | None:
    if not case["agenda_item_id"]:
        return None
    item = await db.get_agenda_item(uow.session, case["agenda_item_id"])
    if item is None:  # pragma: no cover - the pointer is set with the item
        return None
    return AgendaState(
        meeting_id=item["meeting_id"],
        meeting_on=item["meeting_on"],
        status=AgendaStatus(item["status"]),
        outcome=Outcome(item["outcome"]) if item["outcome"] else None,
    )


def _case_ready(case: Row) -> None:
    status = CaseStatus(case["status"])
    if status is CaseStatus.AWAITING_DECISION:
        return
    problems = {
        CaseStatus.REGISTERED: "the case has no recommendation yet (it is still being assessed)",
        CaseStatus.AWAITING_APPROVAL: "a draft of its decision already waits for the unit leaders' approval",
        CaseStatus.DECIDED: "the case is decided; review that decision (POST /decisions/{id}/review) instead",
        CaseStatus.WITHDRAWN: "the application was withdrawn",
    }
    raise Conflict(f"case_id: {problems[status]}", field="case_id")


def _required_units(place: Municipality, content: DecisionContent) -> list[str]:
    mapping = place.config.delivering_units
    granted = delivering_units([s.service_code for s in content.services], mapping, municipality=place.number)
    refused = delivering_units(
        list(content.refused), mapping, municipality=place.number, field_prefix="refused_services"
    )
    return list(dict.fromkeys([*granted, *refused]))


def _unit_leader_date(by: DecidedBy, decided_on: date | None) -> None:
    if by is DecidedBy.UNIT_LEADER and decided_on is not None:
        raise DomainError(
            "decided_on: in this municipality the unit leaders' final approval makes the decision and sets its date",
            field="decided_on",
        )


async def _add_decision(
    uow: UnitOfWork,
    actor: Actor,
    case: Row,
    *,
    kind: DecisionKind,
    by: DecidedBy,
    content: DecisionContent,
    order_units: Sequence[str],
    required_units: Sequence[str],
    supersedes: str | None = None,
    review_result: ReviewResult | None = None,
    meeting_id: str | None = None,
    person_id: str,
    now: datetime,
) -> Row:
    row = {
        "id": new_id(),
        "municipality": actor.municipality,
        "case_id": case["case_id"],
        "person_id": person_id,
        "kind": kind.value,
        "status": DecisionStatus.AWAITING_APPROVAL.value,
        "outcome": content.outcome.value,
        "services": _services_json(content.services),
        "refused_services": list(content.refused),
        "legal_basis": list(content.legal_basis),
        "reasons": {
            "facts": content.reasons.facts,
            "rules": content.reasons.rules,
            "considerations": content.reasons.considerations,
        },
        "decided_by": by.value,
        "decided_on": None,
        "appeal": None,
        "supersedes": supersedes,
        "superseded_by": None,
        "review_result": review_result.value if review_result else None,
        "meeting_id": meeting_id,
        "required_units": list(required_units),
        "order_units": list(order_units),
        "letter_id": None,
        "returned_reason": None,
        "drafted_by": actor.subject,
        "created_at": now,
        "made_at": None,
    }
    await db.add(uow.session, db.decision, row)
    return row


@dataclass(frozen=True)
class Decide:
    """Decide a case that awaits a decision."""

    place: Municipality
    case_id: str
    given: DecisionInput


async def decide(cmd: Decide, uow: UnitOfWork) -> str:
    """A decision on a case that awaits one: made at once by the office or after the meeting's conclusion, or
    drafted for the unit leaders' final approval."""
    actor, place, case_id, given = uow.actor, cmd.place, cmd.case_id, cmd.given
    now = uow.clock.now()
    today = local_date(now)
    case = await db.get_case(uow.session, case_id, lock=True)
    if case is None or case["municipality"] != actor.municipality:
        raise NotFound(f"no case {case_id} in municipality {actor.municipality}", field="case_id")
    _case_ready(case)
    place = place.deciding(case["route"])
    pending = PendingKind(
        reversal_of=(case["reversal"] or {}).get("decision_id"),
        requested_rights=tuple(r["right"] for r in case["requests"] or []),
    )
    kind = pending.kind
    by = decided_by(kind, place.config.authority)
    content = check_content(
        given.outcome, given.services, given.refused, given.legal_basis, given.reasons, tenant=place.tenant
    )
    _check_reason_text(content.reasons)
    requested_by = None
    if kind is DecisionKind.REQUESTED:
        check_rights_covered(pending.requested_rights, [s.service_code for s in content.services], content.refused)
        requested_by = {r["right"]: r["requested_by"] for r in case["requests"]}
    order_units = delivering_units(
        [s.service_code for s in content.services],
        place.config.delivering_units,
        municipality=place.number,
        requested_by=requested_by,
    )
    agenda = await _agenda_state(uow, case)
    if kind is DecisionKind.INITIAL:
        check_meeting_precondition(
            by,
            emergency=case["emergency_measure"] is not None,
            has_meetings=place.config.meeting is not None,
            agenda=agenda,
            outcome=content.outcome,
        )
    _unit_leader_date(by, given.decided_on)
    if not case["person_id"]:  # pragma: no cover - every event that opens a case names the person
        raise Conflict("case_id: the case names no person yet", field="case_id")
    required = _required_units(place, content) if by is DecidedBy.UNIT_LEADER else []
    meeting_on = agenda.meeting_on if by is DecidedBy.MEETING and agenda else None
    row = await _add_decision(
        uow,
        actor,
        case,
        kind=kind,
        by=by,
        content=content,
        order_units=order_units,
        required_units=required,
        supersedes=pending.reversal_of,
        meeting_id=agenda.meeting_id if agenda and meeting_on else None,
        person_id=case["person_id"],
        now=now,
    )
    if by is DecidedBy.UNIT_LEADER:
        await update_case(uow, case, now, status=CaseStatus.AWAITING_APPROVAL.value)
    else:
        decided_on = given.decided_on or meeting_on or today
        check_decided_on(decided_on, today, received_on=case["received_on"], meeting_on=meeting_on)
        await _make(uow, place, row, case, decided_on=decided_on, actor=actor, now=now)
    return str(row["id"])


@dataclass(frozen=True)
class Approve:
    """A unit leader's final approval of a draft, or its return with a reason."""

    place: Municipality
    decision_id: str
    approved: bool
    reason: str | None
    decided_on: date | None


async def approve(cmd: Approve, uow: UnitOfWork) -> None:
    """A unit leader's final approval; the decision is made when every delivering unit's leader has approved."""
    actor, place, decision_id, approved, reason, decided_on = (
        uow.actor,
        cmd.place,
        cmd.decision_id,
        cmd.approved,
        cmd.reason,
        cmd.decided_on,
    )
    now = uow.clock.now()
    today = local_date(now)
    row = await db.get_decision(uow.session, decision_id, lock=True)
    if row is None or row["municipality"] != actor.municipality:
        raise NotFound(f"no decision {decision_id} in municipality {actor.municipality}", field="decision_id")
    if row["status"] != DecisionStatus.AWAITING_APPROVAL:
        raise Conflict(f"decision_id: the decision does not wait for approval (it is {row['status']})")
    done = [a["unit"] for a in await db.approvals_of(uow.session, [decision_id]) if a["approved"]]
    unit = check_approver(actor.unit, row["required_units"], done)
    if not approved and not (reason or "").strip():
        raise DomainError("reason: required when not approving: the office must know what to change", field="reason")
    final = approved and approvals_complete(row["required_units"], [*done, unit])
    if decided_on is not None and not final:
        raise DomainError("decided_on: only the final approval sets the decision date", field="decided_on")
    if reason:
        letters.check_printable({"reason": reason})
    await db.add(
        uow.session,
        db.decision_approval,
        {
            "id": new_id(),
            "decision_id": decision_id,
            "unit": unit,
            "approved": approved,
            "reason": reason,
            "recorded_by": actor.subject,
            "recorded_at": now,
        },
    )
    case = await db.get_case(uow.session, row["case_id"], lock=True)
    if case is None:  # pragma: no cover - a decision always has its case
        raise NotFound(f"no case {row['case_id']}")
    place = place.deciding(case["route"])
    if not approved:
        await db.change(
            uow.session, db.decision, "id", decision_id, status=DecisionStatus.RETURNED.value, returned_reason=reason
        )
        if row["kind"] != DecisionKind.REVIEW:
            await update_case(uow, case, now, status=CaseStatus.AWAITING_DECISION.value)
    elif final:
        day = decided_on or today
        check_decided_on(day, today, received_on=case["received_on"] if row["kind"] != DecisionKind.REVIEW else None)
        await _make(uow, place, row, case, decided_on=day, actor=actor, now=now)


@dataclass(frozen=True)
class Review:
    """Review a made decision: continue, change or stop."""

    place: Municipality
    decision_id: str
    result: ReviewResult
    services: list[ServiceLine] | None
    outcome: Outcome | None
    legal_basis: list[str] | None
    reasons: Reasons
    decided_on: date | None
    meeting_id: str | None


async def review(cmd: Review, uow: UnitOfWork) -> str:
    """A review ends in continue, change or stop: a new decision that supersedes the reviewed one."""
    actor, place, decision_id, result, services, outcome, legal_basis, reasons, decided_on, meeting_id = (
        uow.actor,
        cmd.place,
        cmd.decision_id,
        cmd.result,
        cmd.services,
        cmd.outcome,
        cmd.legal_basis,
        cmd.reasons,
        cmd.decided_on,
        cmd.meeting_id,
    )
    now = uow.clock.now()
    today = local_date(now)
    old = await db.get_decision(uow.session, decision_id, lock=True)
    if old is None or old["municipality"] != actor.municipality:
        raise NotFound(f"no decision {decision_id} in municipality {actor.municipality}", field="decision_id")
    check_reviewable(
        DecisionStatus(old["status"]),
        old["superseded_by"],
        Outcome(old["outcome"]),
        await db.pending_successor(uow.session, decision_id),
    )
    case = await db.get_case(uow.session, old["case_id"], lock=True)
    if case is None:  # pragma: no cover - a decision always has its case
        raise NotFound(f"no case {old['case_id']}")
    place = place.deciding(case["route"])
    old_services = _lines(old["services"])
    plan = review_plan(result, old_services, services, outcome)
    basis = legal_basis if legal_basis is not None else (None if result is ReviewResult.CHANGE else old["legal_basis"])
    content = check_content(
        plan.outcome,
        plan.services,
        plan.refused,
        basis,
        reasons,
        tenant=place.tenant,
        reasons_required_because=plan.reasons_required_because,
    )
    _check_reason_text(content.reasons)
    # Decisions on the rights the coordinating unit asks about stay the office's alone, reviews included.
    codes = {s.service_code for s in content.services} | set(content.refused)
    by = decided_by(DecisionKind.REQUESTED if codes <= RIGHTS else DecisionKind.REVIEW, place.config.authority)
    _unit_leader_date(by, decided_on)
    # A service the coordinating unit asked for stays ordered from it.
    previous_units = dict(zip((s.service_code for s in old_services), old["order_units"], strict=True))
    order_units = delivering_units(
        [s.service_code for s in content.services],
        place.config.delivering_units,
        municipality=place.number,
        requested_by=previous_units,
    )
    meeting = None
    if by is DecidedBy.MEETING:
        if meeting_id is None:
            raise DomainError(
                "meeting_id: the allocation meeting decides reviews in this municipality", field="meeting_id"
            )
        meeting = await db.get_meeting(uow.session, meeting_id)
        if meeting is None or meeting["municipality"] != actor.municipality:
            raise NotFound(f"no meeting {meeting_id} in municipality {actor.municipality}", field="meeting_id")
        if meeting["attendees_recorded_at"] is None:
            raise Conflict("meeting_id: record the meeting's attendees first: only a held meeting decides")
    required = _required_units(place, content) if by is DecidedBy.UNIT_LEADER else []
    row = await _add_decision(
        uow,
        actor,
        case,
        kind=DecisionKind.REVIEW,
        by=by,
        content=content,
        order_units=order_units,
        required_units=required,
        supersedes=decision_id,
        review_result=result,
        meeting_id=meeting["id"] if meeting else None,
        person_id=old["person_id"],
        now=now,
    )
    if by is not DecidedBy.UNIT_LEADER:
        meeting_on = meeting["meeting_on"] if meeting else None
        day = decided_on or meeting_on or today
        check_decided_on(day, today, meeting_on=meeting_on)
        if day < old["decided_on"]:
            raise DomainError("decided_on: cannot be before the reviewed decision", field="decided_on")
        await _make(uow, place, row, case, decided_on=day, actor=actor, now=now)
    return str(row["id"])


async def _make(
    uow: UnitOfWork, place: Municipality, row: Row, case: Row, *, decided_on: date, actor: Actor, now: datetime
) -> None:
    """The decision takes effect: letter, service orders, superseded decision and its clocks, new clocks, events."""
    municipality, case_id, decision_id = place.number, case["case_id"], row["id"]
    services = _lines(row["services"])
    outcome = Outcome(row["outcome"])
    kind = DecisionKind(row["kind"])
    route = appeal_route([*(s.service_code for s in services), *row["refused_services"]], place.tenant)
    appeal = appeal_information(route, row["legal_basis"], decided_on, place.config.office.name)
    review_on = review_due(outcome, decided_on, services)
    evaluation_on = evaluation_due(decided_on, services) if outcome is not Outcome.REFUSED else None

    superseded_on = None
    if row["supersedes"]:
        old = await db.get_decision(uow.session, row["supersedes"], lock=True)
        if old is None or old["superseded_by"] is not None:
            raise Conflict(f"decision_id: decision {row['supersedes']} is already superseded", field="decision_id")
        superseded_on = old["decided_on"]
        await db.change(uow.session, db.decision, "id", old["id"], superseded_by=decision_id)
        for clock in await db.scheduled_deadlines(uow.session, old["id"]):
            await db.change(uow.session, db.decision_deadline, "id", clock["id"], status="cancelled")
            await emit(
                uow,
                municipality,
                case_id,
                DeadlineCancelled(
                    deadline_id=clock["id"], case_id=case_id, kind=clock["kind"], reason="decision_superseded"
                ),
            )

    letter_id = await _decision_letter(
        uow,
        place,
        row,
        case,
        decided_on=decided_on,
        appeal=appeal,
        superseded_on=superseded_on,
        review_on=review_on,
        evaluation_on=evaluation_on,
        actor=actor,
        now=now,
    )
    await db.change(
        uow.session,
        db.decision,
        "id",
        decision_id,
        status=DecisionStatus.MADE.value,
        decided_on=decided_on,
        appeal=appeal.model_dump(mode="json"),
        letter_id=letter_id,
        made_at=now,
    )
    if case["agenda_item_id"]:
        # Decided before its meeting took it up: the agenda shows it, and the meeting need not discuss it.
        await db.change_open_agenda_item(uow.session, case["agenda_item_id"], AgendaStatus.DECIDED.value)
    case_fields: dict[str, Any] = {"status": CaseStatus.DECIDED.value, "agenda_item_id": None}
    if kind is DecisionKind.REVERSAL:
        case_fields["reversal"] = None
    if kind is DecisionKind.REQUESTED:
        case_fields["requests"] = None
    await update_case(uow, case, now, **case_fields)

    await emit(
        uow,
        municipality,
        case_id,
        DecisionMade(
            decision_id=decision_id,
            case_id=case_id,
            person_id=row["person_id"],
            kind=kind,
            outcome=outcome,
            services=[
                DecidedService(
                    service_code=s.service_code, hours_per_week=s.hours_per_week, start_on=s.start_on, end_on=s.end_on
                )
                for s in services
            ],
            legal_basis=row["legal_basis"],
            decided_on=decided_on,
            decided_by=DecidedBy(row["decided_by"]),
            appeal=appeal,
            supersedes=row["supersedes"],
            review_result=ReviewResult(row["review_result"]) if row["review_result"] else None,
            letter_id=letter_id,
        ),
    )
    for service, unit in zip(services, row["order_units"], strict=True):
        order_id = new_id()
        await db.add(
            uow.session,
            db.service_order,
            {
                "id": order_id,
                "municipality": municipality,
                "decision_id": decision_id,
                "case_id": case_id,
                "unit": unit,
                "service_code": service.service_code,
                "hours_per_week": service.hours_per_week,
                "start_on": service.start_on,
                "end_on": service.end_on,
                "created_at": now,
            },
        )
        await emit(
            uow,
            municipality,
            case_id,
            ServiceOrdered(
                order_id=order_id,
                decision_id=decision_id,
                case_id=case_id,
                unit=unit,
                service_code=service.service_code,
                hours_per_week=service.hours_per_week,
                start_on=service.start_on,
                end_on=service.end_on,
            ),
        )
    await emit(
        uow,
        municipality,
        case_id,
        LetterIssued(
            letter_id=letter_id,
            case_id=case_id,
            kind="decision",
            language=place.tenant.language.value,
            decision_id=decision_id,
        ),
    )
    for deadline_kind, due_on in (
        (DeadlineKind.DECISION_REVIEW, review_on),
        (DeadlineKind.TIME_LIMITED_EVALUATION, evaluation_on),
    ):
        if due_on is None:
            continue
        deadline_id = new_id()
        await db.add(
            uow.session,
            db.decision_deadline,
            {
                "id": deadline_id,
                "municipality": municipality,
                "decision_id": decision_id,
                "case_id": case_id,
                "kind": deadline_kind.value,
                "due_on": due_on,
                "status": "scheduled",
                "created_at": now,
            },
        )
        await emit(
            uow,
            municipality,
            case_id,
            DeadlineScheduled(
                deadline_id=deadline_id,
                case_id=case_id,
                kind=deadline_kind.value,
                due_on=due_on,
                responsible=place.config.office.code,
            ),
        )


# --- letters ------------------------------------------------------------------------------------


async def _letterhead(place: Municipality, case: Row, letter_on: date) -> letters.Letterhead:
    recipient = await place.recipients(place.number, case["person_id"]) if case["person_id"] else None
    if recipient is not None:
        recipient = Recipient(
            name=letters.fit_to_font(recipient.name),
            street=letters.fit_to_font(recipient.street) if recipient.street else None,
            postcode=recipient.postcode,
            city=letters.fit_to_font(recipient.city) if recipient.city else None,
        )
    return letters.Letterhead(
        municipality_name=place.tenant.name,
        office_name=place.config.office.name,
        language=place.tenant.language.value,
        letter_on=letter_on,
        reference=case["journal_number"] or case["case_id"],
        person_id=case["person_id"] or "-",
        recipient=recipient,
    )


async def _store_letter(
    uow: UnitOfWork,
    place: Municipality,
    case: Row,
    *,
    kind: str,
    decision_id: str | None,
    issued_on: date,
    text: str,
    title: str,
    details: dict[str, Any],
    actor: Actor,
    now: datetime,
) -> str:
    letter_id = new_id()
    footer = f"{place.tenant.name} kommune - {place.config.office.name} - {case['journal_number'] or case['case_id']}"
    pdf = letters.render_pdf(text, title=title, footer=footer, created_at=now)
    await db.add(
        uow.session,
        db.letter,
        {
            "id": letter_id,
            "municipality": place.number,
            "case_id": case["case_id"],
            "decision_id": decision_id,
            "kind": kind,
            "language": place.tenant.language.value,
            "issued_on": issued_on,
            "details": details,
            "text": text,
            "pdf": pdf,
            "created_by": actor.subject,
            "created_at": now,
        },
    )
    return letter_id


async def _decision_letter(
    uow: UnitOfWork,
    place: Municipality,
    row: Row,
    case: Row,
    *,
    decided_on: date,
    appeal: AppealInformation,
    superseded_on: date | None,
    review_on: date | None,
    evaluation_on: date | None,
    actor: Actor,
    now: datetime,
) -> str:
    meeting = await db.get_meeting(uow.session, row["meeting_id"]) if row["meeting_id"] else None
    content = letters.DecisionLetter(
        head=await _letterhead(place, case, decided_on),
        kind=DecisionKind(row["kind"]),
        outcome=Outcome(row["outcome"]),
        review_result=ReviewResult(row["review_result"]) if row["review_result"] else None,
        services=tuple(
            letters.LetterService(place.service_name(s.service_code), s.hours_per_week, s.start_on, s.end_on)
            for s in _lines(row["services"])
        ),
        refused=tuple(place.service_name(code) for code in row["refused_services"]),
        legal_basis=tuple(row["legal_basis"]),
        reasons=_reasons(row),
        decided_by=DecidedBy(row["decided_by"]),
        appeal=appeal,
        received_on=case["received_on"],
        meeting_name=meeting["name"] if meeting else None,
        meeting_on=meeting["meeting_on"] if meeting else None,
        approving_units=tuple(place.unit_name(u) for u in row["required_units"]),
        superseded_on=superseded_on,
        review_due=review_on,
        evaluation_due=evaluation_on,
    )
    return await _store_letter(
        uow,
        place,
        case,
        kind="decision",
        decision_id=row["id"],
        issued_on=decided_on,
        text=letters.render_decision(content),
        title="Vedtak",
        details={},
        actor=actor,
        now=now,
    )


@dataclass(frozen=True)
class SendPreliminaryReply:
    """Send a preliminary reply (forvaltningsloven § 11 a)."""

    place: Municipality
    case_id: str
    expected_decision_on: date
    reason_for_delay: str


async def preliminary_reply(cmd: SendPreliminaryReply, uow: UnitOfWork) -> str:
    """forvaltningsloven § 11 a: a letter saying why the case takes longer and when to expect the decision."""
    actor, place, case_id, expected_decision_on, reason_for_delay = (
        uow.actor,
        cmd.place,
        cmd.case_id,
        cmd.expected_decision_on,
        cmd.reason_for_delay,
    )
    now = uow.clock.now()
    today = local_date(now)
    case = await db.get_case(uow.session, case_id, lock=True)
    if case is None or case["municipality"] != actor.municipality:
        raise NotFound(f"no case {case_id} in municipality {actor.municipality}", field="case_id")
    place = place.deciding(case["route"])
    reason = check_preliminary_reply(CaseStatus(case["status"]), expected_decision_on, reason_for_delay, today)
    letters.check_printable({"reason_for_delay": reason})
    text = letters.render_preliminary_reply(
        letters.PreliminaryReplyLetter(
            head=await _letterhead(place, case, today),
            service_name=place.service_name(case["service_code"]) if case["service_code"] else None,
            received_on=case["received_on"],
            expected_decision_on=expected_decision_on,
            reason=reason,
        )
    )
    letter_id = await _store_letter(
        uow,
        place,
        case,
        kind="preliminary_reply",
        decision_id=None,
        issued_on=today,
        text=text,
        title="Foreløpig svar",
        details={"expected_decision_on": expected_decision_on.isoformat(), "reason_for_delay": reason},
        actor=actor,
        now=now,
    )
    await emit(
        uow,
        place.number,
        case_id,
        LetterIssued(
            letter_id=letter_id, case_id=case_id, kind="preliminary_reply", language=place.tenant.language.value
        ),
    )
    return letter_id
