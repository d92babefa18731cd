"""The cases the decision service knows, from the other services' events, and the allocation meetings
whose agendas they go on. Each use case runs in one unit of work; events go to the outbox."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from contracts.appeals import AppealReversedByOffice
from contracts.assessment import AssessmentCompleted
from contracts.coordination import DecisionRequested
from contracts.decision import (
    CaseScheduledForMeeting,
    Outcome,
)
from contracts.envelope import EventModel
from contracts.intake import ApplicationRegistered, EmergencyMeasureRegistered
from servicekit.actor import Actor
from servicekit.calendar import local_date
from servicekit.db import UnitOfWork, new_id
from servicekit.errors import Conflict, DomainError, NotFound
from servicekit.tenants import DecisionSettings, MeetingSchedule, Tenant
from services.decision import db, letters
from services.decision.config import decision_settings
from services.decision.domain import (
    AgendaStatus,
    CaseStatus,
    DecisionStatus,
    MeetingResult,
    check_meeting_held,
    check_not_reopened,
    check_outcome_record,
)
from services.decision.recipients import RecipientLookup, nobody
from services.decision.schedule import MeetingSlot, agenda_meeting, next_meeting_after

_MEETING_NAMESPACE = uuid.UUID("6f1d8f0e-4a52-4a1e-9f0b-7d3c2a9b5e11")
Row = dict[str, Any]


@dataclass(frozen=True)
class Municipality:
    """What the decision service knows of one municipality: its tenant configuration and its decision rules."""

    tenant: Tenant
    config: DecisionSettings
    recipients: RecipientLookup = nobody

    @classmethod
    def of(cls, tenant: Tenant, recipients: RecipientLookup = nobody) -> Municipality:
        """The municipality a unit of work acts for (`uow.tenant`), with its decision rules."""
        return cls(tenant=tenant, config=decision_settings(tenant), recipients=recipients)

    def deciding(self, route: str | None) -> Municipality:
        """This municipality as it decides a case of `route` (intake's; none while intake has not told us): the
        route's own office where the tenant file's `decision.routes` names one (Holtålen's adults)."""
        return replace(self, config=self.config.for_route(route))

    @property
    def number(self) -> str:
        return self.tenant.municipality

    def service_name(self, code: str) -> str:
        service = self.tenant.service(code)
        return service.name if service else code

    def unit_name(self, code: str) -> str:
        unit = self.tenant.unit(code)
        if unit is not None:
            return unit.name
        if self.tenant.children_unit and self.tenant.children_unit.code == code:
            return self.tenant.children_unit.name
        return code


async def emit(uow: UnitOfWork, municipality: str, case_id: str, event: EventModel) -> None:
    """Emit `event`; the unit of work refuses it unless it is about `case_id` of the municipality it acts for."""
    await uow.emit(event, subject=case_id, municipality=municipality)


# --- cases: what the other services tell us ------------------------------------------------------


async def _case_of(uow: UnitOfWork, municipality: str, case_id: str) -> Row | None:
    row = await db.get_case(uow.session, case_id, lock=True)
    if row is not None and row["municipality"] != municipality:
        raise DomainError(f"case_id: case {case_id} belongs to another municipality", field="case_id")
    return row


async def _open_case(uow: UnitOfWork, municipality: str, case_id: str, now: datetime, **fields: Any) -> Row:
    row = {
        **dict.fromkeys(db.decision_case.c.keys()),
        "case_id": case_id,
        "municipality": municipality,
        "status": CaseStatus.REGISTERED.value,
        "created_at": now,
        "updated_at": now,
        **fields,
    }
    await db.add(uow.session, db.decision_case, row)
    return row


async def update_case(uow: UnitOfWork, row: Row, now: datetime, **fields: Any) -> Row:
    await db.change(uow.session, db.decision_case, "case_id", row["case_id"], updated_at=now, **fields)
    return {**row, **fields, "updated_at": now}


def _awaiting(status: str) -> str:
    """A case that gets something to decide awaits a decision, unless a draft of it already waits for approval."""
    if status == CaseStatus.AWAITING_APPROVAL:
        return status
    return CaseStatus.AWAITING_DECISION.value


async def register_application(uow: UnitOfWork, municipality: str, data: ApplicationRegistered, now: datetime) -> None:
    known = {
        "person_id": data.person_id,
        "journal_number": data.journal_number,
        "service_code": data.service_code,
        "received_on": data.received_on,
        "route": data.route.value,
    }
    row = await _case_of(uow, municipality, data.case_id)
    if row is None:
        await _open_case(uow, municipality, data.case_id, now, **known)
    else:
        # Events from different topics come in any order: fill in, never move the case back.
        await update_case(uow, row, now, **{k: row[k] or v for k, v in known.items()})


async def withdraw_application(uow: UnitOfWork, municipality: str, case_id: str, now: datetime) -> None:
    row = await _case_of(uow, municipality, case_id)
    if row is None or row["status"] in (CaseStatus.DECIDED, CaseStatus.WITHDRAWN):
        return
    if row["agenda_item_id"]:
        item = await db.get_agenda_item(uow.session, row["agenda_item_id"])
        if item is not None and item["status"] == AgendaStatus.OPEN:
            await db.change(uow.session, db.agenda_item, "id", item["id"], status=AgendaStatus.WITHDRAWN.value)
    draft = await db.pending_draft_of_case(uow.session, case_id)
    if draft is not None:
        await db.change(uow.session, db.decision, "id", draft["id"], status=DecisionStatus.WITHDRAWN.value)
    await update_case(uow, row, now, status=CaseStatus.WITHDRAWN.value)


async def register_emergency_measure(
    uow: UnitOfWork, place: Municipality, data: EmergencyMeasureRegistered, now: datetime
) -> None:
    measure = {
        "unit": data.unit,
        "service_code": data.service_code,
        "started_at": data.started_at.isoformat(),
        "registered_at": data.registered_at.isoformat(),
    }
    row = await _case_of(uow, place.number, data.case_id)
    if row is None:
        row = await _open_case(
            uow,
            place.number,
            data.case_id,
            now,
            person_id=data.person_id,
            journal_number=data.journal_number,
            service_code=data.service_code,
        )
    if row["status"] in (CaseStatus.WITHDRAWN, CaseStatus.DECIDED):
        return
    place = place.deciding(row["route"])
    row = await update_case(uow, row, now, emergency_measure=measure, status=_awaiting(row["status"]))
    schedule = place.config.meeting
    if schedule is not None and row["agenda_item_id"] is None:
        found = agenda_meeting(schedule, data.registered_at, emergency=True, now=now)
        await schedule_on_agenda(
            uow,
            place,
            row,
            schedule,
            found,
            reason="emergency_measure",
            emergency=True,
            submitted_at=data.registered_at,
            now=now,
        )


async def receive_recommendation(
    uow: UnitOfWork, place: Municipality, data: AssessmentCompleted, submitted_at: datetime, now: datetime
) -> None:
    """The assessment is done: the case awaits a decision, and goes on the next allocation meeting it reaches."""
    row = await _case_of(uow, place.number, data.case_id)
    if row is None:
        row = await _open_case(uow, place.number, data.case_id, now, person_id=data.person_id)
    if row["status"] == CaseStatus.WITHDRAWN:
        return
    check_not_reopened(
        data.case_id, await db.current_decision_of(uow.session, place.number, data.case_id), by="a recommendation"
    )
    place = place.deciding(row["route"])
    recommendation = {
        **data.recommendation.model_dump(mode="json"),
        "assessment_id": data.assessment_id,
        "completed_by": data.completed_by,
        "submitted_at": submitted_at.isoformat(),
        "care_ladder_step": data.care_ladder_step,
        "bti_level": data.bti_level,
    }
    emergency = data.emergency_measure or row["emergency_measure"] is not None
    row = await update_case(
        uow,
        row,
        now,
        person_id=row["person_id"] or data.person_id,
        recommendation=recommendation,
        status=_awaiting(row["status"]),
    )
    schedule = place.config.meeting
    if schedule is not None and row["agenda_item_id"] is None:
        found = agenda_meeting(schedule, submitted_at, emergency=emergency, now=now)
        reason = "emergency_measure" if emergency else "recommendation"
        await schedule_on_agenda(
            uow, place, row, schedule, found, reason=reason, emergency=emergency, submitted_at=submitted_at, now=now
        )


async def receive_request(uow: UnitOfWork, municipality: str, data: DecisionRequested, now: datetime) -> None:
    """The coordinating unit asks for a decision on a right: the office decides it, without a meeting."""
    row = await _case_of(uow, municipality, data.case_id)
    if row is None:
        row = await _open_case(uow, municipality, data.case_id, now, person_id=data.person_id)
    if row["status"] == CaseStatus.WITHDRAWN:
        return
    check_not_reopened(
        data.case_id,
        await db.current_decision_of(uow.session, municipality, data.case_id),
        by="a request for a decision",
    )
    requests = [r for r in row["requests"] or [] if r["right"] != data.right.value]
    requests.append(
        {
            "request_id": data.request_id,
            "right": data.right.value,
            "proposed": data.proposed.value,
            "requested_by": data.requested_by,
        }
    )
    await update_case(
        uow, row, now, person_id=row["person_id"] or data.person_id, requests=requests, status=_awaiting(row["status"])
    )


async def receive_reversal(uow: UnitOfWork, municipality: str, data: AppealReversedByOffice, now: datetime) -> None:
    """The office found an appeal justified: the case awaits the new decision that supersedes the appealed one."""
    appealed = await db.get_decision(uow.session, data.decision_id)
    if appealed is None or appealed["municipality"] != municipality:
        raise DomainError(
            f"decision_id: no decision {data.decision_id} in municipality {municipality}", field="decision_id"
        )
    if appealed["case_id"] != data.case_id:
        raise DomainError(f"decision_id: decision {data.decision_id} belongs to another case", field="decision_id")
    if appealed["status"] != DecisionStatus.MADE:
        raise DomainError(f"decision_id: decision {data.decision_id} was never made", field="decision_id")
    row = await _case_of(uow, municipality, data.case_id)
    if row is None:  # pragma: no cover - a made decision always has its case
        raise DomainError(f"case_id: no case {data.case_id}", field="case_id")
    reversal = {
        "appeal_id": data.appeal_id,
        "decision_id": data.decision_id,
        "reversed_on": data.reversed_on.isoformat(),
    }
    await update_case(uow, row, now, reversal=reversal, status=_awaiting(row["status"]))


# --- meetings -----------------------------------------------------------------------------------


def meeting_id_of(municipality: str, meeting_on: date) -> str:
    """One meeting per municipality and day, with an id every replica derives alike."""
    return str(uuid.uuid5(_MEETING_NAMESPACE, f"{municipality}:{meeting_on.isoformat()}"))


async def schedule_on_agenda(
    uow: UnitOfWork,
    place: Municipality,
    case: Row,
    schedule: MeetingSchedule,
    found: MeetingSlot,
    *,
    reason: str,
    emergency: bool,
    submitted_at: datetime,
    now: datetime,
) -> str:
    meeting = await db.ensure_meeting(
        uow.session,
        {
            "id": meeting_id_of(place.number, found.meeting_on),
            "municipality": place.number,
            "name": schedule.name,
            "meeting_on": found.meeting_on,
            "starts_at": found.starts_at,
            "cutoff_at": found.cutoff_at,
            "attendees": [],
            "attendees_recorded_at": None,
            "attendees_recorded_by": None,
            "created_at": now,
        },
    )
    item = await db.agenda_item_for(uow.session, meeting["id"], case["case_id"])
    item_id = item["id"] if item is not None else new_id()
    if item is None:
        await db.add(
            uow.session,
            db.agenda_item,
            {
                "id": item_id,
                "meeting_id": meeting["id"],
                "municipality": place.number,
                "case_id": case["case_id"],
                "reason": reason,
                "emergency_measure": emergency,
                "submitted_at": submitted_at,
                "status": AgendaStatus.OPEN.value,
                "outcome": None,
                "note": None,
                "recorded_by": None,
                "recorded_at": None,
                "created_at": now,
            },
        )
    await update_case(uow, case, now, agenda_item_id=item_id)
    await emit(
        uow,
        place.number,
        case["case_id"],
        CaseScheduledForMeeting(
            case_id=case["case_id"], meeting_id=meeting["id"], meeting_on=found.meeting_on, emergency_measure=emergency
        ),
    )
    return item_id


async def _meeting_of(uow: UnitOfWork, actor: Actor, meeting_id: str) -> Row:
    meeting = await db.get_meeting(uow.session, meeting_id, lock=True)
    if meeting is None or meeting["municipality"] != actor.municipality:
        raise NotFound(f"no meeting {meeting_id} in municipality {actor.municipality}", field="meeting_id")
    return meeting


@dataclass(frozen=True)
class RecordAttendees:
    """Record who attended a meeting (replaces the list)."""

    meeting_id: str
    attendees: list[dict[str, Any]]


async def record_attendees(cmd: RecordAttendees, uow: UnitOfWork) -> None:
    actor, meeting_id, attendees = uow.actor, cmd.meeting_id, cmd.attendees
    now = uow.clock.now()
    today = local_date(now)
    meeting = await _meeting_of(uow, actor, meeting_id)
    check_meeting_held(meeting["meeting_on"], today, "attendance")
    letters.check_printable({f"attendees[{i}].name": a["name"] for i, a in enumerate(attendees)})
    await db.change(
        uow.session,
        db.meeting,
        "id",
        meeting_id,
        attendees=attendees,
        attendees_recorded_at=now,
        attendees_recorded_by=actor.subject,
    )


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
    actor, place, meeting_id, case_id, result, outcome, note = (
        uow.actor,
        cmd.place,
        cmd.meeting_id,
        cmd.case_id,
        cmd.result,
        cmd.outcome,
        cmd.note,
    )
    now = uow.clock.now()
    today = local_date(now)
    meeting = await _meeting_of(uow, actor, meeting_id)
    check_meeting_held(meeting["meeting_on"], today, "a conclusion")
    item = await db.agenda_item_for(uow.session, meeting_id, case_id)
    if item is None:
        raise NotFound(f"case {case_id} is not on the agenda of meeting {meeting_id}", field="case_id")
    check_outcome_record(
        result,
        outcome,
        attendees_recorded=meeting["attendees_recorded_at"] is not None,
        agenda_status=AgendaStatus(item["status"]),
    )
    if note:
        letters.check_printable({"note": note})
    status = AgendaStatus.CONCLUDED if result is MeetingResult.CONCLUDED else AgendaStatus.POSTPONED
    await db.change(
        uow.session,
        db.agenda_item,
        "id",
        item["id"],
        status=status.value,
        outcome=outcome.value if outcome else None,
        note=note,
        recorded_by=actor.subject,
        recorded_at=now,
    )
    if result is MeetingResult.POSTPONED:
        case = await db.get_case(uow.session, case_id, lock=True)
        if case is None:  # pragma: no cover - an agenda item always has its case
            raise NotFound(f"no case {case_id}", field="case_id")
        place = place.deciding(case["route"])
        schedule = place.config.meeting
        if schedule is None:
            raise Conflict("meeting_id: the municipality holds no allocation meetings any more; decide the case")
        following = next_meeting_after(schedule, meeting["starts_at"])
        await schedule_on_agenda(
            uow,
            place,
            case,
            schedule,
            following,
            reason="postponed",
            emergency=item["emergency_measure"],
            submitted_at=item["submitted_at"],
            now=now,
        )
