"""Assessment's migrations on SQLite: forward to the tables the repository maps, back to 0004 (one assessment per
case again, never dropping a later round silently), forward again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from servicekit.clock import FixedClock
from servicekit.db import Database
from servicekit.migrate import downgrade, upgrade
from services.assessment.db import metadata
from services.assessment.main import spec
from services.assessment.tests.support import NOW

MIGRATIONS = spec().migrations_dir
ROUND_COLUMNS = {"round", "opened_because", "appeal_outcome_id", "appeal_id", "quashed_decision_id", "quashed_on"}


def schema_differences(sync: Any) -> list[Any]:
    return list(compare_metadata(MigrationContext.configure(sync), metadata))


async def _columns(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        return set(await conn.run_sync(lambda sync: {c["name"] for c in inspect(sync).get_columns("assessment")}))


async def _insert(db: Database, assessment_id: str, case_id: str, **extra: Any) -> None:
    columns = {
        "id": assessment_id,
        "municipality": "3426",
        "case_id": case_id,
        "journal_number": "2026/000001",
        "person_id": "person-1",
        "service_code": "home_nursing",
        "route": "allocation_office",
        "received_on": "2026-11-02",
        "involves_child": False,
        "emergency_measure": False,
        "consent_scope": '["processing"]',
        "consent_share_with": "[]",
        "status": "completed",
        "writes_own_assessment": False,
        "created_at": NOW,
        "updated_at": NOW,
        **extra,
    }
    names = ", ".join(columns)
    values = ", ".join(f":{name}" for name in columns)
    async with db.engine.begin() as conn:
        await conn.execute(text(f"INSERT INTO assessment ({names}) VALUES ({values})"), columns)


async def test_the_rounds_of_a_case_come_and_go_with_0005_but_a_later_round_is_never_dropped_silently(
    tmp_path: Path,
) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/assessment.db", clock=FixedClock(NOW))
    try:
        await upgrade(db, MIGRATIONS, "0004")
        await _insert(db, "a-1", "case-1")  # an assessment from before rounds
        await upgrade(db, MIGRATIONS)
        async with db.engine.connect() as conn:
            assert await conn.scalar(text("SELECT version_num FROM alembic_version")) == "0005"
            assert await conn.run_sync(schema_differences) == []
            first = (await conn.execute(text("SELECT round, opened_because FROM assessment"))).one()
        assert tuple(first) == (1, "application_registered")
        await _insert(db, "a-2", "case-1", round=2, opened_because="quashed_on_appeal", appeal_outcome_id="o-1")
        with pytest.raises(IntegrityError):
            await _insert(db, "a-3", "case-1", round=3, opened_because="quashed_on_appeal", appeal_outcome_id="o-1")

        with pytest.raises(RuntimeError, match="0005 downgrade refused: 1 assessment"):
            await downgrade(db, MIGRATIONS, "0004")
        assert await _columns(db) >= ROUND_COLUMNS

        async with db.engine.begin() as conn:
            await conn.execute(text("DELETE FROM assessment WHERE round > 1"))
        await downgrade(db, MIGRATIONS, "0004")
        assert not ROUND_COLUMNS & await _columns(db)
        with pytest.raises(IntegrityError):
            await _insert(db, "a-4", "case-1")  # one assessment per case again

        await upgrade(db, MIGRATIONS)
        assert await _columns(db) >= ROUND_COLUMNS
        async with db.engine.connect() as conn:
            assert await conn.run_sync(schema_differences) == []
            assert await conn.scalar(text("SELECT count(*) FROM assessment")) == 1
    finally:
        await db.dispose()
