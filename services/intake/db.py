"""Intake's tables and repository: cases of every kind, the person register, consent history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from servicekit.db import BigId, UtcDateTime, new_metadata

metadata = new_metadata()

# Python None must be SQL NULL (not the JSON document `null`), so that IS NULL finds it.
NullableJSON = JSON(none_as_null=True)

# One table for every kind of case (service application, coordination referral, child coordinator
# application, emergency measure): they share the journal, consent, withdrawal and the worklist.
application = Table(
    "application",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("municipality", String(4), nullable=False, index=True),
    Column("kind", String(40), nullable=False, server_default=text("'service_application'")),
    Column("journal_number", String(20), nullable=False),
    Column("person_id", String(100), nullable=True, doc="whom the case is about; empty before a child is born"),
    Column("applicant_person_id", String(100), nullable=True, doc="the parent who applies for a child coordinator"),
    Column("expected_birth_on", Date, nullable=True),
    Column("channel", String(30), nullable=False),
    Column("sender", String(30), nullable=False),
    Column("service_code", String(60), nullable=True),
    Column("requested", NullableJSON, nullable=True, doc="coordination needs a referral asks for"),
    Column("received_on", Date, nullable=False),
    Column(
        "consent", NullableJSON, nullable=True, doc="the consent that holds now; empty once processing is withdrawn"
    ),
    Column("route", String(30), nullable=False, server_default=text("'allocation_office'")),
    Column("involves_child", Boolean, nullable=False, server_default=false()),
    Column("status", String(30), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("municipality", "journal_number", name="uq_application_municipality_journal_number"),
    Index("ix_application_municipality_person_id", "municipality", "person_id"),
    Index("ix_application_municipality_created_at", "municipality", "created_at"),
)

journal_counter = Table(
    "journal_counter",
    metadata,
    Column("municipality", String(4), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("last_number", Integer, nullable=False),
)

# National identity numbers live here and nowhere else: every other table and every event carries
# the pseudonymous person_id.
person = Table(
    "person",
    metadata,
    Column("person_id", String(36), primary_key=True),
    Column("municipality", String(4), nullable=False),
    Column("national_id", String(11), nullable=False),
    Column("id_kind", String(3), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("name", String(200), nullable=True),
    Column("street", String(200), nullable=True),
    Column("postcode", String(4), nullable=True),
    Column("city", String(100), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("created_by", String(200), nullable=False),
    UniqueConstraint("municipality", "national_id", name="uq_person_municipality_national_id"),
)

person_access = Table(
    "person_access",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("person_id", String(36), ForeignKey("person.person_id"), nullable=False, index=True),
    Column("municipality", String(4), nullable=False),
    Column("accessed_by", String(200), nullable=False),
    Column("roles", JSON, nullable=False),
    Column("purpose", String(500), nullable=False),
    Column("national_id_disclosed", Boolean, nullable=False),
    Column("accessed_at", UtcDateTime(), nullable=False),
)

# The consent given at registration and every withdrawal after it, in order.
consent_event = Table(
    "consent_event",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("case_id", String(36), ForeignKey("application.case_id"), nullable=False, index=True),
    Column("municipality", String(4), nullable=False),
    Column("kind", String(20), nullable=False, doc="given | withdrawn"),
    Column("effective_on", Date, nullable=False),
    Column("consent", NullableJSON, nullable=True, doc="given: the consent given; withdrawn: what still holds after"),
    Column("withdrawn_scopes", NullableJSON, nullable=True),
    Column("withdrawn_share_with", NullableJSON, nullable=True),
    Column("recorded_at", UtcDateTime(), nullable=False),
    Column("recorded_by", String(200), nullable=True),
)

# Free text about a person's health stays in intake; events carry only codes and times.
emergency_measure = Table(
    "emergency_measure",
    metadata,
    Column("case_id", String(36), ForeignKey("application.case_id"), primary_key=True),
    Column("municipality", String(4), nullable=False),
    Column("unit", String(60), nullable=False),
    Column("started_at", UtcDateTime(), nullable=False),
    Column("what", Text, nullable=False),
    Column("why", Text, nullable=False),
    Column("registered_at", UtcDateTime(), nullable=False),
    Column("registered_by", String(200), nullable=False),
)


# --- journal ------------------------------------------------------------------------------------


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


# --- persons ------------------------------------------------------------------------------------


async def get_person(session: AsyncSession, municipality: str, person_id: str) -> dict[str, Any] | None:
    found = (
        (
            await session.execute(
                select(person).where(person.c.person_id == person_id, person.c.municipality == municipality)
            )
        )
        .mappings()
        .first()
    )
    return dict(found) if found else None


async def find_person(session: AsyncSession, municipality: str, national_id: str) -> dict[str, Any] | None:
    found = (
        (
            await session.execute(
                select(person).where(person.c.municipality == municipality, person.c.national_id == national_id)
            )
        )
        .mappings()
        .first()
    )
    return dict(found) if found else None


async def add_person_once(session: AsyncSession, row: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Insert the person unless the municipality has them already; (the row that holds, created?)."""
    existing = await find_person(session, row["municipality"], row["national_id"])
    if existing is not None:
        return existing, False
    try:
        async with session.begin_nested():
            await session.execute(insert(person).values(**row))
    except IntegrityError:
        # A concurrent registration of the same number committed first: that row is the person.
        existing = await find_person(session, row["municipality"], row["national_id"])
        if existing is None:
            raise
        return existing, False
    return row, True


async def add_person_access(session: AsyncSession, row: dict[str, Any]) -> None:
    await session.execute(insert(person_access).values(**row))


async def list_person_access(
    session: AsyncSession, municipality: str, person_id: str, *, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    where = (person_access.c.municipality == municipality, person_access.c.person_id == person_id)
    total = await session.scalar(select(func.count()).select_from(person_access).where(*where))
    rows = (
        (
            await session.execute(
                select(person_access)
                .where(*where)
                .order_by(person_access.c.accessed_at.desc(), person_access.c.id.desc())
                .limit(limit)
                .offset(offset)
            )
        )
        .mappings()
        .all()
    )
    return [dict(r) for r in rows], int(total or 0)


# --- cases --------------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class CaseFilter:
    """Worklist filters; None means any. `person_id` finds cases about the person or applied for by them."""

    kind: str | None = None
    status: str | None = None
    service_code: str | None = None
    person_id: str | None = None
    route: str | None = None
    journal_number: str | None = None
    received_from: date | None = None
    received_to: date | None = None
    involves_child: bool | None = None
    emergency: bool | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        c = application.c
        where: list[ColumnElement[bool]] = []
        for column, value in (
            (c.kind, self.kind),
            (c.status, self.status),
            (c.service_code, self.service_code),
            (c.route, self.route),
            (c.journal_number, self.journal_number),
            (c.involves_child, self.involves_child),
        ):
            if value is not None:
                where.append(column == value)
        if self.person_id is not None:
            where.append(or_(c.person_id == self.person_id, c.applicant_person_id == self.person_id))
        if self.received_from is not None:
            where.append(c.received_on >= self.received_from)
        if self.received_to is not None:
            where.append(c.received_on <= self.received_to)
        if self.emergency is True:
            where.append(c.kind == "emergency_measure")
        elif self.emergency is False:
            where.append(c.kind != "emergency_measure")
        return where


async def list_applications(
    session: AsyncSession, municipality: str, *, limit: int, offset: int, filters: CaseFilter | None = None
) -> tuple[list[dict[str, Any]], int]:
    where = [application.c.municipality == municipality, *(filters or CaseFilter()).conditions()]
    total = await session.scalar(select(func.count()).select_from(application).where(*where))
    rows = (
        (
            await session.execute(
                select(application)
                .where(*where)
                # Newest first. Registered in the same instant, the later journal number comes first; the case id
                # breaks any tie left, so that pages never overlap or skip.
                .order_by(application.c.created_at.desc(), application.c.journal_number.desc(), application.c.case_id)
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


async def set_consent(session: AsyncSession, case_id: str, consent: dict[str, Any] | None) -> None:
    await session.execute(update(application).where(application.c.case_id == case_id).values(consent=consent))


async def lock_application(session: AsyncSession, municipality: str, case_id: str) -> dict[str, Any] | None:
    """Read a case to change it; on PostgreSQL the row stays locked until the transaction ends."""
    found = (
        (
            await session.execute(
                select(application)
                .where(application.c.case_id == case_id, application.c.municipality == municipality)
                .with_for_update()
            )
        )
        .mappings()
        .first()
    )
    return dict(found) if found else None


# --- consent history and emergency measures -----------------------------------------------------


async def add_consent_event(session: AsyncSession, row: dict[str, Any]) -> None:
    await session.execute(insert(consent_event).values(**row))


async def list_consent_events(session: AsyncSession, case_id: str) -> list[dict[str, Any]]:
    query = select(consent_event).where(consent_event.c.case_id == case_id).order_by(consent_event.c.id)
    rows = (await session.execute(query)).mappings().all()
    return [dict(r) for r in rows]


async def add_emergency_measure(session: AsyncSession, row: dict[str, Any]) -> None:
    await session.execute(insert(emergency_measure).values(**row))


async def get_emergency_measure(session: AsyncSession, case_id: str) -> dict[str, Any] | None:
    found = (
        (await session.execute(select(emergency_measure).where(emergency_measure.c.case_id == case_id)))
        .mappings()
        .first()
    )
    return dict(found) if found else None


async def set_person_contact(session: AsyncSession, municipality: str, person_id: str, contact: dict[str, Any]) -> None:
    await session.execute(
        update(person).where(person.c.municipality == municipality, person.c.person_id == person_id).values(**contact)
    )
