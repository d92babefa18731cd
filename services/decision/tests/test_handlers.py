"""Decision's reaction to other services' events, through the EventConsumer on SQLite: cases awaiting a decision,
agendas by the cut-off, and redelivery that does nothing twice."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from contracts.coordination import ProposedResult, RequestedRight
from contracts.decision import CaseScheduledForMeeting, DecisionMade
from contracts.intake import Route
from servicekit.clock import FixedClock
from servicekit.consumer import DeadLetter, EventConsumer, Outcome
from servicekit.db import INBOX, OUTBOX
from servicekit.testing import Deliveries, count, emitted, incoming, runtime_of
from services.decision import db as decision_db
from services.decision.tests.support import (
    HOLTALEN,
    SELBU,
    TOLGA,
    application_registered,
    application_withdrawn,
    assessed,
    assessment_completed,
    auth,
    decision_body,
    decision_requested,
    emergency_registered,
    feed,
    leader,
    oslo,
    reversed_by_office,
)


async def rows(app: FastAPI, table: Any) -> list[dict[str, Any]]:
    async with runtime_of(app).db.engine.connect() as conn:
        return [dict(r) for r in (await conn.execute(select(table))).mappings().all()]


async def case_row(app: FastAPI, case_id: str) -> dict[str, Any]:
    [row] = [r for r in await rows(app, decision_db.decision_case) if r["case_id"] == case_id]
    return row


async def agenda(app: FastAPI) -> list[tuple[str, date, bool]]:
    meetings = {m["id"]: m["meeting_on"] for m in await rows(app, decision_db.meeting)}
    return sorted(
        (i["case_id"], meetings[i["meeting_id"]], i["emergency_measure"])
        for i in await rows(app, decision_db.agenda_item)
    )


async def test_a_recommendation_before_the_cut_off_puts_the_case_on_that_weeks_meeting(
    app: FastAPI, consumer: EventConsumer, clock: FixedClock
) -> None:
    event = assessment_completed("case-1", TOLGA, at=oslo(2026, 3, 9, 11, 30))

    assert await feed(consumer, clock, event) is Outcome.PROCESSED

    case = await case_row(app, "case-1")
    assert (case["status"], case["municipality"], case["person_id"]) == ("awaiting_decision", TOLGA, "p-1")
    assert case["recommendation"]["proposed_outcome"] == "grant"
    assert await agenda(app) == [("case-1", date(2026, 3, 10), False)]
    [scheduled] = await emitted(app, CaseScheduledForMeeting)
    assert (scheduled.case_id, scheduled.meeting_on, scheduled.emergency_measure) == (
        "case-1",
        date(2026, 3, 10),
        False,
    )


async def test_a_recommendation_at_12_01_goes_on_the_next_weeks_meeting(
    app: FastAPI, consumer: EventConsumer, clock: FixedClock
) -> None:
    await feed(consumer, clock, assessment_completed("case-1", TOLGA, at=oslo(2026, 3, 9, 12, 1)))

    assert await agenda(app) == [("case-1", date(2026, 3, 17), False)]


async def test_the_same_recommendation_delivered_twice_is_scheduled_once(
    app: FastAPI, consumer: EventConsumer, clock: FixedClock, dead_letters: list[DeadLetter]
) -> None:
    event = assessment_completed("case-1", TOLGA, at=oslo(2026, 3, 9, 11, 30))
    clock.set(event.time)

    first = await consumer.process(incoming(event, offset=0))
    second = await consumer.process(incoming(event, offset=1))

    assert (first, second) == (Outcome.PROCESSED, Outcome.DUPLICATE)
    assert dead_letters == []
    assert await count(app, decision_db.decision_case) == 1
    assert await count(app, decision_db.meeting) == 1
    assert await count(app, decision_db.agenda_item) == 1
    assert await count(app, OUTBOX) == 1
    assert await count(app, INBOX) == 1


async def test_two_cases_for_the_same_meeting_share_one_meeting_and_its_agenda(
    app: FastAPI, consumer: EventConsumer, clock: FixedClock
) -> None:
    await feed(consumer, clock, assessment_completed("case-1", TOLGA, at=oslo(2026, 3, 6, 10, 0)))
    await feed(consumer, clock, assessment_completed("case-2", TOLGA, at=oslo(2026, 3, 9, 8, 0)))

    assert await count(app, decision_db.meeting) == 1
    assert await agenda(app) == [("case-1", date(2026, 3, 10), False), ("case-2", date(2026, 3, 10), False)]


async def test_an_emergency_measure_registered_on_sunday_goes_on_tuesdays_meeting_and_stays_there(
    app: FastAPI, consumer: EventConsumer, clock: FixedClock
) -> None:
    await feed(consumer, clock, emergency_registered("case-9", TOLGA, registered_at=oslo(2026, 3, 8, 22, 0)))
    # The assessment completes after the cut-off: the case is already on the first meeting's agenda.
    await feed(consumer, clock, assessment_completed("case-9", TOLGA, at=oslo(2026, 3, 9, 14, 0), emergency=True))

    assert await agenda(app) == [("case-9", date(2026, 3, 10), True)]
    case = await case_row(app, "case-9")
    assert case["status"] == "awaiting_decision"
    assert case["emergency_measure"]["unit"] == "home_care"
    assert case["recommendation"] is not None
    [scheduled] = await emitted(app, CaseScheduledForMeeting)
    assert scheduled.emergency_measure is True


async def test_an_emergency_measure_registered_after_the_cut_off_is_on_the_next_day_meeting(
    app: FastAPI, consumer: EventConsumer, clock: FixedClock
) -> None:
    await feed(consumer, clock, emergency_registered("case-9", TOLGA, registered_at=oslo(2026, 3, 9, 18, 0)))

    assert await agenda(app) == [("case-9", date(2026, 3, 10), True)]


async def test_holtalens_childrens_unit_meeting_takes_a_recommendation_made_after_the_cut_off_a_month_later(
    app: FastAPI, consumer: EventConsumer, clock: FixedClock
) -> None:
    for case_id in ("case-1", "case-2"):
        registered = application_registered(case_id, HOLTALEN, route=Route.CHILDREN_UNIT)
        await feed(consumer, clock, registered, at=oslo(2026, 2, 20, 9, 0))
    await feed(consumer, clock, assessment_completed("case-1", HOLTALEN, at=oslo(2026, 2, 25, 12, 0)))
    await feed(consumer, clock, assessment_completed("case-2", HOLTALEN, at=oslo(2026, 2, 25, 12, 1)))

    assert await agenda(app) == [("case-1", date(2026, 3, 4), False), ("case-2", date(2026, 4, 1), False)]
    assert (await case_row(app, "case-1"))["route"] == "children_unit"


async def test_an_adults_case_in_holtalen_awaits_the_allocation_office_on_no_meetings_agenda(
    app: FastAPI, consumer: EventConsumer, clock: FixedClock
) -> None:
    registered = application_registered("case-1", HOLTALEN, route=Route.ALLOCATION_OFFICE)
    await feed(consumer, clock, registered, at=oslo(2026, 2, 20, 9, 0))

    await feed(consumer, clock, assessment_completed("case-1", HOLTALEN, at=oslo(2026, 2, 25, 12, 0)))

    case = await case_row(app, "case-1")
    assert (case["status"], case["route"]) == ("awaiting_decision", "allocation_office")
    assert await agenda(app) == []


async def test_a_municipality_without_meetings_just_has_the_case_await_the_offices_decision(
    app: FastAPI, consumer: EventConsumer, clock: FixedClock
) -> None:
    await feed(consumer, clock, assessment_completed("case-1", SELBU, at=oslo(2026, 3, 9, 11, 0)))

    assert (await case_row(app, "case-1"))["status"] == "awaiting_decision"
    assert await count(app, decision_db.meeting) == 0
    assert await count(app, OUTBOX) == 0


async def test_the_application_fills_in_the_journal_number_whichever_event_comes_first(
    app: FastAPI, consumer: EventConsumer, clock: FixedClock
) -> None:
    await feed(consumer, clock, assessment_completed("case-1", SELBU, at=oslo(2026, 3, 9, 11, 0)))
    await feed(consumer, clock, application_registered("case-1", SELBU, received_on=date(2026, 3, 2)))

    case = await case_row(app, "case-1")
    assert (case["status"], case["journal_number"], case["received_on"]) == (
        "awaiting_decision",
        "2026/000017",
        date(2026, 3, 2),
    )


async def test_an_application_alone_is_known_but_does_not_await_a_decision(
    app: FastAPI, consumer: EventConsumer, clock: FixedClock
) -> None:
    await feed(consumer, clock, application_registered("case-1", SELBU))

    assert (await case_row(app, "case-1"))["status"] == "registered"


async def test_a_request_from_the_coordinating_unit_awaits_the_offices_decision_right_by_right(
    app: FastAPI, consumer: EventConsumer, clock: FixedClock
) -> None:
    at = oslo(2026, 3, 9, 10, 0)
    await feed(consumer, clock, decision_requested("case-7", TOLGA, at=at))
    await feed(
        consumer,
        clock,
        decision_requested("case-7", TOLGA, right=RequestedRight.COORDINATOR, proposed=ProposedResult.REFUSE, at=at),
    )

    case = await case_row(app, "case-7")
    assert case["status"] == "awaiting_decision"
    assert [(r["right"], r["proposed"]) for r in case["requests"]] == [
        ("individual_plan", "grant"),
        ("coordinator", "refuse"),
    ]
    # Requested decisions are the office's, without a meeting.
    assert await count(app, decision_db.agenda_item) == 0


async def test_a_reversal_of_a_decision_we_never_made_is_dead_lettered_and_writes_nothing(
    app: FastAPI, consumer: EventConsumer, clock: FixedClock, dead_letters: list[DeadLetter]
) -> None:
    event = reversed_by_office("case-1", "no-such-decision", SELBU, at=oslo(2026, 3, 9, 10, 0))

    assert await feed(consumer, clock, event) is Outcome.DEAD_LETTERED

    [letter] = dead_letters
    assert "decision_id: no decision no-such-decision" in letter.reason
    assert await count(app, decision_db.decision_case) == 0
    assert await count(app, INBOX) == 0


async def test_a_withdrawn_application_leaves_the_agenda_and_awaits_nothing(
    app: FastAPI, consumer: EventConsumer, clock: FixedClock
) -> None:
    await feed(consumer, clock, assessment_completed("case-1", TOLGA, at=oslo(2026, 3, 9, 11, 0)))
    await feed(consumer, clock, application_withdrawn("case-1", TOLGA, at=oslo(2026, 3, 9, 11, 5)))
    # A recommendation arriving after the withdrawal does not bring it back.
    await feed(consumer, clock, assessment_completed("case-1", TOLGA, at=oslo(2026, 3, 9, 11, 10)))

    assert (await case_row(app, "case-1"))["status"] == "withdrawn"
    [item] = await rows(app, decision_db.agenda_item)
    assert item["status"] == "withdrawn"


async def test_an_event_about_another_municipalitys_case_is_dead_lettered(
    app: FastAPI, consumer: EventConsumer, clock: FixedClock, dead_letters: list[DeadLetter]
) -> None:
    await feed(consumer, clock, assessment_completed("case-1", TOLGA, at=oslo(2026, 3, 9, 11, 0)))

    outcome = await feed(consumer, clock, assessment_completed("case-1", SELBU, at=oslo(2026, 3, 9, 11, 5)))

    assert outcome is Outcome.DEAD_LETTERED
    assert "belongs to another municipality" in dead_letters[0].reason
    assert (await case_row(app, "case-1"))["municipality"] == TOLGA


# --- rule 6: a decided case is not reopened ---------------------------------------------------


async def _decided_emergency_measure(
    app: FastAPI, client: httpx.AsyncClient, deliveries: Deliveries, clock: FixedClock
) -> str:
    """Tolga: a unit started home nursing on Sunday; Tuesday's meeting raised it, the office wrote the decision and
    the home care leader approved it, before the assessment was done."""
    registered_at = oslo(2026, 3, 8, 22, 0)
    clock.set(registered_at)
    assert await deliveries.deliver(emergency_registered("case-e", TOLGA, registered_at=registered_at)) is (
        Outcome.PROCESSED
    )
    [scheduled] = await emitted(app, CaseScheduledForMeeting)
    clock.set(oslo(2026, 3, 10, 10))
    headers = auth(app, TOLGA)
    attendees = {"attendees": [{"name": "Kari Nordmann", "role": "allocation_office"}]}
    await client.post(f"/meetings/{scheduled.meeting_id}/attendees", json=attendees, headers=headers)
    concluded = {"case_id": "case-e", "result": "concluded", "outcome": "granted"}
    await client.post(f"/meetings/{scheduled.meeting_id}/outcomes", json=concluded, headers=headers)
    draft = await client.post("/decisions", json=decision_body("case-e"), headers=headers)
    assert draft.status_code == 201, draft.text
    made = await client.post(f"/decisions/{draft.json()['id']}/approval", json={}, headers=leader(app, "home_care"))
    assert made.json()["status"] == "made", made.text
    decision_id: str = made.json()["id"]
    return decision_id


async def test_a_recommendation_after_the_emergency_measure_was_decided_is_dead_lettered_not_decided_again(
    app: FastAPI, client: httpx.AsyncClient, clock: FixedClock
) -> None:
    deliveries = Deliveries(app)
    decision_id = await _decided_emergency_measure(app, client, deliveries, clock)
    late = assessment_completed("case-e", TOLGA, at=oslo(2026, 3, 12, 9, 0), emergency=True)
    clock.set(late.time)

    assert await deliveries.deliver(late) is Outcome.DEAD_LETTERED

    [letter] = deliveries.dead_letters
    assert letter.error_type == "CaseAlreadyDecided"
    assert f"case case-e was decided on 2026-03-10 (decision {decision_id}, initial)" in letter.reason
    assert "not reopened by a recommendation" in letter.reason
    headers = auth(app, TOLGA)
    decisions = (await client.get("/decisions", params={"case_id": "case-e"}, headers=headers)).json()
    assert [d["id"] for d in decisions] == [decision_id]
    assert len(await emitted(app, DecisionMade)) == 1
    case = await case_row(app, "case-e")
    assert (case["status"], case["recommendation"], case["agenda_item_id"]) == ("decided", None, None)
    assert await count(app, decision_db.agenda_item) == 1, "not put on a second meeting's agenda"


async def test_a_request_for_a_decision_on_a_decided_case_is_dead_lettered_with_the_reason(
    app: FastAPI, client: httpx.AsyncClient, consumer: EventConsumer, clock: FixedClock
) -> None:
    await assessed(consumer, clock, "case-1", SELBU, at=oslo(2026, 3, 9, 11, 0))
    clock.set(oslo(2026, 3, 10, 13))
    made = (await client.post("/decisions", json=decision_body("case-1"), headers=auth(app))).json()
    deliveries = Deliveries(app)
    request = decision_requested("case-1", SELBU, at=oslo(2026, 3, 11, 10, 0))
    clock.set(request.time)

    assert await deliveries.deliver(request) is Outcome.DEAD_LETTERED

    [letter] = deliveries.dead_letters
    assert letter.error_type == "CaseAlreadyDecided"
    assert f"decision {made['id']}, initial" in letter.reason
    assert "not reopened by a request for a decision" in letter.reason
    case = await case_row(app, "case-1")
    assert (case["status"], case["requests"]) == ("decided", None)
    assert len(await emitted(app, DecisionMade)) == 1


async def test_a_reversal_after_an_appeal_still_reaches_a_decided_case(
    app: FastAPI, client: httpx.AsyncClient, consumer: EventConsumer, clock: FixedClock
) -> None:
    await assessed(consumer, clock, "case-1", SELBU, at=oslo(2026, 3, 9, 11, 0))
    clock.set(oslo(2026, 3, 10, 13))
    made = (await client.post("/decisions", json=decision_body("case-1"), headers=auth(app))).json()

    outcome = await feed(consumer, clock, reversed_by_office("case-1", made["id"], SELBU, at=oslo(2026, 3, 24, 10)))

    assert outcome is Outcome.PROCESSED
    assert (await case_row(app, "case-1"))["status"] == "awaiting_decision"
