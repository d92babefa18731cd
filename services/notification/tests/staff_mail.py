"""Shared steps of the delivery tests: a deadline of Tolga's swept into a reminder, and what was recorded."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from fastapi import FastAPI
from sqlalchemy import select

from servicekit.actor import Actor
from servicekit.clock import FixedClock
from servicekit.testing import runtime_of
from services.notification import db as notification_db
from services.notification.db import Deadlines
from services.notification.domain import Deadline
from services.notification.main import sweep_deadlines

TOLGA = "3426"
DUE_ON = date(2026, 12, 14)
REMIND_AT = datetime(2026, 12, 10, 8, tzinfo=UTC)  # 09:00 in Norway, five days before the due day
# Tolga's configured addresses (deploy/tenants/3426-tolga.yaml).
OFFICE_ADDRESS = "tildeling@tolga.example.no"
LEADER_ADDRESS = "leder.tildeling@tolga.example.no"


async def due_reminder(
    app: FastAPI,
    clock: FixedClock,
    *,
    responsible: str = "allocation_office",
    deadline_id: str = "d-1",
    at: datetime = REMIND_AT,
) -> None:
    """A clock of Tolga's for `responsible`, swept `at` its reminder day: one reminder to `responsible`."""
    async with runtime_of(app).db.unit_of_work(Actor.service("notification", TOLGA)) as uow:
        await Deadlines(uow).add(
            Deadline(
                id=deadline_id,
                municipality=TOLGA,
                case_id=f"case-{deadline_id}",
                kind="information_request",
                due_on=DUE_ON,
                responsible=responsible,
                created_at=datetime(2026, 11, 1, tzinfo=UTC),
            )
        )
        await uow.commit()
    clock.set(at)
    assert await sweep_deadlines(runtime_of(app).parts) == 1


async def deliveries(app: FastAPI) -> list[Any]:
    """Every delivery row joined with its notification's kind and recipient, oldest first."""
    d, n = notification_db.delivery, notification_db.notification
    async with runtime_of(app).db.sessions() as session:
        query = (
            select(d, n.c.kind, n.c.recipient)
            .join(n, n.c.id == d.c.notification_id)
            .order_by(d.c.created_at, d.c.address)
        )
        return list((await session.execute(query)).all())


async def notes(app: FastAPI) -> list[tuple[str, str]]:
    """(kind, recipient) of every notification, oldest first."""
    n = notification_db.notification
    async with runtime_of(app).db.sessions() as session:
        query = select(n.c.kind, n.c.recipient).order_by(n.c.created_at, n.c.kind)
        return [(kind, recipient) for kind, recipient in (await session.execute(query)).all()]
