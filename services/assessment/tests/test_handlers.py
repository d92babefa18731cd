"""Assessment's reaction to intake's events, through the EventConsumer on a migrated SQLite database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select

from contracts.assessment import AssessmentOpened
from contracts.deadlines import DeadlineCancelled
from contracts.envelope import parse_event
from contracts.intake import (
    ApplicationWithdrawn,
    ChildCoordinatorApplicationRegistered,
    CoordinationNeed,
    CoordinationReferralRegistered,
    EmergencyMeasureRegistered,
    Route,
)
from contracts.topics import Topic
from servicekit.actor import Actor
from servicekit.clock import FixedClock
from servicekit.consumer import DeadLetter, EventConsumer, Outcome
from servicekit.db import INBOX, OUTBOX, Database
from servicekit.migrate import upgrade
from servicekit.settings import ServiceSettings
from servicekit.telemetry import Telemetry
from servicekit.testing import incoming
from services.assessment import db as assessment_db
from services.assessment.handlers import on_application_registered
from services.assessment.main import spec
from services.assessment.tests.support import (
    APPLIED_AT,
    NOW,
    WITHDRAWN_AT,
    application_event,
    consent,
    make_consumer,
    withdrawal_event,
    wrap,
)


@pytest.fixture
async def db(tmp_path: Path, clock: FixedClock) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path}/assessment.db", clock=clock, source="/forvalt/assessment")
    await upgrade(database, spec().migrations_dir)
    yield database
    await database.dispose()


@pytest.fixture
def telemetry() -> Iterator[Telemetry]:
    tel = Telemetry(ServiceSettings(service_name="assessment", telemetry_exporter="memory"))
    yield tel
    tel.shutdown()


@pytest.fixture
def dead_letters() -> list[DeadLetter]:
    return []


@pytest.fixture
def consumer(db: Database, telemetry: Telemetry, dead_letters: list[DeadLetter]) -> EventConsumer:
    return make_consumer(db, telemetry, dead_letters)


async def rows(db: Database, table: Any) -> list[Any]:
    async with db.engine.connect() as conn:
        return list((await conn.execute(select(table))).mappings().all())


async def add_request(
    db: Database, assessment_id: str, request_id: str, source: str, status: str = "requested"
) -> None:
    async with db.unit_of_work() as uow:
        await uow.session.execute(
            insert(assessment_db.information_request).values(
                {
                    "id": request_id,
                    "assessment_id": assessment_id,
                    "source": source,
                    "requested_on": date(2026, 11, 20),
                    "due_on": date(2026, 12, 4),
                    "status": status,
                    "deadline_id": f"deadline-{request_id}",
                    "created_at": uow.clock.now(),
                }
            )
        )
        await uow.commit()


# --- ApplicationRegistered -----------------------------------------------------------------------


async def test_an_application_opens_an_assessment_with_the_consent_snapshot_and_emits_assessment_opened(
    db: Database, consumer: EventConsumer, dead_letters: list[DeadLetter]
) -> None:
    event = application_event(
        "5026",
        case_id="case-7",
        person_id="person-7",
        service_code="respite",
        route=Route.CHILDREN_UNIT,
        involves_child=True,
        emergency_measure=True,
        consent=consent("sharing", "fetch_from_gp", share_with=("respite_service",)),
    )

    assert await consumer.process(incoming(event)) is Outcome.PROCESSED

    assert dead_letters == []
    [row] = await rows(db, assessment_db.assessment)
    assert (row["municipality"], row["case_id"], row["person_id"], row["service_code"]) == (
        "5026",
        "case-7",
        "person-7",
        "respite",
    )
    assert (row["route"], row["involves_child"], row["emergency_measure"], row["status"]) == (
        "children_unit",
        True,
        True,
        "open",
    )
    assert row["consent_scope"] == ["processing", "sharing", "fetch_from_gp"]
    assert row["consent_share_with"] == ["respite_service"]
    assert (row["created_at"], row["updated_at"]) == (NOW, NOW)  # the service's clock, not the event's time
    [outbox] = await rows(db, OUTBOX)
    assert (outbox["topic"], outbox["key"], outbox["municipality"]) == (Topic.ASSESSMENT, "case-7", "5026")
    opened = parse_event(outbox["payload"])
    assert opened is not None
    assert opened.time == NOW
    assert opened.data == AssessmentOpened(
        assessment_id=row["id"], case_id="case-7", person_id="person-7", service_code="respite", involves_child=True
    )


async def test_a_redelivered_application_leaves_one_assessment_and_one_opened_event(
    db: Database, consumer: EventConsumer
) -> None:
    event = application_event(case_id="case-1")

    first = await consumer.process(incoming(event, offset=0))
    second = await consumer.process(incoming(event, offset=1))

    assert (first, second) == (Outcome.PROCESSED, Outcome.DUPLICATE)
    assert len(await rows(db, assessment_db.assessment)) == 1
    assert len(await rows(db, OUTBOX)) == 1
    assert len(await rows(db, INBOX)) == 1


async def test_the_same_case_registered_again_under_a_new_event_id_still_has_one_assessment(
    db: Database, consumer: EventConsumer
) -> None:
    await consumer.process(incoming(application_event(case_id="case-1")))

    again = await consumer.process(incoming(application_event(case_id="case-1", person_id="someone-else"), offset=1))

    assert again is Outcome.PROCESSED
    [row] = await rows(db, assessment_db.assessment)
    assert row["person_id"] == "person-1"
    assert len(await rows(db, OUTBOX)) == 1


async def test_each_case_and_each_municipality_gets_its_own_assessment(db: Database, consumer: EventConsumer) -> None:
    await consumer.process(incoming(application_event(case_id="case-1")))
    await consumer.process(incoming(application_event(case_id="case-2"), offset=1))
    await consumer.process(incoming(application_event("5032", case_id="case-1"), offset=2))

    found = sorted((r["municipality"], r["case_id"]) for r in await rows(db, assessment_db.assessment))
    assert found == [("3426", "case-1"), ("3426", "case-2"), ("5032", "case-1")]


async def test_a_failed_handler_leaves_neither_assessment_nor_inbox_row_and_dead_letters_after_retries(
    db: Database, consumer: EventConsumer, dead_letters: list[DeadLetter], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(assessment_db.Assessments, "add", broken)

    assert await consumer.process(incoming(application_event())) is Outcome.DEAD_LETTERED

    assert [d.attempts for d in dead_letters] == [3]
    assert await rows(db, assessment_db.assessment) == []
    assert await rows(db, INBOX) == []
    assert await rows(db, OUTBOX) == []


# --- events that are not the assessment's ---------------------------------------------------------


def coordination_events() -> list[Any]:
    received = date(2026, 11, 2)
    common: dict[str, Any] = {
        "case_id": "case-9",
        "journal_number": "2026/000009",
        "channel": "gp_message",
        "sender": "gp",
        "received_on": received,
        "consent": consent(),
    }
    return [
        wrap(
            CoordinationReferralRegistered(**common, person_id="p-9", requested=[CoordinationNeed.COORDINATOR]),
            "case-9",
            sent_at=APPLIED_AT,
        ),
        wrap(
            ChildCoordinatorApplicationRegistered(**common, applicant_person_id="parent-9"),
            "case-9",
            sent_at=APPLIED_AT,
        ),
        wrap(
            EmergencyMeasureRegistered(
                case_id="case-9",
                journal_number="2026/000009",
                person_id="p-9",
                unit="home_care",
                service_code="home_nursing",
                started_at=datetime(2026, 11, 21, 22, tzinfo=UTC),
                registered_at=datetime(2026, 11, 21, 23, tzinfo=UTC),
            ),
            "case-9",
            sent_at=datetime(2026, 11, 21, 23, tzinfo=UTC),
        ),
    ]


@pytest.mark.parametrize("index", [0, 1, 2], ids=["coordination-referral", "child-coordinator", "emergency-measure"])
async def test_coordination_and_emergency_measure_events_are_ignored(
    db: Database, consumer: EventConsumer, index: int
) -> None:
    outcome = await consumer.process(incoming(coordination_events()[index]))

    assert outcome is Outcome.IGNORED
    assert await rows(db, assessment_db.assessment) == []
    assert await rows(db, OUTBOX) == []


# --- ConsentWithdrawn ----------------------------------------------------------------------------


async def test_withdrawing_the_gp_consent_cancels_open_gp_requests_and_stops_their_clocks(
    db: Database, consumer: EventConsumer
) -> None:
    await consumer.process(incoming(application_event(case_id="case-1")))
    [assessment] = await rows(db, assessment_db.assessment)
    await add_request(db, assessment["id"], "gp-open", "gp")
    await add_request(db, assessment["id"], "hospital-open", "hospital")
    await add_request(db, assessment["id"], "gp-received", "gp", status="received")
    remaining = consent("fetch_from_hospital", share_with=())

    outcome = await consumer.process(
        incoming(withdrawal_event("case-1", withdrawn=("fetch_from_gp", "sharing"), remaining=remaining), offset=1)
    )

    assert outcome is Outcome.PROCESSED
    [updated] = await rows(db, assessment_db.assessment)
    assert updated["consent_scope"] == ["processing", "fetch_from_hospital"]
    assert updated["consent_share_with"] == []
    statuses = {r["id"]: r["status"] for r in await rows(db, assessment_db.information_request)}
    assert statuses == {
        "gp-open": "cancelled_consent_withdrawn",
        "hospital-open": "requested",
        "gp-received": "received",
    }
    async with db.engine.connect() as conn:
        payloads = (await conn.execute(select(OUTBOX.c.topic, OUTBOX.c.payload).order_by(OUTBOX.c.id))).all()
    cancelled = [parse_event(p) for t, p in payloads if t == Topic.DEADLINES]
    assert [c.data for c in cancelled if c is not None] == [
        DeadlineCancelled(
            deadline_id="deadline-gp-open", case_id="case-1", kind="information_request", reason="consent_withdrawn"
        )
    ]


async def test_withdrawing_all_consent_leaves_an_empty_snapshot_and_cancels_every_open_request(
    db: Database, consumer: EventConsumer
) -> None:
    await consumer.process(incoming(application_event(case_id="case-1")))
    [assessment] = await rows(db, assessment_db.assessment)
    await add_request(db, assessment["id"], "gp-open", "gp")
    await add_request(db, assessment["id"], "hospital-open", "hospital")

    await consumer.process(incoming(withdrawal_event("case-1", withdrawn=("processing",), remaining=None), offset=1))

    [updated] = await rows(db, assessment_db.assessment)
    assert (updated["consent_scope"], updated["consent_share_with"]) == ([], [])
    assert {r["status"] for r in await rows(db, assessment_db.information_request)} == {"cancelled_consent_withdrawn"}


async def test_a_consent_withdrawal_for_a_case_without_assessment_changes_nothing(
    db: Database, consumer: EventConsumer, dead_letters: list[DeadLetter]
) -> None:
    await consumer.process(incoming(application_event(case_id="case-1")))

    outcome = await consumer.process(incoming(withdrawal_event("case-unknown"), offset=1))
    other_municipality = await consumer.process(incoming(withdrawal_event("case-1", municipality="5032"), offset=2))

    assert (outcome, other_municipality) == (Outcome.PROCESSED, Outcome.PROCESSED)
    assert dead_letters == []
    [row] = await rows(db, assessment_db.assessment)
    assert "fetch_from_gp" in row["consent_scope"]
    assert len(await rows(db, OUTBOX)) == 1


async def test_handler_called_directly_opens_the_assessment_in_the_callers_transaction(db: Database) -> None:
    event = application_event(case_id="case-direct")
    acting = Actor.service("assessment", event.municipality)

    async with db.unit_of_work(acting) as uow:
        await on_application_registered(event, uow)
        # No commit: the unit of work rolls back, and nothing is left.
    assert await rows(db, assessment_db.assessment) == []

    async with db.unit_of_work(acting) as uow:
        await on_application_registered(event, uow)
        await uow.commit()
    assert [r["case_id"] for r in await rows(db, assessment_db.assessment)] == ["case-direct"]


# --- closing ------------------------------------------------------------------------------------


async def _outbox_types(db: Database) -> list[str]:
    return [parse_event(row["payload"]).type for row in await rows(db, OUTBOX)]  # type: ignore[union-attr]


async def test_withdrawing_consent_to_processing_closes_the_assessment(db: Database, consumer: EventConsumer) -> None:
    await consumer.process(incoming(application_event(case_id="case-1")))

    await consumer.process(incoming(withdrawal_event("case-1", withdrawn=("processing",), remaining=None), offset=1))

    [row] = await rows(db, assessment_db.assessment)
    assert row["status"] == "consent_withdrawn"
    assert (await _outbox_types(db))[-1] == "no.forvalt.assessment.closed.v1"


async def test_withdrawing_only_the_gp_consent_keeps_the_assessment_open(db: Database, consumer: EventConsumer) -> None:
    await consumer.process(incoming(application_event(case_id="case-1")))
    remaining = consent("processing", "fetch_from_hospital")

    await consumer.process(incoming(withdrawal_event("case-1", remaining=remaining), offset=1))

    [row] = await rows(db, assessment_db.assessment)
    assert row["status"] == "open"
    assert "no.forvalt.assessment.closed.v1" not in await _outbox_types(db)


async def test_a_withdrawn_application_closes_its_assessment_once_and_stops_its_clocks(
    db: Database, consumer: EventConsumer
) -> None:
    await consumer.process(incoming(application_event(case_id="case-1")))
    [assessment] = await rows(db, assessment_db.assessment)
    await add_request(db, assessment["id"], "gp-open", "gp")
    withdrawn = wrap(
        ApplicationWithdrawn(case_id="case-1", withdrawn_on=date(2026, 11, 20)), "case-1", sent_at=WITHDRAWN_AT
    )

    assert await consumer.process(incoming(withdrawn, offset=1)) is Outcome.PROCESSED
    assert await consumer.process(incoming(withdrawn, offset=1)) is Outcome.DUPLICATE

    [row] = await rows(db, assessment_db.assessment)
    assert row["status"] == "withdrawn"
    [request] = await rows(db, assessment_db.information_request)
    assert request["status"] == "cancelled_application_withdrawn"
    types = await _outbox_types(db)
    assert types.count("no.forvalt.assessment.closed.v1") == 1
    assert types.count("no.forvalt.deadline.cancelled.v1") == 1
