"""Decision's migrations on SQLite: forward, back to 0001, and forward again."""

from __future__ import annotations

from pathlib import Path

from servicekit.clock import FixedClock
from servicekit.db import Database
from services.decision.tests.migration_checks import (
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
