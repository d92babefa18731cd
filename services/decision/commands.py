"""Decisions: made by the office or the meeting, or drafted for the unit leaders' approval; reviews, letters
and preliminary replies. One use case per command, `(cmd, uow)`: load through the repository (the unit of
work's municipality only), call the aggregate, render the letter, save, emit. The bus commits."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from contracts.coordination import RequestedRight
from contracts.decision import AppealInformation, DecidedBy, DecisionKind, LetterIssued, Outcome, ReviewResult
from servicekit.db import UnitOfWork, new_id
from servicekit.errors import Conflict, DomainError, NotFound
from servicekit.pdf import render_pdf_off_the_loop
from services.decision import letters
from services.decision.config import Municipality
from services.decision.db import DecisionCases, Decisions, Letters, Meetings, ServiceOrders
from services.decision.domain import (
    AgendaStatus,
    Approval,
    Decision,
    DecisionCase,
    DecisionContent,
    Letter,
    Reasons,
    ServiceLine,
    check_content,
    check_decided_on,
    check_meeting_precondition,
    check_preliminary_reply,
    check_reviewable,
    check_rights_covered,
    decided_by,
    delivering_units,
    review_plan,
)
from services.decision.recipients import LetterRecipients, Recipient, to_expecting_parents

# Decisions on the rights the coordinating unit asks about are the office's alone.
RIGHTS = frozenset(r.value for r in RequestedRight)


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


async def _case(uow: UnitOfWork, case_id: str) -> DecisionCase:
    case = await DecisionCases(uow).get(case_id, lock=True)
    if case is None:
        raise NotFound(f"no case {case_id} in municipality {uow.municipality}", field="case_id")
    return case


async def _decision(uow: UnitOfWork, decision_id: str) -> Decision:
    found = await Decisions(uow).get(decision_id, lock=True)
    if found is None:
        raise NotFound(f"no decision {decision_id} in municipality {uow.municipality}", field="decision_id")
    return found


@dataclass(frozen=True)
class Decide:
    """Decide a case that awaits a decision."""

    place: Municipality
    case_id: str
    given: DecisionInput


async def decide(cmd: Decide, uow: UnitOfWork) -> str:
    """A decision on a case that awaits one: made at once by the office or after the meeting's conclusion, or
    drafted for the unit leaders' final approval."""
    given, now, today = cmd.given, uow.clock.now(), uow.clock.today()
    case = await _case(uow, cmd.case_id)
    case.check_ready()
    place = cmd.place.deciding(case.route)
    pending = case.pending
    kind = pending.kind
    by = pending.decided_by(place.config.authority)
    content = check_content(
        given.outcome, given.services, given.refused, given.legal_basis, given.reasons, tenant=place.tenant
    )
    _check_reason_text(content.reasons)
    requested_by = None
    if kind is DecisionKind.REQUESTED:
        check_rights_covered(pending.requested_rights, [s.service_code for s in content.services], content.refused)
        requested_by = {r.right: r.requested_by for r in case.requests}
    order_units = delivering_units(
        [s.service_code for s in content.services],
        place.config.delivering_units,
        municipality=place.number,
        requested_by=requested_by,
    )
    agenda = await Meetings(uow).agenda_state(case.agenda_item_id) if case.agenda_item_id else None
    if kind is DecisionKind.INITIAL:
        check_meeting_precondition(
            by,
            emergency=case.emergency_measure is not None,
            has_meetings=place.config.meeting is not None,
            agenda=agenda,
            outcome=content.outcome,
        )
    _unit_leader_date(by, given.decided_on)
    if not case.person_id:  # pragma: no cover - every event that opens a case names the person
        raise Conflict("case_id: the case names no person yet", field="case_id")
    meeting_on = agenda.meeting_on if by is DecidedBy.MEETING and agenda else None
    # A reversal supersedes the appealed decision, and a new first decision follows a quashed one: the one in force
    # in that line (a review or the office's partial reversal may have superseded the appealed decision meanwhile).
    follows = await Decisions(uow).in_force_after(pending.follows) if pending.follows else None
    draft = Decision.drafted(
        new_id(),
        case,
        kind=kind,
        by=by,
        content=content,
        order_units=order_units,
        required_units=_required_units(place, content) if by is DecidedBy.UNIT_LEADER else [],
        person_id=case.person_id,
        drafted_by=uow.actor.subject,
        now=now,
        supersedes=follows,
        meeting_id=agenda.meeting_id if agenda and meeting_on else None,
    )
    await Decisions(uow).add(draft)
    if by is DecidedBy.UNIT_LEADER:
        case.await_approval(now)
        await DecisionCases(uow).save(case)
    else:
        decided_on = given.decided_on or meeting_on or today
        check_decided_on(decided_on, today, received_on=case.received_on, meeting_on=meeting_on)
        await _make(uow, place, draft, case, decided_on=decided_on)
    return draft.id


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
    now, today = uow.clock.now(), uow.clock.today()
    decisions = Decisions(uow)
    draft = await _decision(uow, cmd.decision_id)
    draft.check_awaiting_approval()
    done = [a.unit for a in await decisions.approvals_of([draft.id]) if a.approved]
    unit, final = draft.approval(
        uow.actor.unit, done, approved=cmd.approved, reason=cmd.reason, decided_on=cmd.decided_on
    )
    if cmd.reason:
        letters.check_printable({"reason": cmd.reason})
    await decisions.add_approval(
        Approval(
            id=new_id(),
            decision_id=draft.id,
            unit=unit,
            approved=cmd.approved,
            reason=cmd.reason,
            recorded_by=uow.actor.subject,
            recorded_at=now,
        )
    )
    case = await DecisionCases(uow).get(draft.case_id, lock=True)
    if case is None:  # pragma: no cover - a decision always has its case
        raise NotFound(f"no case {draft.case_id}")
    place = cmd.place.deciding(case.route)
    if not cmd.approved:
        draft.returned(cmd.reason)
        await decisions.save(draft)
        if draft.kind is not DecisionKind.REVIEW:
            case.draft_returned(now)
            await DecisionCases(uow).save(case)
    elif final:
        day = cmd.decided_on or today
        check_decided_on(day, today, received_on=case.received_on if draft.kind is not DecisionKind.REVIEW else None)
        await _make(uow, place, draft, case, decided_on=day)


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
    now, today = uow.clock.now(), uow.clock.today()
    decisions = Decisions(uow)
    old = await _decision(uow, cmd.decision_id)
    check_reviewable(old.status, old.superseded_by, old.outcome, await decisions.has_pending_successor(old.id))
    case = await DecisionCases(uow).get(old.case_id, lock=True)
    if case is None:  # pragma: no cover - a decision always has its case
        raise NotFound(f"no case {old.case_id}")
    place = cmd.place.deciding(case.route)
    old_services = list(old.services)
    plan = review_plan(cmd.result, old_services, cmd.services, cmd.outcome)
    basis: list[str] | None
    if cmd.legal_basis is not None:
        basis = cmd.legal_basis
    else:
        basis = None if cmd.result is ReviewResult.CHANGE else list(old.legal_basis)
    content = check_content(
        plan.outcome,
        plan.services,
        plan.refused,
        basis,
        cmd.reasons,
        tenant=place.tenant,
        reasons_required_because=plan.reasons_required_because,
    )
    _check_reason_text(content.reasons)
    # Decisions on the rights the coordinating unit asks about stay the office's alone, reviews included.
    codes = {s.service_code for s in content.services} | set(content.refused)
    by = decided_by(DecisionKind.REQUESTED if codes <= RIGHTS else DecisionKind.REVIEW, place.config.authority)
    _unit_leader_date(by, cmd.decided_on)
    # A service the coordinating unit asked for stays ordered from it.
    previous_units = dict(zip((s.service_code for s in old_services), old.order_units, strict=True))
    order_units = delivering_units(
        [s.service_code for s in content.services],
        place.config.delivering_units,
        municipality=place.number,
        requested_by=previous_units,
    )
    meeting = None
    if by is DecidedBy.MEETING:
        if cmd.meeting_id is None:
            raise DomainError(
                "meeting_id: the allocation meeting decides reviews in this municipality", field="meeting_id"
            )
        meeting = await Meetings(uow).get(cmd.meeting_id)
        if meeting is None:
            raise NotFound(f"no meeting {cmd.meeting_id} in municipality {uow.municipality}", field="meeting_id")
        if not meeting.held:
            raise Conflict("meeting_id: record the meeting's attendees first: only a held meeting decides")
    draft = Decision.drafted(
        new_id(),
        case,
        kind=DecisionKind.REVIEW,
        by=by,
        content=content,
        order_units=order_units,
        required_units=_required_units(place, content) if by is DecidedBy.UNIT_LEADER else [],
        person_id=old.person_id,
        drafted_by=uow.actor.subject,
        now=now,
        supersedes=old.id,
        review_result=cmd.result,
        meeting_id=meeting.id if meeting else None,
    )
    await decisions.add(draft)
    if by is not DecidedBy.UNIT_LEADER:
        meeting_on = meeting.meeting_on if meeting else None
        day = cmd.decided_on or meeting_on or today
        check_decided_on(day, today, meeting_on=meeting_on)
        if old.decided_on is not None and day < old.decided_on:
            raise DomainError("decided_on: cannot be before the reviewed decision", field="decided_on")
        await _make(uow, place, draft, case, decided_on=day)
    return draft.id


async def _make(uow: UnitOfWork, place: Municipality, draft: Decision, case: DecisionCase, *, decided_on: date) -> None:
    """The decision takes effect: the decision it supersedes and that one's clocks stop, its letter is rendered
    and stored, its services are ordered, its clocks start; the case is decided."""
    now = uow.clock.now()
    decisions = Decisions(uow)
    events = []
    superseded_on = None
    if draft.supersedes:
        old = await decisions.get(draft.supersedes, lock=True)
        if old is None:
            raise Conflict(f"decision_id: decision {draft.supersedes} is already superseded", field="decision_id")
        clocks = await decisions.scheduled_clocks(old.id)
        events.extend(old.supersede(draft.id, clocks))
        superseded_on = old.decided_on
        await decisions.save(old)
        for clock in clocks:
            await decisions.cancel_clock(clock.id)

    appeal = draft.appeal_right(decided_on, place.tenant, place.config.office.name)
    letter = await _decision_letter(
        uow, place, draft, case, decided_on=decided_on, appeal=appeal, superseded_on=superseded_on
    )
    made = draft.make(
        decided_on=decided_on,
        appeal=appeal,
        letter_id=letter.id,
        language=place.tenant.language.value,
        responsible=place.config.office.code,
        new_id=new_id,
        now=now,
    )
    await Letters(uow).add(letter)
    await decisions.save(draft)
    if case.agenda_item_id:
        # Decided before its meeting took it up: the agenda shows it, and the meeting need not discuss it.
        await Meetings(uow).close_open_item(case.agenda_item_id, AgendaStatus.DECIDED)
    case.decided(draft.kind, now)
    await DecisionCases(uow).save(case)
    for order in made.orders:
        await ServiceOrders(uow).add(order)
    for clock in made.clocks:
        await decisions.add_clock(clock)
    await uow.emit_all([*events, *made.events])


# --- letters ------------------------------------------------------------------------------------


def _fitted(addressee: Recipient) -> Recipient:
    """A name and address from the register as the letter font prints them: unchanged, Sámi letters and all, but for
    a character the font has no glyph for."""
    return replace(
        addressee,
        name=letters.fit_to_font(addressee.name),
        street=letters.fit_to_font(addressee.street) if addressee.street else None,
        postcode=letters.fit_to_font(addressee.postcode) if addressee.postcode else None,
        city=letters.fit_to_font(addressee.city) if addressee.city else None,
    )


async def _recipients(place: Municipality, case: DecisionCase) -> LetterRecipients | None:
    """As the person register answers: the person's recipients, or a child not yet born's expecting parents."""
    if case.expected_child is None:
        return await place.recipients(place.number, case.person_id) if case.person_id else None
    answers = [await place.recipients(place.number, parent) for parent in case.expected_child.parents]
    concerning = letters.expected_child(
        place.tenant.language.value, case.expected_child.due_on, parents=len(case.expected_child.parents)
    )
    return to_expecting_parents(answers, concerning)


async def _letterhead(place: Municipality, case: DecisionCase, letter_on: date) -> letters.Letterhead:
    """To whom the letter goes (a child's guardians, an adult and any appointed guardian) and whom it concerns,
    as the person register answers; without an answer the letter names the person by id.

    The register is asked over HTTP inside the use case's unit of work, so its transaction (and the case's row lock)
    stays open while intake answers. Asking before the transaction opens needs the case's person (or the expecting
    parents) first: a read of its own before `bus.run`, and a check inside that the case still names them."""
    found = await _recipients(place, case)
    return letters.Letterhead(
        municipality_name=place.tenant.name,
        office_name=place.config.office.name,
        language=place.tenant.language.value,
        letter_on=letter_on,
        reference=case.reference,
        person_id=case.person_id or "-",
        concerning=letters.fit_to_font(found.concerning) if found and found.concerning else None,
        addressees=tuple(_fitted(a) for a in found.addressees) if found else (),
    )


async def _letter(
    uow: UnitOfWork,
    place: Municipality,
    case: DecisionCase,
    *,
    kind: str,
    decision_id: str | None,
    issued_on: date,
    text: str,
    title: str,
    details: dict[str, Any],
) -> Letter:
    """The letter as stored: its text, and the PDF set from it in a worker thread, off the event loop."""
    now = uow.clock.now()
    footer = f"{place.tenant.name} kommune - {place.config.office.name} - {case.reference}"
    return Letter(
        id=new_id(),
        municipality=place.number,
        case_id=case.case_id,
        decision_id=decision_id,
        kind=kind,
        language=place.tenant.language.value,
        issued_on=issued_on,
        details=details,
        created_by=uow.actor.subject,
        created_at=now,
        text=text,
        pdf=await render_pdf_off_the_loop(
            text, title=title, footer=footer, created_at=now, language=place.tenant.language.value
        ),
    )


async def _decision_letter(
    uow: UnitOfWork,
    place: Municipality,
    draft: Decision,
    case: DecisionCase,
    *,
    decided_on: date,
    appeal: AppealInformation | None,
    superseded_on: date | None,
) -> Letter:
    meeting = await Meetings(uow).get(draft.meeting_id) if draft.meeting_id else None
    verdict = None
    reversal = case.reversal
    if draft.decided_by is DecidedBy.APPEAL_BODY and reversal is not None and reversal.appeal_body is not None:
        appealed = await Decisions(uow).get(reversal.decision_id)
        verdict = letters.AppealBodyDecision(
            appeal_body=reversal.appeal_body,
            decided_on=reversal.reversed_on,
            appealed_on=appealed.decided_on if appealed else None,
            partial=reversal.partial,
        )
    review_on, evaluation_on = draft.clocks_due(decided_on)
    content = letters.DecisionLetter(
        head=await _letterhead(place, case, decided_on),
        kind=draft.kind,
        outcome=draft.outcome,
        review_result=draft.review_result,
        services=tuple(
            letters.LetterService(place.service_name(s.service_code), s.hours_per_week, s.start_on, s.end_on)
            for s in draft.services
        ),
        refused=tuple(place.service_name(code) for code in draft.refused_services),
        legal_basis=draft.legal_basis,
        reasons=draft.reasons,
        decided_by=draft.decided_by,
        appeal=appeal,
        received_on=case.received_on,
        meeting_name=meeting.name if meeting else None,
        meeting_on=meeting.meeting_on if meeting else None,
        approving_units=tuple(place.unit_name(u) for u in draft.required_units),
        superseded_on=superseded_on,
        review_due=review_on,
        evaluation_due=evaluation_on,
        appeal_body_decision=verdict,
    )
    return await _letter(
        uow,
        place,
        case,
        kind="decision",
        decision_id=draft.id,
        issued_on=decided_on,
        text=letters.render_decision(content),
        title="Vedtak",
        details={},
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
    today = uow.clock.today()
    case = await _case(uow, cmd.case_id)
    place = cmd.place.deciding(case.route)
    reason = check_preliminary_reply(case.status, cmd.expected_decision_on, cmd.reason_for_delay, today)
    letters.check_printable({"reason_for_delay": reason})
    text = letters.render_preliminary_reply(
        letters.PreliminaryReplyLetter(
            head=await _letterhead(place, case, today),
            service_name=place.service_name(case.service_code) if case.service_code else None,
            received_on=case.received_on,
            expected_decision_on=cmd.expected_decision_on,
            reason=reason,
        )
    )
    letter = await _letter(
        uow,
        place,
        case,
        kind="preliminary_reply",
        decision_id=None,
        issued_on=today,
        text=text,
        title="Foreløpig svar",
        details={"expected_decision_on": cmd.expected_decision_on.isoformat(), "reason_for_delay": reason},
    )
    await Letters(uow).add(letter)
    await uow.emit(
        LetterIssued(
            letter_id=letter.id,
            case_id=case.case_id,
            kind="preliminary_reply",
            language=place.tenant.language.value,
            expected_decision_on=cmd.expected_decision_on,
        )
    )
    return letter.id
