"""Intake's use cases against a SQLite unit of work, without HTTP: what they save, emit and refuse, for
the unit of work's municipality only, and that they leave the commit to the bus."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi import FastAPI

from contracts.intake import ApplicationRegistered, Channel, Consent, ConsentScope, ConsentWithdrawn, Sender
from servicekit.actor import Actor
from servicekit.db import OUTBOX, Database
from servicekit.errors import DomainError, NotFound
from servicekit.testing import count, emitted, runtime_of
from services.intake import commands
from services.intake import db as intake_db
from services.intake.domain import CaseFilter, CaseStatus, RegisterApplication
from services.intake.tests.support import SELBU, TOLGA, national_id

KARI = Actor(subject="kari", municipality=TOLGA, roles=frozenset({"caseworker"}))
SELBU_CASEWORKER = Actor(subject="siri", municipality=SELBU, roles=frozenset({"caseworker"}))
CONSENT = Consent.model_validate(
    {"form": "written", "given_by": "person", "scope": ["processing", "sharing"], "share_with": ["home_care"]}
)


@pytest.fixture
def database(app: FastAPI) -> Database:
    return runtime_of(app).db


async def a_person(database: Database, actor: Actor = KARI) -> str:
    async with database.unit_of_work(actor) as uow:
        person, _ = await commands.register_person(commands.RegisterPerson(national_id(date(1950, 6, 1))), uow)
        await uow.commit()
    return person.person_id


def an_application(person_id: str, case_id: str = "case-1") -> RegisterApplication:
    return RegisterApplication(
        case_id=case_id,
        person_id=person_id,
        channel=Channel.LETTER,
        sender=Sender.APPLICANT,
        service_code="home_nursing",
        received_on=date(2026, 3, 2),
        consent=CONSENT,
    )


async def test_registering_saves_the_case_and_records_its_event_in_the_same_unit_of_work(
    app: FastAPI, database: Database
) -> None:
    person_id = await a_person(database)

    async with database.unit_of_work(KARI) as uow:
        case = await commands.register_application(an_application(person_id), uow)
        await uow.commit()

    async with database.unit_of_work(KARI) as uow:
        saved = await commands.read_case(commands.ReadCase(case.case_id), uow)
        history = await commands.consent_of(commands.ReadCase(case.case_id), uow)
    assert saved == case
    assert (saved.journal_number, saved.status, saved.consent) == ("2026/000001", CaseStatus.REGISTERED, CONSENT)
    assert [r.kind for r in history.history] == ["given"]
    [event] = await emitted(app, ApplicationRegistered)
    assert (event.case_id, event.journal_number) == ("case-1", "2026/000001")


async def test_a_use_case_leaves_the_commit_to_the_bus(app: FastAPI, database: Database) -> None:
    person_id = await a_person(database)

    async with database.unit_of_work(KARI) as uow:
        await commands.register_application(an_application(person_id), uow)
    # No commit: the unit of work rolled back, and with it the case, its journal number and its event.

    assert await count(app, intake_db.application) == 0
    assert await count(app, intake_db.journal_counter) == 0
    assert await count(app, OUTBOX) == 0


async def test_another_municipalitys_case_and_person_are_not_found(database: Database) -> None:
    person_id = await a_person(database)
    async with database.unit_of_work(KARI) as uow:
        await commands.register_application(an_application(person_id), uow)
        await uow.commit()

    async with database.unit_of_work(SELBU_CASEWORKER) as uow:
        with pytest.raises(NotFound):
            await commands.read_case(commands.ReadCase("case-1"), uow)
        with pytest.raises(NotFound):
            await commands.withdraw_application(commands.WithdrawCase("case-1", withdrawn_on=date(2026, 3, 5)), uow)
        with pytest.raises(NotFound):
            await commands.read_person(commands.ReadPerson(person_id, purpose="curious"), uow)
        with pytest.raises(DomainError, match="no person"):
            await commands.register_application(an_application(person_id, case_id="case-2"), uow)
        cases, total = await commands.list_cases(commands.ListCases(CaseFilter(), limit=10, offset=0), uow)
    assert (cases, total) == ([], 0)


async def test_reading_a_person_logs_the_read_in_the_same_unit_of_work(app: FastAPI, database: Database) -> None:
    person_id = await a_person(database)
    leader = Actor(subject="lise", municipality=TOLGA, roles=frozenset({"leader"}))

    async with database.unit_of_work(leader) as uow:
        shown = await commands.read_person(commands.ReadPerson(person_id, purpose="audit"), uow)
        log, total = await commands.person_access_log(commands.PersonAccessLog(person_id, limit=10, offset=0), uow)
    # Not committed: the read and its log entry went together.

    assert shown.national_id is None
    assert total == 1
    assert (log[0].accessed_by, log[0].purpose, log[0].national_id_disclosed) == ("lise", "audit", False)
    assert await count(app, intake_db.person_access) == 0


async def test_withdrawing_consent_saves_what_holds_and_the_history_and_emits_consent_withdrawn(
    app: FastAPI, database: Database
) -> None:
    person_id = await a_person(database)
    async with database.unit_of_work(KARI) as uow:
        await commands.register_application(an_application(person_id), uow)
        await uow.commit()

    cmd = commands.WithdrawConsent(
        "case-1", scopes=[ConsentScope.SHARING], share_with=[], withdrawn_on=date(2026, 3, 5)
    )
    async with database.unit_of_work(KARI) as uow:
        view = await commands.withdraw_case_consent(cmd, uow)
        await uow.commit()

    async with database.unit_of_work(KARI) as uow:
        saved = await commands.read_case(commands.ReadCase("case-1"), uow)
    assert saved.consent == view.current
    assert view.current is not None
    assert view.current.scope == [ConsentScope.PROCESSING]
    assert [r.kind for r in view.history] == ["given", "withdrawn"]
    [event] = await emitted(app, ConsentWithdrawn)
    assert event.withdrawn_share_with == ["home_care"]
