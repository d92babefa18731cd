"""Assessment's tables and repository. Free-text health information (visit notes, reasons, the
best-interests assessment) lives only here, never in an event."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from servicekit.db import UtcDateTime, new_metadata
from services.assessment.domain import RequestStatus

metadata = new_metadata()

assessment = Table(
    "assessment",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("municipality", String(4), nullable=False, index=True),
    Column("case_id", String(64), nullable=False, index=True),
    Column("journal_number", String(20), nullable=False),
    Column("person_id", String(100), nullable=False),
    Column("service_code", String(60), nullable=False),
    Column("route", String(30), nullable=False),
    Column("received_on", Date, nullable=False),
    Column("involves_child", Boolean, nullable=False),
    Column("emergency_measure", Boolean, nullable=False),
    # The consent as intake last told us: scope and whom 'sharing' names.
    Column("consent_scope", JSON, nullable=False),
    Column("consent_share_with", JSON, nullable=False),
    Column("status", String(20), nullable=False),
    Column("assignee_kind", String(20), nullable=True),
    Column("assignee", String(60), nullable=True),
    Column("writes_own_assessment", Boolean, nullable=False),
    Column("scores", JSON, nullable=True),
    Column("scores_assessed_on", Date, nullable=True),
    Column("scores_recorded_by", String(60), nullable=True),
    Column("care_ladder_step", Integer, nullable=True),
    Column("care_ladder_grounds", JSON, nullable=True),
    Column("bti_level", Integer, nullable=True),
    Column("coordinated_criteria_met", JSON, nullable=True),
    Column("criteria_evaluated_at", UtcDateTime(), nullable=True),
    Column("recommendation", JSON, nullable=True),
    Column("recommendation_reasons", Text, nullable=True),
    Column("recommended_by", String(60), nullable=True),
    Column("completed_by", String(60), nullable=True),
    Column("completed_at", UtcDateTime(), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    UniqueConstraint("municipality", "case_id", name="uq_assessment_municipality_case_id"),
)

visit = Table(
    "visit",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("assessment_id", String(36), ForeignKey("assessment.id"), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("scheduled_at", UtcDateTime(), nullable=False),
    Column("held_at", UtcDateTime(), nullable=True),
    Column("notes", Text, nullable=True),
    Column("recorded_by", String(60), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
)

information_request = Table(
    "information_request",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("assessment_id", String(36), ForeignKey("assessment.id"), nullable=False, index=True),
    Column("source", String(20), nullable=False),
    Column("requested_on", Date, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("status", String(40), nullable=False),
    Column("received_on", Date, nullable=True),
    Column("deadline_id", String(36), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("closed_at", UtcDateTime(), nullable=True),
)

child_best_interests = Table(
    "child_best_interests",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("assessment_id", String(36), ForeignKey("assessment.id"), nullable=False, index=True),
    Column("children_considered", Integer, nullable=False),
    Column("assessment", Text, nullable=False),
    Column("assessed_by", String(60), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

# A partner municipality's office may see and work on this one case (an explicit, recorded hand-over).
case_access = Table(
    "case_access",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("assessment_id", String(36), ForeignKey("assessment.id"), nullable=False),
    Column("case_id", String(64), nullable=False),
    Column("home_municipality", String(4), nullable=False),
    Column("partner_municipality", String(4), nullable=False, index=True),
    Column("granted_by", String(100), nullable=False),
    Column("granted_at", UtcDateTime(), nullable=False),
    UniqueConstraint("assessment_id", "partner_municipality", name="uq_case_access_assessment_id"),
)


def _visible_to(municipality: str) -> ColumnElement[bool]:
    """The home municipality's own assessments, and those handed over to it."""
    granted = exists().where(
        and_(case_access.c.assessment_id == assessment.c.id, case_access.c.partner_municipality == municipality)
    )
    return or_(assessment.c.municipality == municipality, granted)


async def find_by_case(session: AsyncSession, municipality: str, case_id: str) -> dict[str, Any] | None:
    query = select(assessment).where(assessment.c.municipality == municipality, assessment.c.case_id == case_id)
    found = (await session.execute(query.with_for_update())).mappings().first()
    return dict(found) if found else None


async def add_assessment(session: AsyncSession, row: dict[str, Any]) -> None:
    await session.execute(insert(assessment).values(**row))


async def get_visible(
    session: AsyncSession, municipality: str, assessment_id: str, *, for_update: bool = False
) -> dict[str, Any] | None:
    query = select(assessment).where(assessment.c.id == assessment_id, _visible_to(municipality))
    if for_update:
        query = query.with_for_update(of=assessment)
    found = (await session.execute(query)).mappings().first()
    return dict(found) if found else None


async def get(session: AsyncSession, assessment_id: str) -> dict[str, Any]:
    found = (await session.execute(select(assessment).where(assessment.c.id == assessment_id))).mappings().one()
    return dict(found)


async def list_visible(
    session: AsyncSession,
    municipality: str,
    *,
    status: str | None,
    case_id: str | None,
    unit: str | None,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    where = [_visible_to(municipality)]
    if status is not None:
        where.append(assessment.c.status == status)
    if case_id is not None:
        where.append(assessment.c.case_id == case_id)
    if unit is not None:
        # A unit is one municipality's own: it never sees a case through another municipality's hand-over.
        where += [
            assessment.c.municipality == municipality,
            assessment.c.assignee_kind == "unit",
            assessment.c.assignee == unit,
        ]
    total = await session.scalar(select(func.count()).select_from(assessment).where(*where))
    query = (
        select(assessment)
        .where(*where)
        .order_by(assessment.c.created_at.desc(), assessment.c.id)
        .limit(limit)
        .offset(offset)
    )
    rows = (await session.execute(query)).mappings().all()
    return [dict(r) for r in rows], int(total or 0)


async def update_assessment(session: AsyncSession, assessment_id: str, **values: Any) -> None:
    await session.execute(update(assessment).where(assessment.c.id == assessment_id).values(**values))


async def partners_of(session: AsyncSession, assessment_id: str) -> list[str]:
    query = select(case_access.c.partner_municipality).where(case_access.c.assessment_id == assessment_id)
    return list((await session.execute(query.order_by(case_access.c.granted_at))).scalars().all())


async def add(session: AsyncSession, table: Table, row: dict[str, Any]) -> None:
    await session.execute(insert(table).values(**row))


async def children_of(session: AsyncSession, table: Table, assessment_id: str) -> list[dict[str, Any]]:
    """The visits, information requests or best-interests assessments of one assessment, oldest first."""
    query = select(table).where(table.c.assessment_id == assessment_id).order_by(table.c.created_at, table.c.id)
    return [dict(r) for r in (await session.execute(query)).mappings().all()]


async def child(session: AsyncSession, table: Table, assessment_id: str, child_id: str) -> dict[str, Any] | None:
    query = select(table).where(table.c.assessment_id == assessment_id, table.c.id == child_id)
    found = (await session.execute(query)).mappings().first()
    return dict(found) if found else None


async def update_child(session: AsyncSession, table: Table, child_id: str, **values: Any) -> None:
    await session.execute(update(table).where(table.c.id == child_id).values(**values))


async def open_requests(session: AsyncSession, assessment_id: str) -> list[dict[str, Any]]:
    query = select(information_request).where(
        information_request.c.assessment_id == assessment_id,
        information_request.c.status == RequestStatus.REQUESTED.value,
    )
    return [dict(r) for r in (await session.execute(query)).mappings().all()]


async def has_child_best_interests(session: AsyncSession, assessment_id: str) -> bool:
    query = select(func.count()).select_from(child_best_interests)
    return bool(await session.scalar(query.where(child_best_interests.c.assessment_id == assessment_id)))
