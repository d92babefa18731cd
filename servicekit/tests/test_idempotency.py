"""An idempotent POST records its key in its use case's transaction: two requests with one key, one effect."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from servicekit.actor import Actor
from servicekit.bus import Bus
from servicekit.db import IDEMPOTENCY, Database, UnitOfWork
from servicekit.errors import Conflict
from servicekit.idempotency import FIELD, Claim, body_hash
from servicekit.tests.support import count_rows, note

CALLER = Actor(subject="kari", municipality="3426", roles=frozenset({"caseworker"}))


def claim(db: Database, key: str = "k-1") -> Claim:
    return Claim(db, municipality="3426", key=key, route="POST /notes", body_hash=body_hash(b'{"a": 1}'))


async def write_note(text: str, uow: UnitOfWork) -> str:
    await uow.session.execute(note.insert().values(id=str(uuid.uuid4()), text=text))
    return text


async def test_the_key_is_committed_with_the_effect_of_the_use_case(db: Database) -> None:
    first = claim(db)

    await Bus(db, service="test").acting_as(CALLER, claim=first).run(write_note, "first")

    assert first.committed
    async with db.engine.connect() as conn:
        row = (await conn.execute(select(IDEMPOTENCY))).one()
    assert (row.municipality, row.key, row.route, row.status) == ("3426", "k-1", "POST /notes", None)
    assert row.created_at == db.clock.now()
    assert await count_rows(db, note) == 1


async def test_a_second_request_with_the_key_of_one_that_got_there_first_is_refused_and_rolled_back(
    db: Database,
) -> None:
    await Bus(db, service="test").acting_as(CALLER, claim=claim(db)).run(write_note, "first")
    late = claim(db)

    with pytest.raises(Conflict) as refused:
        await Bus(db, service="test").acting_as(CALLER, claim=late).run(write_note, "second")

    assert refused.value.field == FIELD
    assert not late.committed
    assert await count_rows(db, note) == 1


async def test_a_use_case_that_fails_keeps_no_key(db: Database) -> None:
    async def fail(text: str, uow: UnitOfWork) -> None:
        await write_note(text, uow)
        raise Conflict("no")

    with pytest.raises(Conflict):
        await Bus(db, service="test").acting_as(CALLER, claim=claim(db)).run(fail, "x")

    assert await count_rows(db, IDEMPOTENCY) == 0
    assert await count_rows(db, note) == 0


async def test_two_use_cases_of_one_request_record_the_key_once(db: Database) -> None:
    bus = Bus(db, service="test").acting_as(CALLER, claim=claim(db))

    await bus.run(write_note, "one")
    await bus.run(write_note, "two")

    assert await count_rows(db, IDEMPOTENCY) == 1
    assert await count_rows(db, note) == 2


async def test_a_stored_answer_is_kept_once(db: Database) -> None:
    first = claim(db)
    await Bus(db, service="test").acting_as(CALLER, claim=first).run(write_note, "first")

    await first.store(201, "application/json", b'{"id": "n-1"}')
    await first.store(500, "application/json", b"{}")

    async with db.engine.connect() as conn:
        row = (await conn.execute(select(IDEMPOTENCY))).one()
    assert (row.status, row.media_type, row.response) == (201, "application/json", '{"id": "n-1"}')


def test_the_body_hash_ignores_spacing_and_key_order_but_not_values() -> None:
    assert body_hash(b'{"a": 1, "b": [1, 2]}') == body_hash(b'{"b":[1,2],"a":1}')
    assert body_hash(b'{"a": 1}') != body_hash(b'{"a": 2}')
    assert body_hash(b"not json") != body_hash(b"not  json")
