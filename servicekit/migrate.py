"""Alembic migrations of a service, run at start-up (under a lock on PostgreSQL) or by command."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection

from servicekit.db import Database

_MIGRATION_LOCK_KEY = 0x0F0B0A1


def alembic_config(migrations_dir: Path, connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir))
    cfg.attributes["connection"] = connection
    return cfg


async def upgrade(db: Database, migrations_dir: Path, revision: str = "head") -> None:
    async with db.engine.begin() as conn:
        if not db.is_sqlite:
            await conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK_KEY})
        await conn.run_sync(lambda sync: command.upgrade(alembic_config(migrations_dir, sync), revision))


async def downgrade(db: Database, migrations_dir: Path, revision: str = "base") -> None:
    async with db.engine.begin() as conn:
        await conn.run_sync(lambda sync: command.downgrade(alembic_config(migrations_dir, sync), revision))


def run_env(target_metadata: MetaData) -> None:
    """Body of every service's migrations/env.py: migrate on the connection handed in."""
    from alembic import context  # noqa: PLC0415

    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations through servicekit.migrate (a connection is required)")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
