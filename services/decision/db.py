"""Decision's tables and repository: cases awaiting decision, meetings and agendas, decisions, letters, orders."""

from __future__ import annotations

from datetime import date
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
    String,
    Table,
    Text,
    UniqueConstraint,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.decision import DecisionKind
from servicekit.db import UtcDateTime, new_metadata
from services.decision.domain import CurrentDecision

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
    Column("reversal", JSON, nullable=True, doc="open reversal after appeal: appeal_id, decision_id, reversed_on"),
    Column("agenda_item_id", String(36), nullable=True, doc="the case's agenda item since its last decision"),
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

Row = dict[str, Any]


async def add(session: AsyncSession, table: Table, row: Row) -> None:
    await session.execute(insert(table).values(**row))


async def change(session: AsyncSession, table: Table, key: str, key_value: str, **values: Any) -> None:
    await session.execute(update(table).where(table.c[key] == key_value).values(**values))


def _one(result: Any) -> Row | None:
    found = result.mappings().first()
    return dict(found) if found is not None else None


def _all(result: Any) -> list[Row]:
    return [dict(r) for r in result.mappings().all()]


async def get_case(session: AsyncSession, case_id: str, *, lock: bool = False) -> Row | None:
    query = select(decision_case).where(decision_case.c.case_id == case_id)
    if lock:
        query = query.with_for_update()
    return _one(await session.execute(query))


async def list_cases(
    session: AsyncSession, municipality: str, statuses: list[str], *, limit: int, offset: int
) -> list[Row]:
    query = (
        select(decision_case)
        .where(decision_case.c.municipality == municipality, decision_case.c.status.in_(statuses))
        .order_by(decision_case.c.updated_at, decision_case.c.case_id)
        .limit(limit)
        .offset(offset)
    )
    return _all(await session.execute(query))


async def get_meeting(session: AsyncSession, meeting_id: str, *, lock: bool = False) -> Row | None:
    query = select(meeting).where(meeting.c.id == meeting_id)
    if lock:
        query = query.with_for_update()
    return _one(await session.execute(query))


async def ensure_meeting(session: AsyncSession, row: Row) -> Row:
    """The meeting of that municipality and day, created on first need (two cases may race to create it)."""
    found = await get_meeting(session, row["id"])
    if found is not None:
        return found
    try:
        async with session.begin_nested():
            await add(session, meeting, row)
    except IntegrityError:
        found = await get_meeting(session, row["id"])
        if found is None:
            raise
        return found
    return row


async def list_meetings(
    session: AsyncSession, municipality: str, *, from_on: date | None, to_on: date | None, limit: int
) -> list[Row]:
    query = select(meeting).where(meeting.c.municipality == municipality)
    if from_on is not None:
        query = query.where(meeting.c.meeting_on >= from_on)
    if to_on is not None:
        query = query.where(meeting.c.meeting_on <= to_on)
    return _all(await session.execute(query.order_by(meeting.c.meeting_on).limit(limit)))


async def agenda_of(session: AsyncSession, meeting_ids: list[str]) -> list[Row]:
    if not meeting_ids:
        return []
    query = (
        select(agenda_item, decision_case.c.person_id, decision_case.c.recommendation)
        .join(decision_case, decision_case.c.case_id == agenda_item.c.case_id)
        .where(agenda_item.c.meeting_id.in_(meeting_ids))
        .order_by(agenda_item.c.emergency_measure.desc(), agenda_item.c.submitted_at, agenda_item.c.id)
    )
    return _all(await session.execute(query))


async def get_agenda_item(session: AsyncSession, item_id: str) -> Row | None:
    query = (
        select(agenda_item, meeting.c.meeting_on, meeting.c.name.label("meeting_name"))
        .join(meeting, meeting.c.id == agenda_item.c.meeting_id)
        .where(agenda_item.c.id == item_id)
    )
    return _one(await session.execute(query))


async def change_open_agenda_item(session: AsyncSession, item_id: str, status: str) -> None:
    await session.execute(
        update(agenda_item).where(agenda_item.c.id == item_id, agenda_item.c.status == "open").values(status=status)
    )


async def agenda_item_for(session: AsyncSession, meeting_id: str, case_id: str) -> Row | None:
    query = select(agenda_item).where(agenda_item.c.meeting_id == meeting_id, agenda_item.c.case_id == case_id)
    return _one(await session.execute(query))


async def get_decision(session: AsyncSession, decision_id: str, *, lock: bool = False) -> Row | None:
    query = select(decision).where(decision.c.id == decision_id)
    if lock:
        query = query.with_for_update()
    return _one(await session.execute(query))


async def list_decisions(
    session: AsyncSession,
    municipality: str,
    *,
    case_id: str | None,
    status: str | None,
    limit: int,
    offset: int,
) -> list[Row]:
    query = select(decision).where(decision.c.municipality == municipality)
    if case_id is not None:
        query = query.where(decision.c.case_id == case_id)
    if status is not None:
        query = query.where(decision.c.status == status)
    query = query.order_by(decision.c.created_at.desc(), decision.c.id).limit(limit).offset(offset)
    return _all(await session.execute(query))


async def pending_successor(session: AsyncSession, decision_id: str) -> bool:
    query = select(decision.c.id).where(decision.c.supersedes == decision_id, decision.c.status == "awaiting_approval")
    return (await session.scalar(query)) is not None


async def current_decision_of(session: AsyncSession, municipality: str, case_id: str) -> CurrentDecision | None:
    """The case's decision now: made and not superseded (none while the case has no made decision)."""
    query = (
        select(decision.c.id, decision.c.kind, decision.c.decided_on)
        .where(
            decision.c.municipality == municipality,
            decision.c.case_id == case_id,
            decision.c.status == "made",
            decision.c.superseded_by.is_(None),
        )
        .order_by(decision.c.made_at.desc(), decision.c.id)
    )
    found = (await session.execute(query)).first()
    if found is None:
        return None
    return CurrentDecision(decision_id=found.id, kind=DecisionKind(found.kind), decided_on=found.decided_on)


async def pending_draft_of_case(session: AsyncSession, case_id: str) -> Row | None:
    query = select(decision).where(decision.c.case_id == case_id, decision.c.status == "awaiting_approval")
    return _one(await session.execute(query))


async def approvals_of(session: AsyncSession, decision_ids: list[str]) -> list[Row]:
    if not decision_ids:
        return []
    query = (
        select(decision_approval)
        .where(decision_approval.c.decision_id.in_(decision_ids))
        .order_by(decision_approval.c.recorded_at, decision_approval.c.id)
    )
    return _all(await session.execute(query))


async def orders_of(session: AsyncSession, decision_ids: list[str]) -> list[Row]:
    if not decision_ids:
        return []
    query = select(service_order).where(service_order.c.decision_id.in_(decision_ids)).order_by(service_order.c.id)
    return _all(await session.execute(query))


async def list_orders(
    session: AsyncSession, municipality: str, *, unit: str | None, limit: int, offset: int
) -> list[Row]:
    query = select(service_order).where(service_order.c.municipality == municipality)
    if unit is not None:
        query = query.where(service_order.c.unit == unit)
    query = query.order_by(service_order.c.created_at.desc(), service_order.c.id).limit(limit).offset(offset)
    return _all(await session.execute(query))


async def deadlines_of(session: AsyncSession, decision_ids: list[str]) -> list[Row]:
    if not decision_ids:
        return []
    query = (
        select(decision_deadline)
        .where(decision_deadline.c.decision_id.in_(decision_ids))
        .order_by(decision_deadline.c.due_on, decision_deadline.c.id)
    )
    return _all(await session.execute(query))


async def scheduled_deadlines(session: AsyncSession, decision_id: str) -> list[Row]:
    query = select(decision_deadline).where(
        decision_deadline.c.decision_id == decision_id, decision_deadline.c.status == "scheduled"
    )
    return _all(await session.execute(query))


_LETTER_META = [c for c in letter.c if c.name not in ("pdf", "text")]


async def get_letter(session: AsyncSession, letter_id: str, *, with_pdf: bool = False) -> Row | None:
    columns = list(letter.c) if with_pdf else _LETTER_META
    return _one(await session.execute(select(*columns).where(letter.c.id == letter_id)))


async def list_letters(
    session: AsyncSession, municipality: str, *, case_id: str | None, limit: int, offset: int
) -> list[Row]:
    query = select(*_LETTER_META).where(letter.c.municipality == municipality)
    if case_id is not None:
        query = query.where(letter.c.case_id == case_id)
    query = query.order_by(letter.c.created_at.desc(), letter.c.id).limit(limit).offset(offset)
    return _all(await session.execute(query))
