"""Intake's HTTP API: the person register, cases of every kind, consent, for the caller's municipality."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.intake import Channel, Consent, ConsentScope, CoordinationNeed, Route, Sender
from servicekit.actor import Actor
from servicekit.auth import PrincipalDep
from servicekit.calendar import local_date
from servicekit.context import bind
from servicekit.db import new_id
from servicekit.errors import DomainError
from servicekit.runtime import Runtime, RuntimeDep
from services.intake import commands, db
from services.intake.domain import (
    CaseKind,
    CaseStatus,
    IdKind,
    RegisterApplication,
    RegisterChildCoordinatorApplication,
    RegisterEmergencyMeasure,
    RegisterReferral,
    acting_unit,
    parse_national_id,
)

PersonId = Annotated[str, Field(min_length=1, max_length=100, description="pseudonymous person id from POST /persons")]


# --- persons ------------------------------------------------------------------------------------

persons = APIRouter(prefix="/persons", tags=["persons"])


class AddressIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    street: str = Field(min_length=1, max_length=200)
    postcode: str = Field(pattern=r"^[0-9]{4}$", description="Norwegian 4-digit postcode")
    city: str = Field(min_length=1, max_length=100)


class PersonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    national_id: str = Field(min_length=1, max_length=100, description="fødselsnummer or D-number, 11 digits")
    name: str | None = Field(default=None, min_length=1, max_length=200, description="for letters")
    address: AddressIn | None = Field(default=None, description="postal address, for letters")


class PersonOut(BaseModel):
    person_id: str = Field(description="pseudonymous id: the only way other services and events name the person")
    municipality: str
    id_kind: IdKind
    birth_date: date
    created_at: datetime


class PersonRead(PersonOut):
    national_id: str | None = Field(description="shown to caseworkers only; every read is logged")
    name: str | None = Field(default=None, description="shown to caseworkers and services that write letters")
    street: str | None = None
    postcode: str | None = None
    city: str | None = None


class PersonAccessOut(BaseModel):
    accessed_by: str
    roles: list[str]
    purpose: str
    national_id_disclosed: bool
    accessed_at: datetime


class PersonAccessPage(BaseModel):
    items: list[PersonAccessOut]
    total: int
    limit: int
    offset: int


@persons.post(
    "",
    status_code=201,
    response_model=PersonOut,
    responses={200: {"model": PersonOut, "description": "The number was registered before: the same person"}},
    summary="Register a person by national identity number, or find the one registered",
)
async def register_person(
    body: PersonIn, response: Response, principal: PrincipalDep, runtime: RuntimeDep
) -> dict[str, Any]:
    """Units may register a new person too: they start services out of hours for people new to the
    municipality (emergency measures)."""
    principal.require("caseworker", "unit")
    tenant = runtime.tenants.get(principal.municipality)
    if "caseworker" not in principal.roles:
        acting_unit(principal.unit, tenant)
    now = runtime.clock.now()
    national_id = parse_national_id(body.national_id, today=local_date(now))
    async with runtime.db.unit_of_work(principal) as uow:
        contact: dict[str, Any] = {}
        if body.name is not None:
            contact["name"] = body.name.strip()
        if body.address is not None:
            contact.update(body.address.model_dump())
        person, created = await commands.register_person(uow, national_id, principal, now, contact or None)
    response.status_code = 201 if created else 200
    return person


@persons.get("/{person_id}", response_model=PersonRead, summary="One person; the read is logged with its purpose")
async def read_person(
    person_id: str,
    purpose: Annotated[
        str, Query(min_length=3, max_length=500, description="why the person is looked up, e.g. 'decision letter'")
    ],
    principal: PrincipalDep,
    runtime: RuntimeDep,
) -> dict[str, Any]:
    if not purpose.strip():
        raise DomainError("purpose must say why the person is looked up", field="query.purpose")
    async with runtime.db.unit_of_work(principal) as uow:
        return await commands.read_person(
            uow,
            person_id,
            principal,
            purpose=purpose.strip(),
            disclose_national_id="caseworker" in principal.roles,
            disclose_contact=bool(principal.roles & {"caseworker", "service"}),
            now=runtime.clock.now(),
        )


@persons.get("/{person_id}/access-log", response_model=PersonAccessPage, summary="Who read the person, and why")
async def person_access_log(
    person_id: str,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    principal.require("caseworker", "leader")
    async with runtime.db.unit_of_work(principal) as uow:
        items, total = await commands.person_access_log(uow, person_id, principal, limit=limit, offset=offset)
    return {"items": items, "total": total, "limit": limit, "offset": offset}


# --- cases --------------------------------------------------------------------------------------

router = APIRouter(prefix="/applications", tags=["applications"])


class ApplicationIn(BaseModel):
    """An application for services, as the caseworker registers it."""

    model_config = ConfigDict(extra="forbid")

    person_id: PersonId
    channel: Channel
    sender: Sender
    service_code: str = Field(min_length=1, max_length=60, description="code from the municipality's catalogue")
    received_on: date
    consent: Consent
    children_involved: bool = Field(
        default=False, description="siblings or children as next of kin are affected: the case involves a child"
    )


class EmergencyMeasureOut(BaseModel):
    unit: str
    started_at: datetime
    what: str
    why: str
    registered_at: datetime
    registered_by: str


class ApplicationOut(BaseModel):
    """A case of any kind."""

    case_id: str
    municipality: str
    kind: CaseKind
    journal_number: str
    person_id: str | None = Field(description="whom the case is about; empty while a child is not yet born")
    applicant_person_id: str | None = None
    expected_birth_on: date | None = None
    channel: Channel
    sender: Sender
    service_code: str | None
    requested: list[CoordinationNeed] | None = None
    received_on: date
    consent: Consent | None = Field(description="the consent that holds now; empty once processing was withdrawn")
    route: Route
    involves_child: bool
    emergency_measure: bool
    decide_at_first_meeting: bool = Field(
        description="a unit started the service before a decision: the first allocation meeting decides"
    )
    emergency_details: EmergencyMeasureOut | None = Field(
        default=None, description="what the unit did and why; in the single-case read only"
    )
    status: CaseStatus
    created_at: datetime


class ApplicationPage(BaseModel):
    items: list[ApplicationOut]
    total: int
    limit: int
    offset: int


def _case_view(row: dict[str, Any], measure: dict[str, Any] | None = None) -> dict[str, Any]:
    emergency = row["kind"] == CaseKind.EMERGENCY_MEASURE
    return {
        **row,
        "emergency_measure": emergency,
        "decide_at_first_meeting": emergency,
        "emergency_details": measure,
    }


@router.post("", status_code=201, response_model=ApplicationOut, summary="Register an application for a service")
async def register_application(body: ApplicationIn, principal: PrincipalDep, runtime: RuntimeDep) -> dict[str, Any]:
    principal.require("caseworker")
    tenant = runtime.tenants.get(principal.municipality)
    cmd = RegisterApplication(
        municipality=principal.municipality, **body.model_dump(exclude={"consent"}), consent=body.consent
    )
    case_id = new_id()
    bind(case_id=case_id)
    async with runtime.db.unit_of_work(principal) as uow:
        row = await commands.register_application(uow, cmd, tenant, principal, case_id=case_id, now=runtime.clock.now())
    return _case_view(row)


@router.get("/{case_id}", response_model=ApplicationOut, summary="One case of your municipality")
async def get_application(case_id: str, principal: PrincipalDep, runtime: RuntimeDep) -> dict[str, Any]:
    bind(case_id=case_id)
    async with runtime.db.unit_of_work(principal) as uow:
        found, measure = await commands.read_case(uow, case_id, principal)
    return _case_view(found, measure)


@router.get("", response_model=ApplicationPage, summary="Cases of your municipality, newest first, filtered")
async def list_applications(
    *,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
    kind: CaseKind | None = None,
    status: CaseStatus | None = None,
    service_code: Annotated[str | None, Query(max_length=60)] = None,
    person_id: Annotated[
        str | None, Query(max_length=100, description="cases about this person, or applied for by them")
    ] = None,
    route: Route | None = None,
    journal_number: Annotated[str | None, Query(max_length=20)] = None,
    received_from: Annotated[date | None, Query(description="received on or after this date")] = None,
    received_to: Annotated[date | None, Query(description="received on or before this date")] = None,
    involves_child: bool | None = None,
    emergency: Annotated[bool | None, Query(description="emergency measures only (true) or none of them")] = None,
) -> dict[str, Any]:
    if received_from is not None and received_to is not None and received_from > received_to:
        raise DomainError("received_from cannot be after received_to", field="query.received_from")
    filters = db.CaseFilter(
        kind=kind,
        status=status,
        service_code=service_code,
        person_id=person_id,
        route=route,
        journal_number=journal_number,
        received_from=received_from,
        received_to=received_to,
        involves_child=involves_child,
        emergency=emergency,
    )
    async with runtime.db.unit_of_work(principal) as uow:
        items, total = await db.list_applications(
            uow.session, principal.municipality, limit=limit, offset=offset, filters=filters
        )
    return {"items": [_case_view(i) for i in items], "total": total, "limit": limit, "offset": offset}


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
    async with runtime.db.unit_of_work(principal) as uow:
        row = await commands.withdraw_application(
            uow,
            case_id,
            principal,
            withdrawn_on=body.withdrawn_on,
            reason=body.reason,
            now=runtime.clock.now(),
        )
    return _case_view(row)


# --- consent ------------------------------------------------------------------------------------


class ConsentWithdrawalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scopes: list[ConsentScope] = Field(min_length=1, description="withdrawing 'processing' withdraws all consent")
    share_with: list[str] = Field(
        default_factory=list, description="with 'sharing': stop sharing with these only; empty stops all sharing"
    )
    withdrawn_on: date


class ConsentEventOut(BaseModel):
    kind: Literal["given", "withdrawn"]
    effective_on: date
    consent: Consent | None = Field(description="given: the consent given; withdrawn: what still holds after")
    withdrawn_scopes: list[ConsentScope] | None
    withdrawn_share_with: list[str] | None
    recorded_at: datetime
    recorded_by: str | None


class ConsentOut(BaseModel):
    case_id: str
    current: Consent | None = Field(description="the consent that holds now; none once processing was withdrawn")
    history: list[ConsentEventOut]


async def _consent_view(runtime: Runtime, case_id: str, actor: Actor) -> dict[str, Any]:
    async with runtime.db.unit_of_work(actor) as uow:
        found, history = await commands.consent_of(uow, case_id, actor)
    return {"case_id": case_id, "current": found["consent"], "history": history}


@router.get("/{case_id}/consent", response_model=ConsentOut, summary="The consent that holds, and its history")
async def get_consent(case_id: str, principal: PrincipalDep, runtime: RuntimeDep) -> dict[str, Any]:
    bind(case_id=case_id)
    return await _consent_view(runtime, case_id, principal)


@router.post(
    "/{case_id}/consent/withdrawal", response_model=ConsentOut, summary="Record that consent was withdrawn, in part"
)
async def withdraw_consent(
    case_id: str, body: ConsentWithdrawalIn, principal: PrincipalDep, runtime: RuntimeDep
) -> dict[str, Any]:
    principal.require("caseworker")
    bind(case_id=case_id)
    actor = principal
    async with runtime.db.unit_of_work(principal) as uow:
        await commands.withdraw_case_consent(
            uow,
            case_id,
            actor,
            scopes=body.scopes,
            share_with=body.share_with,
            withdrawn_on=body.withdrawn_on,
            now=runtime.clock.now(),
        )
    return await _consent_view(runtime, case_id, actor)


# --- coordination referrals and child coordinator applications ----------------------------------

referrals = APIRouter(prefix="/referrals", tags=["coordination"])


class ReferralIn(BaseModel):
    """A referral of a need for coordinated services (meldeskjema), from anyone."""

    model_config = ConfigDict(extra="forbid")

    person_id: PersonId
    channel: Channel
    sender: Sender
    requested: list[CoordinationNeed] = Field(min_length=1, description="coordinator, individual plan, or both")
    received_on: date
    consent: Consent
    children_involved: bool = False


@referrals.post("", status_code=201, response_model=ApplicationOut, summary="Register a coordination referral")
async def register_referral(body: ReferralIn, principal: PrincipalDep, runtime: RuntimeDep) -> dict[str, Any]:
    principal.require("caseworker")
    tenant = runtime.tenants.get(principal.municipality)
    cmd = RegisterReferral(
        municipality=principal.municipality, **body.model_dump(exclude={"consent"}), consent=body.consent
    )
    case_id = new_id()
    bind(case_id=case_id)
    async with runtime.db.unit_of_work(principal) as uow:
        actor = principal
        row = await commands.register_referral(uow, cmd, tenant, actor, case_id=case_id, now=runtime.clock.now())
    return _case_view(row)


child_coordinator = APIRouter(prefix="/child-coordinator-applications", tags=["coordination"])


class ChildCoordinatorApplicationIn(BaseModel):
    """A family applies for a child coordinator (helse- og omsorgstjenesteloven § 7-2 a), possibly in pregnancy."""

    model_config = ConfigDict(extra="forbid")

    applicant_person_id: PersonId = Field(description="the parent or guardian who applies")
    child_person_id: PersonId | None = Field(default=None, description="the child, when born (under 18)")
    expected_birth_on: date | None = Field(default=None, description="in pregnancy, instead of child_person_id")
    channel: Channel
    sender: Sender
    received_on: date
    consent: Consent


@child_coordinator.post(
    "", status_code=201, response_model=ApplicationOut, summary="Register an application for a child coordinator"
)
async def register_child_coordinator_application(
    body: ChildCoordinatorApplicationIn, principal: PrincipalDep, runtime: RuntimeDep
) -> dict[str, Any]:
    principal.require("caseworker")
    tenant = runtime.tenants.get(principal.municipality)
    cmd = RegisterChildCoordinatorApplication(
        municipality=principal.municipality, **body.model_dump(exclude={"consent"}), consent=body.consent
    )
    case_id = new_id()
    bind(case_id=case_id)
    async with runtime.db.unit_of_work(principal) as uow:
        row = await commands.register_child_coordinator_application(
            uow, cmd, tenant, principal, case_id=case_id, now=runtime.clock.now()
        )
    return _case_view(row)


# --- emergency measures -------------------------------------------------------------------------

emergency_measures = APIRouter(prefix="/emergency-measures", tags=["emergency measures"])


class EmergencyMeasureIn(BaseModel):
    """A service a unit started out of hours before any decision (strakstiltak)."""

    model_config = ConfigDict(extra="forbid")

    person_id: PersonId
    service_code: str = Field(min_length=1, max_length=60)
    started_at: AwareDatetime = Field(description="when the unit started the service; not in the future")
    what: str = Field(min_length=1, max_length=4000, description="what was started; stays in intake")
    why: str = Field(min_length=1, max_length=4000, description="why it could not wait; stays in intake")
    consent: Consent = Field(description="the consent the person (or guardian, parents) gave the unit")


@emergency_measures.post(
    "", status_code=201, response_model=ApplicationOut, summary="A unit registers a service started before a decision"
)
async def register_emergency_measure(
    body: EmergencyMeasureIn, principal: PrincipalDep, runtime: RuntimeDep
) -> dict[str, Any]:
    principal.require("unit")
    tenant = runtime.tenants.get(principal.municipality)
    unit = acting_unit(principal.unit, tenant)
    cmd = RegisterEmergencyMeasure(
        municipality=principal.municipality, unit=unit, **body.model_dump(exclude={"consent"}), consent=body.consent
    )
    case_id = new_id()
    bind(case_id=case_id)
    async with runtime.db.unit_of_work(principal) as uow:
        row, measure = await commands.register_emergency_measure(
            uow, cmd, tenant, principal, case_id=case_id, now=runtime.clock.now()
        )
    return _case_view(row, measure)


routers = [persons, router, referrals, child_coordinator, emergency_measures]
