"""Intake's HTTP API: the person register, cases of every kind, consent, for the caller's municipality."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from contracts.intake import (
    Channel,
    ChildCoordinatorGrounds,
    Consent,
    ConsentScope,
    CoordinationNeed,
    Route,
    Sender,
    ShareWith,
    WithdrawalReason,
)
from servicekit.context import bind
from servicekit.db import new_id
from servicekit.errors import DomainError
from servicekit.http import problem_responses
from servicekit.runtime import BusDep
from servicekit.types import (
    MAX_LIST,
    Code,
    Identifier,
    JournalNumber,
    Limit,
    Line,
    Name,
    Offset,
    PlausibleDate,
    PlausibleTime,
    Text,
)
from services.intake import commands
from services.intake.domain import (
    MAX_GUARDIANS,
    Case,
    CaseFilter,
    CaseKind,
    CaseStatus,
    Contact,
    GuardianChangeKind,
    GuardianEntry,
    GuardianRelation,
    IdKind,
    LetterRecipients,
    Person,
    Receives,
    RegisterApplication,
    RegisterChildCoordinatorApplication,
    RegisterEmergencyMeasure,
    RegisterReferral,
    ShownPerson,
    guardian_in_force,
)

PersonId = Annotated[Identifier, Field(description="pseudonymous person id from POST /persons")]


# --- persons ------------------------------------------------------------------------------------

persons = APIRouter(prefix="/persons", tags=["persons"])


class AddressIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    street: Name
    postcode: str = Field(pattern=r"^[0-9]{4}$", description="Norwegian 4-digit postcode")
    city: Annotated[Name, Field(max_length=100)]


class PersonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    national_id: Annotated[Line, Field(max_length=100)] = Field(description="fødselsnummer or D-number, 11 digits")
    name: Name | None = Field(default=None, description="for letters")
    address: AddressIn | None = Field(default=None, description="postal address, for letters")


class PersonOut(BaseModel):
    person_id: str = Field(description="pseudonymous id: the only way other services and events name the person")
    municipality: str
    id_kind: IdKind
    birth_date: date
    created_at: datetime

    @classmethod
    def of(cls, person: Person) -> PersonOut:
        return cls(
            person_id=person.person_id,
            municipality=person.municipality,
            id_kind=person.id_kind,
            birth_date=person.birth_date,
            created_at=person.created_at,
        )


class PersonRead(PersonOut):
    national_id: str | None = Field(description="shown to caseworkers only; every read is logged")
    name: str | None = Field(default=None, description="shown to caseworkers and services that write letters")
    street: str | None = None
    postcode: str | None = None
    city: str | None = None

    @classmethod
    def shown(cls, person: ShownPerson) -> PersonRead:
        return cls(
            person_id=person.person_id,
            municipality=person.municipality,
            id_kind=person.id_kind,
            birth_date=person.birth_date,
            created_at=person.created_at,
            national_id=person.national_id,
            name=person.contact.name,
            street=person.contact.street,
            postcode=person.contact.postcode,
            city=person.contact.city,
        )


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
async def register_person(body: PersonIn, response: Response, bus: BusDep) -> PersonOut:
    """Units may register a new person too: they start services out of hours for people new to the
    municipality (emergency measures)."""
    contact = None
    if body.name is not None or body.address is not None:
        address = body.address
        contact = Contact(
            name=body.name.strip() if body.name is not None else None,
            street=address.street if address else None,
            postcode=address.postcode if address else None,
            city=address.city if address else None,
        )
    person, created = await bus.run(commands.register_person, commands.RegisterPerson(body.national_id, contact))
    response.status_code = 201 if created else 200
    return PersonOut.of(person)


Purpose = Annotated[
    Line, Query(min_length=3, max_length=500, description="why the person is looked up, e.g. 'decision letter'")
]


def _purpose(purpose: str) -> str:
    if not purpose.strip():
        raise DomainError("purpose must say why the person is looked up", field="query.purpose")
    return purpose.strip()


@persons.get("/{person_id}", response_model=PersonRead, summary="One person; the read is logged with its purpose")
async def read_person(person_id: Identifier, purpose: Purpose, bus: BusDep) -> PersonRead:
    shown = await bus.run(commands.read_person, commands.ReadPerson(person_id, purpose=_purpose(purpose)))
    return PersonRead.shown(shown)


@persons.get("/{person_id}/access-log", response_model=PersonAccessPage, summary="Who read the person, and why")
async def person_access_log(
    person_id: Identifier,
    bus: BusDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> PersonAccessPage:
    items, total = await bus.run(commands.person_access_log, commands.PersonAccessLog(person_id, limit, offset))
    return PersonAccessPage(
        items=[PersonAccessOut.model_validate(i, from_attributes=True) for i in items],
        total=total,
        limit=limit,
        offset=offset,
    )


# --- guardians and letter recipients -------------------------------------------------------------


class GuardianIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_id: PersonId = Field(description="the guardian: a registered person of the same municipality")
    relation: GuardianRelation = Field(
        description="'parent': a parent with parental responsibility (foreldreansvar), for a child under 18 only; "
        "'guardian': a verge appointed under vergemålsloven, for a child or an adult"
    )


class GuardiansIn(BaseModel):
    """The person's guardian list as it now stands: all of it. Entries left out are removed; an empty list
    removes every guardian."""

    model_config = ConfigDict(extra="forbid")

    guardians: list[GuardianIn] = Field(max_length=MAX_GUARDIANS)


class GuardianOut(BaseModel):
    person_id: str = Field(description="the guardian's pseudonymous person id")
    relation: GuardianRelation
    in_force: bool = Field(
        description="speaks for the person today: an appointed guardian always, a parent until the 18th birthday"
    )
    recorded_at: datetime
    recorded_by: str


class GuardianChangeOut(BaseModel):
    guardian_person_id: str
    change: GuardianChangeKind
    relation: GuardianRelation = Field(description="the relation after the change; before it, for a removal")
    previous_relation: GuardianRelation | None = Field(description="for a relation_changed: the relation before")
    changed_at: datetime
    changed_by: str


class GuardiansOut(BaseModel):
    person_id: str
    on: date = Field(description="today's date in Norway, on which in_force and person_is_child are judged")
    person_is_child: bool = Field(description="under 18 on `on`")
    guardians: list[GuardianOut] = Field(description="parents first, then appointed guardians")
    history: list[GuardianChangeOut] = Field(description="every change to the list, oldest first")


def _guardians_view(view: commands.GuardiansView) -> GuardiansOut:
    person = view.guardianship.person
    return GuardiansOut(
        person_id=person.person_id,
        on=view.on,
        person_is_child=person.is_child_on(view.on),
        guardians=[
            GuardianOut(
                person_id=g.person_id,
                relation=g.relation,
                in_force=guardian_in_force(g, person, view.on),
                recorded_at=g.recorded_at,
                recorded_by=g.recorded_by,
            )
            for g in view.guardianship.guardians
        ],
        history=[GuardianChangeOut.model_validate(c, from_attributes=True) for c in view.history],
    )


@persons.put(
    "/{person_id}/guardians",
    response_model=GuardiansOut,
    summary="Record who speaks for the person: their parents or appointed guardian (caseworkers)",
    responses=problem_responses(
        {
            403: "not a caseworker",
            404: "no such person in your municipality",
            422: "the list breaks a rule; `field` names the entry (e.g. guardians.0.relation)",
        }
    ),
)
async def record_guardians(person_id: Identifier, body: GuardiansIn, bus: BusDep) -> GuardiansOut:
    """Replaces the person's guardian list with the one given. Each guardian must be a registered person of
    the municipality (register them first with POST /persons), not the person themself, named once; at most
    two parents, and parents only for a child under 18 (a parent appointed verge for an adult is recorded as
    'guardian'); an appointed guardian is 18 or older. Every addition, removal and change of relation is
    journaled with who and when; no event is raised (the register is intake's own)."""
    cmd = commands.RecordGuardians(
        person_id, guardians=[GuardianEntry(g.person_id, g.relation) for g in body.guardians]
    )
    return _guardians_view(await bus.run(commands.record_guardians, cmd))


@persons.get(
    "/{person_id}/guardians",
    response_model=GuardiansOut,
    summary="Who speaks for the person, and every change to that (caseworkers, leaders, services)",
    responses=problem_responses(
        {403: "not a caseworker, leader or service", 404: "no such person in your municipality"}
    ),
)
async def read_guardians(person_id: Identifier, bus: BusDep) -> GuardiansOut:
    """Pseudonymous ids and relations only; names and addresses are read with /letter-recipients."""
    return _guardians_view(await bus.run(commands.read_guardians, commands.ReadGuardians(person_id)))


class LetterRecipientOut(BaseModel):
    person_id: str
    receives_as: Receives = Field(
        description="'self': the person the letter is about; 'parent': a parent with parental responsibility; "
        "'guardian': the appointed guardian (verge)"
    )
    name: str | None = Field(description="null where the register holds none")
    street: str | None
    postcode: str | None
    city: str | None


class LetterRecipientsOut(BaseModel):
    person_id: str = Field(description="the person the letters are about")
    on: date = Field(description="today's date in Norway, on which the person's age is judged")
    person_is_child: bool = Field(description="under 18 on `on`")
    no_guardian_registered: bool = Field(
        description="the person is a child and the register names no guardian: the child themself is the recipient"
    )
    recipients: list[LetterRecipientOut] = Field(
        min_length=1,
        description="a child: its parents and appointed guardians (or the child, when none is registered); an "
        "adult: the person first, then any appointed guardian",
    )

    @classmethod
    def of(cls, found: LetterRecipients) -> LetterRecipientsOut:
        return cls(
            person_id=found.person_id,
            on=found.on,
            person_is_child=found.person_is_child,
            no_guardian_registered=found.no_guardian_registered,
            recipients=[
                LetterRecipientOut(
                    person_id=r.person_id,
                    receives_as=r.receives_as,
                    name=r.contact.name,
                    street=r.contact.street,
                    postcode=r.contact.postcode,
                    city=r.contact.city,
                )
                for r in found.recipients
            ],
        )


@persons.get(
    "/{person_id}/letter-recipients",
    response_model=LetterRecipientsOut,
    summary="To whom letters about the person go, with names and postal addresses; the read is logged",
    responses=problem_responses(
        {
            403: "not a caseworker or service: names and addresses are not shown",
            404: "no such person in your municipality; nothing is logged",
            422: "no purpose given",
        }
    ),
)
async def read_letter_recipients(person_id: Identifier, purpose: Purpose, bus: BusDep) -> LetterRecipientsOut:
    """For caseworkers and services that write letters. A child under 18 (today, in Norway): its guardians
    (parents with parental responsibility, appointed guardian), or the child themself with
    `no_guardian_registered` when the register names none. An adult: the person, and also their appointed
    guardian (vergemål). For an unborn child, ask for the expecting parent (the applicant). The read is logged
    in the access log of the person and of every recipient, with its purpose."""
    cmd = commands.ReadLetterRecipients(person_id, purpose=_purpose(purpose))
    return LetterRecipientsOut.of(await bus.run(commands.read_letter_recipients, cmd))


# --- cases --------------------------------------------------------------------------------------

router = APIRouter(prefix="/applications", tags=["applications"])


class ApplicationIn(BaseModel):
    """An application for services, as the caseworker registers it."""

    model_config = ConfigDict(extra="forbid")

    person_id: PersonId
    channel: Channel
    sender: Sender
    service_code: Code = Field(description="code from the municipality's catalogue")
    received_on: PlausibleDate
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


class WithdrawalOut(BaseModel):
    withdrawn_on: date
    reason_code: WithdrawalReason | None
    reason: str | None = Field(description="the caseworker's words; they stay in intake, the event has the code")


class ApplicationOut(BaseModel):
    """A case of any kind."""

    case_id: str
    municipality: str
    kind: CaseKind
    journal_number: str
    person_id: str | None = Field(description="whom the case is about; empty while a child is not yet born")
    applicant_person_id: str | None = None
    co_applicant_person_id: str | None = Field(default=None, description="in pregnancy, the other expecting parent")
    expected_birth_on: date | None = None
    grounds: ChildCoordinatorGrounds | None = Field(default=None, description="a child-coordinator application's")
    grounds_since: date | None = None
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
    withdrawal: WithdrawalOut | None = Field(
        default=None, description="when and why the applicant withdrew; in the single-case read only"
    )
    status: CaseStatus
    created_at: datetime


class ApplicationPage(BaseModel):
    items: list[ApplicationOut]
    total: int
    limit: int
    offset: int


def _case_view(case: Case, *, details: bool = False) -> ApplicationOut:
    """The case as the API shows it; the emergency details only where asked for (the single-case read)."""
    emergency = case.emergency if details else None
    withdrawal = case.withdrawal if details else None
    return ApplicationOut(
        case_id=case.case_id,
        municipality=case.municipality,
        kind=case.kind,
        journal_number=case.journal_number,
        person_id=case.person_id,
        applicant_person_id=case.applicant_person_id,
        co_applicant_person_id=case.co_applicant_person_id,
        expected_birth_on=case.expected_birth_on,
        grounds=case.grounds,
        grounds_since=case.grounds_since,
        channel=case.channel,
        sender=case.sender,
        service_code=case.service_code,
        requested=case.requested,
        received_on=case.received_on,
        consent=case.consent,
        route=case.route,
        involves_child=case.involves_child,
        emergency_measure=case.is_emergency_measure,
        decide_at_first_meeting=case.is_emergency_measure,
        emergency_details=EmergencyMeasureOut.model_validate(emergency, from_attributes=True) if emergency else None,
        withdrawal=WithdrawalOut.model_validate(withdrawal, from_attributes=True) if withdrawal else None,
        status=case.status,
        created_at=case.created_at,
    )


def _new_case_id() -> str:
    case_id = new_id()
    bind(case_id=case_id)
    return case_id


@router.post("", status_code=201, response_model=ApplicationOut, summary="Register an application for a service")
async def register_application(body: ApplicationIn, bus: BusDep) -> ApplicationOut:
    cmd = RegisterApplication(case_id=_new_case_id(), **body.model_dump(exclude={"consent"}), consent=body.consent)
    return _case_view(await bus.run(commands.register_application, cmd))


@router.get("/{case_id}", response_model=ApplicationOut, summary="One case of your municipality")
async def get_application(case_id: Identifier, bus: BusDep) -> ApplicationOut:
    bind(case_id=case_id)
    return _case_view(await bus.run(commands.read_case, commands.ReadCase(case_id)), details=True)


@router.get("", response_model=ApplicationPage, summary="Cases of your municipality, newest first, filtered")
async def list_applications(
    *,
    bus: BusDep,
    limit: Limit = 50,
    offset: Offset = 0,
    kind: CaseKind | None = None,
    status: CaseStatus | None = None,
    service_code: Code | None = None,
    person_id: Annotated[
        Identifier | None, Query(description="cases about this person, or applied for by them")
    ] = None,
    route: Route | None = None,
    journal_number: JournalNumber | None = None,
    received_from: Annotated[PlausibleDate | None, Query(description="received on or after this date")] = None,
    received_to: Annotated[PlausibleDate | None, Query(description="received on or before this date")] = None,
    involves_child: bool | None = None,
    emergency: Annotated[bool | None, Query(description="emergency measures only (true) or none of them")] = None,
) -> ApplicationPage:
    if received_from is not None and received_to is not None and received_from > received_to:
        raise DomainError("received_from cannot be after received_to", field="query.received_from")
    filters = CaseFilter(
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
    items, total = await bus.run(commands.list_cases, commands.ListCases(filters, limit=limit, offset=offset))
    return ApplicationPage(items=[_case_view(i) for i in items], total=total, limit=limit, offset=offset)


class WithdrawalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    withdrawn_on: PlausibleDate
    reason_code: WithdrawalReason | None = Field(default=None, description="why, as a code; the event carries it")
    reason: Text | None = Field(
        default=None, max_length=2000, description="in the caseworker's words; kept in intake, never on an event"
    )


@router.post("/{case_id}/withdrawal", response_model=ApplicationOut, summary="Record that the applicant withdrew")
async def withdraw_application(case_id: Identifier, body: WithdrawalIn, bus: BusDep) -> ApplicationOut:
    bind(case_id=case_id)
    cmd = commands.WithdrawCase(
        case_id, withdrawn_on=body.withdrawn_on, reason_code=body.reason_code, reason=body.reason
    )
    return _case_view(await bus.run(commands.withdraw_application, cmd))


# --- consent ------------------------------------------------------------------------------------


class ConsentWithdrawalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scopes: list[ConsentScope] = Field(
        min_length=1, max_length=len(ConsentScope), description="withdrawing 'processing' withdraws all consent"
    )
    share_with: list[ShareWith] = Field(
        default_factory=list,
        max_length=MAX_LIST,
        description="with 'sharing': stop sharing with these only; empty stops all sharing",
    )
    withdrawn_on: PlausibleDate


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


def _consent_view(view: commands.ConsentView) -> ConsentOut:
    return ConsentOut(
        case_id=view.case_id,
        current=view.current,
        history=[ConsentEventOut.model_validate(r, from_attributes=True) for r in view.history],
    )


@router.get("/{case_id}/consent", response_model=ConsentOut, summary="The consent that holds, and its history")
async def get_consent(case_id: Identifier, bus: BusDep) -> ConsentOut:
    bind(case_id=case_id)
    return _consent_view(await bus.run(commands.consent_of, commands.ReadCase(case_id)))


@router.post(
    "/{case_id}/consent/withdrawal", response_model=ConsentOut, summary="Record that consent was withdrawn, in part"
)
async def withdraw_consent(case_id: Identifier, body: ConsentWithdrawalIn, bus: BusDep) -> ConsentOut:
    bind(case_id=case_id)
    cmd = commands.WithdrawConsent(
        case_id, scopes=body.scopes, share_with=body.share_with, withdrawn_on=body.withdrawn_on
    )
    return _consent_view(await bus.run(commands.withdraw_case_consent, cmd))


# --- coordination referrals and child coordinator applications ----------------------------------

referrals = APIRouter(prefix="/referrals", tags=["coordination"])


class ReferralIn(BaseModel):
    """A referral of a need for coordinated services (meldeskjema), from anyone."""

    model_config = ConfigDict(extra="forbid")

    person_id: PersonId
    channel: Channel
    sender: Sender
    requested: list[CoordinationNeed] = Field(
        min_length=1, max_length=len(CoordinationNeed), description="coordinator, individual plan, or both"
    )
    received_on: PlausibleDate
    consent: Consent
    children_involved: bool = False


@referrals.post("", status_code=201, response_model=ApplicationOut, summary="Register a coordination referral")
async def register_referral(body: ReferralIn, bus: BusDep) -> ApplicationOut:
    cmd = RegisterReferral(case_id=_new_case_id(), **body.model_dump(exclude={"consent"}), consent=body.consent)
    return _case_view(await bus.run(commands.register_referral, cmd))


child_coordinator = APIRouter(prefix="/child-coordinator-applications", tags=["coordination"])


class ChildCoordinatorApplicationIn(BaseModel):
    """A family applies for a child coordinator (helse- og omsorgstjenesteloven § 7-2 a), possibly in pregnancy."""

    model_config = ConfigDict(extra="forbid")

    applicant_person_id: PersonId = Field(description="the parent or guardian who applies")
    child_person_id: PersonId | None = Field(default=None, description="the child, when born (under 18)")
    expected_birth_on: PlausibleDate | None = Field(
        default=None, description="in pregnancy, instead of child_person_id"
    )
    co_applicant_person_id: PersonId | None = Field(
        default=None,
        description="in pregnancy only: the other expecting parent, registered in the person register; the "
        "decision's letters go to both expecting parents",
    )
    grounds: ChildCoordinatorGrounds | None = Field(
        default=None,
        description="the grounds of the right; absent, expected_child with expected_birth_on, otherwise born_child",
    )
    grounds_since: PlausibleDate | None = Field(
        default=None,
        description="for adoption_allocated the day the child was allocated, for child_welfare_care the day child "
        "welfare took over care; not after received_on",
    )
    channel: Channel
    sender: Sender
    received_on: PlausibleDate
    consent: Consent


@child_coordinator.post(
    "", status_code=201, response_model=ApplicationOut, summary="Register an application for a child coordinator"
)
async def register_child_coordinator_application(body: ChildCoordinatorApplicationIn, bus: BusDep) -> ApplicationOut:
    cmd = RegisterChildCoordinatorApplication(
        case_id=_new_case_id(), **body.model_dump(exclude={"consent"}), consent=body.consent
    )
    return _case_view(await bus.run(commands.register_child_coordinator_application, cmd))


# --- emergency measures -------------------------------------------------------------------------

emergency_measures = APIRouter(prefix="/emergency-measures", tags=["emergency measures"])


class EmergencyMeasureIn(BaseModel):
    """A service a unit started out of hours before any decision (strakstiltak)."""

    model_config = ConfigDict(extra="forbid")

    person_id: PersonId
    service_code: Code
    started_at: PlausibleTime = Field(description="when the unit started the service; not in the future")
    what: Annotated[Text, Field(min_length=1, max_length=4000)] = Field(description="what was started; stays in intake")
    why: Annotated[Text, Field(min_length=1, max_length=4000)] = Field(
        description="why it could not wait; stays in intake"
    )
    consent: Consent = Field(description="the consent the person (or guardian, parents) gave the unit")


@emergency_measures.post(
    "", status_code=201, response_model=ApplicationOut, summary="A unit registers a service started before a decision"
)
async def register_emergency_measure(body: EmergencyMeasureIn, bus: BusDep) -> ApplicationOut:
    cmd = RegisterEmergencyMeasure(case_id=_new_case_id(), **body.model_dump(exclude={"consent"}), consent=body.consent)
    return _case_view(await bus.run(commands.register_emergency_measure, cmd), details=True)


routers = [persons, router, referrals, child_coordinator, emergency_measures]
