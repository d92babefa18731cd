"""Intake rules: identity numbers, what a registrable case is, where it goes, consent and journal numbers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from contracts.envelope import EventModel
from contracts.intake import (
    ApplicationRegistered,
    ApplicationWithdrawn,
    Channel,
    ChildCoordinatorApplicationRegistered,
    ChildCoordinatorGrounds,
    Consent,
    ConsentScope,
    ConsentWithdrawn,
    CoordinationNeed,
    CoordinationReferralRegistered,
    EmergencyMeasureRegistered,
    Route,
    Sender,
    WithdrawalReason,
)
from servicekit.actor import Actor
from servicekit.calendar import add_months, local_date
from servicekit.errors import Conflict, DomainError, Forbidden
from servicekit.tenants import Tenant

# The law's dates (receipt, withdrawal) are Norwegian calendar dates, whatever the server's zone.
CHILD_AGE_LIMIT = 18
# A child coordinator may be applied for in pregnancy: the expected birth lies at most this far ahead.
PREGNANCY_MONTHS = 10


class CaseKind(StrEnum):
    SERVICE_APPLICATION = "service_application"
    COORDINATION_REFERRAL = "coordination_referral"
    CHILD_COORDINATOR_APPLICATION = "child_coordinator_application"
    EMERGENCY_MEASURE = "emergency_measure"


class CaseStatus(StrEnum):
    REGISTERED = "registered"
    WITHDRAWN = "withdrawn"


class IdKind(StrEnum):
    FNR = "fnr"  # fødselsnummer
    DNR = "dnr"  # D-nummer: the first digit of the day is raised by 4


# --- national identity numbers ------------------------------------------------------------------

FIRST_CHECK_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2)
SECOND_CHECK_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def mod11_check_digit(digits: Sequence[int], weights: Sequence[int]) -> int | None:
    """The mod-11 check digit of `digits`, or None when the result is 10 (no number has these digits)."""
    remainder = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
    if remainder == 0:
        return 0
    result = 11 - remainder
    return None if result == 10 else result


def birth_century(individual_number: int, two_digit_year: int) -> int | None:
    """The century a birth year belongs to, read from the individual number's range; None when none fits."""
    if individual_number <= 499:
        return 1900
    if individual_number <= 749 and two_digit_year >= 54:
        return 1800
    if two_digit_year <= 39:
        return 2000  # individual numbers 500-999
    if individual_number >= 900:
        return 1900  # years 40-99
    return None


@dataclass(frozen=True, repr=False)
class NationalId:
    """A validated fødselsnummer or D-number. Its repr never shows the number (logs, tracebacks)."""

    value: str
    kind: IdKind
    birth_date: date

    def __repr__(self) -> str:
        return f"NationalId(kind={self.kind.value}, birth_date={self.birth_date.isoformat()})"


def _invalid(rule: str) -> DomainError:
    # The number itself is never echoed: a problem detail travels into logs and browsers.
    return DomainError(f"national_id: {rule}", field="national_id")


def parse_national_id(value: str, today: date) -> NationalId:
    """Validate an 11-digit fødselsnummer or D-number; the DomainError names the rule that failed."""
    if len(value) != 11 or not value.isascii() or not value.isdigit():
        raise _invalid("must be exactly 11 digits")
    digits = [int(c) for c in value]
    first = mod11_check_digit(digits[:9], FIRST_CHECK_WEIGHTS)
    if first is None:
        raise _invalid("first check digit does not match (no valid check digit exists for the first nine digits)")
    if first != digits[9]:
        raise _invalid("first check digit does not match")
    second = mod11_check_digit(digits[:10], SECOND_CHECK_WEIGHTS)
    if second is None:
        raise _invalid("second check digit does not match (no valid check digit exists for the first ten digits)")
    if second != digits[10]:
        raise _invalid("second check digit does not match")
    day, month, year = int(value[0:2]), int(value[2:4]), int(value[4:6])
    kind = IdKind.FNR
    if digits[0] >= 4:
        kind, day = IdKind.DNR, day - 40
    century = birth_century(int(value[6:9]), year)
    if century is None:
        raise _invalid("the individual number does not belong to any century for this birth year")
    try:
        birth_date = date(century + year, month, day)
    except ValueError:
        raise _invalid("not a valid date") from None
    if birth_date > today:
        raise _invalid("the birth date is in the future")
    return NationalId(value=value, kind=kind, birth_date=birth_date)


# --- who the case concerns and where it goes ----------------------------------------------------


def age_on(birth_date: date, on: date) -> int:
    """Whole years of age on `on` (someone born 29 February is a year older on 1 March)."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def is_child_on(birth_date: date, on: date, *, field: str) -> bool:
    """Under 18 on `on`; a date before the birth is refused, naming `field`."""
    if on < birth_date:
        raise DomainError(f"{field}: the person was not yet born on that date", field=field)
    return age_on(birth_date, on) < CHILD_AGE_LIMIT


def route_for(kind: CaseKind, tenant: Tenant, *, person_is_child: bool) -> Route:
    """Children go to the coordinating unit for children where the municipality has one."""
    if person_is_child and tenant.children_unit is not None:
        return Route.CHILDREN_UNIT
    if kind in (CaseKind.COORDINATION_REFERRAL, CaseKind.CHILD_COORDINATOR_APPLICATION):
        return Route.COORDINATING_UNIT
    return Route.ALLOCATION_OFFICE


def acting_unit(unit: str | None, tenant: Tenant) -> str:
    """The unit a `unit` token acts for; it must be one of the municipality's units."""
    if unit is None:
        raise Forbidden("this action needs a token whose 'unit' claim names the unit", field="unit")
    if tenant.unit(unit) is None:
        known = ", ".join(u.code for u in tenant.units) or "none"
        raise Forbidden(f"unit '{unit}' is not a unit of {tenant.name} (known: {known})", field="unit")
    return unit


# --- who may read -------------------------------------------------------------------------------

# The pseudonymous entry of a person (birth date, id kind; more by role, see `Person.read_by`): every role of the
# municipality's work reads it, and each read is logged. A token with no role reads nothing.
PERSON_READERS = ("caseworker", "leader", "service", "unit")


def require_person_reader(actor: Actor) -> None:
    actor.require(*PERSON_READERS)


@dataclass(frozen=True)
class CaseReader:
    """Whose cases a reader sees: every case of the municipality (a caseworker: `unit` None), or only the
    emergency measures one unit registered (a `unit` token: what it did and why, and the consent it was given)."""

    unit: str | None

    def sees(self, case: Case) -> bool:
        if self.unit is None:
            return True
        return case.emergency is not None and case.emergency.unit == self.unit


def case_reader(actor: Actor, tenant: Tenant) -> CaseReader:
    """What `actor` may read of the municipality's cases (their journal, consent, emergency free text), or
    Forbidden naming the roles: a caseworker all of them, a unit its own emergency measures, no one else any."""
    if actor.has("caseworker"):
        return CaseReader(unit=None)
    if actor.has("unit"):
        return CaseReader(unit=acting_unit(actor.unit, tenant))
    raise Forbidden("reading cases needs the role caseworker (or unit, for the emergency measures a unit registered)")


# --- consent ------------------------------------------------------------------------------------


def _duplicates(values: Iterable[str]) -> list[str]:
    return sorted(v for v, n in Counter(values).items() if n > 1)


def shareable_codes(tenant: Tenant) -> set[str]:
    """What consent to 'sharing' may name: the service catalogue, the municipality's units, and the municipality
    numbers of its partner offices (a case is handed over to a partner office only when its consent names it)."""
    codes = {s.code for s in tenant.services} | {u.code for u in tenant.units}
    codes |= {office.municipality for office in tenant.partner_offices}
    if tenant.children_unit is not None:
        codes.add(tenant.children_unit.code)
    return codes


def check_consent(consent: Consent, tenant: Tenant, *, field: str = "consent") -> None:
    """Every case needs consent to processing; sharing names whom, from the municipality's own codes."""
    scope_field, share_field = f"{field}.scope", f"{field}.share_with"
    if ConsentScope.PROCESSING not in consent.scope:
        raise DomainError(f"{scope_field} must include 'processing' to register a case", field=scope_field)
    if twice := _duplicates(consent.scope):
        raise DomainError(f"{scope_field} names {', '.join(twice)} more than once", field=scope_field)
    sharing = ConsentScope.SHARING in consent.scope
    if sharing and not consent.share_with:
        raise DomainError(
            f"{share_field} must name at least one service or unit when the scope includes 'sharing'",
            field=share_field,
        )
    if not sharing and consent.share_with:
        raise DomainError(f"{share_field} must be empty unless the scope includes 'sharing'", field=share_field)
    if twice := _duplicates(consent.share_with):
        raise DomainError(f"{share_field} names {', '.join(twice)} more than once", field=share_field)
    known = shareable_codes(tenant)
    if unknown := [code for code in consent.share_with if code not in known]:
        raise DomainError(
            f"{share_field}: {', '.join(unknown)} is not a service or unit of {tenant.name} "
            f"(known: {', '.join(sorted(known))})",
            field=share_field,
        )


@dataclass(frozen=True)
class ConsentWithdrawal:
    """What a withdrawal took away and what still holds (None: no consent at all)."""

    withdrawn_scopes: list[ConsentScope]
    withdrawn_share_with: list[str]
    remaining: Consent | None


def _check_withdrawal(current: Consent, scopes: Sequence[ConsentScope], share_with: Sequence[str]) -> None:
    if not scopes:
        raise DomainError("scopes must name at least one scope to withdraw", field="scopes")
    if twice := _duplicates(scopes):
        raise DomainError(f"scopes names {', '.join(twice)} more than once", field="scopes")
    if not_given := [s.value for s in scopes if s not in current.scope]:
        raise DomainError(
            f"scopes: {', '.join(not_given)} is not part of the consent that holds, so it cannot be withdrawn",
            field="scopes",
        )
    if share_with and ConsentScope.SHARING not in scopes:
        raise DomainError("share_with may only be given when scopes includes 'sharing'", field="share_with")
    if twice := _duplicates(share_with):
        raise DomainError(f"share_with names {', '.join(twice)} more than once", field="share_with")
    if not_shared := [code for code in share_with if code not in current.share_with]:
        raise DomainError(
            f"share_with: {', '.join(not_shared)} is not shared with under the consent that holds",
            field="share_with",
        )


def withdraw_consent(
    current: Consent | None,
    scopes: Sequence[ConsentScope],
    share_with: Sequence[str],
    *,
    withdrawn_on: date,
    received_on: date,
    today: date,
) -> ConsentWithdrawal:
    """Withdraw scopes (or sharing with some codes) from the consent that holds now.

    Withdrawing 'processing' withdraws everything. Withdrawing 'sharing' with named codes stops sharing
    with those only; without codes, or naming them all, sharing stops altogether.
    """
    if current is None:
        raise Conflict("consent: no consent remains on this case to withdraw", field="consent")
    _check_withdrawal(current, scopes, share_with)
    if withdrawn_on < received_on:
        raise DomainError("withdrawn_on cannot be before the case was received", field="withdrawn_on")
    if withdrawn_on > today:
        raise DomainError("withdrawn_on cannot be in the future", field="withdrawn_on")
    if ConsentScope.PROCESSING in scopes:
        return ConsentWithdrawal(list(current.scope), list(current.share_with), remaining=None)
    if ConsentScope.SHARING not in scopes:
        still_shared = list(current.share_with)
    elif share_with:
        still_shared = [code for code in current.share_with if code not in share_with]
    else:
        still_shared = []
    kept = [s for s in current.scope if s not in scopes or (s is ConsentScope.SHARING and still_shared)]
    return ConsentWithdrawal(
        withdrawn_scopes=[s for s in current.scope if s in scopes],
        withdrawn_share_with=[code for code in current.share_with if code not in still_shared],
        remaining=Consent(form=current.form, given_by=current.given_by, scope=kept, share_with=still_shared),
    )


# --- the kinds of case --------------------------------------------------------------------------


def _check_received_on(received_on: date, today: date) -> None:
    if received_on > today:
        raise DomainError("received_on cannot be in the future", field="received_on")


def _check_service_code(service_code: str, tenant: Tenant) -> None:
    if tenant.service(service_code) is None:
        known = ", ".join(s.code for s in tenant.services)
        raise DomainError(
            f"service_code '{service_code}' is not in {tenant.name}'s service catalogue (known: {known})",
            field="service_code",
        )


@dataclass(frozen=True)
class RegisterApplication:
    case_id: str
    person_id: str
    channel: Channel
    sender: Sender
    service_code: str
    received_on: date
    consent: Consent
    children_involved: bool = False


def check_application(cmd: RegisterApplication, tenant: Tenant, today: date) -> None:
    """Raise a DomainError naming the field and rule an application breaks."""
    _check_service_code(cmd.service_code, tenant)
    _check_received_on(cmd.received_on, today)
    check_consent(cmd.consent, tenant)


@dataclass(frozen=True)
class RegisterReferral:
    case_id: str
    person_id: str
    channel: Channel
    sender: Sender
    requested: list[CoordinationNeed]
    received_on: date
    consent: Consent
    children_involved: bool = False


def check_referral(cmd: RegisterReferral, tenant: Tenant, today: date) -> None:
    if not cmd.requested:
        raise DomainError("requested must name a coordinator, an individual plan or both", field="requested")
    if twice := _duplicates(cmd.requested):
        raise DomainError(f"requested names {', '.join(twice)} more than once", field="requested")
    _check_received_on(cmd.received_on, today)
    check_consent(cmd.consent, tenant)


@dataclass(frozen=True)
class RegisterChildCoordinatorApplication:
    case_id: str
    applicant_person_id: str
    child_person_id: str | None
    expected_birth_on: date | None
    channel: Channel
    sender: Sender
    received_on: date
    consent: Consent
    # In pregnancy, the other expecting parent: the decision's letters go to both. A born child's guardians come
    # from the person register instead.
    co_applicant_person_id: str | None = None
    # The grounds of the right (§ 7-2 a); absent, a born child or (with expected_birth_on) a child in pregnancy.
    grounds: ChildCoordinatorGrounds | None = None
    # The day an adopted child was allocated or child welfare took over care.
    grounds_since: date | None = None


# Grounds that start from a day someone else decided: the allocation or the takeover of care.
GROUNDS_WITH_SINCE = frozenset({ChildCoordinatorGrounds.ADOPTION_ALLOCATED, ChildCoordinatorGrounds.CHILD_WELFARE_CARE})


def child_coordinator_grounds(cmd: RegisterChildCoordinatorApplication) -> ChildCoordinatorGrounds:
    """The grounds given, or by default a child expected in pregnancy (with an expected birth date) or born."""
    if cmd.grounds is not None:
        return cmd.grounds
    if cmd.expected_birth_on is not None:
        return ChildCoordinatorGrounds.EXPECTED_CHILD
    return ChildCoordinatorGrounds.BORN_CHILD


def check_child_coordinator_grounds(cmd: RegisterChildCoordinatorApplication) -> None:
    """An expected birth date goes with a child expected in pregnancy and nothing else; an adoption or child
    welfare's care starts on a day (grounds_since) that is not after the application was received."""
    grounds = child_coordinator_grounds(cmd)
    expected = grounds is ChildCoordinatorGrounds.EXPECTED_CHILD
    if expected != (cmd.expected_birth_on is not None):
        raise DomainError(
            f"grounds: {grounds.value} "
            + ("needs expected_birth_on" if expected else "does not go with expected_birth_on (only expected_child)"),
            field="grounds",
        )
    if grounds in GROUNDS_WITH_SINCE:
        if cmd.grounds_since is None:
            raise DomainError(
                f"grounds_since: give the day of the allocation or takeover for {grounds.value}", field="grounds_since"
            )
        if cmd.grounds_since > cmd.received_on:
            raise DomainError("grounds_since must not be after received_on", field="grounds_since")
    elif cmd.grounds_since is not None:
        raise DomainError(
            f"grounds_since: only for {' or '.join(sorted(g.value for g in GROUNDS_WITH_SINCE))}",
            field="grounds_since",
        )


def check_child_coordinator_application(cmd: RegisterChildCoordinatorApplication, tenant: Tenant, today: date) -> None:
    """Either the child (registered) or, in pregnancy, the expected birth date: exactly one of the two."""
    if (cmd.child_person_id is None) == (cmd.expected_birth_on is None):
        raise DomainError(
            "child_person_id: give exactly one of child_person_id (the child is born) and expected_birth_on "
            "(in pregnancy), not " + ("both" if cmd.child_person_id is not None else "neither"),
            field="child_person_id",
        )
    _check_received_on(cmd.received_on, today)
    check_child_coordinator_grounds(cmd)
    if cmd.expected_birth_on is not None:
        if cmd.expected_birth_on <= cmd.received_on:
            raise DomainError("expected_birth_on must be after received_on", field="expected_birth_on")
        latest = add_months(cmd.received_on, PREGNANCY_MONTHS)
        if cmd.expected_birth_on > latest:
            raise DomainError(
                f"expected_birth_on can be at most {PREGNANCY_MONTHS} months after received_on "
                f"(latest {latest.isoformat()})",
                field="expected_birth_on",
            )
    if cmd.child_person_id is not None and cmd.child_person_id == cmd.applicant_person_id:
        raise DomainError(
            "applicant_person_id must be the parent or guardian, not the child", field="applicant_person_id"
        )
    if cmd.co_applicant_person_id is not None:
        if cmd.expected_birth_on is None:
            raise DomainError(
                "co_applicant_person_id: only in pregnancy; a born child's guardians are recorded in the person "
                "register (PUT /persons/{person_id}/guardians)",
                field="co_applicant_person_id",
            )
        if cmd.co_applicant_person_id == cmd.applicant_person_id:
            raise DomainError(
                "co_applicant_person_id must be the other expecting parent, not the applicant",
                field="co_applicant_person_id",
            )
    check_consent(cmd.consent, tenant)


def check_child_age(birth_date: date, received_on: date) -> None:
    """A child coordinator is for children under 18 on the receipt date."""
    if not is_child_on(birth_date, received_on, field="child_person_id"):
        raise DomainError(
            f"child_person_id: the child must be under {CHILD_AGE_LIMIT} on received_on "
            f"(was {age_on(birth_date, received_on)})",
            field="child_person_id",
        )


@dataclass(frozen=True)
class RegisterEmergencyMeasure:
    case_id: str
    person_id: str
    service_code: str
    started_at: datetime
    what: str
    why: str
    consent: Consent


def check_emergency_measure(cmd: RegisterEmergencyMeasure, tenant: Tenant, now: datetime) -> None:
    _check_service_code(cmd.service_code, tenant)
    if cmd.started_at.tzinfo is None:
        raise DomainError("started_at must carry a timezone", field="started_at")
    if cmd.started_at > now:
        raise DomainError("started_at cannot be in the future", field="started_at")
    if not cmd.what.strip():
        raise DomainError("what must describe the service that was started", field="what")
    if not cmd.why.strip():
        raise DomainError("why must give the reason the service could not wait for a decision", field="why")
    check_consent(cmd.consent, tenant)


@dataclass(frozen=True)
class CaseRouting:
    """Whether a child is involved and who handles the case."""

    involves_child: bool
    route: Route


def routing(
    kind: CaseKind, tenant: Tenant, *, birth_date: date, on: date, children_involved: bool = False, field: str
) -> CaseRouting:
    """A person under 18 on `on` routes to the children's unit; siblings or children as next of kin
    (`children_involved`) make the case involve a child without changing who handles it."""
    person_is_child = is_child_on(birth_date, on, field=field)
    return CaseRouting(
        involves_child=person_is_child or children_involved,
        route=route_for(kind, tenant, person_is_child=person_is_child),
    )


# --- journal and withdrawal ---------------------------------------------------------------------


def journal_number(year: int, sequence: int) -> str:
    """The journal number as caseworkers write it: year/sequence, unique per municipality and year."""
    return f"{year}/{sequence:06d}"


def withdraw(status: str, withdrawn_on: date, received_on: date, today: date) -> None:
    """A registered case may be withdrawn once, not before it was received, not ahead of time."""
    if status == CaseStatus.WITHDRAWN:
        raise Conflict("the application is already withdrawn", field="status")
    if withdrawn_on < received_on:
        raise DomainError("withdrawn_on cannot be before received_on", field="withdrawn_on")
    if withdrawn_on > today:
        raise DomainError("withdrawn_on cannot be in the future", field="withdrawn_on")


# --- the person register ------------------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    """Name and postal address, for letters. None: not given."""

    name: str | None = None
    street: str | None = None
    postcode: str | None = None
    city: str | None = None


NO_CONTACT = Contact()


@dataclass(frozen=True, repr=False)
class Person:
    """One person of one municipality's register. Everywhere else the person is only `person_id`."""

    person_id: str
    municipality: str
    national_id: str
    id_kind: IdKind
    birth_date: date
    created_at: datetime
    created_by: str
    contact: Contact = NO_CONTACT

    def __repr__(self) -> str:
        return f"Person(person_id={self.person_id}, municipality={self.municipality})"

    @classmethod
    def register(
        cls, person_id: str, national_id: NationalId, contact: Contact | None, *, actor: Actor, now: datetime
    ) -> Person:
        return cls(
            person_id=person_id,
            municipality=actor.municipality,
            national_id=national_id.value,
            id_kind=national_id.kind,
            birth_date=national_id.birth_date,
            created_at=now,
            created_by=actor.subject,
            contact=contact or NO_CONTACT,
        )

    def is_child_on(self, on: date) -> bool:
        """Under 18 on `on` (the Norwegian calendar date)."""
        return age_on(self.birth_date, on) < CHILD_AGE_LIMIT

    def moved(self, contact: Contact) -> Person:
        """The person with the contact details given now (people move); what was not given is kept."""
        given = {k: v for k, v in vars(contact).items() if v is not None}
        return replace(self, contact=replace(self.contact, **given))

    def read_by(self, actor: Actor, purpose: str, *, now: datetime) -> tuple[ShownPerson, PersonAccess]:
        """What `actor` may see of the person, and the access record the read leaves: the national identity
        number for caseworkers only, name and address for caseworkers and services (letters)."""
        disclose_national_id = actor.has("caseworker")
        shown = ShownPerson(
            person_id=self.person_id,
            municipality=self.municipality,
            id_kind=self.id_kind,
            birth_date=self.birth_date,
            created_at=self.created_at,
            national_id=self.national_id if disclose_national_id else None,
            contact=self.contact if actor.has(*LETTER_READERS) else NO_CONTACT,
        )
        access = PersonAccess(
            person_id=self.person_id,
            accessed_by=actor.subject,
            roles=tuple(sorted(actor.roles)),
            purpose=purpose,
            national_id_disclosed=disclose_national_id,
            accessed_at=now,
        )
        return shown, access


@dataclass(frozen=True, repr=False)
class ShownPerson:
    """A person as one reader may see them: None and empty where the reader's roles do not reach."""

    person_id: str
    municipality: str
    id_kind: IdKind
    birth_date: date
    created_at: datetime
    national_id: str | None
    contact: Contact

    def __repr__(self) -> str:
        return f"ShownPerson(person_id={self.person_id}, municipality={self.municipality})"


@dataclass(frozen=True)
class PersonAccess:
    """One read of a person: who, in which roles, why, and whether the number was shown."""

    person_id: str
    accessed_by: str
    roles: tuple[str, ...]
    purpose: str
    national_id_disclosed: bool
    accessed_at: datetime


# --- who speaks for a person, and who receives their letters ------------------------------------

# Parental responsibility (foreldreansvar) is held by one or two persons, never more (barneloven). A verge
# may be appointed besides (vergemålsloven); the list stays short.
MAX_PARENTS = 2
MAX_GUARDIANS = 4
# Names and addresses, for letters: the roles that may see them.
LETTER_READERS = ("caseworker", "service")


class GuardianRelation(StrEnum):
    PARENT = "parent"  # a parent with parental responsibility (foreldreansvar): speaks for a child under 18
    GUARDIAN = "guardian"  # a verge appointed under vergemålsloven: for a child or an adult


class GuardianChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    RELATION_CHANGED = "relation_changed"


@dataclass(frozen=True)
class GuardianEntry:
    """One entry of the list a caseworker records: who speaks for the person, and in which relation."""

    person_id: str
    relation: GuardianRelation


@dataclass(frozen=True)
class Guardian:
    """One guardian in the register, as recorded."""

    person_id: str
    relation: GuardianRelation
    recorded_at: datetime
    recorded_by: str


@dataclass(frozen=True)
class GuardianChange:
    """One entry of the guardian journal. `relation` is the relation after the change (before, for a removal)."""

    guardian_person_id: str
    change: GuardianChangeKind
    relation: GuardianRelation
    previous_relation: GuardianRelation | None
    changed_at: datetime
    changed_by: str


def guardian_in_force(guardian: Guardian, person: Person, on: date) -> bool:
    """A parent speaks for the child until the 18th birthday; an appointed guardian until removed."""
    return guardian.relation is GuardianRelation.GUARDIAN or person.is_child_on(on)


def check_guardians(
    person: Person, entries: Sequence[GuardianEntry], registered: Mapping[str, Person], *, on: date
) -> None:
    """The guardian list of `person` on `on`: registered persons of the municipality (in `registered`), not the
    person themself, each once, at most MAX_GUARDIANS; parents only for a child (and born before it), at most
    MAX_PARENTS of them; an appointed guardian is of age."""
    if len(entries) > MAX_GUARDIANS:
        raise DomainError(f"guardians: at most {MAX_GUARDIANS} may be registered", field="guardians")
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        id_field, relation_field = f"guardians.{i}.person_id", f"guardians.{i}.relation"
        if entry.person_id == person.person_id:
            raise DomainError(f"{id_field}: a person cannot be their own guardian", field=id_field)
        if entry.person_id in seen:
            raise DomainError(f"{id_field}: person {entry.person_id} is named more than once", field=id_field)
        seen.add(entry.person_id)
        guardian = registered.get(entry.person_id)
        if guardian is None or guardian.municipality != person.municipality:
            raise DomainError(
                f"{id_field}: no person {entry.person_id} is registered in municipality {person.municipality}; "
                "register them first with POST /persons",
                field=id_field,
            )
        if entry.relation is GuardianRelation.PARENT:
            if not person.is_child_on(on):
                raise DomainError(
                    f"{relation_field}: the person is {age_on(person.birth_date, on)} on {on.isoformat()}; parental "
                    f"responsibility ends at {CHILD_AGE_LIMIT}: record a parent appointed verge as 'guardian'",
                    field=relation_field,
                )
            if guardian.birth_date >= person.birth_date:
                raise DomainError(f"{relation_field}: a parent must be born before the child", field=relation_field)
        elif guardian.is_child_on(on):
            raise DomainError(
                f"{relation_field}: an appointed guardian (verge) must be {CHILD_AGE_LIMIT} or older",
                field=relation_field,
            )
    if sum(e.relation is GuardianRelation.PARENT for e in entries) > MAX_PARENTS:
        raise DomainError(
            f"guardians: at most {MAX_PARENTS} persons hold parental responsibility for a child", field="guardians"
        )


def _in_order(guardians: Iterable[Guardian]) -> list[Guardian]:
    """Parents first, then appointed guardians; each in the order they were recorded (then by person id)."""
    return sorted(guardians, key=lambda g: (g.relation is not GuardianRelation.PARENT, g.recorded_at, g.person_id))


@dataclass
class Guardianship:
    """Who speaks for one person: the register's guardian list, and the changes recorded and not yet saved."""

    person: Person
    guardians: list[Guardian]
    new_changes: list[GuardianChange] = field(default_factory=list, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.guardians = _in_order(self.guardians)

    def record(
        self, entries: Sequence[GuardianEntry], registered: Mapping[str, Person], *, actor: Actor, now: datetime
    ) -> None:
        """The list is now `entries` (all of them; empty removes every guardian). Each added, removed or changed
        entry is journaled with who and when; an entry kept as it was keeps its recording."""
        check_guardians(self.person, entries, registered, on=local_date(now))
        current = {g.person_id: g for g in self.guardians}
        wanted = {e.person_id for e in entries}

        def change(
            kind: GuardianChangeKind, guardian_id: str, relation: GuardianRelation, previous: GuardianRelation | None
        ) -> GuardianChange:
            return GuardianChange(guardian_id, kind, relation, previous, changed_at=now, changed_by=actor.subject)

        changes = [
            change(GuardianChangeKind.REMOVED, g.person_id, g.relation, None)
            for g in self.guardians
            if g.person_id not in wanted
        ]
        guardians: list[Guardian] = []
        for entry in entries:
            old = current.get(entry.person_id)
            if old is not None and old.relation is entry.relation:
                guardians.append(old)
                continue
            guardians.append(Guardian(entry.person_id, entry.relation, recorded_at=now, recorded_by=actor.subject))
            if old is None:
                changes.append(change(GuardianChangeKind.ADDED, entry.person_id, entry.relation, None))
            else:
                changes.append(
                    change(GuardianChangeKind.RELATION_CHANGED, entry.person_id, entry.relation, old.relation)
                )
        self.guardians = _in_order(guardians)
        self.new_changes.extend(changes)

    def in_force(self, on: date) -> list[Guardian]:
        """The guardians who speak for the person on `on` (a parent no longer does once the child is 18)."""
        return [g for g in self.guardians if guardian_in_force(g, self.person, on)]


class Receives(StrEnum):
    """Why a recipient gets the letter."""

    SELF = "self"  # the person the letter is about
    PARENT = "parent"  # a parent with parental responsibility for the child
    GUARDIAN = "guardian"  # the appointed guardian (verge)


@dataclass(frozen=True, repr=False)
class LetterRecipient:
    person_id: str
    receives_as: Receives
    contact: Contact

    def __repr__(self) -> str:
        return f"LetterRecipient(person_id={self.person_id}, receives_as={self.receives_as.value})"


@dataclass(frozen=True)
class LetterRecipients:
    """To whom letters about `person_id` go on `on`, as the register says."""

    person_id: str
    on: date
    person_is_child: bool
    no_guardian_registered: bool  # a child without guardians in the register: the letter goes to the child
    recipients: list[LetterRecipient]


def letter_recipients(guardianship: Guardianship, guardians: Mapping[str, Person], on: date) -> LetterRecipients:
    """A child's letters go to its guardians (parents with parental responsibility, or an appointed guardian), or
    to the child themself when none is registered; an adult's go to the person, and also to their appointed
    guardian (vergemål). `guardians` holds the guardians' register entries, by person id."""
    person = guardianship.person
    child = person.is_child_on(on)

    def recipient(g: Guardian) -> LetterRecipient:
        found = guardians.get(g.person_id)
        if found is None:
            raise LookupError(f"guardian {g.person_id} of {person.person_id} is not in the register")
        return LetterRecipient(g.person_id, Receives(g.relation.value), found.contact)

    speaking = [recipient(g) for g in guardianship.in_force(on)]
    self_ = LetterRecipient(person.person_id, Receives.SELF, person.contact)
    recipients = (speaking or [self_]) if child else [self_, *speaking]
    return LetterRecipients(
        person_id=person.person_id,
        on=on,
        person_is_child=child,
        no_guardian_registered=child and not speaking,
        recipients=recipients,
    )


def letter_recipients_read_by(
    recipients: LetterRecipients, actor: Actor, purpose: str, *, now: datetime
) -> list[PersonAccess]:
    """The access records a read of letter recipients leaves: one for the person the letters are about and one
    for each other person whose name and address is disclosed. The number is never shown here."""
    actor.require(*LETTER_READERS)
    disclosed = [recipients.person_id] + [
        r.person_id for r in recipients.recipients if r.person_id != recipients.person_id
    ]
    return [
        PersonAccess(
            person_id=person_id,
            accessed_by=actor.subject,
            roles=tuple(sorted(actor.roles)),
            purpose=purpose,
            national_id_disclosed=False,
            accessed_at=now,
        )
        for person_id in disclosed
    ]


# --- the case aggregate -------------------------------------------------------------------------


@dataclass(frozen=True)
class EmergencyStart:
    """What a unit started before any decision, and why; the free text stays in intake."""

    unit: str
    started_at: datetime
    what: str
    why: str


@dataclass(frozen=True)
class EmergencyDetails:
    unit: str
    started_at: datetime
    what: str
    why: str
    registered_at: datetime
    registered_by: str


@dataclass(frozen=True)
class ConsentRecord:
    """One entry of a case's consent history: the consent given at registration, or a withdrawal."""

    kind: Literal["given", "withdrawn"]
    effective_on: date
    consent: Consent | None
    recorded_at: datetime
    recorded_by: str | None
    withdrawn_scopes: list[ConsentScope] | None = None
    withdrawn_share_with: list[str] | None = None


@dataclass(frozen=True)
class Registration:
    """A case of any kind, checked and routed, not yet journaled. The per-kind constructors hold what differs
    between the kinds; `Case.register` does what they share."""

    kind: CaseKind
    person_id: str | None
    channel: Channel
    sender: Sender
    received_on: date
    consent: Consent
    routed: CaseRouting
    service_code: str | None = None
    requested: list[CoordinationNeed] | None = None
    applicant_person_id: str | None = None
    co_applicant_person_id: str | None = None
    expected_birth_on: date | None = None
    # A child's birth date for the coordinating unit (a small child is visited at home when the referral arrives).
    person_birth_on: date | None = None
    grounds: ChildCoordinatorGrounds | None = None
    grounds_since: date | None = None
    emergency: EmergencyStart | None = None

    @classmethod
    def application(cls, cmd: RegisterApplication, tenant: Tenant, *, person: Person) -> Registration:
        return cls._about(CaseKind.SERVICE_APPLICATION, cmd, tenant, person, service_code=cmd.service_code)

    @classmethod
    def referral(cls, cmd: RegisterReferral, tenant: Tenant, *, person: Person) -> Registration:
        return cls._about(CaseKind.COORDINATION_REFERRAL, cmd, tenant, person, requested=list(cmd.requested))

    @classmethod
    def _about(
        cls,
        kind: CaseKind,
        cmd: RegisterApplication | RegisterReferral,
        tenant: Tenant,
        person: Person,
        *,
        service_code: str | None = None,
        requested: list[CoordinationNeed] | None = None,
    ) -> Registration:
        """A case about a registered person, routed by the person's age on the day it was received. A coordination
        referral about a child carries the child's birth date (of an adult, none)."""
        child_referral = kind is CaseKind.COORDINATION_REFERRAL and person.is_child_on(cmd.received_on)
        return cls(
            kind=kind,
            person_id=cmd.person_id,
            channel=cmd.channel,
            sender=cmd.sender,
            service_code=service_code,
            requested=requested,
            person_birth_on=person.birth_date if child_referral else None,
            received_on=cmd.received_on,
            consent=cmd.consent,
            routed=routing(
                kind,
                tenant,
                birth_date=person.birth_date,
                on=cmd.received_on,
                children_involved=cmd.children_involved,
                field="received_on",
            ),
        )

    @classmethod
    def child_coordinator_application(
        cls, cmd: RegisterChildCoordinatorApplication, tenant: Tenant, *, child: Person | None
    ) -> Registration:
        kind = CaseKind.CHILD_COORDINATOR_APPLICATION
        if child is not None:
            check_child_age(child.birth_date, cmd.received_on)
        # The case is always about a child, born or expected.
        return cls(
            kind=kind,
            person_id=cmd.child_person_id,
            applicant_person_id=cmd.applicant_person_id,
            co_applicant_person_id=cmd.co_applicant_person_id,
            expected_birth_on=cmd.expected_birth_on,
            person_birth_on=child.birth_date if child is not None else None,
            grounds=child_coordinator_grounds(cmd),
            grounds_since=cmd.grounds_since,
            channel=cmd.channel,
            sender=cmd.sender,
            received_on=cmd.received_on,
            consent=cmd.consent,
            routed=CaseRouting(involves_child=True, route=route_for(kind, tenant, person_is_child=True)),
        )

    @classmethod
    def emergency_measure(
        cls, cmd: RegisterEmergencyMeasure, tenant: Tenant, *, unit: str, person: Person
    ) -> Registration:
        """The case is received the day the unit started the service."""
        kind = CaseKind.EMERGENCY_MEASURE
        received_on = local_date(cmd.started_at)
        return cls(
            kind=kind,
            person_id=cmd.person_id,
            channel=Channel.OTHER_UNIT,
            sender=Sender.UNIT,
            service_code=cmd.service_code,
            received_on=received_on,
            consent=cmd.consent,
            routed=routing(kind, tenant, birth_date=person.birth_date, on=received_on, field="started_at"),
            emergency=EmergencyStart(unit=unit, started_at=cmd.started_at, what=cmd.what, why=cmd.why),
        )


@dataclass(frozen=True)
class Withdrawal:
    """The applicant withdrew: when, why as a code (the event carries it), and the caseworker's own words (these
    stay in intake: free text never travels on a topic)."""

    withdrawn_on: date
    reason_code: WithdrawalReason | None
    reason: str | None


@dataclass
class Case:
    """A case of any kind: journaled, routed, with the consent that holds and its history."""

    case_id: str
    municipality: str
    kind: CaseKind
    journal_number: str
    person_id: str | None
    channel: Channel
    sender: Sender
    received_on: date
    consent: Consent | None
    route: Route
    involves_child: bool
    status: CaseStatus
    created_at: datetime
    service_code: str | None = None
    requested: list[CoordinationNeed] | None = None
    applicant_person_id: str | None = None
    co_applicant_person_id: str | None = None
    expected_birth_on: date | None = None
    grounds: ChildCoordinatorGrounds | None = None
    grounds_since: date | None = None
    emergency: EmergencyDetails | None = None
    withdrawal: Withdrawal | None = None
    # Consent history recorded by this aggregate and not yet saved.
    new_consent_records: list[ConsentRecord] = field(default_factory=list, repr=False, compare=False)

    @property
    def is_emergency_measure(self) -> bool:
        """A unit started the service before a decision: the first allocation meeting decides."""
        return self.kind is CaseKind.EMERGENCY_MEASURE

    @classmethod
    def register(
        cls, registration: Registration, *, case_id: str, journal_sequence: int, actor: Actor, now: datetime
    ) -> tuple[Case, list[EventModel]]:
        """Journal a checked registration, open its consent history, and raise the events of its kind."""
        r = registration
        emergency = None
        if r.emergency is not None:
            emergency = EmergencyDetails(
                unit=r.emergency.unit,
                started_at=r.emergency.started_at,
                what=r.emergency.what,
                why=r.emergency.why,
                registered_at=now,
                registered_by=actor.subject,
            )
        case = cls(
            case_id=case_id,
            municipality=actor.municipality,
            kind=r.kind,
            journal_number=journal_number(r.received_on.year, journal_sequence),
            person_id=r.person_id,
            applicant_person_id=r.applicant_person_id,
            co_applicant_person_id=r.co_applicant_person_id,
            expected_birth_on=r.expected_birth_on,
            grounds=r.grounds,
            grounds_since=r.grounds_since,
            channel=r.channel,
            sender=r.sender,
            service_code=r.service_code,
            requested=r.requested,
            received_on=r.received_on,
            consent=r.consent,
            route=r.routed.route,
            involves_child=r.routed.involves_child,
            status=CaseStatus.REGISTERED,
            created_at=now,
            emergency=emergency,
        )
        case.new_consent_records.append(
            ConsentRecord(
                kind="given",
                effective_on=r.received_on,
                consent=r.consent,
                recorded_at=now,
                recorded_by=actor.subject,
            )
        )
        return case, case._registered(r.consent, r.person_birth_on)

    def _registered(self, consent: Consent, person_birth_on: date | None = None) -> list[EventModel]:
        if self.kind is CaseKind.COORDINATION_REFERRAL:
            assert self.person_id is not None
            assert self.requested is not None
            return [
                CoordinationReferralRegistered(
                    case_id=self.case_id,
                    journal_number=self.journal_number,
                    person_id=self.person_id,
                    channel=self.channel,
                    sender=self.sender,
                    requested=self.requested,
                    received_on=self.received_on,
                    consent=consent,
                    route=self.route,
                    involves_child=self.involves_child,
                    person_birth_on=person_birth_on,
                )
            ]
        if self.kind is CaseKind.CHILD_COORDINATOR_APPLICATION:
            assert self.applicant_person_id is not None
            return [
                ChildCoordinatorApplicationRegistered(
                    case_id=self.case_id,
                    journal_number=self.journal_number,
                    child_person_id=self.person_id,
                    expected_birth_on=self.expected_birth_on,
                    applicant_person_id=self.applicant_person_id,
                    co_applicant_person_id=self.co_applicant_person_id,
                    channel=self.channel,
                    sender=self.sender,
                    received_on=self.received_on,
                    consent=consent,
                    route=self.route,
                    child_birth_on=person_birth_on,
                    grounds=self.grounds,
                    grounds_since=self.grounds_since,
                )
            ]
        assert self.person_id is not None
        assert self.service_code is not None
        events: list[EventModel] = []
        if self.emergency is not None:
            events.append(
                EmergencyMeasureRegistered(
                    case_id=self.case_id,
                    journal_number=self.journal_number,
                    person_id=self.person_id,
                    unit=self.emergency.unit,
                    service_code=self.service_code,
                    started_at=self.emergency.started_at,
                    registered_at=self.emergency.registered_at,
                )
            )
        # An emergency measure is the same case as an application, so that the journey downstream (receipt,
        # assessment) starts.
        events.append(
            ApplicationRegistered(
                case_id=self.case_id,
                journal_number=self.journal_number,
                person_id=self.person_id,
                channel=self.channel,
                sender=self.sender,
                service_code=self.service_code,
                received_on=self.received_on,
                consent=consent,
                route=self.route,
                involves_child=self.involves_child,
                emergency_measure=self.is_emergency_measure,
            )
        )
        return events

    def withdraw(
        self, withdrawn_on: date, reason_code: WithdrawalReason | None, reason: str | None, *, today: date
    ) -> list[EventModel]:
        """The applicant withdrew: once, not before receipt, not ahead of time. The event tells why by the code
        only; the caseworker's words stay on the case."""
        withdraw(self.status, withdrawn_on, self.received_on, today=today)
        self.status = CaseStatus.WITHDRAWN
        self.withdrawal = Withdrawal(withdrawn_on=withdrawn_on, reason_code=reason_code, reason=reason)
        return [ApplicationWithdrawn(case_id=self.case_id, withdrawn_on=withdrawn_on, reason_code=reason_code)]

    def withdraw_consent(
        self,
        scopes: Sequence[ConsentScope],
        share_with: Sequence[str],
        *,
        withdrawn_on: date,
        actor: Actor,
        now: datetime,
    ) -> list[EventModel]:
        """Withdraw consent in part or in whole (see `withdraw_consent`), and record it in the history."""
        result = withdraw_consent(
            self.consent,
            scopes,
            share_with,
            withdrawn_on=withdrawn_on,
            received_on=self.received_on,
            today=local_date(now),
        )
        self.consent = result.remaining
        self.new_consent_records.append(
            ConsentRecord(
                kind="withdrawn",
                effective_on=withdrawn_on,
                consent=result.remaining,
                withdrawn_scopes=result.withdrawn_scopes,
                withdrawn_share_with=result.withdrawn_share_with,
                recorded_at=now,
                recorded_by=actor.subject,
            )
        )
        return [
            ConsentWithdrawn(
                case_id=self.case_id,
                withdrawn_scopes=result.withdrawn_scopes,
                withdrawn_share_with=result.withdrawn_share_with,
                withdrawn_on=withdrawn_on,
                remaining=result.remaining,
            )
        ]


@dataclass(frozen=True)
class CaseFilter:
    """Worklist filters; None means any. `person_id` finds cases about the person or applied for by them."""

    kind: CaseKind | None = None
    status: CaseStatus | None = None
    service_code: str | None = None
    person_id: str | None = None
    route: Route | None = None
    journal_number: str | None = None
    received_from: date | None = None
    received_to: date | None = None
    involves_child: bool | None = None
    emergency: bool | None = None
    registered_by_unit: str | None = None  # the emergency measures this unit registered, only
