"""Every service's revision that adds parked outbox rows and idempotency keys, on SQLite: up, back, up again."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from sqlalchemy import Connection, inspect, text

from contracts.tests.examples import EXAMPLE_TIME
from servicekit.clock import FixedClock
from servicekit.db import Database
from servicekit.migrate import downgrade, upgrade

SERVICES = ["intake", "assessment", "decision", "coordination", "appeals", "notification"]


async def _schema(db: Database) -> tuple[set[str], set[str]]:
    def read(sync: Connection) -> tuple[set[str], set[str]]:
        found = inspect(sync)
        return set(found.get_table_names()), {c["name"] for c in found.get_columns("outbox_message")}

    async with db.engine.connect() as conn:
        return await conn.run_sync(read)


def _revision_of(migrations_dir: Path) -> tuple[str, str]:
    """The revision that adds parking and idempotency keys, and the one before it."""
    [path] = (migrations_dir / "versions").glob("*_outbox_parking_idempotency.py")
    module = importlib.import_module(f"services.{migrations_dir.parent.name}.migrations.versions.{path.stem}")
    return str(module.revision), str(module.down_revision)


@pytest.mark.parametrize("service", SERVICES)
async def test_parking_and_idempotency_keys_come_and_go_with_their_revision(service: str, tmp_path: Path) -> None:
    spec = importlib.import_module(f"services.{service}.main").spec()
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/{service}.db", clock=FixedClock(EXAMPLE_TIME))
    try:
        revision, previous = _revision_of(spec.migrations_dir)
        await upgrade(db, spec.migrations_dir, revision)
        tables, outbox = await _schema(db)
        assert "idempotency_key" in tables
        assert {"parked_at", "park_reason"} <= outbox
        async with db.engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO outbox_message (event_id, topic, key, municipality, headers, payload, created_at, "
                    "parked_at, park_reason) VALUES ('e-1', 't', 'case-1', '3426', '{}', '{}', :at, :at, 'too large')"
                ),
                {"at": EXAMPLE_TIME},
            )

        with pytest.raises(RuntimeError, match=f"{service} {revision} downgrade refused: 1 outbox row"):
            await downgrade(db, spec.migrations_dir, previous)

        async with db.engine.begin() as conn:
            await conn.execute(text("UPDATE outbox_message SET parked_at = NULL, park_reason = NULL"))
        await downgrade(db, spec.migrations_dir, previous)
        tables, outbox = await _schema(db)
        assert "idempotency_key" not in tables
        assert not {"parked_at", "park_reason"} & outbox
        async with db.engine.connect() as conn:
            assert await conn.scalar(text("SELECT count(*) FROM outbox_message")) == 1, "the outbox kept its rows"

        await upgrade(db, spec.migrations_dir)
        tables, outbox = await _schema(db)
        assert "idempotency_key" in tables
        assert {"parked_at", "park_reason"} <= outbox
    finally:
        await db.dispose()
