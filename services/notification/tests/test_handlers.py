"""Notification's reaction to the journey's events, through the app's own consumer (and its handlers)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Table, select

from contracts.assessment import AssessmentOpened
from contracts.deadlines import DeadlineCancelled, DeadlineKind, DeadlineScheduled
from contracts.decision import AppealInformation, DecidedBy, DecisionKind, DecisionMade, LetterIssued
from contracts.decision import Outcome as DecisionOutcome
from contracts.envelope import CloudEvent, parse_event
from contracts.intake import (
    ApplicationWithdrawn,
    Channel,
    ChildCoordinatorApplicationRegistered,
    Consent,
    ConsentForm,
    ConsentGiver,
    ConsentScope,
    ConsentWithdrawn,
    CoordinationNeed,
    CoordinationReferralRegistered,
    EmergencyMeasureRegistered,
    Route,
    Sender,
)
from contracts.notification import CaseStatusChanged
from contracts.tests.examples import EXAMPLE_TIME, registered_event
from contracts.topics import Topic, tenant_topic
from servicekit.clock import FixedClock
from servicekit.consumer import IncomingMessage, Outcome
from servicekit.db import INBOX, OUTBOX
from servicekit.testing import Deliveries, count, outbox_events, runtime_of
from services.notification import db as notification_db


@pytest.fixture
def clock() -> FixedClock:
    """The service's clock: when the example events are processed, until a test moves it."""
    return FixedClock(EXAMPLE_TIME + timedelta(minutes=5))


@pytest.fixture
def deliveries(app: FastAPI) -> Deliveries:
    return Deliveries(app, max_attempts=3)


async def rows(app: FastAPI, table: Table) -> list[Any]:
    async with runtime_of(app).db.engine.connect() as conn:
        return list((await conn.execute(select(table))).all())


async def outbox_on(app: FastAPI, topic: str) -> list[Any]:
    return [row for row in await rows(app, OUTBOX) if row.topic == topic]


async def journey_fed(app: FastAPI, topic: str) -> list[Any]:
    """The journey's events on a feed, without the case statuses this service adds (test_case_status_api)."""
    return [
        row for row in await outbox_on(app, topic) if json.loads(row.payload)["type"] != CaseStatusChanged.event_type
    ]


async def test_handler_writes_a_receipt_a_deadline_and_emits_deadline_scheduled(
    app: FastAPI, deliveries: Deliveries, clock: FixedClock
) -> None:
    event = registered_event(
        municipality="5032", case_id="case-42", journal_number="2026/000042", received_on=date(2026, 11, 28)
    )

    assert await deliveries.deliver(event) is Outcome.PROCESSED

    [receipt] = await rows(app, notification_db.notification)
    assert (receipt.municipality, receipt.case_id, receipt.kind, receipt.recipient) == (
        "5032",
        "case-42",
        "receipt",
        "applicant",
    )
    assert receipt.source_event_id == event.id
    assert "2026/000042" in receipt.text
    assert receipt.created_at == clock.now(), "recorded at the service's clock, not the machine's"

    [deadline] = await rows(app, notification_db.deadline)
    assert (deadline.municipality, deadline.case_id, deadline.kind, deadline.status) == (
        "5032",
        "case-42",
        "preliminary_reply",
        "scheduled",
    )
    assert deadline.due_on == date(2026, 12, 28)
    assert deadline.responsible == "allocation_office"

    [outbox] = await outbox_on(app, Topic.DEADLINES)
    assert outbox.key == "case-42"
    assert outbox.municipality == "5032"
    scheduled = parse_event(outbox.payload)
    assert scheduled is not None
    assert scheduled.subject == "case-42"
    assert scheduled.municipality == "5032"
    assert scheduled.time == clock.now()
    assert outbox.created_at == clock.now()
    assert scheduled.data == DeadlineScheduled(
        deadline_id=deadline.id,
        case_id="case-42",
        kind=DeadlineKind.PRELIMINARY_REPLY,
        due_on=date(2026, 12, 28),
        responsible="allocation_office",
    )


async def test_a_preliminary_reply_due_on_a_holiday_moves_back_to_the_working_day_before_it(
    app: FastAPI, deliveries: Deliveries
) -> None:
    event = registered_event(received_on=date(2026, 11, 25))  # + 1 month = Christmas Day, a Friday

    assert await deliveries.deliver(event) is Outcome.PROCESSED

    [deadline] = await rows(app, notification_db.deadline)
    assert deadline.due_on == date(2026, 12, 24), "Christmas Eve is a working day, and the duty is met in time"


async def test_consumer_processes_application_registered_into_one_receipt_deadline_and_outbox_event(
    app: FastAPI, deliveries: Deliveries
) -> None:
    outcome = await deliveries.deliver(registered_event(received_on=date(2026, 11, 28)))

    assert outcome is Outcome.PROCESSED
    assert deliveries.dead_letters == []
    assert await count(app, notification_db.notification) == 1
    assert await count(app, notification_db.deadline) == 1
    assert len(await outbox_on(app, Topic.DEADLINES)) == 1
    assert len(await journey_fed(app, tenant_topic("3426"))) + len(await journey_fed(app, tenant_topic("5032"))) == 1


async def test_same_event_processed_twice_leaves_exactly_one_receipt_deadline_and_outbox_event(
    app: FastAPI, deliveries: Deliveries
) -> None:
    event = registered_event()

    first = await deliveries.deliver(event)
    second = await deliveries.deliver(event)

    assert (first, second) == (Outcome.PROCESSED, Outcome.DUPLICATE)
    assert deliveries.dead_letters == []
    assert await count(app, notification_db.notification) == 1
    assert await count(app, notification_db.deadline) == 1
    assert len(await outbox_on(app, Topic.DEADLINES)) == 1
    # The registration and the status it gives the case, once each.
    assert len([r for r in await rows(app, OUTBOX) if r.topic.startswith("tenant.")]) == 2
    assert await count(app, INBOX) == 1


async def test_two_applications_for_different_cases_each_get_their_deadline(
    app: FastAPI, deliveries: Deliveries
) -> None:
    await deliveries.deliver(registered_event(case_id="case-1"))
    await deliveries.deliver(registered_event(case_id="case-2"))

    assert sorted(r.case_id for r in await rows(app, notification_db.deadline)) == ["case-1", "case-2"]
    assert len(await outbox_on(app, Topic.DEADLINES)) == 2


async def test_deadline_scheduled_continues_the_trace_of_the_consumer_span(
    app: FastAPI, deliveries: Deliveries
) -> None:
    await deliveries.deliver(registered_event())

    [outbox] = await outbox_on(app, Topic.DEADLINES)
    memory = runtime_of(app).telemetry.memory
    assert memory is not None
    [span] = [s for s in memory.get_finished_spans() if s.name == f"{Topic.INTAKE} process"]
    assert outbox.headers["traceparent"].split("-")[1] == format(span.context.trace_id, "032x")


async def test_notification_consumer_dead_letters_a_type_of_our_namespace_no_contract_knows(
    app: FastAPI, deliveries: Deliveries
) -> None:
    unknown = json.dumps(
        {
            "specversion": "1.0",
            "id": "e-1",
            "source": "/forvalt/future",
            "type": "no.forvalt.future.thing.v1",
            "subject": "case-1",
            "municipality": "3426",
            "time": "2026-11-20T10:00:00Z",
            "data": {"x": 1},
        }
    ).encode()

    assert (
        await deliveries.consumer.process(
            IncomingMessage(topic=Topic.INTAKE, partition=0, offset=0, key="case-1", value=unknown)
        )
        is Outcome.DEAD_LETTERED
    )
    # A newer type or version would otherwise be missed silently, by the integration feeds too.
    [letter] = deliveries.dead_letters
    assert letter.reason.startswith("unknown event type no.forvalt.future.thing.v1")
    assert await count(app, OUTBOX) == 0


async def test_every_journey_event_goes_unchanged_to_its_municipalitys_integration_feed(
    app: FastAPI, deliveries: Deliveries
) -> None:
    opened = CloudEvent.wrap(
        AssessmentOpened(assessment_id="a-1", case_id="case-1", person_id="p-1", service_code="home_nursing"),
        source="/forvalt/assessment",
        subject="case-1",
        municipality="5026",
        time=EXAMPLE_TIME,
    )

    assert await deliveries.deliver(opened) is Outcome.PROCESSED

    [fed] = await journey_fed(app, tenant_topic("5026"))
    assert fed.key == "case-1"
    forwarded = parse_event(fed.payload)
    assert forwarded is not None
    assert (forwarded.id, forwarded.type, forwarded.data) == (opened.id, opened.type, opened.data)
    assert await outbox_on(app, tenant_topic("3426")) == []
    assert await count(app, notification_db.deadline) == 0


def _scheduled(deadline_id: str, kind: str = "information_request") -> CloudEvent[Any]:
    return CloudEvent.wrap(
        DeadlineScheduled(
            deadline_id=deadline_id,
            case_id="case-1",
            kind=kind,
            due_on=date(2026, 12, 28),
            responsible="allocation_office",
        ),
        source="/forvalt/assessment",
        subject="case-1",
        municipality="3426",
        time=EXAMPLE_TIME,
    )


async def test_a_deadline_another_service_scheduled_is_kept_once_even_when_sent_twice(
    app: FastAPI, deliveries: Deliveries
) -> None:
    first = _scheduled("d-1")
    assert await deliveries.deliver(first) is Outcome.PROCESSED
    # The same clock again under a new event id (a replay by the producer): still one deadline.
    again = CloudEvent.wrap(
        first.data, source="/forvalt/assessment", subject="case-1", municipality="3426", time=EXAMPLE_TIME
    )
    assert await deliveries.deliver(again) is Outcome.PROCESSED
    assert await deliveries.deliver(_scheduled("d-2")) is Outcome.PROCESSED
    async with runtime_of(app).db.sessions() as session:
        rows = (await session.execute(select(notification_db.deadline.c.id, notification_db.deadline.c.kind))).all()
    assert sorted(rows) == [("d-1", "information_request"), ("d-2", "information_request")]


async def test_a_cancelled_deadline_is_marked_cancelled_with_its_reason(app: FastAPI, deliveries: Deliveries) -> None:
    await deliveries.deliver(_scheduled("d-1"))
    cancelled = CloudEvent.wrap(
        DeadlineCancelled(
            deadline_id="d-1", case_id="case-1", kind="information_request", reason="information_received"
        ),
        source="/forvalt/assessment",
        subject="case-1",
        municipality="3426",
        time=EXAMPLE_TIME,
    )
    assert await deliveries.deliver(cancelled) is Outcome.PROCESSED
    async with runtime_of(app).db.sessions() as session:
        row = (await session.execute(select(notification_db.deadline))).mappings().one()
    assert (row["status"], row["cancel_reason"]) == ("cancelled", "information_received")


async def test_a_cancellation_from_another_municipality_leaves_the_deadline_alone(
    app: FastAPI, deliveries: Deliveries
) -> None:
    await deliveries.deliver(_scheduled("d-1"))
    cancelled = CloudEvent.wrap(
        DeadlineCancelled(deadline_id="d-1", case_id="case-1", kind="information_request", reason="x"),
        source="/forvalt/assessment",
        subject="case-1",
        municipality="5032",
        time=EXAMPLE_TIME,
    )
    await deliveries.deliver(cancelled)
    async with runtime_of(app).db.sessions() as session:
        status = await session.scalar(select(notification_db.deadline.c.status))
    assert status == "scheduled"


def _decision(case_id: str, municipality: str = "3426", *, final: bool = False) -> CloudEvent[Any]:
    """A decision with its appeal deadline; `final`: one that carries out the appeal body's, without one."""
    return CloudEvent.wrap(
        DecisionMade(
            decision_id="dec-1",
            case_id=case_id,
            person_id="p-1",
            kind=DecisionKind.REVERSAL if final else DecisionKind.INITIAL,
            outcome=DecisionOutcome.GRANTED,
            services=[],
            legal_basis=["helse- og omsorgstjenesteloven § 3-2"],
            decided_on=date(2026, 11, 20),
            decided_by=DecidedBy.APPEAL_BODY if final else DecidedBy.OFFICE,
            appeal=None
            if final
            else AppealInformation(
                appeal_body="Statsforvalteren",
                submit_to="Forvaltningskontoret",
                deadline_weeks=4,
                deadline_on=date(2026, 12, 18),
                legal_basis="pasient- og brukerrettighetsloven § 7-5",
            ),
        ),
        source="/forvalt/decision",
        subject=case_id,
        municipality=municipality,
        time=EXAMPLE_TIME,
    )


async def test_a_decision_cancels_the_preliminary_reply_deadline_and_tells_the_applicant_the_appeal_deadline(
    app: FastAPI, deliveries: Deliveries
) -> None:
    registered = registered_event()
    await deliveries.deliver(registered)
    case_id = registered.data.case_id
    assert await deliveries.deliver(_decision(case_id, registered.municipality)) is Outcome.PROCESSED
    async with runtime_of(app).db.sessions() as session:
        deadline = (await session.execute(select(notification_db.deadline))).mappings().one()
        kinds = (
            await session.execute(select(notification_db.notification.c.kind, notification_db.notification.c.text))
        ).all()
    assert (deadline["status"], deadline["cancel_reason"]) == ("cancelled", "decision_made")
    decision_texts = [text for kind, text in kinds if kind == "decision"]
    assert len(decision_texts) == 1
    # The weeks run from the day the letter reaches the person: the date follows once the delivery is known.
    assert "Du kan klage innen 4 uker fra du mottok vedtaksbrevet" in decision_texts[0]
    assert "2026-12-18" not in decision_texts[0]


async def test_a_decision_carrying_out_the_appeal_bodys_tells_the_applicant_it_is_final(
    app: FastAPI, deliveries: Deliveries
) -> None:
    registered = registered_event()
    await deliveries.deliver(registered)

    outcome = await deliveries.deliver(_decision(registered.data.case_id, registered.municipality, final=True))

    assert outcome is Outcome.PROCESSED
    async with runtime_of(app).db.sessions() as session:
        kinds = (
            await session.execute(select(notification_db.notification.c.kind, notification_db.notification.c.text))
        ).all()
    [text] = [text for kind, text in kinds if kind == "decision"]
    assert "søknaden er innvilget" in text
    assert "Det er endelig og kan ikke påklages." in text
    assert "Fristen for å klage" not in text


async def test_a_decision_in_another_municipality_does_not_touch_this_deadline(
    app: FastAPI, deliveries: Deliveries
) -> None:
    registered = registered_event()
    await deliveries.deliver(registered)
    other = "5032" if registered.municipality != "5032" else "3426"
    await deliveries.deliver(_decision(registered.data.case_id, other))
    async with runtime_of(app).db.sessions() as session:
        status = await session.scalar(select(notification_db.deadline.c.status))
    assert status == "scheduled"


async def test_a_preliminary_reply_letter_stops_the_preliminary_reply_clock_and_a_decision_letter_does_not(
    app: FastAPI, deliveries: Deliveries
) -> None:
    registered = registered_event()
    await deliveries.deliver(registered)
    case_id = registered.data.case_id

    def letter(kind: str, letter_id: str) -> CloudEvent[Any]:
        return CloudEvent.wrap(
            LetterIssued(letter_id=letter_id, case_id=case_id, kind=kind, language="nb"),
            source="/forvalt/decision",
            subject=case_id,
            municipality=registered.municipality,
            time=EXAMPLE_TIME,
        )

    await deliveries.deliver(letter("decision", "l-1"))
    async with runtime_of(app).db.sessions() as session:
        assert await session.scalar(select(notification_db.deadline.c.status)) == "scheduled"
    await deliveries.deliver(letter("preliminary_reply", "l-2"))
    async with runtime_of(app).db.sessions() as session:
        row = (await session.execute(select(notification_db.deadline))).mappings().one()
    assert (row["status"], row["cancel_reason"]) == ("cancelled", "preliminary_reply_sent")


# --- referrals and child-coordinator applications owe a receipt and a preliminary reply too --------------------

CONSENT = Consent(form=ConsentForm.WRITTEN, given_by=ConsentGiver.PERSON, scope=[ConsentScope.PROCESSING])


def _intake(data: Any, municipality: str = "3426") -> CloudEvent[Any]:
    return CloudEvent.wrap(
        data, source="/forvalt/intake", subject=data.case_id, municipality=municipality, time=EXAMPLE_TIME
    )


def _referral(case_id: str = "case-r", municipality: str = "5032") -> CloudEvent[Any]:
    return _intake(
        CoordinationReferralRegistered(
            case_id=case_id,
            journal_number="2026/000300",
            person_id="p-1",
            channel=Channel.GP_MESSAGE,
            sender=Sender.GP,
            requested=[CoordinationNeed.COORDINATOR, CoordinationNeed.INDIVIDUAL_PLAN],
            received_on=date(2026, 11, 2),
            consent=CONSENT,
        ),
        municipality,
    )


def _child_coordinator_application(case_id: str = "case-c") -> CloudEvent[Any]:
    return _intake(
        ChildCoordinatorApplicationRegistered(
            case_id=case_id,
            journal_number="2026/000301",
            expected_birth_on=date(2027, 3, 1),
            applicant_person_id="p-2",
            channel=Channel.LETTER,
            sender=Sender.APPLICANT,
            received_on=date(2026, 12, 1),
            consent=CONSENT,
            route=Route.CHILDREN_UNIT,
        ),
        "5026",
    )


async def _scheduled_on_topic(app: FastAPI) -> list[DeadlineScheduled]:
    found = [parse_event(r.payload) for r in await outbox_on(app, Topic.DEADLINES)]
    return [e.data for e in found if e is not None]


async def test_a_coordination_referral_gets_a_receipt_and_a_preliminary_reply_deadline(
    app: FastAPI, deliveries: Deliveries
) -> None:
    assert await deliveries.deliver(_referral()) is Outcome.PROCESSED

    [receipt] = await rows(app, notification_db.notification)
    assert (receipt.case_id, receipt.kind, receipt.recipient) == ("case-r", "receipt", "applicant")
    assert "2026/000300" in receipt.text
    [deadline] = await rows(app, notification_db.deadline)
    assert (deadline.case_id, deadline.kind, deadline.due_on, deadline.status) == (
        "case-r",
        "preliminary_reply",
        date(2026, 12, 2),
        "scheduled",
    )
    [scheduled] = await _scheduled_on_topic(app)
    assert (scheduled.deadline_id, scheduled.kind, scheduled.due_on) == (
        deadline.id,
        "preliminary_reply",
        date(2026, 12, 2),
    )


async def test_a_child_coordinator_application_gets_a_receipt_and_a_preliminary_reply_deadline(
    app: FastAPI, deliveries: Deliveries
) -> None:
    assert await deliveries.deliver(_child_coordinator_application()) is Outcome.PROCESSED

    [receipt] = await rows(app, notification_db.notification)
    assert (receipt.municipality, receipt.case_id, receipt.kind) == ("5026", "case-c", "receipt")
    assert "2026/000301" in receipt.text
    [deadline] = await rows(app, notification_db.deadline)
    # A month after 1 December is New Year's Day, a Friday: due on New Year's Eve, a working day.
    assert (deadline.kind, deadline.due_on, deadline.responsible) == (
        "preliminary_reply",
        date(2026, 12, 31),
        "ke_children",
    )
    assert len(await _scheduled_on_topic(app)) == 1


async def test_an_emergency_measure_gets_no_receipt_and_no_preliminary_reply_deadline(
    app: FastAPI, deliveries: Deliveries
) -> None:
    measure = EmergencyMeasureRegistered(
        case_id="case-e",
        journal_number="2026/000302",
        person_id="p-3",
        unit="home_care",
        service_code="home_nursing",
        started_at=EXAMPLE_TIME - timedelta(days=1),
        registered_at=EXAMPLE_TIME,
    )

    assert await deliveries.deliver(_intake(measure)) is Outcome.PROCESSED

    assert await count(app, notification_db.notification) == 0
    assert await count(app, notification_db.deadline) == 0
    assert await outbox_on(app, Topic.DEADLINES) == []


# --- who must act: the case's route and the municipality's configuration ---------------------------------------


async def test_the_preliminary_reply_deadline_names_who_must_act_by_the_cases_route_and_municipality(
    app: FastAPI, deliveries: Deliveries
) -> None:
    child = registered_event(municipality="5026", case_id="case-child", route=Route.CHILDREN_UNIT)
    adult = registered_event(municipality="3426", case_id="case-adult")
    referral = _referral(case_id="case-referral", municipality="3426")

    for event in (child, adult, referral):
        assert await deliveries.deliver(event) is Outcome.PROCESSED

    responsible = {r.case_id: r.responsible for r in await rows(app, notification_db.deadline)}
    assert responsible == {
        "case-child": "ke_children",  # Holtålen's children's unit
        "case-adult": "allocation_office",  # Tolga's Forvaltningskontoret
        "case-referral": "coordinating_unit",  # no tenant file names a coordinating unit: the role itself
    }
    assert {s.case_id: s.responsible for s in await _scheduled_on_topic(app)} == responsible


async def test_a_case_registered_in_a_municipality_without_configuration_is_dead_lettered_and_changes_nothing(
    app: FastAPI, deliveries: Deliveries
) -> None:
    unconfigured = registered_event(municipality="0301", case_id="case-oslo")

    assert await deliveries.deliver(unconfigured) is Outcome.DEAD_LETTERED

    [letter] = deliveries.dead_letters
    assert letter.error_type == "NotFound"
    assert await count(app, notification_db.notification) == 0
    assert await count(app, notification_db.deadline) == 0
    assert await outbox_events(app) == []


# --- withdrawal stops the clocks -------------------------------------------------------------------------------


def _clock(deadline_id: str, case_id: str, kind: str, municipality: str = "3426") -> CloudEvent[Any]:
    return CloudEvent.wrap(
        DeadlineScheduled(
            deadline_id=deadline_id, case_id=case_id, kind=kind, due_on=date(2026, 12, 14), responsible="home_care"
        ),
        source="/forvalt/assessment",
        subject=case_id,
        municipality=municipality,
        time=EXAMPLE_TIME,
    )


async def _a_case_with_clocks(deliveries: Deliveries) -> None:
    """case-1 in Tolga with its preliminary reply and two clocks of other services; neighbours that must stay."""
    events = [
        registered_event(municipality="3426", case_id="case-1"),
        _clock("info-1", "case-1", "information_request"),
        _clock("review-1", "case-1", "decision_review"),
        _clock("info-other-case", "case-2", "information_request"),
        _clock("info-other-municipality", "case-1", "information_request", municipality="5032"),
    ]
    for event in events:
        assert await deliveries.deliver(event) is Outcome.PROCESSED


async def _statuses(app: FastAPI) -> dict[str, tuple[str, str | None]]:
    """(status, cancel reason) by deadline id; the preliminary reply under its kind's name."""
    found = await rows(app, notification_db.deadline)
    return {
        (r.kind if r.kind == "preliminary_reply" else r.id): (r.status, r.cancel_reason)
        for r in found
        if not (r.kind == "preliminary_reply" and r.case_id != "case-1")
    }


def _withdrawn(data: Any, municipality: str = "3426") -> CloudEvent[Any]:
    return CloudEvent.wrap(
        data, source="/forvalt/intake", subject=data.case_id, municipality=municipality, time=EXAMPLE_TIME
    )


async def test_a_withdrawn_application_cancels_every_scheduled_deadline_of_that_case_only(
    app: FastAPI, deliveries: Deliveries
) -> None:
    await _a_case_with_clocks(deliveries)

    withdrawn = _withdrawn(ApplicationWithdrawn(case_id="case-1", withdrawn_on=date(2026, 11, 10)))
    assert await deliveries.deliver(withdrawn) is Outcome.PROCESSED

    assert await _statuses(app) == {
        "preliminary_reply": ("cancelled", "application_withdrawn"),
        "info-1": ("cancelled", "application_withdrawn"),
        "review-1": ("cancelled", "application_withdrawn"),
        "info-other-case": ("scheduled", None),
        "info-other-municipality": ("scheduled", None),
    }


async def test_withdrawing_consent_to_processing_cancels_every_scheduled_deadline_of_that_case_only(
    app: FastAPI, deliveries: Deliveries
) -> None:
    await _a_case_with_clocks(deliveries)

    withdrawn = _withdrawn(
        ConsentWithdrawn(
            case_id="case-1",
            withdrawn_scopes=[ConsentScope.PROCESSING],
            withdrawn_on=date(2026, 11, 10),
            remaining=None,
        )
    )
    assert await deliveries.deliver(withdrawn) is Outcome.PROCESSED

    assert await _statuses(app) == {
        "preliminary_reply": ("cancelled", "consent_withdrawn"),
        "info-1": ("cancelled", "consent_withdrawn"),
        "review-1": ("cancelled", "consent_withdrawn"),
        "info-other-case": ("scheduled", None),
        "info-other-municipality": ("scheduled", None),
    }


async def test_withdrawing_only_consent_to_sharing_leaves_the_cases_deadlines_running(
    app: FastAPI, deliveries: Deliveries
) -> None:
    await _a_case_with_clocks(deliveries)

    withdrawn = _withdrawn(
        ConsentWithdrawn(
            case_id="case-1",
            withdrawn_scopes=[ConsentScope.SHARING],
            withdrawn_on=date(2026, 11, 10),
            remaining=CONSENT,
        )
    )
    assert await deliveries.deliver(withdrawn) is Outcome.PROCESSED

    assert {status for status, _ in (await _statuses(app)).values()} == {"scheduled"}


async def test_a_withdrawal_in_another_municipality_leaves_this_cases_deadlines_alone(
    app: FastAPI, deliveries: Deliveries
) -> None:
    await deliveries.deliver(registered_event(municipality="3426", case_id="case-1"))

    withdrawn = _withdrawn(ApplicationWithdrawn(case_id="case-1", withdrawn_on=date(2026, 11, 10)), "5032")
    assert await deliveries.deliver(withdrawn) is Outcome.PROCESSED

    [deadline] = await rows(app, notification_db.deadline)
    assert deadline.status == "scheduled"
