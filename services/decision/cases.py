"""The cases the decision service knows, from the other services' events, and the allocation meetings whose
agendas they go on: one use case per consumed event or meeting command, `(cmd, uow)`: load through the
repository (the unit of work's municipality only), call the aggregate, save, emit. Same layer as `commands`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from contracts.appeals import AppealOutcomeRecorded, AppealReversedByOffice
from contracts.assessment import AssessmentCompleted
from contracts.coordination import DecisionRequested
from contracts.deadlines import DeadlineDue
from contracts.decision import Outcome
from contracts.envelope import EventModel
from contracts.intake import (
    ApplicationRegistered,
    ApplicationWithdrawn,
    ChildCoordinatorApplicationRegistered,
    EmergencyMeasureRegistered,
)
from servicekit.db import UnitOfWork, new_id
from servicekit.errors import Conflict, DomainError, NotFound
from servicekit.tenants import MeetingSchedule
from services.decision import letters
from services.decision.config import Municipality
from services.decision.db import DecisionCases, Decisions, Meetings
from services.decision.domain import (
    AgendaItem,
    AgendaStatus,
    AppealOutcome,
    Attendee,
    CaseStatus,
    Decision,
    DecisionCase,
    DecisionStatus,
    EmergencyMeasure,
    ExpectedChild,
    FollowUp,
    Meeting,
    MeetingResult,
    Reversal,
    RightRequest,
    check_meeting_held,
    check_not_reopened,
    due_review_of,
)
from services.decision.schedule import MeetingSlot, agenda_meeting, next_meeting_after

_MEETING_NAMESPACE = uuid.UUID("6f1d8f0e-4a52-4a1e-9f0b-7d3c2a9b5e11")


# --- cases: what the other services tell us ------------------------------------------------------


async def _case(uow: UnitOfWork, case_id: str, **opening: Any) -> DecisionCase:
    """The case (locked), or a new one opened with what the event tells of it, when it is the first we hear."""
    cases = DecisionCases(uow)
    found = await cases.get(case_id, lock=True)
    if found is not None:
        return found
    opened = DecisionCase.opened(case_id, uow.municipality, uow.clock.now(), **opening)
    await cases.add(opened)
    return opened


async def _told(uow: UnitOfWork, case_id: str, known: dict[str, Any]) -> None:
    """What intake tells of a case: open it with that, or fill in what the case does not know yet."""
    cases = DecisionCases(uow)
    case = await cases.get(case_id, lock=True)
    if case is None:
        await cases.add(DecisionCase.opened(case_id, uow.municipality, uow.clock.now(), **known))
    else:
        case.fill_in(uow.clock.now(), **known)
        await cases.save(case)


async def register_application(event: ApplicationRegistered, uow: UnitOfWork) -> None:
    known: dict[str, Any] = {
        "person_id": event.person_id,
        "journal_number": event.journal_number,
        "service_code": event.service_code,
        "received_on": event.received_on,
        "route": event.route.value,
    }
    await _told(uow, event.case_id, known)


async def register_child_coordinator_application(event: ChildCoordinatorApplicationRegistered, uow: UnitOfWork) -> None:
    """A child coordinator was applied for: the right is decided when the coordinating unit asks. In pregnancy the
    case is about the expected child, and its letters go to the expecting parents who applied."""
    expected = None
    if event.child_person_id is None and event.expected_birth_on is not None:
        parents = (event.applicant_person_id, *([event.co_applicant_person_id] if event.co_applicant_person_id else []))
        expected = ExpectedChild(due_on=event.expected_birth_on, parents=parents)
    known: dict[str, Any] = {
        "person_id": event.child_person_id,
        "journal_number": event.journal_number,
        "received_on": event.received_on,
        "route": event.route.value,
        "expected_child": expected,
    }
    await _told(uow, event.case_id, known)


async def withdraw_application(event: ApplicationWithdrawn, uow: UnitOfWork) -> None:
    case = await DecisionCases(uow).get(event.case_id, lock=True)
    if case is None or not case.withdraw(uow.clock.now()):
        return
    if case.agenda_item_id:
        # The agenda item waits for nothing now (one the meeting concluded on stays as it is).
        await Meetings(uow).close_open_item(case.agenda_item_id, AgendaStatus.WITHDRAWN)
    decisions = Decisions(uow)
    draft = await decisions.pending_draft_of_case(event.case_id)
    if draft is not None:
        draft.withdraw()
        await decisions.save(draft)
    await DecisionCases(uow).save(case)


@dataclass(frozen=True)
class MeasureRegistered:
    """Intake registered an emergency measure (the municipality's rules are the unit of work's tenant's)."""

    place: Municipality
    data: EmergencyMeasureRegistered


async def register_emergency_measure(cmd: MeasureRegistered, uow: UnitOfWork) -> None:
    data, now = cmd.data, uow.clock.now()
    measure = EmergencyMeasure(
        unit=data.unit, service_code=data.service_code, started_at=data.started_at, registered_at=data.registered_at
    )
    case = await _case(
        uow, data.case_id, person_id=data.person_id, journal_number=data.journal_number, service_code=data.service_code
    )
    if case.closed:
        return
    place = cmd.place.deciding(case.route)
    case.receive_emergency_measure(measure, now)
    await DecisionCases(uow).save(case)
    schedule = place.config.meeting
    if schedule is not None and case.agenda_item_id is None:
        found = agenda_meeting(schedule, data.registered_at, emergency=True, now=now)
        await schedule_on_agenda(
            uow,
            place,
            case,
            schedule,
            found,
            reason="emergency_measure",
            emergency=True,
            submitted_at=data.registered_at,
        )


@dataclass(frozen=True)
class Recommendation:
    """The assessment is done; `submitted_at` is when (the event's time, the same on every redelivery)."""

    place: Municipality
    data: AssessmentCompleted
    submitted_at: datetime


async def receive_recommendation(cmd: Recommendation, uow: UnitOfWork) -> None:
    """The assessment is done: the case awaits a decision, and goes on the next allocation meeting it reaches."""
    data, submitted_at, now = cmd.data, cmd.submitted_at, uow.clock.now()
    case = await _case(uow, data.case_id, person_id=data.person_id)
    if case.status == CaseStatus.WITHDRAWN:
        return
    current = await Decisions(uow).current_of(data.case_id)
    check_not_reopened(data.case_id, current, by="a recommendation", quashed=case.quashed)
    place = cmd.place.deciding(case.route)
    recommendation = {
        **data.recommendation.model_dump(mode="json"),
        "assessment_id": data.assessment_id,
        "completed_by": data.completed_by,
        "submitted_at": submitted_at.isoformat(),
        "care_ladder_step": data.care_ladder_step,
        "bti_level": data.bti_level,
    }
    emergency = data.emergency_measure or case.emergency_measure is not None
    case.receive_recommendation(recommendation, data.person_id, now)
    await DecisionCases(uow).save(case)
    schedule = place.config.meeting
    if schedule is not None and case.agenda_item_id is None:
        found = agenda_meeting(schedule, submitted_at, emergency=emergency, now=now)
        reason = "emergency_measure" if emergency else "recommendation"
        await schedule_on_agenda(
            uow, place, case, schedule, found, reason=reason, emergency=emergency, submitted_at=submitted_at
        )


async def receive_request(event: DecisionRequested, uow: UnitOfWork) -> None:
    """The coordinating unit asks for a decision on a right: the office decides it, without a meeting."""
    case = await _case(uow, event.case_id, person_id=event.person_id)
    if case.status == CaseStatus.WITHDRAWN:
        return
    current = await Decisions(uow).current_of(event.case_id)
    check_not_reopened(event.case_id, current, by="a request for a decision", quashed=case.quashed)
    request = RightRequest(
        request_id=event.request_id,
        right=event.right.value,
        proposed=event.proposed.value,
        requested_by=event.requested_by,
    )
    case.receive_request(request, event.person_id, uow.clock.now())
    await DecisionCases(uow).save(case)


async def _appealed(uow: UnitOfWork, decision_id: str, case_id: str, *, lock: bool = False) -> Decision:
    """The appealed decision, of the case the event names (DomainError otherwise: dead-lettered)."""
    appealed = await Decisions(uow).get(decision_id, lock=lock)
    if appealed is None:
        raise DomainError(
            f"decision_id: no decision {decision_id} in municipality {uow.municipality}", field="decision_id"
        )
    if appealed.case_id != case_id:
        raise DomainError(f"decision_id: decision {decision_id} belongs to another case", field="decision_id")
    return appealed


async def receive_reversal(event: AppealReversedByOffice, uow: UnitOfWork) -> None:
    """The office found an appeal justified (in full or in part): the case awaits the new decision that supersedes
    the appealed one."""
    appealed = await _appealed(uow, event.decision_id, event.case_id)
    if appealed.status is not DecisionStatus.MADE:
        raise DomainError(f"decision_id: decision {event.decision_id} was never made", field="decision_id")
    case = await DecisionCases(uow).get(event.case_id, lock=True)
    if case is None:  # pragma: no cover - a made decision always has its case
        raise DomainError(f"case_id: no case {event.case_id}", field="case_id")
    reversal = Reversal(
        appeal_id=event.appeal_id, decision_id=event.decision_id, reversed_on=event.reversed_on, partial=event.partial
    )
    case.receive_reversal(reversal, uow.clock.now())
    await DecisionCases(uow).save(case)


async def receive_appeal_outcome(event: AppealOutcomeRecorded, uow: UnitOfWork) -> None:
    """The appeal body's outcome, recorded on the appealed decision (once: the same outcome again changes nothing).
    Reversed: the case awaits the decision that carries out the body's. Quashed: the decision is no longer in force,
    and the case awaits a new assessment and a new first decision."""
    now = uow.clock.now()
    decisions = Decisions(uow)
    # The case first, then its decision: the order `commands.decide` locks them in.
    case = await DecisionCases(uow).get(event.case_id, lock=True)
    appealed = await _appealed(uow, event.decision_id, event.case_id, lock=True)
    outcome = AppealOutcome(
        outcome_id=event.outcome_id,
        appeal_id=event.appeal_id,
        outcome=event.outcome,
        decided_on=event.decided_on,
        appeal_body=event.appeal_body,
    )
    if not appealed.record_appeal_outcome(outcome):
        return
    if case is None:  # pragma: no cover - a made decision always has its case
        raise DomainError(f"case_id: no case {event.case_id}", field="case_id")
    events: list[EventModel] = []
    if outcome.follow_up is FollowUp.REVERSAL:
        case.receive_reversal(outcome.reversal_of(appealed.id), now)
    elif outcome.follow_up is FollowUp.NEW_TREATMENT:
        clocks = await decisions.scheduled_clocks(appealed.id)
        events = appealed.quash(outcome, clocks)
        for clock in clocks:
            await decisions.cancel_clock(clock.id)
        case.receive_quash(outcome.quash_of(appealed.id), now)
    await decisions.save(appealed)
    await DecisionCases(uow).save(case)
    await uow.emit_all(events)


@dataclass(frozen=True)
class DueDeadline:
    """A clock ran out (DeadlineDue on deadlines.v1); the municipality's rules are the unit of work's tenant's."""

    place: Municipality
    data: DeadlineDue


async def receive_due_deadline(cmd: DueDeadline, uow: UnitOfWork) -> None:
    """A decision's review or evaluation fell due: the case is flagged for the office and, where the municipality
    holds allocation meetings, goes on the next meeting's agenda for the review. Any other service's clock, one a
    superseding decision stopped, or one acted on already (a redelivery) changes nothing."""
    decisions, cases = Decisions(uow), DecisionCases(uow)
    # The case first, then its clock: the order a decision that stops the clock locks them in.
    case = await cases.get(cmd.data.case_id, lock=True)
    clock = await decisions.clock(cmd.data.deadline_id, lock=True)
    due = due_review_of(clock)
    if due is None or clock is None or case is None or clock.case_id != case.case_id:
        return
    now = uow.clock.now()
    await decisions.clock_fell_due(due.deadline_id)
    if not case.review_falls_due(due, now):
        return
    await cases.save(case)
    place = cmd.place.deciding(case.route)
    schedule = place.config.meeting
    if schedule is not None and case.needs_agenda_for_review:
        found = agenda_meeting(schedule, now, emergency=False, now=now)
        await schedule_on_agenda(
            uow, place, case, schedule, found, reason=due.reason, emergency=False, submitted_at=now
        )


# --- meetings -----------------------------------------------------------------------------------


def meeting_id_of(municipality: str, meeting_on: date) -> str:
    """One meeting per municipality and day, with an id every replica derives alike."""
    return str(uuid.uuid5(_MEETING_NAMESPACE, f"{municipality}:{meeting_on.isoformat()}"))


async def schedule_on_agenda(
    uow: UnitOfWork,
    place: Municipality,
    case: DecisionCase,
    schedule: MeetingSchedule,
    found: MeetingSlot,
    *,
    reason: str,
    emergency: bool,
    submitted_at: datetime,
) -> str:
    """Put the case on the agenda of the meeting `found` (created on first need), once per meeting."""
    now = uow.clock.now()
    meetings = Meetings(uow)
    meeting = await meetings.ensure(
        Meeting(
            id=meeting_id_of(place.number, found.meeting_on),
            municipality=place.number,
            name=schedule.name,
            meeting_on=found.meeting_on,
            starts_at=found.starts_at,
            cutoff_at=found.cutoff_at,
            created_at=now,
        )
    )
    item = await meetings.item_for(meeting.id, case.case_id)
    if item is None:
        item = AgendaItem(
            id=new_id(),
            meeting_id=meeting.id,
            municipality=place.number,
            case_id=case.case_id,
            reason=reason,
            emergency_measure=emergency,
            submitted_at=submitted_at,
            status=AgendaStatus.OPEN,
            created_at=now,
        )
        await meetings.add_item(item)
    scheduled = case.put_on_agenda(item.id, meeting.id, found.meeting_on, emergency=emergency, now=now)
    await DecisionCases(uow).save(case)
    await uow.emit(scheduled)
    return item.id


async def _meeting(uow: UnitOfWork, meeting_id: str) -> Meeting:
    meeting = await Meetings(uow).get(meeting_id, lock=True)
    if meeting is None:
        raise NotFound(f"no meeting {meeting_id} in municipality {uow.municipality}", field="meeting_id")
    return meeting


@dataclass(frozen=True)
class RecordAttendees:
    """Record who attended a meeting (replaces the list)."""

    meeting_id: str
    attendees: list[Attendee]


async def record_attendees(cmd: RecordAttendees, uow: UnitOfWork) -> None:
    meeting = await _meeting(uow, cmd.meeting_id)
    held = meeting.record_attendees(cmd.attendees, by=uow.actor.subject, now=uow.clock.now(), today=uow.clock.today())
    letters.check_printable({f"attendees[{i}].name": a["name"] for i, a in enumerate(cmd.attendees)})
    await Meetings(uow).save_attendees(held)


@dataclass(frozen=True)
class RecordOutcome:
    """The meeting's conclusion on one case, or its postponement."""

    place: Municipality
    meeting_id: str
    case_id: str
    result: MeetingResult
    outcome: Outcome | None
    note: str | None


async def record_outcome(cmd: RecordOutcome, uow: UnitOfWork) -> None:
    """The meeting's conclusion on one case, or its postponement to the next meeting."""
    now = uow.clock.now()
    meetings = Meetings(uow)
    meeting = await _meeting(uow, cmd.meeting_id)
    check_meeting_held(meeting.meeting_on, uow.clock.today(), "a conclusion")
    item = await meetings.item_for(cmd.meeting_id, cmd.case_id)
    if item is None:
        raise NotFound(f"case {cmd.case_id} is not on the agenda of meeting {cmd.meeting_id}", field="case_id")
    recorded = item.record(cmd.result, cmd.outcome, cmd.note, held=meeting.held, by=uow.actor.subject, now=now)
    if cmd.note:
        letters.check_printable({"note": cmd.note})
    await meetings.save_item(recorded)
    if cmd.result is MeetingResult.POSTPONED:
        case = await DecisionCases(uow).get(cmd.case_id, lock=True)
        if case is None:  # pragma: no cover - an agenda item always has its case
            raise NotFound(f"no case {cmd.case_id}", field="case_id")
        place = cmd.place.deciding(case.route)
        schedule = place.config.meeting
        if schedule is None:
            raise Conflict("meeting_id: the municipality holds no allocation meetings any more; decide the case")
        following = next_meeting_after(schedule, meeting.starts_at)
        await schedule_on_agenda(
            uow,
            place,
            case,
            schedule,
            following,
            reason="postponed",
            emergency=item.emergency_measure,
            submitted_at=item.submitted_at,
        )
