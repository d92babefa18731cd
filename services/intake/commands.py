"""Intake's use cases: each loads through the repository, calls the aggregate, saves and records its events.

The bus opens the unit of work for the acting municipality and commits it; no use case commits."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from contracts.intake import Consent, ConsentScope, WithdrawalReason
from servicekit.db import UnitOfWork, new_id
from servicekit.errors import DomainError, NotFound
from services.intake.db import Cases, Persons
from services.intake.domain import (
    LETTER_READERS,
    Case,
    CaseFilter,
    ConsentRecord,
    Contact,
    GuardianChange,
    GuardianEntry,
    Guardianship,
    LetterRecipients,
    Person,
    PersonAccess,
    RegisterApplication,
    RegisterChildCoordinatorApplication,
    RegisterEmergencyMeasure,
    RegisterReferral,
    Registration,
    ShownPerson,
    acting_unit,
    case_reader,
    check_application,
    check_child_coordinator_application,
    check_emergency_measure,
    check_referral,
    letter_recipients,
    letter_recipients_read_by,
    parse_national_id,
    require_person_reader,
)

# --- commands and queries -----------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterPerson:
    national_id: str
    contact: Contact | None = None


@dataclass(frozen=True)
class ReadPerson:
    person_id: str
    purpose: str


@dataclass(frozen=True)
class PersonAccessLog:
    person_id: str
    limit: int
    offset: int


@dataclass(frozen=True)
class RecordGuardians:
    """The person's guardian list as it now stands: all of it (empty removes every guardian)."""

    person_id: str
    guardians: list[GuardianEntry]


@dataclass(frozen=True)
class ReadGuardians:
    person_id: str


@dataclass(frozen=True)
class GuardiansView:
    guardianship: Guardianship
    history: list[GuardianChange]
    on: date  # today, the Norwegian date: whether a parent still speaks for the person


@dataclass(frozen=True)
class ReadLetterRecipients:
    person_id: str
    purpose: str


@dataclass(frozen=True)
class ReadCase:
    case_id: str


@dataclass(frozen=True)
class ListCases:
    filters: CaseFilter
    limit: int
    offset: int


@dataclass(frozen=True)
class WithdrawCase:
    case_id: str
    withdrawn_on: date
    reason_code: WithdrawalReason | None = None
    reason: str | None = None  # the caseworker's words: kept on the case, never on an event


@dataclass(frozen=True)
class WithdrawConsent:
    case_id: str
    scopes: list[ConsentScope]
    share_with: list[str]
    withdrawn_on: date


@dataclass(frozen=True)
class ConsentView:
    case_id: str
    current: Consent | None
    history: list[ConsentRecord]


# --- persons ------------------------------------------------------------------------------------


async def register_person(cmd: RegisterPerson, uow: UnitOfWork) -> tuple[Person, bool]:
    """The municipality's person with this number, registered now if new: (person, created?).

    Units may register a new person too: they start services out of hours for people new to the municipality
    (emergency measures). Name and address given with a known number update the person's contact details."""
    actor = uow.actor
    actor.require("caseworker", "unit")
    tenant = uow.tenant  # a municipality without configuration registers no one
    if not actor.has("caseworker"):
        acting_unit(actor.unit, tenant)
    national_id = parse_national_id(cmd.national_id, today=uow.clock.today())
    persons = Persons(uow)
    new = Person.register(new_id(), national_id, cmd.contact, actor=actor, now=uow.clock.now())
    person, created = await persons.add_once(new)
    if cmd.contact is not None and not created:
        person = person.moved(cmd.contact)
        await persons.save_contact(person)
    return person, created


async def read_person(cmd: ReadPerson, uow: UnitOfWork) -> ShownPerson:
    """One person of the municipality, as much as the actor may see; the read is logged in the same
    transaction, or not made at all."""
    require_person_reader(uow.actor)
    persons = Persons(uow)
    person = await persons.get(cmd.person_id)
    if person is None:
        raise NotFound(f"no person {cmd.person_id} in municipality {uow.municipality}", field="person_id")
    shown, access = person.read_by(uow.actor, cmd.purpose, now=uow.clock.now())
    await persons.log_access(access)
    return shown


async def person_access_log(cmd: PersonAccessLog, uow: UnitOfWork) -> tuple[list[PersonAccess], int]:
    uow.actor.require("caseworker", "leader")
    persons = Persons(uow)
    if await persons.get(cmd.person_id) is None:
        raise NotFound(f"no person {cmd.person_id} in municipality {uow.municipality}", field="person_id")
    return await persons.access_log(cmd.person_id, limit=cmd.limit, offset=cmd.offset)


def _no_person(person_id: str, uow: UnitOfWork) -> NotFound:
    return NotFound(f"no person {person_id} in municipality {uow.municipality}", field="person_id")


async def record_guardians(cmd: RecordGuardians, uow: UnitOfWork) -> GuardiansView:
    """A caseworker records who speaks for the person; every change is journaled with who and when."""
    uow.actor.require("caseworker")
    persons = Persons(uow)
    person = await persons.lock(cmd.person_id)
    if person is None:
        raise _no_person(cmd.person_id, uow)
    guardianship = await persons.guardianship(person)
    registered = await persons.many(e.person_id for e in cmd.guardians)
    guardianship.record(cmd.guardians, registered, actor=uow.actor, now=uow.clock.now())
    await persons.save_guardianship(guardianship)
    return GuardiansView(guardianship, await persons.guardian_history(person.person_id), on=uow.clock.today())


async def read_guardians(cmd: ReadGuardians, uow: UnitOfWork) -> GuardiansView:
    """Who the register says speaks for the person, and every change to it (pseudonymous ids only)."""
    uow.actor.require("caseworker", "leader", "service")
    persons = Persons(uow)
    person = await persons.get(cmd.person_id)
    if person is None:
        raise _no_person(cmd.person_id, uow)
    history = await persons.guardian_history(person.person_id)
    return GuardiansView(await persons.guardianship(person), history, on=uow.clock.today())


async def read_letter_recipients(cmd: ReadLetterRecipients, uow: UnitOfWork) -> LetterRecipients:
    """To whom letters about the person go today, with names and addresses; the read is logged for the person
    and for every recipient, in the same transaction, or not made at all."""
    uow.actor.require(*LETTER_READERS)
    persons = Persons(uow)
    person = await persons.get(cmd.person_id)
    if person is None:
        raise _no_person(cmd.person_id, uow)
    guardianship = await persons.guardianship(person)
    today = uow.clock.today()
    guardians = await persons.many(g.person_id for g in guardianship.in_force(today))
    recipients = letter_recipients(guardianship, guardians, today)
    for access in letter_recipients_read_by(recipients, uow.actor, cmd.purpose, now=uow.clock.now()):
        await persons.log_access(access)
    return recipients


async def _registered(persons: Persons, person_id: str, field: str) -> Person:
    person = await persons.get(person_id)
    if person is None:
        raise DomainError(
            f"{field}: no person {person_id} is registered in municipality {persons.municipality}; register them "
            "first with POST /persons",
            field=field,
        )
    return person


# --- registering cases --------------------------------------------------------------------------


async def _open(uow: UnitOfWork, case_id: str, registration: Registration) -> Case:
    """Journal the case, save it and record its events. The journal counter is bumped last, so that its row
    stays locked as briefly as possible."""
    cases = Cases(uow)
    sequence = await cases.next_journal_sequence(registration.received_on.year)
    case, events = Case.register(
        registration, case_id=case_id, journal_sequence=sequence, actor=uow.actor, now=uow.clock.now()
    )
    await cases.add(case)
    await uow.emit_all(events)
    return case


async def register_application(cmd: RegisterApplication, uow: UnitOfWork) -> Case:
    uow.actor.require("caseworker")
    check_application(cmd, uow.tenant, today=uow.clock.today())
    person = await _registered(Persons(uow), cmd.person_id, "person_id")
    return await _open(uow, cmd.case_id, Registration.application(cmd, uow.tenant, person=person))


async def register_referral(cmd: RegisterReferral, uow: UnitOfWork) -> Case:
    uow.actor.require("caseworker")
    check_referral(cmd, uow.tenant, today=uow.clock.today())
    person = await _registered(Persons(uow), cmd.person_id, "person_id")
    return await _open(uow, cmd.case_id, Registration.referral(cmd, uow.tenant, person=person))


async def register_child_coordinator_application(cmd: RegisterChildCoordinatorApplication, uow: UnitOfWork) -> Case:
    uow.actor.require("caseworker")
    check_child_coordinator_application(cmd, uow.tenant, today=uow.clock.today())
    persons = Persons(uow)
    await _registered(persons, cmd.applicant_person_id, "applicant_person_id")
    if cmd.co_applicant_person_id is not None:
        await _registered(persons, cmd.co_applicant_person_id, "co_applicant_person_id")
    child = None
    if cmd.child_person_id is not None:
        child = await _registered(persons, cmd.child_person_id, "child_person_id")
    return await _open(uow, cmd.case_id, Registration.child_coordinator_application(cmd, uow.tenant, child=child))


async def register_emergency_measure(cmd: RegisterEmergencyMeasure, uow: UnitOfWork) -> Case:
    """A unit started a service before any decision: the first allocation meeting must decide it."""
    uow.actor.require("unit")
    unit = acting_unit(uow.actor.unit, uow.tenant)
    check_emergency_measure(cmd, uow.tenant, now=uow.clock.now())
    person = await _registered(Persons(uow), cmd.person_id, "person_id")
    return await _open(uow, cmd.case_id, Registration.emergency_measure(cmd, uow.tenant, unit=unit, person=person))


# --- reading and changing cases -----------------------------------------------------------------


def _not_found(case_id: str, uow: UnitOfWork) -> NotFound:
    return NotFound(f"no application {case_id} in municipality {uow.municipality}")


async def _readable(cases: Cases, case_id: str, uow: UnitOfWork) -> Case:
    """The case, if the actor may read it (else Forbidden for the role, NotFound for a case it may not see)."""
    reader = case_reader(uow.actor, uow.tenant)
    case = await cases.get(case_id)
    if case is None or not reader.sees(case):
        raise _not_found(case_id, uow)
    return case


async def read_case(cmd: ReadCase, uow: UnitOfWork) -> Case:
    return await _readable(Cases(uow), cmd.case_id, uow)


async def list_cases(cmd: ListCases, uow: UnitOfWork) -> tuple[list[Case], int]:
    reader = case_reader(uow.actor, uow.tenant)
    filters = cmd.filters if reader.unit is None else replace(cmd.filters, registered_by_unit=reader.unit)
    return await Cases(uow).page(filters, limit=cmd.limit, offset=cmd.offset)


async def _to_change(cases: Cases, case_id: str, uow: UnitOfWork) -> Case:
    case = await cases.lock(case_id)
    if case is None:
        raise _not_found(case_id, uow)
    return case


async def withdraw_application(cmd: WithdrawCase, uow: UnitOfWork) -> Case:
    uow.actor.require("caseworker")
    cases = Cases(uow)
    case = await _to_change(cases, cmd.case_id, uow)
    events = case.withdraw(cmd.withdrawn_on, cmd.reason_code, cmd.reason, today=uow.clock.today())
    await cases.save(case)
    await uow.emit_all(events)
    return case


async def withdraw_case_consent(cmd: WithdrawConsent, uow: UnitOfWork) -> ConsentView:
    uow.actor.require("caseworker")
    cases = Cases(uow)
    case = await _to_change(cases, cmd.case_id, uow)
    events = case.withdraw_consent(
        cmd.scopes, cmd.share_with, withdrawn_on=cmd.withdrawn_on, actor=uow.actor, now=uow.clock.now()
    )
    await cases.save(case)
    await uow.emit_all(events)
    return ConsentView(case_id=case.case_id, current=case.consent, history=await cases.consent_history(case.case_id))


async def consent_of(cmd: ReadCase, uow: UnitOfWork) -> ConsentView:
    cases = Cases(uow)
    case = await _readable(cases, cmd.case_id, uow)
    return ConsentView(case_id=case.case_id, current=case.consent, history=await cases.consent_history(case.case_id))
