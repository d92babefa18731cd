"""Intake's tables and repository: cases of every kind, the person register, consent history."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from contracts.intake import (
    Channel,
    ChildCoordinatorGrounds,
    Consent,
    ConsentScope,
    CoordinationNeed,
    Route,
    Sender,
    WithdrawalReason,
)
from servicekit.db import BigId, UnitOfWork, UtcDateTime, new_metadata, rows_page
from services.intake.domain import (
    Case,
    CaseFilter,
    CaseKind,
    CaseStatus,
    ConsentRecord,
    Contact,
    EmergencyDetails,
    Guardian,
    GuardianChange,
    GuardianChangeKind,
    GuardianRelation,
    Guardianship,
    IdKind,
    Person,
    PersonAccess,
    Withdrawal,
)

metadata = new_metadata()

# Python None must be SQL NULL (not the JSON document `null`), so that IS NULL finds it.
NullableJSON = JSON(none_as_null=True)

# One table for every kind of case (service application, coordination referral, child coordinator
# application, emergency measure): they share the journal, consent, withdrawal and the worklist.
application = Table(
    "application",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("municipality", String(4), nullable=False, index=True),
    Column("kind", String(40), nullable=False, server_default=text("'service_application'")),
    Column("journal_number", String(20), nullable=False),
    Column("person_id", String(100), nullable=True, doc="whom the case is about; empty before a child is born"),
    Column("applicant_person_id", String(100), nullable=True, doc="the parent who applies for a child coordinator"),
    Column("co_applicant_person_id", String(100), nullable=True, doc="in pregnancy, the other expecting parent"),
    Column("expected_birth_on", Date, nullable=True),
    Column("grounds", String(30), nullable=True, doc="a child-coordinator application's grounds of the right"),
    Column("grounds_since", Date, nullable=True, doc="the day of an adoption's allocation or child welfare's takeover"),
    Column("channel", String(30), nullable=False),
    Column("sender", String(30), nullable=False),
    Column("service_code", String(60), nullable=True),
    Column("requested", NullableJSON, nullable=True, doc="coordination needs a referral asks for"),
    Column("received_on", Date, nullable=False),
    Column(
        "consent", NullableJSON, nullable=True, doc="the consent that holds now; empty once processing is withdrawn"
    ),
    Column("route", String(30), nullable=False, server_default=text("'allocation_office'")),
    Column("involves_child", Boolean, nullable=False, server_default=false()),
    Column("status", String(30), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("withdrawn_on", Date, nullable=True),
    Column("withdrawal_reason_code", String(40), nullable=True),
    # The caseworker's own words about a withdrawal stay here: the event carries the code only.
    Column("withdrawal_reason", Text, nullable=True),
    UniqueConstraint("municipality", "journal_number", name="uq_application_municipality_journal_number"),
    Index("ix_application_municipality_person_id", "municipality", "person_id"),
    Index("ix_application_municipality_created_at", "municipality", "created_at"),
)

journal_counter = Table(
    "journal_counter",
    metadata,
    Column("municipality", String(4), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("last_number", Integer, nullable=False),
)

# National identity numbers live here and nowhere else: every other table and every event carries
# the pseudonymous person_id.
person = Table(
    "person",
    metadata,
    Column("person_id", String(36), primary_key=True),
    Column("municipality", String(4), nullable=False),
    Column("national_id", String(11), nullable=False),
    Column("id_kind", String(3), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("name", String(200), nullable=True),
    Column("street", String(200), nullable=True),
    Column("postcode", String(4), nullable=True),
    Column("city", String(100), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("created_by", String(200), nullable=False),
    UniqueConstraint("municipality", "national_id", name="uq_person_municipality_national_id"),
)

person_access = Table(
    "person_access",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("person_id", String(36), ForeignKey("person.person_id"), nullable=False, index=True),
    Column("municipality", String(4), nullable=False),
    Column("accessed_by", String(200), nullable=False),
    Column("roles", JSON, nullable=False),
    Column("purpose", String(500), nullable=False),
    Column("national_id_disclosed", Boolean, nullable=False),
    Column("accessed_at", UtcDateTime(), nullable=False),
)

# Who speaks for a person: other persons of the same register, by pseudonymous id only.
person_guardian = Table(
    "person_guardian",
    metadata,
    Column("person_id", String(36), ForeignKey("person.person_id"), primary_key=True),
    Column("guardian_person_id", String(36), ForeignKey("person.person_id"), primary_key=True),
    Column("municipality", String(4), nullable=False),
    Column("relation", String(20), nullable=False, doc="parent | guardian"),
    Column("recorded_at", UtcDateTime(), nullable=False),
    Column("recorded_by", String(200), nullable=False),
)

# Every change to a person's guardians, in order: who changed what, when.
person_guardian_change = Table(
    "person_guardian_change",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("person_id", String(36), ForeignKey("person.person_id"), nullable=False, index=True),
    Column("municipality", String(4), nullable=False),
    Column("guardian_person_id", String(36), ForeignKey("person.person_id"), nullable=False),
    Column("change", String(20), nullable=False, doc="added | removed | relation_changed"),
    Column("relation", String(20), nullable=False, doc="after the change; before it, for a removal"),
    Column("previous_relation", String(20), nullable=True),
    Column("changed_at", UtcDateTime(), nullable=False),
    Column("changed_by", String(200), nullable=False),
)

# The consent given at registration and every withdrawal after it, in order.
consent_event = Table(
    "consent_event",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("case_id", String(36), ForeignKey("application.case_id"), nullable=False, index=True),
    Column("municipality", String(4), nullable=False),
    Column("kind", String(20), nullable=False, doc="given | withdrawn"),
    Column("effective_on", Date, nullable=False),
    Column("consent", NullableJSON, nullable=True, doc="given: the consent given; withdrawn: what still holds after"),
    Column("withdrawn_scopes", NullableJSON, nullable=True),
    Column("withdrawn_share_with", NullableJSON, nullable=True),
    Column("recorded_at", UtcDateTime(), nullable=False),
    Column("recorded_by", String(200), nullable=True),
)

# Free text about a person's health stays in intake; events carry only codes and times.
emergency_measure = Table(
    "emergency_measure",
    metadata,
    Column("case_id", String(36), ForeignKey("application.case_id"), primary_key=True),
    Column("municipality", String(4), nullable=False),
    Column("unit", String(60), nullable=False),
    Column("started_at", UtcDateTime(), nullable=False),
    Column("what", Text, nullable=False),
    Column("why", Text, nullable=False),
    Column("registered_at", UtcDateTime(), nullable=False),
    Column("registered_by", String(200), nullable=False),
)


# --- the person register ------------------------------------------------------------------------


def _contact_values(contact: Contact) -> dict[str, Any]:
    return {"name": contact.name, "street": contact.street, "postcode": contact.postcode, "city": contact.city}


def _person(row: RowMapping) -> Person:
    return Person(
        person_id=row["person_id"],
        municipality=row["municipality"],
        national_id=row["national_id"],
        id_kind=IdKind(row["id_kind"]),
        birth_date=row["birth_date"],
        created_at=row["created_at"],
        created_by=row["created_by"],
        contact=Contact(name=row["name"], street=row["street"], postcode=row["postcode"], city=row["city"]),
    )


def _access(row: RowMapping) -> PersonAccess:
    return PersonAccess(
        person_id=row["person_id"],
        accessed_by=row["accessed_by"],
        roles=tuple(row["roles"]),
        purpose=row["purpose"],
        national_id_disclosed=row["national_id_disclosed"],
        accessed_at=row["accessed_at"],
    )


def _guardian(row: RowMapping) -> Guardian:
    return Guardian(
        person_id=row["guardian_person_id"],
        relation=GuardianRelation(row["relation"]),
        recorded_at=row["recorded_at"],
        recorded_by=row["recorded_by"],
    )


def _guardian_change(row: RowMapping) -> GuardianChange:
    previous = row["previous_relation"]
    return GuardianChange(
        guardian_person_id=row["guardian_person_id"],
        change=GuardianChangeKind(row["change"]),
        relation=GuardianRelation(row["relation"]),
        previous_relation=GuardianRelation(previous) if previous is not None else None,
        changed_at=row["changed_at"],
        changed_by=row["changed_by"],
    )


class Persons:
    """The person register of the unit of work's municipality, and who read whom."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._session = uow.session
        self._municipality = uow.municipality

    @property
    def municipality(self) -> str:
        return self._municipality

    async def get(self, person_id: str) -> Person | None:
        query = select(person).where(person.c.municipality == self._municipality, person.c.person_id == person_id)
        found = (await self._session.execute(query)).mappings().first()
        return _person(found) if found else None

    async def lock(self, person_id: str) -> Person | None:
        """Read a person to change what the register holds about them; on PostgreSQL the row stays locked until
        the transaction ends, so that changes to one person's guardians serialise."""
        query = (
            select(person)
            .where(person.c.municipality == self._municipality, person.c.person_id == person_id)
            .with_for_update()
        )
        found = (await self._session.execute(query)).mappings().first()
        return _person(found) if found else None

    async def many(self, person_ids: Iterable[str]) -> dict[str, Person]:
        """The municipality's persons among `person_ids`, by id; the others are left out."""
        ids = sorted(set(person_ids))
        if not ids:
            return {}
        query = select(person).where(person.c.municipality == self._municipality, person.c.person_id.in_(ids))
        rows = (await self._session.execute(query)).mappings().all()
        return {r["person_id"]: _person(r) for r in rows}

    async def guardianship(self, of: Person) -> Guardianship:
        """Who the register says speaks for `of`."""
        assert of.municipality == self._municipality
        g = person_guardian.c
        query = select(person_guardian).where(g.municipality == self._municipality, g.person_id == of.person_id)
        rows = (await self._session.execute(query)).mappings().all()
        return Guardianship(person=of, guardians=[_guardian(r) for r in rows])

    async def save_guardianship(self, guardianship: Guardianship) -> None:
        """Write the guardian list as it now stands, and journal the changes recorded."""
        of = guardianship.person.person_id
        g = person_guardian.c
        await self._session.execute(
            person_guardian.delete().where(g.municipality == self._municipality, g.person_id == of)
        )
        for guardian in guardianship.guardians:
            await self._session.execute(
                insert(person_guardian).values(
                    person_id=of,
                    guardian_person_id=guardian.person_id,
                    municipality=self._municipality,
                    relation=guardian.relation.value,
                    recorded_at=guardian.recorded_at,
                    recorded_by=guardian.recorded_by,
                )
            )
        for change in guardianship.new_changes:
            await self._session.execute(
                insert(person_guardian_change).values(
                    person_id=of,
                    municipality=self._municipality,
                    guardian_person_id=change.guardian_person_id,
                    change=change.change.value,
                    relation=change.relation.value,
                    previous_relation=change.previous_relation.value if change.previous_relation else None,
                    changed_at=change.changed_at,
                    changed_by=change.changed_by,
                )
            )
        guardianship.new_changes.clear()

    async def guardian_history(self, person_id: str) -> list[GuardianChange]:
        """Every change to the person's guardians, oldest first."""
        c = person_guardian_change.c
        query = (
            select(person_guardian_change)
            .where(c.municipality == self._municipality, c.person_id == person_id)
            .order_by(c.id)
        )
        return [_guardian_change(r) for r in (await self._session.execute(query)).mappings().all()]

    async def by_national_id(self, national_id: str) -> Person | None:
        query = select(person).where(person.c.municipality == self._municipality, person.c.national_id == national_id)
        found = (await self._session.execute(query)).mappings().first()
        return _person(found) if found else None

    async def add_once(self, new: Person) -> tuple[Person, bool]:
        """Add the person unless the municipality has their number already: (the person that holds, created?)."""
        assert new.municipality == self._municipality
        existing = await self.by_national_id(new.national_id)
        if existing is not None:
            return existing, False
        try:
            async with self._session.begin_nested():
                await self._session.execute(
                    insert(person).values(
                        person_id=new.person_id,
                        municipality=self._municipality,
                        national_id=new.national_id,
                        id_kind=new.id_kind.value,
                        birth_date=new.birth_date,
                        created_at=new.created_at,
                        created_by=new.created_by,
                        **_contact_values(new.contact),
                    )
                )
        except IntegrityError:
            # A concurrent registration of the same number committed first: that row is the person.
            existing = await self.by_national_id(new.national_id)
            if existing is None:
                raise
            return existing, False
        return new, True

    async def save_contact(self, moved: Person) -> None:
        await self._session.execute(
            update(person)
            .where(person.c.municipality == self._municipality, person.c.person_id == moved.person_id)
            .values(**_contact_values(moved.contact))
        )

    async def log_access(self, access: PersonAccess) -> None:
        await self._session.execute(
            insert(person_access).values(
                person_id=access.person_id,
                municipality=self._municipality,
                accessed_by=access.accessed_by,
                roles=list(access.roles),
                purpose=access.purpose,
                national_id_disclosed=access.national_id_disclosed,
                accessed_at=access.accessed_at,
            )
        )

    async def access_log(self, person_id: str, *, limit: int, offset: int) -> tuple[list[PersonAccess], int]:
        where = [person_access.c.municipality == self._municipality, person_access.c.person_id == person_id]
        order = [person_access.c.accessed_at.desc(), person_access.c.id.desc()]
        rows, total = await rows_page(self._session, person_access, where, order, limit=limit, offset=offset)
        return [_access(r) for r in rows], total


# --- cases --------------------------------------------------------------------------------------


def _consent(value: Any) -> Consent | None:
    return Consent.model_validate(value) if value is not None else None


def _consent_json(consent: Consent | None) -> dict[str, Any] | None:
    return consent.model_dump(mode="json") if consent is not None else None


def _case(row: RowMapping, emergency: EmergencyDetails | None = None) -> Case:
    requested = row["requested"]
    return Case(
        case_id=row["case_id"],
        municipality=row["municipality"],
        kind=CaseKind(row["kind"]),
        journal_number=row["journal_number"],
        person_id=row["person_id"],
        applicant_person_id=row["applicant_person_id"],
        co_applicant_person_id=row["co_applicant_person_id"],
        expected_birth_on=row["expected_birth_on"],
        grounds=ChildCoordinatorGrounds(row["grounds"]) if row["grounds"] is not None else None,
        grounds_since=row["grounds_since"],
        channel=Channel(row["channel"]),
        sender=Sender(row["sender"]),
        service_code=row["service_code"],
        requested=[CoordinationNeed(n) for n in requested] if requested is not None else None,
        received_on=row["received_on"],
        consent=_consent(row["consent"]),
        route=Route(row["route"]),
        involves_child=row["involves_child"],
        status=CaseStatus(row["status"]),
        created_at=row["created_at"],
        emergency=emergency,
        withdrawal=_withdrawal(row),
    )


def _withdrawal(row: RowMapping) -> Withdrawal | None:
    if row["withdrawn_on"] is None:
        return None
    code = row["withdrawal_reason_code"]
    return Withdrawal(
        withdrawn_on=row["withdrawn_on"],
        reason_code=WithdrawalReason(code) if code is not None else None,
        reason=row["withdrawal_reason"],
    )


def _withdrawal_values(withdrawal: Withdrawal | None) -> dict[str, Any]:
    if withdrawal is None:
        return {}
    return {
        "withdrawn_on": withdrawal.withdrawn_on,
        "withdrawal_reason_code": withdrawal.reason_code.value if withdrawal.reason_code is not None else None,
        "withdrawal_reason": withdrawal.reason,
    }


def _consent_record(row: RowMapping) -> ConsentRecord:
    scopes, shared = row["withdrawn_scopes"], row["withdrawn_share_with"]
    return ConsentRecord(
        kind=row["kind"],
        effective_on=row["effective_on"],
        consent=_consent(row["consent"]),
        withdrawn_scopes=[ConsentScope(s) for s in scopes] if scopes is not None else None,
        withdrawn_share_with=list(shared) if shared is not None else None,
        recorded_at=row["recorded_at"],
        recorded_by=row["recorded_by"],
    )


def _conditions(filters: CaseFilter) -> list[ColumnElement[bool]]:
    c = application.c
    where: list[ColumnElement[bool]] = []
    for column, value in (
        (c.kind, filters.kind),
        (c.status, filters.status),
        (c.service_code, filters.service_code),
        (c.route, filters.route),
        (c.journal_number, filters.journal_number),
        (c.involves_child, filters.involves_child),
    ):
        if value is not None:
            where.append(column == value)
    if filters.person_id is not None:
        where.append(
            or_(
                c.person_id == filters.person_id,
                c.applicant_person_id == filters.person_id,
                c.co_applicant_person_id == filters.person_id,
            )
        )
    if filters.received_from is not None:
        where.append(c.received_on >= filters.received_from)
    if filters.received_to is not None:
        where.append(c.received_on <= filters.received_to)
    if filters.emergency is True:
        where.append(c.kind == CaseKind.EMERGENCY_MEASURE.value)
    elif filters.emergency is False:
        where.append(c.kind != CaseKind.EMERGENCY_MEASURE.value)
    if filters.registered_by_unit is not None:
        m = emergency_measure.c
        where.append(c.case_id.in_(select(m.case_id).where(m.unit == filters.registered_by_unit)))
    return where


class Cases:
    """The cases of the unit of work's municipality, of every kind, with their consent history."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._session = uow.session
        self._municipality = uow.municipality

    async def next_journal_sequence(self, year: int) -> int:
        """The next sequence of (municipality, year); concurrent callers serialise on the counter row. Call it
        last before adding the case, so that the counter row stays locked as briefly as possible."""
        counter = journal_counter.c
        for _ in range(3):
            bumped = await self._session.scalar(
                update(journal_counter)
                .where(counter.municipality == self._municipality, counter.year == year)
                .values(last_number=counter.last_number + 1)
                .returning(counter.last_number)
            )
            if bumped is not None:
                return int(bumped)
            try:
                async with self._session.begin_nested():
                    await self._session.execute(
                        insert(journal_counter).values(municipality=self._municipality, year=year, last_number=1)
                    )
                return 1
            except IntegrityError:
                continue  # another transaction created the row first: bump it instead
        raise RuntimeError("could not allocate a journal number")

    async def add(self, case: Case) -> None:
        assert case.municipality == self._municipality
        await self._session.execute(
            insert(application).values(
                case_id=case.case_id,
                municipality=self._municipality,
                kind=case.kind.value,
                journal_number=case.journal_number,
                person_id=case.person_id,
                applicant_person_id=case.applicant_person_id,
                co_applicant_person_id=case.co_applicant_person_id,
                expected_birth_on=case.expected_birth_on,
                grounds=case.grounds.value if case.grounds is not None else None,
                grounds_since=case.grounds_since,
                channel=case.channel.value,
                sender=case.sender.value,
                service_code=case.service_code,
                requested=[n.value for n in case.requested] if case.requested is not None else None,
                received_on=case.received_on,
                consent=_consent_json(case.consent),
                route=case.route.value,
                involves_child=case.involves_child,
                status=case.status.value,
                created_at=case.created_at,
            )
        )
        if case.emergency is not None:
            e = case.emergency
            await self._session.execute(
                insert(emergency_measure).values(
                    case_id=case.case_id,
                    municipality=self._municipality,
                    unit=e.unit,
                    started_at=e.started_at,
                    what=e.what,
                    why=e.why,
                    registered_at=e.registered_at,
                    registered_by=e.registered_by,
                )
            )
        await self._save_consent_records(case)

    async def save(self, case: Case) -> None:
        """Write what the aggregate's methods change: status, the consent that holds, its history."""
        await self._session.execute(
            update(application)
            .where(application.c.municipality == self._municipality, application.c.case_id == case.case_id)
            .values(
                status=case.status.value, consent=_consent_json(case.consent), **_withdrawal_values(case.withdrawal)
            )
        )
        await self._save_consent_records(case)

    async def _save_consent_records(self, case: Case) -> None:
        for record in case.new_consent_records:
            await self._session.execute(
                insert(consent_event).values(
                    case_id=case.case_id,
                    municipality=self._municipality,
                    kind=record.kind,
                    effective_on=record.effective_on,
                    consent=_consent_json(record.consent),
                    withdrawn_scopes=[s.value for s in record.withdrawn_scopes]
                    if record.withdrawn_scopes is not None
                    else None,
                    withdrawn_share_with=record.withdrawn_share_with,
                    recorded_at=record.recorded_at,
                    recorded_by=record.recorded_by,
                )
            )
        case.new_consent_records.clear()

    def _one(self, case_id: str) -> Select[Any]:
        return select(application).where(
            application.c.municipality == self._municipality, application.c.case_id == case_id
        )

    async def get(self, case_id: str) -> Case | None:
        """The case with its emergency details, if it is an emergency measure."""
        found = (await self._session.execute(self._one(case_id))).mappings().first()
        if found is None:
            return None
        details = None
        if found["kind"] == CaseKind.EMERGENCY_MEASURE:
            details = await self._emergency_details(case_id)
        return _case(found, details)

    async def lock(self, case_id: str) -> Case | None:
        """Read a case to change it; on PostgreSQL the row stays locked until the transaction ends."""
        found = (await self._session.execute(self._one(case_id).with_for_update())).mappings().first()
        return _case(found) if found else None

    async def _emergency_details(self, case_id: str) -> EmergencyDetails | None:
        m = emergency_measure.c
        query = select(emergency_measure).where(m.municipality == self._municipality, m.case_id == case_id)
        row = (await self._session.execute(query)).mappings().first()
        if row is None:
            return None
        return EmergencyDetails(
            unit=row["unit"],
            started_at=row["started_at"],
            what=row["what"],
            why=row["why"],
            registered_at=row["registered_at"],
            registered_by=row["registered_by"],
        )

    async def page(self, filters: CaseFilter, *, limit: int, offset: int) -> tuple[list[Case], int]:
        where = [application.c.municipality == self._municipality, *_conditions(filters)]
        # Newest first. Registered in the same instant, the later journal number comes first; the case id breaks
        # any tie left, so that pages never overlap or skip.
        order = [application.c.created_at.desc(), application.c.journal_number.desc(), application.c.case_id]
        rows, total = await rows_page(self._session, application, where, order, limit=limit, offset=offset)
        return [_case(r) for r in rows], total

    async def consent_history(self, case_id: str) -> list[ConsentRecord]:
        c = consent_event.c
        query = select(consent_event).where(c.municipality == self._municipality, c.case_id == case_id).order_by(c.id)
        return [_consent_record(r) for r in (await self._session.execute(query)).mappings().all()]
