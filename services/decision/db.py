"""Decision's tables and repository: cases awaiting decision, meetings and agendas, decisions, letters, orders.

Every repository (`DecisionCases(uow)`, `Meetings(uow)`, `Decisions(uow)`, `ServiceOrders(uow)`, `Letters(uow)`)
reads and writes the unit of work's municipality only: its getters filter by it in SQL (so no row of another
municipality is loaded, let alone locked), and they map rows to the domain's dataclasses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    LargeBinary,
    Row,
    Select,
    String,
    Table,
    Text,
    UniqueConstraint,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from contracts.appeals import BodyOutcome
from contracts.decision import AppealInformation, DecidedBy, DecisionKind, Outcome, ReviewResult
from servicekit.db import UnitOfWork, UtcDateTime, new_metadata
from servicekit.errors import DomainError
from services.decision.domain import (
    CLOCK_DUE,
    AgendaEntry,
    AgendaItem,
    AgendaState,
    AgendaStatus,
    AppealOutcome,
    Approval,
    CaseStatus,
    CurrentDecision,
    Decision,
    DecisionCase,
    DecisionClock,
    DecisionStatus,
    DueReview,
    EmergencyMeasure,
    ExpectedChild,
    Letter,
    Meeting,
    QuashedDecision,
    Reasons,
    Reversal,
    RightRequest,
    ServiceLine,
    ServiceOrder,
)

metadata = new_metadata()

# One row per case the decision service knows: from intake, the assessment, the coordinating unit or an appeal.
# Free text (the assessor's reasons, health information) never arrives here; only codes, dates and ids.
decision_case = Table(
    "decision_case",
    metadata,
    Column("case_id", String(64), primary_key=True),
    Column("municipality", String(4), nullable=False),
    Column("person_id", String(100), nullable=True),
    Column("journal_number", String(20), nullable=True),
    Column("service_code", String(60), nullable=True, doc="the service applied for"),
    Column("received_on", Date, nullable=True),
    Column("status", String(30), nullable=False),
    Column("route", String(30), nullable=True, doc="intake's route: who decides (contracts.intake.Route)"),
    Column("emergency_measure", JSON, nullable=True, doc="unit, service_code, started_at, registered_at"),
    Column("recommendation", JSON, nullable=True, doc="the assessment's recommendation, with when it was submitted"),
    Column("requests", JSON, nullable=True, doc="open DecisionRequested: request_id, right, proposed, requested_by"),
    Column(
        "reversal",
        JSON,
        nullable=True,
        doc="open reversal after appeal: appeal_id, decision_id, reversed_on; the appeal body's: appeal_body, "
        "outcome_id; partial",
    ),
    Column("agenda_item_id", String(36), nullable=True, doc="the case's agenda item since its last decision"),
    Column("expected_child", JSON, nullable=True, doc="a child not yet born: due_on and the expecting parents"),
    Column(
        "quashed",
        JSON,
        nullable=True,
        doc="the decision the appeal body quashed, while the case is treated anew: decision_id, outcome_id, "
        "quashed_on, appeal_body",
    ),
    Column(
        "due_review",
        JSON,
        nullable=True,
        doc="a review or evaluation of the case's decision that fell due, flagged for the office: deadline_id, "
        "decision_id, kind, due_on",
    ),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index("ix_decision_case_municipality_status", "municipality", "status"),
)

meeting = Table(
    "meeting",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("municipality", String(4), nullable=False),
    Column("name", String(200), nullable=False),
    Column("meeting_on", Date, nullable=False),
    Column("starts_at", UtcDateTime(), nullable=False),
    Column("cutoff_at", UtcDateTime(), nullable=False),
    Column("attendees", JSON, nullable=False),
    Column("attendees_recorded_at", UtcDateTime(), nullable=True),
    Column("attendees_recorded_by", String(200), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("municipality", "meeting_on", name="uq_meeting_municipality_meeting_on"),
)

agenda_item = Table(
    "agenda_item",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("meeting_id", String(36), ForeignKey("meeting.id"), nullable=False, index=True),
    Column("municipality", String(4), nullable=False),
    Column("case_id", String(64), ForeignKey("decision_case.case_id"), nullable=False, index=True),
    Column("reason", String(30), nullable=False, doc="recommendation | emergency_measure | postponed"),
    Column("emergency_measure", Boolean, nullable=False),
    Column("submitted_at", UtcDateTime(), nullable=False),
    Column("status", String(20), nullable=False),
    Column("outcome", String(30), nullable=True, doc="the meeting's conclusion"),
    Column("note", Text, nullable=True),
    Column("recorded_by", String(200), nullable=True),
    Column("recorded_at", UtcDateTime(), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("meeting_id", "case_id", name="uq_agenda_item_meeting_id"),
)

decision = Table(
    "decision",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("municipality", String(4), nullable=False),
    Column("case_id", String(64), ForeignKey("decision_case.case_id"), nullable=False, index=True),
    Column("person_id", String(100), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("status", String(30), nullable=False),
    Column("outcome", String(30), nullable=False),
    Column("services", JSON, nullable=False, doc="granted: service_code, hours_per_week, start_on, end_on"),
    Column("refused_services", JSON, nullable=False),
    Column("legal_basis", JSON, nullable=False),
    Column("reasons", JSON, nullable=False, doc="facts, rules, considerations (forvaltningsloven §§ 24-25)"),
    Column("decided_by", String(20), nullable=False),
    Column("decided_on", Date, nullable=True, doc="set when the decision is made"),
    Column("appeal", JSON, nullable=True),
    Column("supersedes", String(36), nullable=True),
    Column("superseded_by", String(36), nullable=True),
    Column("review_result", String(20), nullable=True),
    Column("meeting_id", String(36), nullable=True),
    Column("required_units", JSON, nullable=False, doc="units whose leader must approve (unit_leader authority)"),
    Column("order_units", JSON, nullable=False, doc="the unit each granted service is ordered from"),
    Column("letter_id", String(36), nullable=True),
    Column("returned_reason", Text, nullable=True),
    Column(
        "appeal_outcomes",
        JSON,
        nullable=True,
        doc="the appeal body's outcomes of appeals against it: outcome_id, appeal_id, outcome, decided_on, appeal_body",
    ),
    Column("quashed_on", Date, nullable=True, doc="the day the appeal body quashed it"),
    Column("quashed_by_outcome", String(64), nullable=True, doc="the appeal body's outcome that quashed it"),
    Column("drafted_by", String(200), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("made_at", UtcDateTime(), nullable=True),
    Index("ix_decision_municipality_status", "municipality", "status"),
)

decision_approval = Table(
    "decision_approval",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("decision_id", String(36), ForeignKey("decision.id"), nullable=False, index=True),
    Column("unit", String(60), nullable=False),
    Column("approved", Boolean, nullable=False),
    Column("reason", Text, nullable=True),
    Column("recorded_by", String(200), nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
    UniqueConstraint("decision_id", "unit", name="uq_decision_approval_decision_id"),
)

service_order = Table(
    "service_order",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("municipality", String(4), nullable=False),
    Column("decision_id", String(36), ForeignKey("decision.id"), nullable=False, index=True),
    Column("case_id", String(64), nullable=False),
    Column("unit", String(60), nullable=False),
    Column("service_code", String(60), nullable=False),
    Column("hours_per_week", Float, nullable=True),
    Column("start_on", Date, nullable=False),
    Column("end_on", Date, nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Index("ix_service_order_municipality_unit", "municipality", "unit"),
)

letter = Table(
    "letter",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("municipality", String(4), nullable=False),
    Column("case_id", String(64), nullable=False, index=True),
    Column("decision_id", String(36), nullable=True),
    Column("kind", String(30), nullable=False, doc="decision | preliminary_reply"),
    Column("language", String(2), nullable=False),
    Column("issued_on", Date, nullable=False),
    Column("details", JSON, nullable=False, doc="preliminary reply: expected_decision_on, reason_for_delay"),
    Column("text", Text, nullable=False, doc="the rendered template, as set in the PDF"),
    Column("pdf", LargeBinary, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

# The clocks this service started, so a superseding decision can stop them.
decision_deadline = Table(
    "decision_deadline",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("municipality", String(4), nullable=False),
    Column("decision_id", String(36), ForeignKey("decision.id"), nullable=False, index=True),
    Column("case_id", String(64), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("due_on", Date, nullable=False),
    Column("status", String(20), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)


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


def _lines(services: Sequence[dict[str, Any]]) -> tuple[ServiceLine, ...]:
    return tuple(
        ServiceLine(
            service_code=s["service_code"],
            hours_per_week=s.get("hours_per_week"),
            start_on=date.fromisoformat(s["start_on"]),
            end_on=date.fromisoformat(s["end_on"]) if s.get("end_on") else None,
        )
        for s in services
    )


def _fields(row: Row[Any]) -> dict[str, Any]:
    return dict(row._mapping)


# --- cases ---------------------------------------------------------------------------------------------------------


def _case_of(row: Row[Any]) -> DecisionCase:
    fields = _fields(row)
    measure, reversal, expected = fields["emergency_measure"], fields["reversal"], fields["expected_child"]
    quashed, due = fields["quashed"], fields["due_review"]
    return DecisionCase(
        **{
            **fields,
            "status": CaseStatus(fields["status"]),
            "emergency_measure": None
            if measure is None
            else EmergencyMeasure(
                unit=measure["unit"],
                service_code=measure["service_code"],
                started_at=datetime.fromisoformat(measure["started_at"]),
                registered_at=datetime.fromisoformat(measure["registered_at"]),
            ),
            "requests": tuple(RightRequest(**r) for r in fields["requests"] or ()),
            "reversal": None
            if reversal is None
            else Reversal(
                appeal_id=reversal["appeal_id"],
                decision_id=reversal["decision_id"],
                reversed_on=date.fromisoformat(reversal["reversed_on"]),
                appeal_body=reversal.get("appeal_body"),
                outcome_id=reversal.get("outcome_id"),
                partial=bool(reversal.get("partial", False)),
            ),
            "expected_child": None
            if expected is None
            else ExpectedChild(due_on=date.fromisoformat(expected["due_on"]), parents=tuple(expected["parents"])),
            "quashed": None
            if quashed is None
            else QuashedDecision(
                decision_id=quashed["decision_id"],
                outcome_id=quashed["outcome_id"],
                quashed_on=date.fromisoformat(quashed["quashed_on"]),
                appeal_body=quashed["appeal_body"],
            ),
            "due_review": None
            if due is None
            else DueReview(
                deadline_id=due["deadline_id"],
                decision_id=due["decision_id"],
                kind=due["kind"],
                due_on=date.fromisoformat(due["due_on"]),
            ),
        }
    )


def measure_json(measure: EmergencyMeasure) -> dict[str, Any]:
    """An emergency measure as stored (and shown): its times in ISO 8601."""
    return {
        "unit": measure.unit,
        "service_code": measure.service_code,
        "started_at": measure.started_at.isoformat(),
        "registered_at": measure.registered_at.isoformat(),
    }


def _case_values(case: DecisionCase) -> dict[str, Any]:
    return {
        "person_id": case.person_id,
        "journal_number": case.journal_number,
        "service_code": case.service_code,
        "received_on": case.received_on,
        "status": case.status.value,
        "route": case.route,
        "emergency_measure": measure_json(case.emergency_measure) if case.emergency_measure else None,
        "recommendation": case.recommendation,
        "requests": [asdict(r) for r in case.requests] or None,
        "reversal": None
        if case.reversal is None
        else {
            "appeal_id": case.reversal.appeal_id,
            "decision_id": case.reversal.decision_id,
            "reversed_on": case.reversal.reversed_on.isoformat(),
            "appeal_body": case.reversal.appeal_body,
            "outcome_id": case.reversal.outcome_id,
            "partial": case.reversal.partial,
        },
        "agenda_item_id": case.agenda_item_id,
        "expected_child": None
        if case.expected_child is None
        else {"due_on": case.expected_child.due_on.isoformat(), "parents": list(case.expected_child.parents)},
        "quashed": None
        if case.quashed is None
        else {
            "decision_id": case.quashed.decision_id,
            "outcome_id": case.quashed.outcome_id,
            "quashed_on": case.quashed.quashed_on.isoformat(),
            "appeal_body": case.quashed.appeal_body,
        },
        "due_review": None
        if case.due_review is None
        else {**asdict(case.due_review), "due_on": case.due_review.due_on.isoformat()},
        "updated_at": case.updated_at,
    }


class DecisionCases:
    """The cases of the unit of work's municipality."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._session = uow.session
        self._municipality = uow.municipality

    def _mine(self) -> Select[Any]:
        return select(decision_case).where(decision_case.c.municipality == self._municipality)

    async def get(self, case_id: str, *, lock: bool = False) -> DecisionCase | None:
        query = self._mine().where(decision_case.c.case_id == case_id)
        if lock:
            query = query.with_for_update()
        row = (await self._session.execute(query)).one_or_none()
        return None if row is None else _case_of(row)

    async def page(self, statuses: Sequence[CaseStatus], *, limit: int, offset: int) -> list[DecisionCase]:
        query = (
            self._mine()
            .where(decision_case.c.status.in_([s.value for s in statuses]))
            .order_by(decision_case.c.updated_at, decision_case.c.case_id)
            .limit(limit)
            .offset(offset)
        )
        return [_case_of(r) for r in (await self._session.execute(query)).all()]

    async def add(self, case: DecisionCase) -> None:
        """Store a new case. A case id taken by another municipality's case is a DomainError (ours is found by
        `get`); a case of ours stored meanwhile by another transaction is the database's error (retried)."""
        if case.municipality != self._municipality:
            raise ValueError(f"case of municipality {case.municipality} in a unit of work for {self._municipality}")
        try:
            async with self._session.begin_nested():
                await self._session.execute(
                    insert(decision_case).values(
                        case_id=case.case_id,
                        municipality=case.municipality,
                        created_at=case.created_at,
                        **_case_values(case),
                    )
                )
        except IntegrityError:
            if await self.get(case.case_id) is not None:
                raise
            raise DomainError(
                f"case_id: case {case.case_id} belongs to another municipality", field="case_id"
            ) from None

    async def save(self, case: DecisionCase) -> None:
        await self._session.execute(
            update(decision_case)
            .where(decision_case.c.case_id == case.case_id, decision_case.c.municipality == self._municipality)
            .values(**_case_values(case))
        )


# --- meetings and agendas ------------------------------------------------------------------------------------------


def _meeting_of(row: Row[Any]) -> Meeting:
    fields = _fields(row)
    return Meeting(**{**fields, "attendees": tuple(fields["attendees"] or ())})


def _item_of(row: Row[Any]) -> AgendaItem:
    fields = {k: v for k, v in _fields(row).items() if k in agenda_item.c}
    return AgendaItem(
        **{
            **fields,
            "status": AgendaStatus(fields["status"]),
            "outcome": Outcome(fields["outcome"]) if fields["outcome"] else None,
        }
    )


class Meetings:
    """The allocation meetings of the unit of work's municipality, and their agendas."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._session = uow.session
        self._municipality = uow.municipality

    async def get(self, meeting_id: str, *, lock: bool = False) -> Meeting | None:
        query = select(meeting).where(meeting.c.id == meeting_id, meeting.c.municipality == self._municipality)
        if lock:
            query = query.with_for_update()
        row = (await self._session.execute(query)).one_or_none()
        return None if row is None else _meeting_of(row)

    async def ensure(self, new: Meeting) -> Meeting:
        """The meeting of that municipality and day, created on first need (two cases may race to create it)."""
        if new.municipality != self._municipality:
            raise ValueError(f"meeting of municipality {new.municipality} in a unit of work for {self._municipality}")
        found = await self.get(new.id)
        if found is not None:
            return found
        try:
            async with self._session.begin_nested():
                await self._session.execute(
                    insert(meeting).values(
                        id=new.id,
                        municipality=new.municipality,
                        name=new.name,
                        meeting_on=new.meeting_on,
                        starts_at=new.starts_at,
                        cutoff_at=new.cutoff_at,
                        attendees=list(new.attendees),
                        attendees_recorded_at=new.attendees_recorded_at,
                        attendees_recorded_by=new.attendees_recorded_by,
                        created_at=new.created_at,
                    )
                )
        except IntegrityError:
            found = await self.get(new.id)
            if found is None:
                raise
            return found
        return new

    async def page(self, *, from_on: date | None, to_on: date | None, limit: int) -> list[Meeting]:
        query = select(meeting).where(meeting.c.municipality == self._municipality)
        if from_on is not None:
            query = query.where(meeting.c.meeting_on >= from_on)
        if to_on is not None:
            query = query.where(meeting.c.meeting_on <= to_on)
        rows = await self._session.execute(query.order_by(meeting.c.meeting_on).limit(limit))
        return [_meeting_of(r) for r in rows.all()]

    async def save_attendees(self, changed: Meeting) -> None:
        await self._session.execute(
            update(meeting)
            .where(meeting.c.id == changed.id, meeting.c.municipality == self._municipality)
            .values(
                attendees=list(changed.attendees),
                attendees_recorded_at=changed.attendees_recorded_at,
                attendees_recorded_by=changed.attendees_recorded_by,
            )
        )

    async def agenda_of(self, meeting_ids: Sequence[str]) -> list[AgendaEntry]:
        if not meeting_ids:
            return []
        query = (
            select(agenda_item, decision_case.c.person_id, decision_case.c.recommendation)
            .join(decision_case, decision_case.c.case_id == agenda_item.c.case_id)
            .where(agenda_item.c.meeting_id.in_(list(meeting_ids)), agenda_item.c.municipality == self._municipality)
            .order_by(agenda_item.c.emergency_measure.desc(), agenda_item.c.submitted_at, agenda_item.c.id)
        )
        return [
            AgendaEntry(item=_item_of(r), person_id=r.person_id, recommendation=r.recommendation)
            for r in (await self._session.execute(query)).all()
        ]

    async def item(self, item_id: str) -> AgendaItem | None:
        query = select(agenda_item).where(agenda_item.c.id == item_id, agenda_item.c.municipality == self._municipality)
        row = (await self._session.execute(query)).one_or_none()
        return None if row is None else _item_of(row)

    async def agenda_state(self, item_id: str) -> AgendaState | None:
        """Where an agenda item stands: its meeting and day, its status and the meeting's conclusion."""
        query = (
            select(agenda_item.c.meeting_id, agenda_item.c.status, agenda_item.c.outcome, meeting.c.meeting_on)
            .join(meeting, meeting.c.id == agenda_item.c.meeting_id)
            .where(agenda_item.c.id == item_id, agenda_item.c.municipality == self._municipality)
        )
        row = (await self._session.execute(query)).one_or_none()
        if row is None:
            return None
        return AgendaState(
            meeting_id=row.meeting_id,
            meeting_on=row.meeting_on,
            status=AgendaStatus(row.status),
            outcome=Outcome(row.outcome) if row.outcome else None,
        )

    async def item_for(self, meeting_id: str, case_id: str) -> AgendaItem | None:
        query = select(agenda_item).where(
            agenda_item.c.meeting_id == meeting_id,
            agenda_item.c.case_id == case_id,
            agenda_item.c.municipality == self._municipality,
        )
        row = (await self._session.execute(query)).one_or_none()
        return None if row is None else _item_of(row)

    async def add_item(self, item: AgendaItem) -> None:
        if item.municipality != self._municipality:
            raise ValueError(f"agenda item of {item.municipality} in a unit of work for {self._municipality}")
        await self._session.execute(
            insert(agenda_item).values(
                id=item.id,
                meeting_id=item.meeting_id,
                municipality=item.municipality,
                case_id=item.case_id,
                reason=item.reason,
                emergency_measure=item.emergency_measure,
                submitted_at=item.submitted_at,
                status=item.status.value,
                outcome=item.outcome.value if item.outcome else None,
                note=item.note,
                recorded_by=item.recorded_by,
                recorded_at=item.recorded_at,
                created_at=item.created_at,
            )
        )

    async def save_item(self, item: AgendaItem) -> None:
        await self._session.execute(
            update(agenda_item)
            .where(agenda_item.c.id == item.id, agenda_item.c.municipality == self._municipality)
            .values(
                status=item.status.value,
                outcome=item.outcome.value if item.outcome else None,
                note=item.note,
                recorded_by=item.recorded_by,
                recorded_at=item.recorded_at,
            )
        )

    async def close_open_item(self, item_id: str, status: AgendaStatus) -> None:
        """An open agenda item no longer needs the meeting (decided or withdrawn); a concluded one stays."""
        await self._session.execute(
            update(agenda_item)
            .where(
                agenda_item.c.id == item_id,
                agenda_item.c.municipality == self._municipality,
                agenda_item.c.status == AgendaStatus.OPEN.value,
            )
            .values(status=status.value)
        )


# --- decisions, approvals and their clocks -------------------------------------------------------------------------


def _decision_of(row: Row[Any]) -> Decision:
    f = _fields(row)
    return Decision(
        id=f["id"],
        municipality=f["municipality"],
        case_id=f["case_id"],
        person_id=f["person_id"],
        kind=DecisionKind(f["kind"]),
        status=DecisionStatus(f["status"]),
        outcome=Outcome(f["outcome"]),
        services=_lines(f["services"]),
        refused_services=tuple(f["refused_services"]),
        legal_basis=tuple(f["legal_basis"]),
        reasons=Reasons(**f["reasons"]),
        decided_by=DecidedBy(f["decided_by"]),
        drafted_by=f["drafted_by"],
        created_at=f["created_at"],
        required_units=tuple(f["required_units"]),
        order_units=tuple(f["order_units"]),
        decided_on=f["decided_on"],
        appeal=AppealInformation.model_validate(f["appeal"]) if f["appeal"] else None,
        supersedes=f["supersedes"],
        superseded_by=f["superseded_by"],
        review_result=ReviewResult(f["review_result"]) if f["review_result"] else None,
        meeting_id=f["meeting_id"],
        letter_id=f["letter_id"],
        returned_reason=f["returned_reason"],
        made_at=f["made_at"],
        appeal_outcomes=tuple(
            AppealOutcome(
                outcome_id=o["outcome_id"],
                appeal_id=o["appeal_id"],
                outcome=BodyOutcome(o["outcome"]),
                decided_on=date.fromisoformat(o["decided_on"]),
                appeal_body=o["appeal_body"],
            )
            for o in f["appeal_outcomes"] or ()
        ),
        quashed_on=f["quashed_on"],
        quashed_by_outcome=f["quashed_by_outcome"],
    )


def _outcomes_json(outcomes: Sequence[AppealOutcome]) -> list[dict[str, Any]] | None:
    return [
        {
            "outcome_id": o.outcome_id,
            "appeal_id": o.appeal_id,
            "outcome": o.outcome.value,
            "decided_on": o.decided_on.isoformat(),
            "appeal_body": o.appeal_body,
        }
        for o in outcomes
    ] or None


def _decision_changes(d: Decision) -> dict[str, Any]:
    """What may change of a stored decision."""
    return {
        "status": d.status.value,
        "decided_on": d.decided_on,
        "appeal": d.appeal.model_dump(mode="json") if d.appeal else None,
        "superseded_by": d.superseded_by,
        "letter_id": d.letter_id,
        "returned_reason": d.returned_reason,
        "made_at": d.made_at,
        "appeal_outcomes": _outcomes_json(d.appeal_outcomes),
        "quashed_on": d.quashed_on,
        "quashed_by_outcome": d.quashed_by_outcome,
    }


class Decisions:
    """The decisions of the unit of work's municipality, their approvals and the clocks they started."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._session = uow.session
        self._municipality = uow.municipality

    def _mine(self) -> Select[Any]:
        return select(decision).where(decision.c.municipality == self._municipality)

    async def get(self, decision_id: str, *, lock: bool = False) -> Decision | None:
        query = self._mine().where(decision.c.id == decision_id)
        if lock:
            query = query.with_for_update()
        row = (await self._session.execute(query)).one_or_none()
        return None if row is None else _decision_of(row)

    async def page(
        self, *, case_id: str | None, status: DecisionStatus | None, limit: int, offset: int
    ) -> list[Decision]:
        query = self._mine()
        if case_id is not None:
            query = query.where(decision.c.case_id == case_id)
        if status is not None:
            query = query.where(decision.c.status == status.value)
        query = query.order_by(decision.c.created_at.desc(), decision.c.id).limit(limit).offset(offset)
        return [_decision_of(r) for r in (await self._session.execute(query)).all()]

    async def add(self, new: Decision) -> None:
        if new.municipality != self._municipality:
            raise ValueError(f"decision of {new.municipality} in a unit of work for {self._municipality}")
        await self._session.execute(
            insert(decision).values(
                id=new.id,
                municipality=new.municipality,
                case_id=new.case_id,
                person_id=new.person_id,
                kind=new.kind.value,
                outcome=new.outcome.value,
                services=_services_json(new.services),
                refused_services=list(new.refused_services),
                legal_basis=list(new.legal_basis),
                reasons={
                    "facts": new.reasons.facts,
                    "rules": new.reasons.rules,
                    "considerations": new.reasons.considerations,
                },
                decided_by=new.decided_by.value,
                supersedes=new.supersedes,
                review_result=new.review_result.value if new.review_result else None,
                meeting_id=new.meeting_id,
                required_units=list(new.required_units),
                order_units=list(new.order_units),
                drafted_by=new.drafted_by,
                created_at=new.created_at,
                **_decision_changes(new),
            )
        )

    async def save(self, changed: Decision) -> None:
        await self._session.execute(
            update(decision)
            .where(decision.c.id == changed.id, decision.c.municipality == self._municipality)
            .values(**_decision_changes(changed))
        )

    async def has_pending_successor(self, decision_id: str) -> bool:
        query = select(decision.c.id).where(
            decision.c.municipality == self._municipality,
            decision.c.supersedes == decision_id,
            decision.c.status == DecisionStatus.AWAITING_APPROVAL.value,
        )
        return (await self._session.scalar(query)) is not None

    async def current_of(self, case_id: str) -> CurrentDecision | None:
        """The case's decision now: made and not superseded (none while the case has no made decision)."""
        query = (
            select(decision.c.id, decision.c.kind, decision.c.decided_on)
            .where(
                decision.c.municipality == self._municipality,
                decision.c.case_id == case_id,
                decision.c.status == DecisionStatus.MADE.value,
                decision.c.superseded_by.is_(None),
            )
            .order_by(decision.c.made_at.desc(), decision.c.id)
        )
        found = (await self._session.execute(query)).first()
        if found is None:
            return None
        return CurrentDecision(decision_id=found.id, kind=DecisionKind(found.kind), decided_on=found.decided_on)

    async def of_case(self, case_id: str) -> list[Decision]:
        """The case's decisions, in the order they were drafted: its history."""
        query = self._mine().where(decision.c.case_id == case_id).order_by(decision.c.created_at, decision.c.id)
        return [_decision_of(r) for r in (await self._session.execute(query)).all()]

    async def in_force_after(self, decision_id: str) -> str:
        """The decision in force in the line that starts at `decision_id`: that decision, or the last of the
        decisions that superseded it in turn (a review, or the office's partial reversal before the appeal body's
        outcome)."""
        current, seen = decision_id, {decision_id}
        while True:
            query = select(decision.c.superseded_by).where(
                decision.c.municipality == self._municipality, decision.c.id == current
            )
            following = await self._session.scalar(query)
            if following is None or following in seen:
                return current
            seen.add(following)
            current = following

    async def pending_draft_of_case(self, case_id: str) -> Decision | None:
        query = self._mine().where(
            decision.c.case_id == case_id, decision.c.status == DecisionStatus.AWAITING_APPROVAL.value
        )
        row = (await self._session.execute(query)).first()
        return None if row is None else _decision_of(row)

    async def approvals_of(self, decision_ids: Sequence[str]) -> list[Approval]:
        if not decision_ids:
            return []
        query = (
            select(decision_approval)
            .join(decision, decision.c.id == decision_approval.c.decision_id)
            .where(
                decision_approval.c.decision_id.in_(list(decision_ids)), decision.c.municipality == self._municipality
            )
            .order_by(decision_approval.c.recorded_at, decision_approval.c.id)
        )
        return [Approval(**_fields(r)) for r in (await self._session.execute(query)).all()]

    async def add_approval(self, approval: Approval) -> None:
        await self._session.execute(
            insert(decision_approval).values(
                id=approval.id,
                decision_id=approval.decision_id,
                unit=approval.unit,
                approved=approval.approved,
                reason=approval.reason,
                recorded_by=approval.recorded_by,
                recorded_at=approval.recorded_at,
            )
        )

    async def clocks_of(self, decision_ids: Sequence[str]) -> list[DecisionClock]:
        if not decision_ids:
            return []
        query = (
            select(decision_deadline)
            .where(
                decision_deadline.c.decision_id.in_(list(decision_ids)),
                decision_deadline.c.municipality == self._municipality,
            )
            .order_by(decision_deadline.c.due_on, decision_deadline.c.id)
        )
        return [DecisionClock(**_fields(r)) for r in (await self._session.execute(query)).all()]

    async def clock(self, clock_id: str, *, lock: bool = False) -> DecisionClock | None:
        """One clock this service started, of the unit of work's municipality (None: not ours)."""
        query = select(decision_deadline).where(
            decision_deadline.c.id == clock_id, decision_deadline.c.municipality == self._municipality
        )
        if lock:
            query = query.with_for_update()
        row = (await self._session.execute(query)).one_or_none()
        return None if row is None else DecisionClock(**_fields(row))

    async def clock_fell_due(self, clock_id: str) -> None:
        await self._session.execute(
            update(decision_deadline)
            .where(decision_deadline.c.id == clock_id, decision_deadline.c.municipality == self._municipality)
            .values(status=CLOCK_DUE)
        )

    async def scheduled_clocks(self, decision_id: str) -> list[DecisionClock]:
        query = select(decision_deadline).where(
            decision_deadline.c.decision_id == decision_id,
            decision_deadline.c.municipality == self._municipality,
            decision_deadline.c.status == "scheduled",
        )
        return [DecisionClock(**_fields(r)) for r in (await self._session.execute(query)).all()]

    async def add_clock(self, clock: DecisionClock) -> None:
        if clock.municipality != self._municipality:
            raise ValueError(f"clock of {clock.municipality} in a unit of work for {self._municipality}")
        await self._session.execute(
            insert(decision_deadline).values(
                id=clock.id,
                municipality=clock.municipality,
                decision_id=clock.decision_id,
                case_id=clock.case_id,
                kind=clock.kind,
                due_on=clock.due_on,
                status=clock.status,
                created_at=clock.created_at,
            )
        )

    async def cancel_clock(self, clock_id: str) -> None:
        await self._session.execute(
            update(decision_deadline)
            .where(decision_deadline.c.id == clock_id, decision_deadline.c.municipality == self._municipality)
            .values(status="cancelled")
        )


# --- service orders ------------------------------------------------------------------------------------------------


class ServiceOrders:
    """The services ordered from units, of the unit of work's municipality."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._session = uow.session
        self._municipality = uow.municipality

    async def of_decisions(self, decision_ids: Sequence[str]) -> list[ServiceOrder]:
        if not decision_ids:
            return []
        query = (
            select(service_order)
            .where(
                service_order.c.decision_id.in_(list(decision_ids)),
                service_order.c.municipality == self._municipality,
            )
            .order_by(service_order.c.id)
        )
        return [ServiceOrder(**_fields(r)) for r in (await self._session.execute(query)).all()]

    async def page(self, *, unit: str | None, limit: int, offset: int) -> list[ServiceOrder]:
        query = select(service_order).where(service_order.c.municipality == self._municipality)
        if unit is not None:
            query = query.where(service_order.c.unit == unit)
        query = query.order_by(service_order.c.created_at.desc(), service_order.c.id).limit(limit).offset(offset)
        return [ServiceOrder(**_fields(r)) for r in (await self._session.execute(query)).all()]

    async def add(self, order: ServiceOrder) -> None:
        if order.municipality != self._municipality:
            raise ValueError(f"order of {order.municipality} in a unit of work for {self._municipality}")
        await self._session.execute(
            insert(service_order).values(
                id=order.id,
                municipality=order.municipality,
                decision_id=order.decision_id,
                case_id=order.case_id,
                unit=order.unit,
                service_code=order.service_code,
                hours_per_week=order.hours_per_week,
                start_on=order.start_on,
                end_on=order.end_on,
                created_at=order.created_at,
            )
        )


# --- letters -------------------------------------------------------------------------------------------------------

_LETTER_META = [c for c in letter.c if c.name not in ("pdf", "text")]


class Letters:
    """The letters of the unit of work's municipality; the PDF and text only when asked for."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._session = uow.session
        self._municipality = uow.municipality

    async def get(self, letter_id: str, *, with_pdf: bool = False) -> Letter | None:
        columns = list(letter.c) if with_pdf else _LETTER_META
        query = select(*columns).where(letter.c.id == letter_id, letter.c.municipality == self._municipality)
        row = (await self._session.execute(query)).one_or_none()
        return None if row is None else Letter(**_fields(row))

    async def page(self, *, case_id: str | None, limit: int, offset: int) -> list[Letter]:
        query = select(*_LETTER_META).where(letter.c.municipality == self._municipality)
        if case_id is not None:
            query = query.where(letter.c.case_id == case_id)
        query = query.order_by(letter.c.created_at.desc(), letter.c.id).limit(limit).offset(offset)
        return [Letter(**_fields(r)) for r in (await self._session.execute(query)).all()]

    async def add(self, new: Letter) -> None:
        if new.municipality != self._municipality:
            raise ValueError(f"letter of {new.municipality} in a unit of work for {self._municipality}")
        await self._session.execute(
            insert(letter).values(
                id=new.id,
                municipality=new.municipality,
                case_id=new.case_id,
                decision_id=new.decision_id,
                kind=new.kind,
                language=new.language,
                issued_on=new.issued_on,
                details=new.details,
                text=new.text,
                pdf=new.pdf,
                created_by=new.created_by,
                created_at=new.created_at,
            )
        )
