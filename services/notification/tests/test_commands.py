"""Notification's use cases against a SQLite unit of work, without HTTP or the consumer: what each consumed event
and each sweep step does, and that the repository sees the acting municipality's rows only."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from contracts.deadlines import DeadlineCancelled, DeadlineDue, DeadlineScheduled
from contracts.decision import LetterIssued
from contracts.envelope import CloudEvent, parse_event
from contracts.intake import ApplicationWithdrawn
from contracts.tests.examples import EXAMPLE_TIME, registered_event
from servicekit.actor import Actor
from servicekit.clock import FixedClock
from servicekit.db import OUTBOX, Database
from servicekit.errors import Conflict, NotFound
from servicekit.tenants import Tenants
from services.notification import commands
from services.notification.db import Deadlines, Notifications
from services.notification.domain import Deadline, DeadlineStatus, Sweep
from services.notification.tests.conftest import SHIPPED, migrated_database

TOLGA, SELBU = "3426", "5032"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(EXAMPLE_TIME + timedelta(minutes=5))


def _as(database: Database, municipality: str = TOLGA) -> Any:
    """A unit of work for the service acting on `municipality`, as the bus opens one."""
    return database.unit_of_work(Actor.service("notification", municipality))


async def _run(database: Database, use_case: Any, cmd: Any, municipality: str = TOLGA) -> Any:
    async with _as(database, municipality) as uow:
        result = await use_case(cmd, uow)
        await uow.commit()
    return result


async def _get(database: Database, deadline_id: str, municipality: str = TOLGA) -> Deadline | None:
    async with _as(database, municipality) as uow:
        return await Deadlines(uow).get(deadline_id)


async def _outbox(database: Database) -> list[CloudEvent[Any]]:
    async with database.engine.connect() as conn:
        payloads = (await conn.execute(select(OUTBOX.c.payload).order_by(OUTBOX.c.id))).scalars().all()
    return [e for e in map(parse_event, payloads) if e is not None]


def _event(data: Any, municipality: str = TOLGA) -> CloudEvent[Any]:
    return CloudEvent.wrap(
        data, source="/forvalt/other", subject=data.case_id, municipality=municipality, time=EXAMPLE_TIME
    )


def _clock_of_another_service(deadline_id: str, case_id: str = "case-1", due_on: date = date(2026, 12, 14)) -> Any:
    return DeadlineScheduled(
        deadline_id=deadline_id, case_id=case_id, kind="information_request", due_on=due_on, responsible="home_care"
    )


# --- a registered case ----------------------------------------------------------------------------------------------


async def test_opening_a_case_records_its_receipt_starts_its_reply_clock_and_announces_it(
    database: Database, clock: FixedClock
) -> None:
    event = registered_event(municipality=TOLGA, case_id="case-42", received_on=date(2026, 11, 28))

    opened = await _run(database, commands.open_case, event)

    stored = await _get(database, opened.id)
    assert stored is not None
    assert stored == opened
    assert (stored.case_id, stored.kind, stored.due_on, stored.responsible, stored.status) == (
        "case-42",
        "preliminary_reply",
        date(2026, 12, 28),
        "allocation_office",
        DeadlineStatus.SCHEDULED,
    )
    async with _as(database) as uow:
        [receipt] = await Notifications(uow).page("case-42", limit=10, offset=0)
    assert (receipt.kind, receipt.source_event_id, receipt.created_at) == ("receipt", event.id, clock.now())
    [announced] = await _outbox(database)
    assert (announced.municipality, announced.subject) == (TOLGA, "case-42")
    assert announced.data == DeadlineScheduled(
        deadline_id=opened.id,
        case_id="case-42",
        kind="preliminary_reply",
        due_on=date(2026, 12, 28),
        responsible="allocation_office",
    )


async def test_a_municipality_without_a_decision_office_falls_back_to_the_allocation_office_role(
    tmp_path: Path, clock: FixedClock
) -> None:
    bare = SHIPPED.get(TOLGA).model_copy(update={"decision": None, "children_unit": None})
    database = await migrated_database(tmp_path / "bare.db", clock, Tenants([bare]))
    try:
        opened = await _run(database, commands.open_case, registered_event(municipality=TOLGA))
    finally:
        await database.dispose()

    assert opened.responsible == "allocation_office"


async def test_a_case_of_a_municipality_without_configuration_is_refused(database: Database) -> None:
    with pytest.raises(NotFound):
        await _run(database, commands.open_case, registered_event(municipality="0301"), municipality="0301")


# --- the repository is bound to the acting municipality --------------------------------------------------------------


async def test_another_municipality_neither_sees_nor_lists_nor_cancels_a_municipalitys_deadline(
    database: Database,
) -> None:
    opened = await _run(database, commands.open_case, registered_event(municipality=TOLGA, case_id="case-1"))

    assert await _get(database, opened.id, SELBU) is None
    async with _as(database, SELBU) as uow:
        assert await Deadlines(uow).page(None, limit=10, offset=0) == []
        assert await Notifications(uow).page(None, limit=10, offset=0) == []
        assert await Deadlines(uow).running_of_case("case-1") == []
    cancelled = DeadlineCancelled(deadline_id=opened.id, case_id="case-1", kind="preliminary_reply", reason="x")
    await _run(database, commands.deadline_cancelled, _event(cancelled, SELBU), SELBU)

    assert (await _get(database, opened.id)) == opened


async def test_a_clock_whose_id_another_municipality_holds_is_refused_not_taken_over(database: Database) -> None:
    await _run(database, commands.keep_deadline, _event(_clock_of_another_service("d-1")))

    with pytest.raises(Conflict):
        await _run(database, commands.keep_deadline, _event(_clock_of_another_service("d-1"), SELBU), SELBU)

    kept = await _get(database, "d-1")
    assert kept is not None
    assert kept.municipality == TOLGA
    assert await _get(database, "d-1", SELBU) is None


async def test_a_clock_seen_again_is_kept_once_as_first_announced(database: Database) -> None:
    await _run(database, commands.keep_deadline, _event(_clock_of_another_service("d-1", due_on=date(2026, 12, 14))))
    await _run(database, commands.keep_deadline, _event(_clock_of_another_service("d-1", due_on=date(2027, 1, 4))))

    async with _as(database) as uow:
        [kept] = await Deadlines(uow).page(None, limit=10, offset=0)
    assert (kept.id, kept.due_on) == ("d-1", date(2026, 12, 14))


# --- what stops the clocks -------------------------------------------------------------------------------------------


async def test_a_withdrawal_cancels_a_clock_that_was_already_reminded(database: Database, clock: FixedClock) -> None:
    await _run(database, commands.keep_deadline, _event(_clock_of_another_service("d-1", due_on=date(2026, 12, 14))))
    clock.set(datetime(2026, 12, 10, 9, tzinfo=UTC))
    assert await _run(database, commands.sweep_deadline, commands.SweepDeadline("d-1")) is Sweep.REMIND

    withdrawn = ApplicationWithdrawn(case_id="case-1", withdrawn_on=date(2026, 12, 10))
    await _run(database, commands.application_withdrawn, _event(withdrawn))

    cancelled = await _get(database, "d-1")
    assert cancelled is not None
    assert (cancelled.status, cancelled.cancel_reason) == (DeadlineStatus.CANCELLED, "application_withdrawn")
    clock.set(datetime(2026, 12, 14, 9, tzinfo=UTC))
    assert await _run(database, commands.sweep_deadline, commands.SweepDeadline("d-1")) is Sweep.NOTHING


async def test_a_preliminary_reply_letter_stops_only_the_preliminary_reply_clock(database: Database) -> None:
    opened = await _run(database, commands.open_case, registered_event(municipality=TOLGA, case_id="case-1"))
    await _run(database, commands.keep_deadline, _event(_clock_of_another_service("info-1")))

    letter = LetterIssued(letter_id="l-1", case_id="case-1", kind="preliminary_reply", language="nb")
    await _run(database, commands.letter_issued, _event(letter))

    reply, info = await _get(database, opened.id), await _get(database, "info-1")
    assert reply is not None
    assert info is not None
    assert (reply.status, reply.cancel_reason) == (DeadlineStatus.CANCELLED, "preliminary_reply_sent")
    assert info.status is DeadlineStatus.SCHEDULED


# --- the sweep of one deadline -------------------------------------------------------------------------------------


async def test_sweeping_a_deadline_reminds_then_alerts_with_deadline_due_and_never_twice(
    database: Database, clock: FixedClock
) -> None:
    await _run(database, commands.keep_deadline, _event(_clock_of_another_service("d-1", due_on=date(2026, 12, 14))))
    sweep = commands.SweepDeadline("d-1")

    outcomes = []
    for day in (date(2026, 12, 8), date(2026, 12, 9), date(2026, 12, 10), date(2026, 12, 14), date(2026, 12, 15)):
        clock.set(datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9))
        outcomes.append(await _run(database, commands.sweep_deadline, sweep))

    assert outcomes == [Sweep.NOTHING, Sweep.REMIND, Sweep.NOTHING, Sweep.DUE, Sweep.NOTHING]
    async with _as(database) as uow:
        notes = await Notifications(uow).page("case-1", limit=10, offset=0)
    assert [(n.kind, n.recipient, n.source_event_id) for n in notes] == [
        ("reminder", "home_care", "deadline:d-1"),
        ("alert", "home_care", "deadline:d-1"),
    ]
    [due] = await _outbox(database)
    assert (due.municipality, due.subject, due.data) == (
        TOLGA,
        "case-1",
        DeadlineDue(
            deadline_id="d-1",
            case_id="case-1",
            kind="information_request",
            due_on=date(2026, 12, 14),
            responsible="home_care",
        ),
    )


async def test_a_replica_holding_a_stale_copy_cannot_remind_or_alert_a_second_time(
    database: Database, clock: FixedClock
) -> None:
    await _run(database, commands.keep_deadline, _event(_clock_of_another_service("d-1", due_on=date(2026, 12, 14))))
    clock.set(datetime(2026, 12, 10, 9, tzinfo=UTC))
    stale = await _get(database, "d-1")  # loaded by a second replica before the first one reminded it
    assert stale is not None
    assert await _run(database, commands.sweep_deadline, commands.SweepDeadline("d-1")) is Sweep.REMIND

    stale.remind(clock.now())
    async with _as(database) as uow:
        assert not await Deadlines(uow).save(stale), "the stored clock was reminded already"

    clock.set(datetime(2026, 12, 14, 9, tzinfo=UTC))
    stale_at_due = await _get(database, "d-1")
    assert stale_at_due is not None
    assert await _run(database, commands.sweep_deadline, commands.SweepDeadline("d-1")) is Sweep.DUE
    stale_at_due.fall_due(clock.now())
    async with _as(database) as uow:
        assert not await Deadlines(uow).save(stale_at_due), "the stored clock fell due already"


async def test_a_municipality_cannot_sweep_another_municipalitys_deadline(
    database: Database, clock: FixedClock
) -> None:
    await _run(database, commands.keep_deadline, _event(_clock_of_another_service("d-1", due_on=date(2026, 12, 14))))
    clock.set(datetime(2026, 12, 14, 9, tzinfo=UTC))

    assert await _run(database, commands.sweep_deadline, commands.SweepDeadline("d-1"), SELBU) is Sweep.NOTHING

    unchanged = await _get(database, "d-1")
    assert unchanged is not None
    assert unchanged.status is DeadlineStatus.SCHEDULED
    assert await _outbox(database) == []


async def test_the_sweep_candidates_are_every_municipalitys_clocks_that_may_need_something_today(
    database: Database, clock: FixedClock
) -> None:
    clocks = [
        (TOLGA, "due", date(2026, 12, 10)),
        (SELBU, "soon", date(2026, 12, 15)),
        (TOLGA, "reminded", date(2026, 12, 12)),
        (SELBU, "far", date(2026, 12, 16)),
        (TOLGA, "cancelled", date(2026, 12, 11)),
    ]
    for municipality, deadline_id, due_on in clocks:
        scheduled = _clock_of_another_service(deadline_id, case_id=f"case-{deadline_id}", due_on=due_on)
        await _run(database, commands.keep_deadline, _event(scheduled, municipality), municipality)
    clock.set(datetime(2026, 12, 7, 9, tzinfo=UTC))
    assert await _run(database, commands.sweep_deadline, commands.SweepDeadline("reminded")) is Sweep.REMIND
    cancelled = DeadlineCancelled(deadline_id="cancelled", case_id="case-cancelled", kind="x", reason="done")
    await _run(database, commands.deadline_cancelled, _event(cancelled))

    clock.set(datetime(2026, 12, 10, 9, tzinfo=UTC))
    async with database.unit_of_work() as uow:
        candidates = await commands.sweep_candidates_of_every_municipality(uow, limit=10)

    assert candidates == [(TOLGA, "due"), (SELBU, "soon")], "a reminded clock waits for its day; far, cancelled out"
