"""Decision's migrations on SQLite: forward, back to 0001, and forward again."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from servicekit.clock import FixedClock
from servicekit.db import Database
from servicekit.migrate import downgrade, upgrade
from services.decision.tests.migration_checks import (
    MIGRATIONS,
    check_appeal_outcomes_are_not_dropped,
    check_expected_child_is_not_dropped,
    check_round_trip,
)
from services.decision.tests.support import CLOCK_START


async def test_migrations_add_the_decision_tables_and_take_them_away_again(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/decision.db", clock=FixedClock(CLOCK_START))
    try:
        await check_round_trip(db)
    finally:
        await db.dispose()


async def test_downgrade_refuses_while_a_case_is_about_an_expected_child(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/decision.db", clock=FixedClock(CLOCK_START))
    try:
        await check_expected_child_is_not_dropped(db)
    finally:
        await db.dispose()


async def test_downgrade_refuses_while_a_decision_holds_the_appeal_bodys_outcome(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/decision.db", clock=FixedClock(CLOCK_START))
    try:
        await check_appeal_outcomes_are_not_dropped(db)
    finally:
        await db.dispose()


async def test_downgrade_refuses_while_a_case_is_flagged_for_a_review_that_fell_due(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/decision.db", clock=FixedClock(CLOCK_START))
    try:
        await upgrade(db, MIGRATIONS)
        async with db.engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO decision_case (case_id, municipality, status, due_review, created_at, updated_at) "
                    "VALUES ('case-9', '3426', 'decided', :due, :at, :at)"
                ),
                {
                    "due": '{"deadline_id": "c-9", "decision_id": "d-9", "kind": "decision_review", '
                    '"due_on": "2027-03-10"}',
                    "at": CLOCK_START,
                },
            )

        with pytest.raises(RuntimeError, match="0007 downgrade refused: 1 case"):
            await downgrade(db, MIGRATIONS, "0006")

        async with db.engine.begin() as conn:
            await conn.execute(text("UPDATE decision_case SET due_review = NULL"))
        await downgrade(db, MIGRATIONS, "0006")
        async with db.engine.connect() as conn:
            columns = await conn.run_sync(lambda sync: {c["name"] for c in inspect(sync).get_columns("decision_case")})
        assert "due_review" not in columns
        await upgrade(db, MIGRATIONS)
    finally:
        await db.dispose()
