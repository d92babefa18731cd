"""Coordination's migrations on SQLite: forward to the tables the repository maps, back to 0002, forward again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from servicekit.clock import FixedClock
from servicekit.db import Database
from servicekit.migrate import downgrade, upgrade
from services.coordination.db import metadata
from services.coordination.main import spec
from services.coordination.tests.support import NOW

MIGRATIONS = spec().migrations_dir
TABLES = {"referral", "coordinator_appointment", "seen_decision"}
PLAN_TABLES = {"individual_plan", "individual_plan_version", "coordination_meeting", "training_need"}
NEW_TABLES = PLAN_TABLES | {"annual_report_clock"}


async def _tables(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))


def schema_differences(sync: Any) -> list[Any]:
    return list(compare_metadata(MigrationContext.configure(sync), metadata))


async def test_the_referral_tables_come_and_go_with_their_revision(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/coordination.db", clock=FixedClock(NOW))
    try:
        await upgrade(db, MIGRATIONS)
        assert await _tables(db) >= TABLES | {"outbox_message", "inbox_message"}
        async with db.engine.connect() as conn:
            assert await conn.scalar(text("SELECT version_num FROM alembic_version")) == "0007"
            assert await conn.run_sync(schema_differences) == []

        await downgrade(db, MIGRATIONS, "0002")
        assert not TABLES & await _tables(db)
        assert {"outbox_message", "inbox_message"} <= await _tables(db)

        await upgrade(db, MIGRATIONS)
        assert await _tables(db) >= TABLES
    finally:
        await db.dispose()


async def test_plans_meetings_and_training_come_and_go_with_0004(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/coordination.db", clock=FixedClock(NOW))
    try:
        await upgrade(db, MIGRATIONS)
        assert await _tables(db) >= NEW_TABLES

        await downgrade(db, MIGRATIONS, "0003")
        assert not NEW_TABLES & await _tables(db)
        async with db.engine.connect() as conn:
            columns = await conn.run_sync(lambda sync: {c["name"] for c in inspect(sync).get_columns("referral")})
        assert "arrangement_form" not in columns
        assert "plan_declined_on" in columns

        await upgrade(db, MIGRATIONS)
        async with db.engine.connect() as conn:
            assert await conn.run_sync(schema_differences) == []
    finally:
        await db.dispose()


BTI_TABLES = {"child_bti", "relay_log", "relay_log_entry", "coordination_escalation"}


async def test_bti_relay_logs_and_escalations_come_and_go_with_0005(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/coordination.db", clock=FixedClock(NOW))
    try:
        await upgrade(db, MIGRATIONS)
        assert await _tables(db) >= BTI_TABLES

        await downgrade(db, MIGRATIONS, "0004")
        assert not BTI_TABLES & await _tables(db)
        assert await _tables(db) >= NEW_TABLES

        await upgrade(db, MIGRATIONS)
        async with db.engine.connect() as conn:
            assert await conn.run_sync(schema_differences) == []
    finally:
        await db.dispose()


async def test_the_grounds_and_specialist_services_come_and_go_with_0006_but_are_never_dropped_silently(
    tmp_path: Path,
) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/coordination.db", clock=FixedClock(NOW))
    try:
        await upgrade(db, MIGRATIONS)
        async with db.engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO referral (id, municipality, case_id, kind, person_id, requested, unit, "
                    "involves_child, received_on, grounds, grounds_since, status, requests, outcomes, created_at, "
                    "updated_at) VALUES ('r-1', '5026', 'c-1', 'child_coordinator_application', 'child-1', "
                    "'[\"child_coordinator\"]', 'ke_children', 1, '2026-11-20', 'child_welfare_care', '2026-11-01', "
                    "'open', '[]', '{}', :at, :at)"
                ),
                {"at": NOW},
            )

        with pytest.raises(RuntimeError, match="0006 downgrade refused: 1 referral"):
            await downgrade(db, MIGRATIONS, "0005")

        async with db.engine.begin() as conn:
            await conn.execute(text("DELETE FROM referral"))
        await downgrade(db, MIGRATIONS, "0005")
        async with db.engine.connect() as conn:
            columns = await conn.run_sync(lambda sync: {c["name"] for c in inspect(sync).get_columns("referral")})
        assert not {"grounds", "grounds_since", "specialist_services"} & columns

        await upgrade(db, MIGRATIONS)
        async with db.engine.connect() as conn:
            assert await conn.run_sync(schema_differences) == []
    finally:
        await db.dispose()


async def test_a_submitted_annual_report_is_never_dropped_silently_by_0007s_downgrade(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/coordination.db", clock=FixedClock(NOW))
    try:
        await upgrade(db, MIGRATIONS)
        async with db.engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO annual_report_clock (municipality, unit, year, deadline_id, submitted_at, "
                    "submitted_by, submitted) VALUES ('5032', 'tok', 2026, NULL, :at, 'leader-1', '{}')"
                ),
                {"at": NOW},
            )

        with pytest.raises(RuntimeError, match="0007 downgrade refused: 1 annual report"):
            await downgrade(db, MIGRATIONS, "0006")

        async with db.engine.begin() as conn:
            await conn.execute(text("DELETE FROM annual_report_clock"))
        await downgrade(db, MIGRATIONS, "0006")
        async with db.engine.connect() as conn:
            columns = await conn.run_sync(
                lambda sync: {c["name"]: c for c in inspect(sync).get_columns("annual_report_clock")}
            )
        assert not {"submitted_at", "submitted_by", "submitted"} & set(columns)
        assert columns["deadline_id"]["nullable"] is False

        await upgrade(db, MIGRATIONS)
        async with db.engine.connect() as conn:
            assert await conn.run_sync(schema_differences) == []
    finally:
        await db.dispose()
