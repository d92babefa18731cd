"""Intake's migrations on SQLite: forward from 0001 with data, back, and forward again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from servicekit.clock import FixedClock
from servicekit.db import Database
from servicekit.migrate import downgrade
from servicekit.testing import runtime_of
from services.intake.tests.migration_checks import (
    HEAD,
    MIGRATIONS,
    check_downgrade_refuses_cases_0001_cannot_hold,
    check_guardians_round_trip_refuses_to_drop_recorded_guardians,
    check_round_trip_keeps_legacy_applications,
    revision,
)
from services.intake.tests.support import NOW, application_body, auth, register_person


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path}/intake.db", clock=FixedClock(NOW))
    yield database
    await database.dispose()


async def test_migrations_turn_applications_into_cases_and_back_without_losing_them(db: Database) -> None:
    await check_round_trip_keeps_legacy_applications(db)


async def test_downgrade_refuses_while_cases_exist_that_0001_cannot_hold(db: Database) -> None:
    await check_downgrade_refuses_cases_0001_cannot_hold(db)


async def test_downgrade_refuses_while_guardians_are_recorded_and_drops_only_empty_guardian_tables(
    db: Database,
) -> None:
    await check_guardians_round_trip_refuses_to_drop_recorded_guardians(db)


async def test_downgrade_refuses_while_a_case_has_no_consent_left(app: FastAPI, client: httpx.AsyncClient) -> None:
    person = await register_person(client, app)
    case = (await client.post("/applications", json=application_body(person), headers=auth(app))).json()
    withdrawal = await client.post(
        f"/applications/{case['case_id']}/consent/withdrawal",
        json={"scopes": ["processing"], "withdrawn_on": "2026-03-03"},
        headers=auth(app),
    )
    assert withdrawal.status_code == 200
    database = runtime_of(app).db

    with pytest.raises(RuntimeError, match="downgrade refused: 1 case"):
        await downgrade(database, MIGRATIONS, "0001")

    assert await revision(database) == HEAD


async def test_columns_a_kind_does_not_use_hold_sql_null_not_json_null(app: FastAPI, client: httpx.AsyncClient) -> None:
    person = await register_person(client, app)
    assert (await client.post("/applications", json=application_body(person), headers=auth(app))).status_code == 201

    async with runtime_of(app).db.engine.connect() as conn:
        nulls = await conn.scalar(text("SELECT count(*) FROM application WHERE requested IS NULL"))
        given = await conn.scalar(text("SELECT count(*) FROM consent_event WHERE withdrawn_scopes IS NULL"))

    assert (nulls, given) == (1, 1)


async def test_downgrade_refuses_while_a_case_names_a_second_expecting_parent(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    mother = await register_person(client, app, date(1990, 9, 9))
    father = await register_person(client, app, date(1989, 1, 3))
    body = {
        "applicant_person_id": mother,
        "co_applicant_person_id": father,
        "expected_birth_on": "2027-04-15",
        "channel": "digital_form",
        "sender": "applicant",
        "received_on": "2026-11-02",
        "consent": {"form": "written", "given_by": "parents", "scope": ["processing"]},
    }
    assert (await client.post("/child-coordinator-applications", json=body, headers=auth(app))).status_code == 201
    database = runtime_of(app).db

    with pytest.raises(RuntimeError, match="0005 downgrade refused: 1 case"):
        await downgrade(database, MIGRATIONS, "0004")

    assert await revision(database) == HEAD


async def test_downgrade_refuses_while_a_case_holds_the_day_its_grounds_started(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    parent = await register_person(client, app, date(1985, 1, 1))
    child = await register_person(client, app, date(2023, 4, 4))
    body = {
        "applicant_person_id": parent,
        "child_person_id": child,
        "grounds": "child_welfare_care",
        "grounds_since": "2026-10-01",
        "channel": "letter",
        "sender": "unit",
        "received_on": "2026-11-02",
        "consent": {"form": "written", "given_by": "guardian", "scope": ["processing"]},
    }
    assert (await client.post("/child-coordinator-applications", json=body, headers=auth(app))).status_code == 201
    database = runtime_of(app).db

    with pytest.raises(RuntimeError, match="0008 downgrade refused: 1 case"):
        await downgrade(database, MIGRATIONS, "0007")

    assert await revision(database) == HEAD
