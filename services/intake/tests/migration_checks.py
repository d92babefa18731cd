"""Checks of intake's migrations, run on SQLite (unit tests) and PostgreSQL (infra tests)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import inspect, text

from servicekit.db import Database
from servicekit.migrate import downgrade, upgrade
from services.intake.main import spec

MIGRATIONS = spec().migrations_dir
NEW_TABLES = {"person", "person_access", "consent_event", "emergency_measure"}
HEAD = "0008"  # the newest revision
GUARDIAN_TABLES = {"person_guardian", "person_guardian_change"}
LEGACY_CONSENT = {"form": "oral", "given_by": "person", "scope": ["processing"], "share_with": []}


async def tables(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))


async def columns(db: Database, table: str) -> set[str]:
    async with db.engine.connect() as conn:
        found = await conn.run_sync(lambda sync: inspect(sync).get_columns(table))
    return {c["name"] for c in found}


async def revision(db: Database) -> str | None:
    async with db.engine.connect() as conn:
        value = await conn.scalar(text("SELECT version_num FROM alembic_version"))
    return str(value) if value is not None else None


async def insert_legacy_application(db: Database, case_id: str = "legacy-1") -> None:
    """An application as revision 0001 stored it."""
    async with db.engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO application (case_id, municipality, journal_number, person_id, channel, sender, "
                "service_code, received_on, consent, status, created_at) VALUES (:case_id, '3426', '2026/000001', "
                "'p-legacy', 'letter', 'relative', 'home_nursing', :received_on, :consent, 'registered', :created_at)"
            ),
            {
                "case_id": case_id,
                "received_on": date(2026, 3, 2),
                "consent": json.dumps(LEGACY_CONSENT),
                "created_at": datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
            },
        )


async def check_round_trip_keeps_legacy_applications(db: Database) -> None:
    """0001 → head → 0001 → head: an existing application becomes a service application with its
    consent as the first history entry, and survives the way back."""
    await upgrade(db, MIGRATIONS, "0001")
    await insert_legacy_application(db)

    await upgrade(db, MIGRATIONS)
    assert await revision(db) == HEAD
    assert await tables(db) >= NEW_TABLES
    async with db.engine.connect() as conn:
        row = (
            (await conn.execute(text("SELECT kind, route, involves_child, consent FROM application"))).mappings().one()
        )
        history = (await conn.execute(text("SELECT kind, effective_on, consent FROM consent_event"))).mappings().all()
    assert (row["kind"], row["route"], bool(row["involves_child"])) == (
        "service_application",
        "allocation_office",
        False,
    )
    [given] = history
    assert given["kind"] == "given"
    assert str(given["effective_on"]) == "2026-03-02"
    consent = given["consent"] if isinstance(given["consent"], dict) else json.loads(given["consent"])
    assert consent == LEGACY_CONSENT

    await downgrade(db, MIGRATIONS, "0001")
    assert await revision(db) == "0001"
    assert not NEW_TABLES & await tables(db)
    assert "kind" not in await columns(db, "application")
    async with db.engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM application WHERE case_id = 'legacy-1'")) == 1

    await upgrade(db, MIGRATIONS)
    assert await revision(db) == HEAD
    assert {"kind", "route", "involves_child", "applicant_person_id", "requested"} <= await columns(db, "application")


async def check_downgrade_refuses_cases_0001_cannot_hold(db: Database) -> None:
    """A referral has no service code: going back to 0001 would lose it, so the downgrade refuses."""
    await upgrade(db, MIGRATIONS)
    async with db.engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO application (case_id, municipality, kind, journal_number, person_id, channel, sender, "
                "requested, received_on, consent, route, involves_child, status, created_at) VALUES ('referral-1', "
                "'1508', 'coordination_referral', '2026/000001', 'p-1', 'gp_message', 'gp', :requested, :received_on, "
                ":consent, 'coordinating_unit', :false, 'registered', :created_at)"
            ),
            {
                "requested": json.dumps(["coordinator"]),
                "received_on": date(2026, 3, 2),
                "consent": json.dumps(LEGACY_CONSENT),
                "false": False,
                "created_at": datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
            },
        )

    with pytest.raises(RuntimeError, match="downgrade refused: 1 case"):
        await downgrade(db, MIGRATIONS, "0001")

    assert await revision(db) == HEAD
    assert await tables(db) >= NEW_TABLES


async def insert_person(db: Database, person_id: str, national_id: str, birth_date: date) -> None:
    async with db.engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO person (person_id, municipality, national_id, id_kind, birth_date, created_at, "
                "created_by) VALUES (:person_id, '3426', :national_id, 'fnr', :birth_date, :created_at, 'kari')"
            ),
            {
                "person_id": person_id,
                "national_id": national_id,
                "birth_date": birth_date,
                "created_at": datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
            },
        )


async def check_guardians_round_trip_refuses_to_drop_recorded_guardians(db: Database) -> None:
    """0003 → head adds the guardian tables around existing persons; going back refuses while a guardian or a
    journal entry is recorded (a child's letters would go to the child), and drops only the empty tables."""
    await upgrade(db, MIGRATIONS, "0003")
    await insert_person(db, "p-child", "01011512345", date(2015, 1, 1))
    await insert_person(db, "p-mother", "01018512345", date(1985, 1, 1))
    await upgrade(db, MIGRATIONS)
    assert await tables(db) >= GUARDIAN_TABLES
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    async with db.engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO person_guardian (person_id, guardian_person_id, municipality, relation, recorded_at, "
                "recorded_by) VALUES ('p-child', 'p-mother', '3426', 'parent', :at, 'kari')"
            ),
            {"at": at},
        )
        await conn.execute(
            text(
                "INSERT INTO person_guardian_change (person_id, municipality, guardian_person_id, change, relation, "
                "changed_at, changed_by) VALUES ('p-child', '3426', 'p-mother', 'added', 'parent', :at, 'kari')"
            ),
            {"at": at},
        )

    with pytest.raises(RuntimeError, match="downgrade refused: 2 row"):
        await downgrade(db, MIGRATIONS, "0003")
    assert await revision(db) == HEAD

    async with db.engine.begin() as conn:
        await conn.execute(text("DELETE FROM person_guardian"))
    with pytest.raises(RuntimeError, match="downgrade refused: 1 row"):
        await downgrade(db, MIGRATIONS, "0003")

    async with db.engine.begin() as conn:
        await conn.execute(text("DELETE FROM person_guardian_change"))
    await downgrade(db, MIGRATIONS, "0003")
    assert await revision(db) == "0003"
    assert not GUARDIAN_TABLES & await tables(db)
    async with db.engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM person")) == 2

    await upgrade(db, MIGRATIONS)
    assert await revision(db) == HEAD
    assert await tables(db) >= GUARDIAN_TABLES
