"""Notification's HTTP API: the notifications and deadlines of the caller's municipality."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from servicekit.auth import PrincipalDep
from servicekit.context import bind
from servicekit.runtime import RuntimeDep
from services.notification import db

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


CaseFilter = Annotated[str | None, Query(max_length=36, description="only this case")]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0)]


@router.get("/notifications", response_model=list[NotificationOut], summary="Notifications, oldest first")
async def list_notifications(
    principal: PrincipalDep, runtime: RuntimeDep, case_id: CaseFilter = None, limit: Limit = 100, offset: Offset = 0
) -> list[dict[str, Any]]:
    if case_id:
        bind(case_id=case_id)
    async with runtime.db.unit_of_work() as uow:
        return await db.list_for(
            uow.session, db.notification, principal.municipality, case_id, limit=limit, offset=offset
        )


@router.get("/deadlines", response_model=list[DeadlineOut], summary="Deadlines, oldest first")
async def list_deadlines(
    principal: PrincipalDep, runtime: RuntimeDep, case_id: CaseFilter = None, limit: Limit = 100, offset: Offset = 0
) -> list[dict[str, Any]]:
    if case_id:
        bind(case_id=case_id)
    async with runtime.db.unit_of_work() as uow:
        return await db.list_for(uow.session, db.deadline, principal.municipality, case_id, limit=limit, offset=offset)
