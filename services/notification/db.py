"""Notification's tables and repository."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Date, Index, String, Table, Text, UniqueConstraint, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.db import UtcDateTime, new_id, new_metadata
from services.notification.domain import Receipt

metadata = new_metadata()

notification = Table(
    "notification",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("municipality", String(4), nullable=False, index=True),
    Column("case_id", String(36), nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("recipient", String(40), nullable=False),
    Column("text", Text, nullable=False),
    Column("source_event_id", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("source_event_id", "kind", name="uq_notification_source_event_id"),
)

deadline = Table(
    "deadline",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("municipality", String(4), nullable=False, index=True),
    Column("case_id", String(36), nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("due_on", Date, nullable=False),
    Column("responsible", String(60), nullable=False),
    Column("status", String(20), nullable=False),
    Column("cancel_reason", String(200), nullable=True),
    Column("reminded_at", UtcDateTime(), nullable=True),
    Column("due_at", UtcDateTime(), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Index("ix_deadline_status_due_on", "status", "due_on"),
)


async def add(session: AsyncSession, table: Table, row: dict[str, Any]) -> None:
    await session.execute(insert(table).values(**row))


async def list_for(
    session: AsyncSession, table: Table, municipality: str, case_id: str | None, *, limit: int, offset: int
) -> list[dict[str, Any]]:
    query = select(table).where(table.c.municipality == municipality)
    if case_id is not None:
        query = query.where(table.c.case_id == case_id)
    query = query.order_by(table.c.created_at, table.c.id).limit(limit).offset(offset)
    return [dict(r) for r in (await session.execute(query)).mappings().all()]


async def deadline_exists(session: AsyncSession, deadline_id: str) -> bool:
    return (await session.scalar(select(deadline.c.id).where(deadline.c.id == deadline_id))) is not None


async def cancel_deadline(session: AsyncSession, municipality: str, deadline_id: str, reason: str) -> None:
    """Mark a scheduled deadline cancelled; a cancellation of a clock we never saw is recorded as such."""
    await session.execute(
        update(deadline)
        .where(deadline.c.id == deadline_id, deadline.c.municipality == municipality, deadline.c.status == "scheduled")
        .values(status="cancelled", cancel_reason=reason)
    )


async def cancel_case_deadlines(
    session: AsyncSession, municipality: str, case_id: str, reason: str, *, kind: str | None = None
) -> None:
    """Cancel the scheduled deadlines of one case of one municipality: those of `kind`, or every one of them."""
    query = update(deadline).where(
        deadline.c.municipality == municipality,
        deadline.c.case_id == case_id,
        deadline.c.status == "scheduled",
    )
    if kind is not None:
        query = query.where(deadline.c.kind == kind)
    await session.execute(query.values(status="cancelled", cancel_reason=reason))


async def deadlines_to_sweep(session: AsyncSession, until: date, *, limit: int) -> list[dict[str, Any]]:
    """Scheduled deadlines due on or before `until`, oldest first."""
    rows = await session.execute(
        select(deadline)
        .where(deadline.c.status == "scheduled", deadline.c.due_on <= until)
        .order_by(deadline.c.due_on, deadline.c.id)
        .limit(limit)
    )
    return [dict(r) for r in rows.mappings().all()]


async def mark_reminded(session: AsyncSession, deadline_id: str, at: datetime) -> bool:
    """True when this call marked it (so two replicas never remind twice)."""
    result = await session.execute(
        update(deadline)
        .where(deadline.c.id == deadline_id, deadline.c.status == "scheduled", deadline.c.reminded_at.is_(None))
        .values(reminded_at=at)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def mark_due(session: AsyncSession, deadline_id: str, at: datetime) -> bool:
    result = await session.execute(
        update(deadline)
        .where(deadline.c.id == deadline_id, deadline.c.status == "scheduled")
        .values(status="due", due_at=at)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def add_notification(
    session: AsyncSession, *, municipality: str, case_id: str, note: Receipt, source_event_id: str, at: datetime
) -> None:
    """Record a notification for a case."""
    await add(
        session,
        notification,
        {
            "id": new_id(),
            "municipality": municipality,
            "case_id": case_id,
            "kind": note.kind,
            "recipient": note.recipient,
            "text": note.text,
            "source_event_id": source_event_id,
            "created_at": at,
        },
    )
