"""The bus and the tenant-bound unit of work: one transaction per use case, for one municipality, with
events whose envelope is derived from the event and the unit of work, never repeated at the call site."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from contracts.envelope import parse_event
from contracts.tests.examples import application_registered, registered_event
from servicekit.actor import Actor, CaseGrant
from servicekit.bus import Bus
from servicekit.clock import FixedClock
from servicekit.db import INBOX, OUTBOX, Database, UnitOfWork
from servicekit.errors import DomainError, Forbidden, NotFound
from servicekit.settings import REPO_ROOT
from servicekit.tenants import Tenants
from servicekit.tests.support import count_rows, note

TENANTS_DIR = REPO_ROOT / "deploy" / "tenants"
TOLGA = Actor(subject="kari", municipality="3426", roles=frozenset({"caseworker"}))


@dataclass(frozen=True)
class Note:
    text: str
    case_id: str = "case-1"


async def write_note(cmd: Note, uow: UnitOfWork) -> str:
    """A use case: one row and one event, no commit of its own."""
    note_id = str(uuid.uuid4())
    await uow.session.execute(note.insert().values(id=note_id, text=f"{uow.municipality}: {cmd.text}"))
    await uow.emit(application_registered(case_id=cmd.case_id))
    return note_id


async def fail_after_writing(cmd: Note, uow: UnitOfWork) -> str:
    await write_note(cmd, uow)
    raise DomainError("the rule says no", field="text")


async def texts(db: Database) -> list[str]:
    async with db.engine.connect() as conn:
        return list((await conn.execute(select(note.c.text))).scalars())


async def test_a_use_case_runs_in_one_unit_of_work_for_the_caller_and_is_committed(db: Database) -> None:
    bus = Bus(db, service="test").acting_as(TOLGA)

    note_id = await bus.run(write_note, Note("hello"))

    assert note_id
    assert await texts(db) == ["3426: hello"]
    assert await count_rows(db, OUTBOX) == 1
    assert db.outbox_written.is_set()


async def test_a_failing_use_case_leaves_neither_rows_nor_events(db: Database) -> None:
    bus = Bus(db, service="test").acting_as(TOLGA)

    with pytest.raises(DomainError, match="the rule says no"):
        await bus.run(fail_after_writing, Note("hello"))

    assert await texts(db) == []
    assert await count_rows(db, OUTBOX) == 0


async def test_a_bus_without_a_caller_runs_nothing(db: Database) -> None:
    with pytest.raises(RuntimeError, match="actor"):
        await Bus(db, service="test").run(write_note, Note("hello"))

    assert await texts(db) == []


async def test_the_envelope_is_derived_from_the_event_the_service_and_the_acting_municipality(
    db: Database, clock: FixedClock
) -> None:
    await Bus(db, service="test").acting_as(TOLGA).run(write_note, Note("hello", case_id="case-9"))

    async with db.engine.connect() as conn:
        row = (await conn.execute(select(OUTBOX))).one()
    event = parse_event(row.payload)
    assert event is not None
    assert (event.subject, event.source, event.municipality, event.time) == (
        "case-9",
        "/forvalt/test",
        "3426",
        clock.now(),
    )
    assert (row.key, row.municipality) == ("case-9", "3426")


async def test_an_event_without_a_case_id_is_refused(db: Database) -> None:
    async with db.unit_of_work(TOLGA) as uow:
        with pytest.raises(ValueError, match="no case_id"):
            await uow.emit(application_registered(case_id="case-1").model_copy(update={"case_id": ""}))


async def test_a_unit_of_work_for_no_actor_has_no_municipality_to_give_its_events(db: Database) -> None:
    async with db.unit_of_work() as uow:
        with pytest.raises(RuntimeError, match="no actor"):
            _ = uow.municipality
        with pytest.raises(ValueError, match="cannot tell its municipality"):
            await uow.emit(application_registered())


async def test_a_consumed_event_is_handled_once_for_its_own_municipality_with_its_inbox_row(db: Database) -> None:
    bus = Bus(db, service="notification")
    event = registered_event(municipality="5026")
    seen: list[Actor] = []

    async def on_event(_: object, uow: UnitOfWork) -> None:
        seen.append(uow.actor)
        await uow.session.execute(note.insert().values(id=str(uuid.uuid4()), text=uow.municipality))

    assert await bus.handle("notification", event, on_event) is True
    assert await bus.handle("notification", event, on_event) is False

    assert seen == [Actor.service("notification", "5026")]
    assert await texts(db) == ["5026"]
    async with db.engine.connect() as conn:
        inbox = (await conn.execute(select(INBOX.c.consumer, INBOX.c.event_id))).all()
    assert [tuple(r) for r in inbox] == [("notification", event.id)]


def test_an_actor_without_the_role_is_forbidden_and_a_service_actor_has_the_service_role() -> None:
    with pytest.raises(Forbidden, match="leader"):
        TOLGA.require("leader")
    assert TOLGA.has("leader", "caseworker")
    assert Actor.service("decision", "3426").has("service")


async def test_a_unit_of_work_knows_the_configuration_of_the_municipality_it_acts_for(
    tmp_path: Path, clock: FixedClock
) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/t.db", clock=clock, tenants=Tenants.load(TENANTS_DIR))
    try:
        async with db.unit_of_work(TOLGA) as uow:
            assert (uow.tenant.municipality, uow.tenant.name) == ("3426", "Tolga")
        async with db.unit_of_work(Actor.service("test", "9999")) as uow:
            with pytest.raises(NotFound, match="9999 is not configured"):
                _ = uow.tenant
    finally:
        await db.dispose()


async def test_the_events_an_aggregate_raised_are_recorded_in_order(db: Database) -> None:
    async with db.unit_of_work(TOLGA) as uow:
        await uow.emit_all([application_registered(case_id=f"case-{n}") for n in range(3)])
        await uow.commit()

    async with db.engine.connect() as conn:
        keys = (await conn.execute(select(OUTBOX.c.key).order_by(OUTBOX.c.id))).scalars().all()
    assert keys == ["case-0", "case-1", "case-2"]


async def test_a_partner_emits_a_handed_over_cases_events_for_its_home_municipality_and_reads_its_rules(
    tmp_path: Path, clock: FixedClock
) -> None:
    db = Database(
        f"sqlite+aiosqlite:///{tmp_path}/g.db", clock=clock, source="/forvalt/test", tenants=Tenants.load(TENANTS_DIR)
    )
    async with db.engine.begin() as conn:
        await conn.run_sync(OUTBOX.metadata.create_all)
    partner = Actor(subject="ola", municipality="5032", roles=frozenset({"caseworker"}))
    grant = CaseGrant(home="5026", case_id="case-7")
    try:
        async with db.unit_of_work(partner) as uow:
            assert uow.tenant_of(grant).name == "Holtålen"
            await uow.emit_all([application_registered(case_id="case-7")], grant=grant)
            with pytest.raises(ValueError, match="the grant is for case case-7"):
                await uow.emit(application_registered(case_id="case-8"), grant=grant)
            await uow.commit()
        async with db.engine.connect() as conn:
            row = (await conn.execute(select(OUTBOX))).one()
    finally:
        await db.dispose()
    event = parse_event(row.payload)
    assert event is not None
    assert (row.municipality, event.municipality, event.subject, event.source) == (
        "5026",
        "5026",
        "case-7",
        "/forvalt/test",
    )
