"""Intake's use cases: each checks the rules, writes its rows and events in one unit of work, and commits."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from contracts.intake import (
    ApplicationRegistered,
    ApplicationWithdrawn,
    Channel,
    ChildCoordinatorApplicationRegistered,
    Consent,
    ConsentScope,
    ConsentWithdrawn,
    CoordinationReferralRegistered,
    EmergencyMeasureRegistered,
    Sender,
)
from servicekit.actor import Actor
from servicekit.calendar import local_date
from servicekit.db import UnitOfWork, new_id
from servicekit.errors import DomainError, NotFound
from servicekit.tenants import Tenant
from services.intake import db
from services.intake.domain import (
    CaseKind,
    CaseStatus,
    NationalId,
    RegisterApplication,
    RegisterChildCoordinatorApplication,
    RegisterEmergencyMeasure,
    RegisterReferral,
    check_application,
    check_child_age,
    check_child_coordinator_application,
    check_emergency_measure,
    check_referral,
    journal_number,
    route_for,
    routing,
    withdraw,
    withdraw_consent,
)

# --- persons ------------------------------------------------------------------------------------


async def register_person(
    uow: UnitOfWork, national_id: NationalId, actor: Actor, now: datetime, contact: dict[str, Any] | None = None
) -> tuple[dict[str, Any], bool]:
    """The municipality's person with this number, registered now if new: (person, created?).

    Name and address given with a known number update the person's contact details (people move)."""
    person, created = await db.add_person_once(
        uow.session,
        {
            "person_id": new_id(),
            "municipality": actor.municipality,
            "national_id": national_id.value,
            "id_kind": national_id.kind.value,
            "birth_date": national_id.birth_date,
            "created_at": now,
            "created_by": actor.subject,
            **(contact or {}),
        },
    )
    if contact and not created:
        await db.set_person_contact(uow.session, actor.municipality, person["person_id"], contact)
        person = {**person, **contact}
    await uow.commit()
    return person, created


async def read_person(
    uow: UnitOfWork,
    person_id: str,
    actor: Actor,
    *,
    purpose: str,
    disclose_national_id: bool,
    disclose_contact: bool,
    now: datetime,
) -> dict[str, Any]:
    """One person of the municipality; the read is logged in the same transaction, or not made at all."""
    person = await db.get_person(uow.session, actor.municipality, person_id)
    if person is None:
        raise NotFound(f"no person {person_id} in municipality {actor.municipality}", field="person_id")
    await db.add_person_access(
        uow.session,
        {
            "person_id": person_id,
            "municipality": actor.municipality,
            "accessed_by": actor.subject,
            "roles": sorted(actor.roles),
            "purpose": purpose,
            "national_id_disclosed": disclose_national_id,
            "accessed_at": now,
        },
    )
    await uow.commit()
    shown = {**person, "national_id": person["national_id"] if disclose_national_id else None}
    if not disclose_contact:
        shown.update(name=None, street=None, postcode=None, city=None)
    return shown


async def person_access_log(
    uow: UnitOfWork, person_id: str, actor: Actor, *, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    if await db.get_person(uow.session, actor.municipality, person_id) is None:
        raise NotFound(f"no person {person_id} in municipality {actor.municipality}", field="person_id")
    return await db.list_person_access(uow.session, actor.municipality, person_id, limit=limit, offset=offset)


async def _registered(uow: UnitOfWork, municipality: str, person_id: str, field: str) -> dict[str, Any]:
    person = await db.get_person(uow.session, municipality, person_id)
    if person is None:
        raise DomainError(
            f"{field}: no person {person_id} is registered in municipality {municipality}; register them "
            "first with POST /persons",
            field=field,
        )
    return person


# --- cases --------------------------------------------------------------------------------------


async def _open_case(uow: UnitOfWork, row: dict[str, Any], consent: Consent, actor: Actor) -> dict[str, Any]:
    """Journal the case and open its consent history. The journal counter is bumped last, so the
    counter row stays locked as briefly as possible."""
    sequence = await db.next_journal_sequence(uow.session, actor.municipality, row["received_on"].year)
    row = {
        **dict.fromkeys(db.application.c.keys()),
        **row,
        "municipality": actor.municipality,
        "journal_number": journal_number(row["received_on"].year, sequence),
        "consent": consent.model_dump(mode="json"),
        "status": CaseStatus.REGISTERED.value,
    }
    await db.add_application(uow.session, row)
    await db.add_consent_event(
        uow.session,
        {
            "case_id": row["case_id"],
            "municipality": actor.municipality,
            "kind": "given",
            "effective_on": row["received_on"],
            "consent": row["consent"],
            "recorded_at": row["created_at"],
            "recorded_by": actor.subject,
        },
    )
    return row


async def register_application(
    uow: UnitOfWork, cmd: RegisterApplication, tenant: Tenant, actor: Actor, *, case_id: str, now: datetime
) -> dict[str, Any]:
    check_application(cmd, tenant, today=local_date(now))
    person = await _registered(uow, actor.municipality, cmd.person_id, "person_id")
    routed = routing(
        CaseKind.SERVICE_APPLICATION,
        tenant,
        birth_date=person["birth_date"],
        on=cmd.received_on,
        children_involved=cmd.children_involved,
        field="received_on",
    )
    row = await _open_case(
        uow,
        {
            "case_id": case_id,
            "kind": CaseKind.SERVICE_APPLICATION.value,
            "person_id": cmd.person_id,
            "channel": cmd.channel.value,
            "sender": cmd.sender.value,
            "service_code": cmd.service_code,
            "received_on": cmd.received_on,
            "route": routed.route.value,
            "involves_child": routed.involves_child,
            "created_at": now,
        },
        cmd.consent,
        actor,
    )
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
            route=routed.route,
            involves_child=routed.involves_child,
        ),
    )
    await uow.commit()
    return row


async def register_referral(
    uow: UnitOfWork, cmd: RegisterReferral, tenant: Tenant, actor: Actor, *, case_id: str, now: datetime
) -> dict[str, Any]:
    check_referral(cmd, tenant, today=local_date(now))
    person = await _registered(uow, actor.municipality, cmd.person_id, "person_id")
    routed = routing(
        CaseKind.COORDINATION_REFERRAL,
        tenant,
        birth_date=person["birth_date"],
        on=cmd.received_on,
        children_involved=cmd.children_involved,
        field="received_on",
    )
    row = await _open_case(
        uow,
        {
            "case_id": case_id,
            "kind": CaseKind.COORDINATION_REFERRAL.value,
            "person_id": cmd.person_id,
            "channel": cmd.channel.value,
            "sender": cmd.sender.value,
            "requested": [need.value for need in cmd.requested],
            "received_on": cmd.received_on,
            "route": routed.route.value,
            "involves_child": routed.involves_child,
            "created_at": now,
        },
        cmd.consent,
        actor,
    )
    await uow.emit(
        CoordinationReferralRegistered(
            case_id=case_id,
            journal_number=row["journal_number"],
            person_id=cmd.person_id,
            channel=cmd.channel,
            sender=cmd.sender,
            requested=cmd.requested,
            received_on=cmd.received_on,
            consent=cmd.consent,
            route=routed.route,
            involves_child=routed.involves_child,
        ),
    )
    await uow.commit()
    return row


async def register_child_coordinator_application(
    uow: UnitOfWork,
    cmd: RegisterChildCoordinatorApplication,
    tenant: Tenant,
    actor: Actor,
    *,
    case_id: str,
    now: datetime,
) -> dict[str, Any]:
    check_child_coordinator_application(cmd, tenant, today=local_date(now))
    await _registered(uow, actor.municipality, cmd.applicant_person_id, "applicant_person_id")
    if cmd.child_person_id is not None:
        child = await _registered(uow, actor.municipality, cmd.child_person_id, "child_person_id")
        check_child_age(child["birth_date"], cmd.received_on)
    # The case is always about a child, born or expected.
    route = route_for(CaseKind.CHILD_COORDINATOR_APPLICATION, tenant, person_is_child=True)
    row = await _open_case(
        uow,
        {
            "case_id": case_id,
            "kind": CaseKind.CHILD_COORDINATOR_APPLICATION.value,
            "person_id": cmd.child_person_id,
            "applicant_person_id": cmd.applicant_person_id,
            "expected_birth_on": cmd.expected_birth_on,
            "channel": cmd.channel.value,
            "sender": cmd.sender.value,
            "received_on": cmd.received_on,
            "route": route.value,
            "involves_child": True,
            "created_at": now,
        },
        cmd.consent,
        actor,
    )
    await uow.emit(
        ChildCoordinatorApplicationRegistered(
            case_id=case_id,
            journal_number=row["journal_number"],
            child_person_id=cmd.child_person_id,
            expected_birth_on=cmd.expected_birth_on,
            applicant_person_id=cmd.applicant_person_id,
            channel=cmd.channel,
            sender=cmd.sender,
            received_on=cmd.received_on,
            consent=cmd.consent,
            route=route,
        ),
    )
    await uow.commit()
    return row


async def register_emergency_measure(
    uow: UnitOfWork, cmd: RegisterEmergencyMeasure, tenant: Tenant, actor: Actor, *, case_id: str, now: datetime
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A unit started a service before any decision: the case is received the day the service started,
    and the first allocation meeting must decide it."""
    check_emergency_measure(cmd, tenant, now=now)
    person = await _registered(uow, actor.municipality, cmd.person_id, "person_id")
    received_on = local_date(cmd.started_at)
    routed = routing(
        CaseKind.EMERGENCY_MEASURE, tenant, birth_date=person["birth_date"], on=received_on, field="started_at"
    )
    row = await _open_case(
        uow,
        {
            "case_id": case_id,
            "kind": CaseKind.EMERGENCY_MEASURE.value,
            "person_id": cmd.person_id,
            "channel": Channel.OTHER_UNIT.value,
            "sender": Sender.UNIT.value,
            "service_code": cmd.service_code,
            "received_on": received_on,
            "route": routed.route.value,
            "involves_child": routed.involves_child,
            "created_at": now,
        },
        cmd.consent,
        actor,
    )
    measure = {
        "case_id": case_id,
        "municipality": actor.municipality,
        "unit": cmd.unit,
        "started_at": cmd.started_at,
        "what": cmd.what,
        "why": cmd.why,
        "registered_at": now,
        "registered_by": actor.subject,
    }
    await db.add_emergency_measure(uow.session, measure)
    await uow.emit(
        EmergencyMeasureRegistered(
            case_id=case_id,
            journal_number=row["journal_number"],
            person_id=cmd.person_id,
            unit=cmd.unit,
            service_code=cmd.service_code,
            started_at=cmd.started_at,
            registered_at=now,
        ),
    )
    # The same case as an application, so that the journey downstream (receipt, assessment) starts.
    await uow.emit(
        ApplicationRegistered(
            case_id=case_id,
            journal_number=row["journal_number"],
            person_id=cmd.person_id,
            channel=Channel.OTHER_UNIT,
            sender=Sender.UNIT,
            service_code=cmd.service_code,
            received_on=received_on,
            consent=cmd.consent,
            route=routed.route,
            involves_child=routed.involves_child,
            emergency_measure=True,
        ),
    )
    await uow.commit()
    return row, measure


async def read_case(uow: UnitOfWork, case_id: str, actor: Actor) -> tuple[dict[str, Any], dict[str, Any] | None]:
    found = await db.get_application(uow.session, actor.municipality, case_id)
    if found is None:
        raise NotFound(f"no application {case_id} in municipality {actor.municipality}")
    measure = None
    if found["kind"] == CaseKind.EMERGENCY_MEASURE:
        measure = await db.get_emergency_measure(uow.session, case_id)
    return found, measure


async def _case_to_change(uow: UnitOfWork, case_id: str, actor: Actor) -> dict[str, Any]:
    found = await db.lock_application(uow.session, actor.municipality, case_id)
    if found is None:
        raise NotFound(f"no application {case_id} in municipality {actor.municipality}")
    return found


async def withdraw_application(
    uow: UnitOfWork, case_id: str, actor: Actor, *, withdrawn_on: date, reason: str | None, now: datetime
) -> dict[str, Any]:
    found = await _case_to_change(uow, case_id, actor)
    withdraw(found["status"], withdrawn_on, found["received_on"], today=local_date(now))
    await db.set_status(uow.session, case_id, CaseStatus.WITHDRAWN.value)
    await uow.emit(
        ApplicationWithdrawn(case_id=case_id, withdrawn_on=withdrawn_on, reason=reason),
    )
    await uow.commit()
    return {**found, "status": CaseStatus.WITHDRAWN.value}


async def withdraw_case_consent(
    uow: UnitOfWork,
    case_id: str,
    actor: Actor,
    *,
    scopes: list[ConsentScope],
    share_with: list[str],
    withdrawn_on: date,
    now: datetime,
) -> None:
    found = await _case_to_change(uow, case_id, actor)
    current = Consent.model_validate(found["consent"]) if found["consent"] is not None else None
    result = withdraw_consent(
        current,
        scopes,
        share_with,
        withdrawn_on=withdrawn_on,
        received_on=found["received_on"],
        today=local_date(now),
    )
    remaining = result.remaining.model_dump(mode="json") if result.remaining is not None else None
    await db.set_consent(uow.session, case_id, remaining)
    await db.add_consent_event(
        uow.session,
        {
            "case_id": case_id,
            "municipality": actor.municipality,
            "kind": "withdrawn",
            "effective_on": withdrawn_on,
            "consent": remaining,
            "withdrawn_scopes": [s.value for s in result.withdrawn_scopes],
            "withdrawn_share_with": result.withdrawn_share_with,
            "recorded_at": now,
            "recorded_by": actor.subject,
        },
    )
    await uow.emit(
        ConsentWithdrawn(
            case_id=case_id,
            withdrawn_scopes=result.withdrawn_scopes,
            withdrawn_share_with=result.withdrawn_share_with,
            withdrawn_on=withdrawn_on,
            remaining=result.remaining,
        ),
    )
    await uow.commit()


async def consent_of(uow: UnitOfWork, case_id: str, actor: Actor) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    found = await db.get_application(uow.session, actor.municipality, case_id)
    if found is None:
        raise NotFound(f"no application {case_id} in municipality {actor.municipality}")
    return found, await db.list_consent_events(uow.session, case_id)
