"""Guardians and letter recipients as use cases on a SQLite unit of work, without HTTP: what they save, journal
and log, for the unit of work's municipality only, and that they leave the commit to the bus."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi import FastAPI

from servicekit.actor import Actor
from servicekit.db import OUTBOX, Database
from servicekit.errors import DomainError, Forbidden, NotFound
from servicekit.testing import count, runtime_of
from services.intake import commands
from services.intake import db as intake_db
from services.intake.domain import Contact, GuardianChangeKind, GuardianEntry, GuardianRelation, Receives
from services.intake.tests.support import NOW, SELBU, TODAY, TOLGA, national_id

KARI = Actor(subject="kari", municipality=TOLGA, roles=frozenset({"caseworker"}))
DECISION = Actor.service("decision", TOLGA)
SELBU_CASEWORKER = Actor(subject="siri", municipality=SELBU, roles=frozenset({"caseworker"}))
PARENT, GUARDIAN = GuardianRelation.PARENT, GuardianRelation.GUARDIAN


@pytest.fixture
def database(app: FastAPI) -> Database:
    return runtime_of(app).db


async def a_person(database: Database, born: date, name: str, actor: Actor = KARI) -> str:
    contact = Contact(name=name, street="Storgata 1", postcode="2540", city="Tolga")
    async with database.unit_of_work(actor) as uow:
        person, _ = await commands.register_person(commands.RegisterPerson(national_id(born), contact), uow)
        await uow.commit()
    return person.person_id


async def family(database: Database) -> tuple[str, str, str]:
    child = await a_person(database, date(2016, 5, 17), "Ola Nordmann")
    mother = await a_person(database, date(1986, 2, 1), "Kari Nordmann")
    father = await a_person(database, date(1984, 9, 9), "Per Nordmann")
    return child, mother, father


def parents(*ids: str) -> list[GuardianEntry]:
    return [GuardianEntry(i, PARENT) for i in ids]


async def test_recording_guardians_saves_the_list_and_its_journal_in_the_same_unit_of_work(
    app: FastAPI, database: Database
) -> None:
    child, mother, father = await family(database)

    async with database.unit_of_work(KARI) as uow:
        view = await commands.record_guardians(commands.RecordGuardians(child, parents(mother, father)), uow)
        await uow.commit()

    async with database.unit_of_work(KARI) as uow:
        saved = await commands.read_guardians(commands.ReadGuardians(child), uow)
    assert saved.guardianship.guardians == view.guardianship.guardians
    assert {(g.person_id, g.relation, g.recorded_by, g.recorded_at) for g in saved.guardianship.guardians} == {
        (mother, PARENT, "kari", NOW),
        (father, PARENT, "kari", NOW),
    }
    assert [(c.change, c.changed_by, c.changed_at) for c in saved.history] == [
        (GuardianChangeKind.ADDED, "kari", NOW),
        (GuardianChangeKind.ADDED, "kari", NOW),
    ]
    assert saved.on == TODAY
    assert await count(app, OUTBOX) == 0, "the register is intake's own: no event"


async def test_recording_guardians_leaves_the_commit_to_the_bus(app: FastAPI, database: Database) -> None:
    child, mother, _ = await family(database)

    async with database.unit_of_work(KARI) as uow:
        await commands.record_guardians(commands.RecordGuardians(child, parents(mother)), uow)

    assert await count(app, intake_db.person_guardian) == 0
    assert await count(app, intake_db.person_guardian_change) == 0


async def test_recording_a_shorter_list_removes_the_rest_and_journals_the_removal(database: Database) -> None:
    child, mother, father = await family(database)
    async with database.unit_of_work(KARI) as uow:
        await commands.record_guardians(commands.RecordGuardians(child, parents(mother, father)), uow)
        await uow.commit()
    ola = Actor(subject="ola", municipality=TOLGA, roles=frozenset({"caseworker"}))

    async with database.unit_of_work(ola) as uow:
        view = await commands.record_guardians(commands.RecordGuardians(child, parents(mother)), uow)
        await uow.commit()

    assert [g.person_id for g in view.guardianship.guardians] == [mother]
    assert [(c.change, c.guardian_person_id, c.changed_by) for c in view.history][-1] == (
        GuardianChangeKind.REMOVED,
        father,
        "ola",
    )


async def test_a_guardian_of_another_municipality_is_refused_and_nothing_is_saved(
    app: FastAPI, database: Database
) -> None:
    child, _, _ = await family(database)
    selbu_mother = await a_person(database, date(1986, 2, 1), "Siri Selbu", actor=SELBU_CASEWORKER)

    async with database.unit_of_work(KARI) as uow:
        with pytest.raises(DomainError, match=r"no person .* is registered in municipality 3426") as refused:
            await commands.record_guardians(commands.RecordGuardians(child, parents(selbu_mother)), uow)
        await uow.commit()

    assert refused.value.field == "guardians.0.person_id"
    assert await count(app, intake_db.person_guardian) == 0


async def test_another_municipality_finds_neither_the_person_nor_their_guardians(database: Database) -> None:
    child, mother, _ = await family(database)
    async with database.unit_of_work(KARI) as uow:
        await commands.record_guardians(commands.RecordGuardians(child, parents(mother)), uow)
        await uow.commit()

    async with database.unit_of_work(SELBU_CASEWORKER) as uow:
        with pytest.raises(NotFound):
            await commands.record_guardians(commands.RecordGuardians(child, []), uow)
        with pytest.raises(NotFound):
            await commands.read_guardians(commands.ReadGuardians(child), uow)
        with pytest.raises(NotFound):
            await commands.read_letter_recipients(commands.ReadLetterRecipients(child, "decision letter"), uow)


async def test_only_caseworkers_record_guardians(database: Database) -> None:
    child, mother, _ = await family(database)

    async with database.unit_of_work(DECISION) as uow:
        with pytest.raises(Forbidden):
            await commands.record_guardians(commands.RecordGuardians(child, parents(mother)), uow)


async def test_reading_letter_recipients_gives_the_parents_and_logs_every_disclosed_person_in_the_same_unit_of_work(
    app: FastAPI, database: Database
) -> None:
    child, mother, father = await family(database)
    async with database.unit_of_work(KARI) as uow:
        await commands.record_guardians(commands.RecordGuardians(child, parents(mother, father)), uow)
        await uow.commit()

    async with database.unit_of_work(DECISION) as uow:
        found = await commands.read_letter_recipients(commands.ReadLetterRecipients(child, "decision letter"), uow)
        persons = intake_db.Persons(uow)
        logs = {who: (await persons.access_log(who, limit=10, offset=0))[0] for who in (child, mother, father)}
    # Not committed: the read and its log entries went together.

    assert {(r.person_id, r.receives_as, r.contact.name) for r in found.recipients} == {
        (mother, Receives.PARENT, "Kari Nordmann"),
        (father, Receives.PARENT, "Per Nordmann"),
    }
    assert (found.person_is_child, found.no_guardian_registered, found.on) == (True, False, TODAY)
    for entries in logs.values():
        [entry] = entries
        assert (entry.accessed_by, entry.purpose, entry.national_id_disclosed) == ("decision", "decision letter", False)
    assert await count(app, intake_db.person_access) == 0


async def test_a_child_without_guardians_is_its_own_recipient_flagged(database: Database) -> None:
    child, _, _ = await family(database)

    async with database.unit_of_work(KARI) as uow:
        found = await commands.read_letter_recipients(commands.ReadLetterRecipients(child, "decision letter"), uow)

    assert [(r.person_id, r.receives_as) for r in found.recipients] == [(child, Receives.SELF)]
    assert found.no_guardian_registered is True


async def test_an_adults_appointed_guardian_receives_the_letters_too(database: Database) -> None:
    adult = await a_person(database, date(1950, 6, 1), "Anna Eldre")
    verge = await a_person(database, date(1975, 3, 3), "Vera Verge")
    async with database.unit_of_work(KARI) as uow:
        await commands.record_guardians(commands.RecordGuardians(adult, [GuardianEntry(verge, GUARDIAN)]), uow)
        await uow.commit()

    async with database.unit_of_work(DECISION) as uow:
        found = await commands.read_letter_recipients(commands.ReadLetterRecipients(adult, "decision letter"), uow)

    assert [(r.person_id, r.receives_as, r.contact.name) for r in found.recipients] == [
        (adult, Receives.SELF, "Anna Eldre"),
        (verge, Receives.GUARDIAN, "Vera Verge"),
    ]
    assert (found.person_is_child, found.no_guardian_registered) == (False, False)


async def test_a_leader_may_not_read_letter_recipients_and_nothing_is_logged(app: FastAPI, database: Database) -> None:
    adult = await a_person(database, date(1950, 6, 1), "Anna Eldre")
    leader = Actor(subject="lise", municipality=TOLGA, roles=frozenset({"leader"}))

    async with database.unit_of_work(leader) as uow:
        with pytest.raises(Forbidden):
            await commands.read_letter_recipients(commands.ReadLetterRecipients(adult, "curious"), uow)
        await uow.commit()

    assert await count(app, intake_db.person_access) == 0
