"""An appeal, step by step, through notification's own consumer: the person gets a receipt, then word of the
office's reversal, the forwarding, the appeal body's outcome or how the appeal ended; and the appeals service's clocks
(the office's handling of an appeal, the answer to a complaint) reach whoever must act."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from contracts.appeals import (
    AppealChannel,
    AppealClosed,
    AppealEnd,
    AppealForwarded,
    AppealOutcomeRecorded,
    AppealRegistered,
    AppealReversedByOffice,
    Appellant,
    BodyOutcome,
    DecisionDeliveryRecorded,
    DeliveryBasis,
    ForwardedDocument,
)
from contracts.deadlines import DeadlineCancelled, DeadlineDue, DeadlineKind, DeadlineScheduled
from contracts.envelope import CloudEvent, EventModel
from contracts.notification import CaseStatusChanged
from contracts.topics import tenant_topic
from servicekit.clock import FixedClock
from servicekit.consumer import Outcome
from servicekit.testing import Deliveries, emitted, outbox_events, runtime_of
from services.notification import db as notification_db
from services.notification.main import sweep_deadlines

TOLGA = "3426"
CASE = "case-appeal"
NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)
BODY = "Statsforvalteren i Innlandet"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def deliveries(app: FastAPI) -> Deliveries:
    return Deliveries(app, max_attempts=1)


def from_appeals(data: EventModel, municipality: str = TOLGA) -> CloudEvent[Any]:
    return CloudEvent.wrap(data, source="/forvalt/appeals", subject=CASE, municipality=municipality, time=NOW)


def registered(*, late: bool = False) -> AppealRegistered:
    return AppealRegistered(
        appeal_id="appeal-1",
        case_id=CASE,
        decision_id="decision-1",
        person_id="person-1",
        appellant=Appellant.PERSON,
        received_on=date(2027, 1, 4) if late else date(2026, 11, 30),
        received_by="allocation_office",
        channel=AppealChannel.DIGITAL,
        helped_by_office=False,
        deadline_on=date(2026, 12, 21),
        late=late,
        handling_due_on=date(2026, 12, 28),
    )


async def notes(app: FastAPI) -> list[Any]:
    n = notification_db.notification
    async with runtime_of(app).db.sessions() as session:
        query = select(n.c.municipality, n.c.case_id, n.c.kind, n.c.recipient, n.c.text, n.c.source_event_id)
        return list((await session.execute(query.order_by(n.c.created_at, n.c.id))).all())


async def told(app: FastAPI, deliveries: Deliveries, data: EventModel) -> Any:
    """Deliver one appeals event; the one notification it recorded for the person."""
    event = from_appeals(data)
    assert await deliveries.deliver(event) is Outcome.PROCESSED
    assert deliveries.dead_letters == []
    [note] = await notes(app)
    assert (note.municipality, note.case_id, note.recipient, note.source_event_id) == (
        TOLGA,
        CASE,
        "applicant",
        event.id,
    )
    return note


# --- the person is told --------------------------------------------------------------------------------------------


async def test_the_day_the_letter_reached_the_person_tells_the_last_day_to_appeal(
    app: FastAPI, deliveries: Deliveries
) -> None:
    delivered = DecisionDeliveryRecorded(
        decision_id="decision-1",
        case_id=CASE,
        delivered_on=date(2026, 11, 3),
        basis=DeliveryBasis.DIGITAL_RECEIPT,
        appeal_deadline_on=date(2026, 12, 1),
        deadline_weeks=4,
        deadline_rule="pasient- og brukerrettighetsloven § 7-5",
    )
    note = await told(app, deliveries, delivered)

    assert note.kind == "appeal_deadline"
    assert note.text == (
        "Vedtaksbrevet ble levert i den digitale postkassen din 2026-11-03. Fristen for å klage er 2026-12-01."
    )


async def test_a_registered_appeal_gets_a_receipt_with_the_day_it_arrived(app: FastAPI, deliveries: Deliveries) -> None:
    note = await told(app, deliveries, registered())

    assert note.kind == "appeal_receipt"
    assert note.text == "Klagen din er mottatt 2026-11-30. Klagen kom innen klagefristen (2026-12-21)."


async def test_a_late_appeal_gets_a_receipt_saying_it_came_late(app: FastAPI, deliveries: Deliveries) -> None:
    note = await told(app, deliveries, registered(late=True))

    assert "mottatt 2027-01-04" in note.text
    assert "etter klagefristen (2026-12-21)" in note.text


async def test_a_reversal_by_the_office_tells_the_person_a_new_decision_follows(
    app: FastAPI, deliveries: Deliveries
) -> None:
    reversed_ = AppealReversedByOffice(
        appeal_id="appeal-1", case_id=CASE, decision_id="decision-1", reversed_on=date(2026, 12, 10)
    )

    note = await told(app, deliveries, reversed_)

    assert note.kind == "appeal_reversed"
    assert "2026-12-10" in note.text
    assert "Du får et nytt vedtak." in note.text


async def test_a_forwarded_appeal_tells_the_person_where_it_went_and_when(app: FastAPI, deliveries: Deliveries) -> None:
    forwarded = AppealForwarded(
        forwarding_id="fwd-1",
        appeal_id="appeal-1",
        case_id=CASE,
        decision_id="decision-1",
        appeal_body=BODY,
        forwarded_on=date(2026, 12, 14),
        documents=[ForwardedDocument.DECISION, ForwardedDocument.APPEAL],
    )

    note = await told(app, deliveries, forwarded)

    assert note.kind == "appeal_forwarded"
    assert "sendt til Statsforvalteren i Innlandet 2026-12-14" in note.text


async def test_the_appeal_bodys_outcome_is_told_with_the_body_and_the_day(app: FastAPI, deliveries: Deliveries) -> None:
    recorded = AppealOutcomeRecorded(
        outcome_id="outcome-1",
        appeal_id="appeal-1",
        case_id=CASE,
        decision_id="decision-1",
        person_id="person-1",
        outcome=BodyOutcome.UPHELD,
        decided_on=date(2027, 2, 1),
        appeal_body=BODY,
    )

    note = await told(app, deliveries, recorded)

    assert note.kind == "appeal_outcome"
    assert note.text == (
        "Statsforvalteren i Innlandet har 2027-02-01 behandlet klagen din og stadfestet vedtaket. "
        "Klagen førte ikke fram."
    )


@pytest.mark.parametrize(
    ("ended", "words"),
    [(AppealEnd.WITHDRAWN, "er trukket"), (AppealEnd.DISMISSED_AS_LATE, "etter klagefristen og er avvist")],
)
async def test_an_appeal_that_ended_without_the_appeal_body_is_told_how(
    app: FastAPI, deliveries: Deliveries, ended: AppealEnd, words: str
) -> None:
    note = await told(
        app, deliveries, AppealClosed(appeal_id="appeal-1", case_id=CASE, ended=ended, closed_on=NOW.date())
    )

    assert note.kind == "appeal_closed"
    assert words in note.text
    assert "2026-12-01" in note.text


async def test_an_appeal_closed_by_the_offices_reversal_in_full_tells_nothing_more(
    app: FastAPI, deliveries: Deliveries
) -> None:
    closed = AppealClosed(appeal_id="appeal-1", case_id=CASE, ended=AppealEnd.REVERSED_BY_OFFICE, closed_on=NOW.date())

    assert await deliveries.deliver(from_appeals(closed)) is Outcome.PROCESSED

    assert deliveries.dead_letters == []
    assert await notes(app) == []


async def test_a_redelivered_appeal_is_receipted_once(app: FastAPI, deliveries: Deliveries) -> None:
    event = from_appeals(registered())

    outcomes = [await deliveries.deliver(event), await deliveries.deliver(event)]

    assert outcomes == [Outcome.PROCESSED, Outcome.DUPLICATE]
    assert [n.kind for n in await notes(app)] == ["appeal_receipt"]


async def test_each_step_is_told_to_its_own_municipality_and_reaches_its_feed(
    app: FastAPI, deliveries: Deliveries
) -> None:
    await deliveries.deliver(from_appeals(registered(), municipality="5032"))

    [note] = await notes(app)
    assert note.municipality == "5032"
    fed = [e for topic, e in await outbox_events(app) if topic == tenant_topic("5032")]
    assert [e.type for e in fed] == [AppealRegistered.event_type, CaseStatusChanged.event_type]


# --- the appeals service's clocks --------------------------------------------------------------------------------


async def _sweep(app: FastAPI, clock: FixedClock, at: datetime) -> int:
    clock.set(at)
    return await sweep_deadlines(runtime_of(app).parts)


async def _clock_notes(app: FastAPI) -> list[tuple[str, str]]:
    return sorted((n.kind, n.recipient) for n in await notes(app))


@pytest.mark.parametrize(
    ("kind", "responsible"),
    [(DeadlineKind.APPEAL_HANDLING, "allocation_office"), (DeadlineKind.COMPLAINT_RESPONSE, "home_care")],
)
async def test_an_appeals_clock_reminds_then_alerts_whoever_must_act(
    app: FastAPI, clock: FixedClock, deliveries: Deliveries, kind: DeadlineKind, responsible: str
) -> None:
    due = date(2026, 12, 14)
    scheduled = DeadlineScheduled(deadline_id="d-1", case_id=CASE, kind=kind, due_on=due, responsible=responsible)

    assert await deliveries.deliver(from_appeals(scheduled)) is Outcome.PROCESSED
    assert await _sweep(app, clock, datetime(2026, 12, 9, 9, tzinfo=UTC)) == 1
    assert await _clock_notes(app) == [("reminder", responsible)]
    assert await _sweep(app, clock, datetime(2026, 12, 14, 9, tzinfo=UTC)) == 1

    # Both escalate when overdue: to the responsible's leader at the due day.
    assert await _clock_notes(app) == [
        ("alert", responsible),
        ("escalation", f"leader_of:{responsible}"),
        ("reminder", responsible),
    ]
    [fell_due] = await emitted(app, DeadlineDue)
    assert (fell_due.deadline_id, fell_due.kind, fell_due.responsible) == ("d-1", kind.value, responsible)
    assert deliveries.dead_letters == []


@pytest.mark.parametrize("kind", [DeadlineKind.APPEAL_HANDLING, DeadlineKind.COMPLAINT_RESPONSE])
async def test_an_appeals_clock_stopped_in_time_is_never_alerted(
    app: FastAPI, clock: FixedClock, deliveries: Deliveries, kind: DeadlineKind
) -> None:
    scheduled = DeadlineScheduled(
        deadline_id="d-2", case_id=CASE, kind=kind, due_on=date(2026, 12, 14), responsible="allocation_office"
    )
    cancelled = DeadlineCancelled(deadline_id="d-2", case_id=CASE, kind=kind, reason="appeal_forwarded")

    assert await deliveries.deliver(from_appeals(scheduled)) is Outcome.PROCESSED
    assert await deliveries.deliver(from_appeals(cancelled)) is Outcome.PROCESSED
    assert await _sweep(app, clock, datetime(2026, 12, 14, 9, tzinfo=UTC)) == 0

    assert await notes(app) == []
    assert await emitted(app, DeadlineDue) == []
