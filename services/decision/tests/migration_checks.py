"""Checks of decision's migrations, run on SQLite (unit tests) and PostgreSQL (infra tests)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect, text

from servicekit.db import Database
from servicekit.migrate import downgrade, upgrade
from services.decision.main import spec

MIGRATIONS = spec().migrations_dir
HEAD = "0007"  # the newest revision
TABLES = {
    "decision_case",
    "meeting",
    "agenda_item",
    "decision",
    "decision_approval",
    "service_order",
    "letter",
    "decision_deadline",
}


async def tables(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))


async def check_round_trip(db: Database) -> None:
    """0001 -> head -> 0001 -> head: the decision tables come and go; the outbox and inbox stay."""
    await upgrade(db, MIGRATIONS, "0001")
    assert not TABLES & await tables(db)

    await upgrade(db, MIGRATIONS)
    assert await tables(db) >= TABLES | {"outbox_message", "inbox_message"}
    async with db.engine.connect() as conn:
        assert await conn.scalar(text("SELECT version_num FROM alembic_version")) == HEAD

    await downgrade(db, MIGRATIONS, "0001")
    assert not TABLES & await tables(db)
    assert {"outbox_message", "inbox_message"} <= await tables(db)

    await upgrade(db, MIGRATIONS)
    assert await tables(db) >= TABLES


async def check_expected_child_is_not_dropped(db: Database) -> None:
    """Going back to 0003 refuses while a case is about a child not yet born (its letters would go to no one)."""
    await upgrade(db, MIGRATIONS)
    async with db.engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO decision_case (case_id, municipality, status, expected_child, created_at, updated_at) "
                "VALUES ('case-9', '5032', 'registered', :expected, :at, :at)"
            ),
            {"expected": '{"due_on": "2027-04-15", "parents": ["p-mor"]}', "at": datetime(2026, 11, 2, 9, tzinfo=UTC)},
        )

    with pytest.raises(RuntimeError, match="0004 downgrade refused: 1 case"):
        await downgrade(db, MIGRATIONS, "0003")

    async with db.engine.connect() as conn:
        assert await conn.scalar(text("SELECT version_num FROM alembic_version")) == HEAD


async def check_appeal_outcomes_are_not_dropped(db: Database) -> None:
    """Going back to 0005 refuses while a decision holds the appeal body's outcome or a case awaits a new treatment
    after a quashed decision; once they are removed it goes back, and forward again."""
    await upgrade(db, MIGRATIONS)
    at = datetime(2026, 5, 12, 9, tzinfo=UTC)
    async with db.engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO decision_case (case_id, municipality, status, quashed, created_at, updated_at) "
                "VALUES ('case-9', '5032', 'registered', :quashed, :at, :at)"
            ),
            {
                "quashed": '{"decision_id": "d-9", "outcome_id": "o-9", "quashed_on": "2026-05-12", '
                '"appeal_body": "Statsforvalteren"}',
                "at": at,
            },
        )
        await conn.execute(
            text(
                "INSERT INTO decision (id, municipality, case_id, person_id, kind, status, outcome, services, "
                "refused_services, legal_basis, reasons, decided_by, required_units, order_units, drafted_by, "
                "created_at, appeal_outcomes, quashed_on, quashed_by_outcome) VALUES ('d-9', '5032', 'case-9', "
                "'p-9', 'initial', 'quashed', 'granted', '[]', '[]', '[\"x\"]', '{}', 'office', '[]', '[]', 'kari', "
                ":at, :outcomes, '2026-05-12', 'o-9')"
            ),
            {
                "at": at,
                "outcomes": '[{"outcome_id": "o-9", "appeal_id": "ap-9", "outcome": "quashed", '
                '"decided_on": "2026-05-12", "appeal_body": "Statsforvalteren"}]',
            },
        )

    with pytest.raises(RuntimeError, match=r"0006 downgrade refused: 1 decision.* and 1 case"):
        await downgrade(db, MIGRATIONS, "0005")

    async with db.engine.connect() as conn:
        assert await conn.scalar(text("SELECT version_num FROM alembic_version")) == HEAD
        assert await conn.scalar(text("SELECT quashed_by_outcome FROM decision WHERE id = 'd-9'")) == "o-9"

    async with db.engine.begin() as conn:
        await conn.execute(text("DELETE FROM decision WHERE id = 'd-9'"))
        await conn.execute(text("DELETE FROM decision_case WHERE case_id = 'case-9'"))
    await downgrade(db, MIGRATIONS, "0005")
    async with db.engine.connect() as conn:
        columns = await conn.run_sync(lambda sync: {c["name"] for c in inspect(sync).get_columns("decision")})
    assert not {"appeal_outcomes", "quashed_on", "quashed_by_outcome"} & columns
    await upgrade(db, MIGRATIONS)
    async with db.engine.connect() as conn:
        assert await conn.scalar(text("SELECT version_num FROM alembic_version")) == HEAD
