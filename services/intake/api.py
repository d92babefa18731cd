"""Intake's HTTP API: register and read applications of the caller's municipality."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from contracts.intake import ApplicationRegistered, ApplicationWithdrawn, Channel, Consent, Sender
from servicekit.auth import PrincipalDep
from servicekit.context import bind
from servicekit.db import new_id
from servicekit.errors import NotFound
from servicekit.runtime import RuntimeDep
from services.intake import db
from services.intake.domain import RegisterApplication, check_application, journal_number, withdraw

router = APIRouter(prefix="/applications", tags=["applications"])


class ApplicationIn(BaseModel):
    """An application for services, as the caseworker registers it."""

    model_config = ConfigDict(extra="forbid")

    person_id: str = Field(min_length=1, max_length=100, description="pseudonymous person id")
    channel: Channel
    sender: Sender
    service_code: str = Field(min_length=1, max_length=60, description="code from the municipality's catalogue")
    received_on: date
    consent: Consent


class ApplicationOut(BaseModel):
    case_id: str
    municipality: str
    journal_number: str
    person_id: str
    channel: Channel
    sender: Sender
    service_code: str
    received_on: date
    consent: Consent
    status: str
    created_at: datetime


class ApplicationPage(BaseModel):
    items: list[ApplicationOut]
    total: int
    limit: int
    offset: int


@router.post("", status_code=201, response_model=ApplicationOut, summary="Register an application")
async def register_application(body: ApplicationIn, principal: PrincipalDep, runtime: RuntimeDep) -> dict[str, Any]:
    principal.require("caseworker")
    tenant = runtime.tenants.get(principal.municipality)
    cmd = RegisterApplication(
        municipality=principal.municipality, **body.model_dump(exclude={"consent"}), consent=body.consent
    )
    now = datetime.now(UTC)
    check_application(cmd, tenant, today=now.date())
    case_id = new_id()
    bind(case_id=case_id)
    async with runtime.db.unit_of_work() as uow:
        sequence = await db.next_journal_sequence(uow.session, cmd.municipality, cmd.received_on.year)
        row = {
            "case_id": case_id,
            "municipality": cmd.municipality,
            "journal_number": journal_number(cmd.received_on.year, sequence),
            "person_id": cmd.person_id,
            "channel": cmd.channel.value,
            "sender": cmd.sender.value,
            "service_code": cmd.service_code,
            "received_on": cmd.received_on,
            "consent": cmd.consent.model_dump(mode="json"),
            "status": "registered",
            "created_at": now,
        }
        await db.add_application(uow.session, row)
        await uow.emit(
            ApplicationRegistered(
                case_id=case_id,
                journal_number=row["journal_number"],
                person_id=cmd.person_id,
                channel=cmd.channel,
                sender=cmd.sender,
                service_code=cmd.service_code,
                received_on=cmd.received_on,
                consent=cmd.consent,
            ),
            source=runtime.source,
            subject=case_id,
            municipality=cmd.municipality,
        )
        await uow.commit()
    return row


@router.get("/{case_id}", response_model=ApplicationOut, summary="One application of your municipality")
async def get_application(case_id: str, principal: PrincipalDep, runtime: RuntimeDep) -> dict[str, Any]:
    bind(case_id=case_id)
    async with runtime.db.unit_of_work() as uow:
        found = await db.get_application(uow.session, principal.municipality, case_id)
    if found is None:
        raise NotFound(f"no application {case_id} in municipality {principal.municipality}")
    return found


@router.get("", response_model=ApplicationPage, summary="Applications of your municipality, newest first")
async def list_applications(
    principal: PrincipalDep,
    runtime: RuntimeDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    async with runtime.db.unit_of_work() as uow:
        items, total = await db.list_applications(uow.session, principal.municipality, limit=limit, offset=offset)
    return {"items": items, "total": total, "limit": limit, "offset": offset}


class WithdrawalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    withdrawn_on: date
    reason: str | None = Field(default=None, max_length=2000)


@router.post("/{case_id}/withdrawal", response_model=ApplicationOut, summary="Record that the applicant withdrew")
async def withdraw_application(
    case_id: str, body: WithdrawalIn, principal: PrincipalDep, runtime: RuntimeDep
) -> dict[str, Any]:
    principal.require("caseworker")
    bind(case_id=case_id)
    async with runtime.db.unit_of_work() as uow:
        found = await db.get_application(uow.session, principal.municipality, case_id)
        if found is None:
            raise NotFound(f"no application {case_id} in municipality {principal.municipality}")
        withdraw(found["status"], body.withdrawn_on, found["received_on"])
        await db.set_status(uow.session, case_id, "withdrawn")
        await uow.emit(
            ApplicationWithdrawn(case_id=case_id, withdrawn_on=body.withdrawn_on, reason=body.reason),
            source=runtime.source,
            subject=case_id,
            municipality=principal.municipality,
        )
        await uow.commit()
    return {**found, "status": "withdrawn"}
