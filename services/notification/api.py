"""Notification's HTTP API: the notifications and deadlines of the caller's municipality."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from servicekit.context import bind
from servicekit.runtime import BusDep
from servicekit.types import Identifier, Limit, Offset
from services.notification import commands
from services.notification.domain import Deadline

router = APIRouter(tags=["notifications"])


class NotificationOut(BaseModel):
    id: str
    case_id: str
    kind: str
    recipient: str
    text: str
    created_at: datetime


class DeadlineOut(BaseModel):
    id: str
    case_id: str
    kind: str
    due_on: date
    responsible: str
    status: str
    created_at: datetime

    @classmethod
    def of(cls, deadline: Deadline) -> DeadlineOut:
        return cls(
            id=deadline.id,
            case_id=deadline.case_id,
            kind=deadline.kind,
            due_on=deadline.due_on,
            responsible=deadline.responsible,
            status=deadline.listed_status,
            created_at=deadline.created_at,
        )


CaseFilter = Annotated[Identifier | None, Query(description="only this case")]


@router.get("/notifications", response_model=list[NotificationOut], summary="Notifications, oldest first")
async def list_notifications(
    bus: BusDep, case_id: CaseFilter = None, limit: Limit = 100, offset: Offset = 0
) -> list[NotificationOut]:
    if case_id:
        bind(case_id=case_id)
    found = await bus.run(commands.list_notifications, commands.Page(case_id, limit, offset))
    return [
        NotificationOut(
            id=n.id, case_id=n.case_id, kind=n.kind, recipient=n.recipient, text=n.text, created_at=n.created_at
        )
        for n in found
    ]


@router.get("/deadlines", response_model=list[DeadlineOut], summary="Deadlines, oldest first")
async def list_deadlines(
    bus: BusDep, case_id: CaseFilter = None, limit: Limit = 100, offset: Offset = 0
) -> list[DeadlineOut]:
    if case_id:
        bind(case_id=case_id)
    return [DeadlineOut.of(d) for d in await bus.run(commands.list_deadlines, commands.Page(case_id, limit, offset))]
