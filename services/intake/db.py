"""Intake's tables and repository."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Date,
    Integer,
    String,
    Table,
    UniqueConstraint,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.db import UtcDateTime, new_metadata

metadata = new_metadata()

application = Table(
    "application",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("municipality", String(4), nullable=False, index=True),
    Column("journal_number", String(20), nullable=False),
    Column("person_id", String(100), nullable=False),
    Column("channel", String(30), nullable=False),
    Column("sender", String(30), nullable=False),
    Column("service_code", String(60), nullable=False),
    Column("received_on", Date, nullable=False),
    Column("consent", JSON, nullable=False),
    Column("status", String(30), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("municipality", "journal_number", name="uq_application_municipality_journal_number"),
)

journal_counter = Table(
    "journal_counter",
    metadata,
    Column("municipality", String(4), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("last_number", Integer, nullable=False),
)


async def next_journal_sequence(session: AsyncSession, municipality: str, year: int) -> int:
    """The next sequence of (municipality, year); concurrent callers serialise on the counter row."""
    for _ in range(3):
        bumped = await session.scalar(
            update(journal_counter)
            .where(journal_counter.c.municipality == municipality, journal_counter.c.year == year)
            .values(last_number=journal_counter.c.last_number + 1)
            .returning(journal_counter.c.last_number)
        )
        if bumped is not None:
            return int(bumped)
        try:
            async with session.begin_nested():
                await session.execute(
                    insert(journal_counter).values(municipality=municipality, year=year, last_number=1)
                )
            return 1
        except IntegrityError:
            continue  # another transaction created the row first: bump it instead
    raise RuntimeError("could not allocate a journal number")


async def add_application(session: AsyncSession, row: dict[str, Any]) -> None:
    await session.execute(insert(application).values(**row))


async def get_application(session: AsyncSession, municipality: str, case_id: str) -> dict[str, Any] | None:
    found = (
        (
            await session.execute(
                select(application).where(application.c.case_id == case_id, application.c.municipality == municipality)
            )
        )
        .mappings()
        .first()
    )
    return dict(found) if found else None


async def list_applications(
    session: AsyncSession, municipality: str, *, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    where = application.c.municipality == municipality
    total = await session.scalar(select(func.count()).select_from(application).where(where))
    rows = (
        (
            await session.execute(
                select(application)
                .where(where)
                .order_by(application.c.created_at.desc(), application.c.case_id)
                .limit(limit)
                .offset(offset)
            )
        )
        .mappings()
        .all()
    )
    return [dict(r) for r in rows], int(total or 0)


async def set_status(session: AsyncSession, case_id: str, status: str) -> None:
    await session.execute(update(application).where(application.c.case_id == case_id).values(status=status))
