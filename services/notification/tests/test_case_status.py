"""A case's status as the person sees it, as a pure function of the journey's events: each step moves it, a late
event never moves it back, only a quashed decision sends it back to assessment, and the order the topics deliver
the events in never changes where the case ends up."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.appeals import AppealEnd, BodyOutcome
from contracts.assessment import AssessorAssigned, AssigneeKind
from contracts.decision import DecidedBy, Outcome
from contracts.envelope import CloudEvent
from contracts.notification import CaseStatus, ClosedReason
from servicekit.actor import Actor
from servicekit.errors import Forbidden
from services.notification.domain import CaseState, citizen_reading, next_status, readable_by
from services.notification.tests.case_journey import (
    BODY,
    CASE,
    EXPECTED,
    PERSON,
    START,
    appeal_closed,
    appeal_outcome,
    appealed,
    at,
    decided,
    forwarded,
    opened,
    preliminary_reply,
    quashed_journey,
    registered,
    withdrawn,
)


def fold(events: Iterable[CloudEvent[Any]], state: CaseState | None = None) -> CaseState | None:
    for event in events:
        moved = next_status(state, event)
        if moved is not None:
            state = moved
    return state


def status_after(*events: CloudEvent[Any]) -> CaseState:
    state = fold(events)
    assert state is not None
    return state


def test_a_registered_case_is_received_and_about_the_person_it_names() -> None:
    event = at(registered(), 0)

    state = status_after(event)

    assert (state.case_id, state.status, state.since, state.person_id) == (CASE, CaseStatus.RECEIVED, START, PERSON)
    assert state.step.event_id == event.id


def test_each_step_of_the_journey_moves_the_case_on_with_its_codes() -> None:
    journey = quashed_journey()
    seen = []
    state = None
    for event in journey:
        state = next_status(state, event)
        assert state is not None, event.type
        seen.append((state.status, state.since))

    assert [s for s, _ in seen] == [
        CaseStatus.RECEIVED,
        CaseStatus.BEING_ASSESSED,
        CaseStatus.PRELIMINARY_REPLY_SENT,
        CaseStatus.DECIDED,
        CaseStatus.APPEALED,
        CaseStatus.FORWARDED,
        CaseStatus.BEING_ASSESSED,
        CaseStatus.BEING_ASSESSED,
    ]
    assert [since for _, since in seen] == [e.time for e in journey]


def test_a_preliminary_reply_carries_the_expected_decision_date_when_the_letter_gives_one() -> None:
    with_date = status_after(at(registered(), 0), at(preliminary_reply(), 20))
    without = status_after(at(registered(), 0), at(preliminary_reply(expected=None), 20))

    assert (with_date.status, with_date.codes.expected_on) == (CaseStatus.PRELIMINARY_REPLY_SENT, EXPECTED)
    assert (without.status, without.codes.expected_on) == (CaseStatus.PRELIMINARY_REPLY_SENT, None)


def test_a_decision_letter_does_not_move_the_case() -> None:
    state = status_after(at(registered(), 0), at(opened(), 1))
    letter = at(preliminary_reply(), 5).data.model_copy(update={"kind": "decision", "expected_decision_on": None})

    assert next_status(state, at(letter, 5)) is None


def test_a_decision_gives_its_outcome_and_who_decided() -> None:
    state = status_after(at(registered(), 0), at(decided(outcome=Outcome.PARTLY_GRANTED), 30))

    assert (state.status, state.codes.outcome, state.codes.decided_by) == (
        CaseStatus.DECIDED,
        Outcome.PARTLY_GRANTED,
        DecidedBy.OFFICE,
    )


def test_a_forwarded_appeal_names_the_appeal_body() -> None:
    state = status_after(at(registered(), 0), at(decided(), 30), at(appealed(), 40), at(forwarded(), 50))

    assert (state.status, state.codes.appeal_body) == (CaseStatus.FORWARDED, BODY)


@pytest.mark.parametrize(
    ("outcome", "status", "decided_by"),
    [
        (BodyOutcome.UPHELD, CaseStatus.DECIDED, DecidedBy.APPEAL_BODY),
        (BodyOutcome.REVERSED, CaseStatus.DECIDED, DecidedBy.APPEAL_BODY),
        (BodyOutcome.PARTLY_REVERSED, CaseStatus.DECIDED, DecidedBy.APPEAL_BODY),
        (BodyOutcome.DISMISSED, CaseStatus.DECIDED, DecidedBy.APPEAL_BODY),
        (BodyOutcome.WITHDRAWN, CaseStatus.DECIDED, None),
        (BodyOutcome.QUASHED, CaseStatus.BEING_ASSESSED, None),
    ],
)
def test_the_appeal_bodys_outcome_decides_the_case_or_sends_it_back_to_assessment(
    outcome: BodyOutcome, status: CaseStatus, decided_by: DecidedBy | None
) -> None:
    state = status_after(at(registered(), 0), at(decided(), 30), at(forwarded(), 50), at(appeal_outcome(outcome), 80))

    assert (state.status, state.codes.decided_by, state.codes.appeal_outcome, state.codes.appeal_body) == (
        status,
        decided_by,
        outcome,
        BODY,
    )


def test_the_decision_that_carries_out_a_reversal_by_the_appeal_body_decides_the_case_again() -> None:
    reversal = decided("decision-2", Outcome.GRANTED).model_copy(update={"decided_by": DecidedBy.APPEAL_BODY})
    state = status_after(
        at(registered(), 0), at(decided(), 30), at(appeal_outcome(BodyOutcome.REVERSED), 80), at(reversal, 82)
    )

    assert (state.status, state.codes.outcome, state.codes.decided_by) == (
        CaseStatus.DECIDED,
        Outcome.GRANTED,
        DecidedBy.APPEAL_BODY,
    )


@pytest.mark.parametrize("ended", [AppealEnd.WITHDRAWN, AppealEnd.DISMISSED_AS_LATE])
def test_an_appeal_that_ended_without_the_appeal_body_leaves_the_case_decided(ended: AppealEnd) -> None:
    state = status_after(at(registered(), 0), at(decided(), 30), at(appealed(), 40), at(appeal_closed(ended), 45))

    assert (state.status, state.codes.appeal_end) == (CaseStatus.DECIDED, ended)


def test_an_appeal_closed_by_the_offices_reversal_waits_for_the_new_decision() -> None:
    state = status_after(at(registered(), 0), at(decided(), 30), at(appealed(), 40))

    assert next_status(state, at(appeal_closed(AppealEnd.REVERSED_BY_OFFICE), 45)) is None


def test_a_decision_processed_before_the_assessment_opened_stays_decided() -> None:
    state = status_after(at(registered(), 0), at(decided(), 30))

    assert next_status(state, at(opened(), 0.01)) is None
    assert status_after(at(registered(), 0), at(decided(), 30), at(opened(), 0.01)).status is CaseStatus.DECIDED


def test_only_a_new_assessment_after_the_quash_sends_a_decided_case_back_to_assessment() -> None:
    journey = quashed_journey()
    forwarded_case = status_after(*journey[:6])
    old_round = next_status(forwarded_case, journey[1])
    new_round = status_after(*journey)

    assert old_round is None
    assert (new_round.status, new_round.step.event_id) == (CaseStatus.BEING_ASSESSED, journey[-1].id)


def test_a_withdrawn_case_is_closed_for_good_at_its_first_closing_step() -> None:
    withdrawal = at(withdrawn(), 10)
    state = status_after(at(registered(), 0), withdrawal, at(decided(), 30), at(withdrawn(), 12))

    assert (state.status, state.codes.closed_reason, state.since) == (
        CaseStatus.CLOSED,
        ClosedReason.APPLICATION_WITHDRAWN,
        withdrawal.time,
    )


def test_an_event_that_moves_no_case_changes_nothing() -> None:
    state = status_after(at(registered(), 0))
    assigned = AssessorAssigned(
        assessment_id="assessment-1", case_id=CASE, assignee_kind=AssigneeKind.UNIT, assignee="home_care"
    )

    assert next_status(state, at(assigned, 1)) is None
    assert next_status(None, at(assigned, 1)) is None


def test_the_same_event_delivered_again_changes_nothing() -> None:
    event = at(decided(), 30)
    state = status_after(at(registered(), 0), event)

    assert next_status(state, event) is None


def test_a_late_registration_names_the_person_without_moving_the_case_back() -> None:
    # The appeal names the person too, but the case is about the person its registration names.
    appeal = at(appealed().model_copy(update={"person_id": "guardian-person"}), 40)
    before = status_after(appeal)

    after = next_status(before, at(registered(), 0))

    assert (before.status, before.person_id) == (CaseStatus.APPEALED, "guardian-person")
    assert after is not None
    assert (after.status, after.since, after.person_id) == (CaseStatus.APPEALED, appeal.time, PERSON)


def test_of_two_steps_at_the_same_instant_the_later_in_the_journey_wins() -> None:
    same = quashed_journey()[0].time + timedelta(days=30)
    decision, appeal = at(decided(), 30), at(appealed(), 30)
    assert decision.time == appeal.time == same

    assert status_after(appeal, decision).status is CaseStatus.APPEALED
    assert status_after(decision, appeal).status is CaseStatus.APPEALED


# --- whatever order the topics deliver the events in -------------------------------------------------------------


def _view(state: CaseState | None) -> Any:
    assert state is not None
    return (state.status, state.since, state.codes, state.person_id, state.step.event_id)


JOURNEY = quashed_journey()


@given(st.permutations(JOURNEY))
def test_the_journey_ends_at_the_same_status_in_any_order_of_delivery(order: list[CloudEvent[Any]]) -> None:
    assert _view(fold(order)) == _view(fold(JOURNEY))


@given(st.lists(st.sampled_from(JOURNEY), min_size=1, max_size=20))
def test_events_delivered_again_and_out_of_order_end_at_the_latest_step_delivered(
    events: list[CloudEvent[Any]],
) -> None:
    latest = max(events, key=lambda e: (e.time, JOURNEY.index(e)))

    state = fold(events)

    assert state is not None
    assert state.step.event_id == latest.id
    assert state.person_id == (PERSON if any(getattr(e.data, "person_id", None) for e in events) else None)


@given(st.permutations([*JOURNEY[:5], at(withdrawn(), 44), at(withdrawn(), 46)]))
def test_a_withdrawn_case_ends_closed_at_its_first_withdrawal_in_any_order(order: list[CloudEvent[Any]]) -> None:
    state = fold(order)

    assert state is not None
    assert (state.status, state.since) == (CaseStatus.CLOSED, START + timedelta(days=44))


# --- who reads a case's status -----------------------------------------------------------------------------------


def actor(*roles: str, subject: str = "kari", person_id: str | None = None) -> Actor:
    return Actor(subject=subject, municipality="3426", roles=frozenset(roles), person_id=person_id)


def test_the_office_reads_every_case_and_a_citizen_only_their_own() -> None:
    state = status_after(at(registered(), 0))

    assert citizen_reading(actor("caseworker")) is None
    assert citizen_reading(actor("leader")) is None
    assert citizen_reading(actor("person", person_id=PERSON)) == PERSON
    assert citizen_reading(actor("person", subject=PERSON)) == PERSON
    assert readable_by(state, None)
    assert readable_by(state, PERSON)
    assert not readable_by(state, "someone-else")


def test_a_case_no_event_named_a_person_for_is_read_by_the_office_only() -> None:
    state = status_after(at(withdrawn(), 10))

    assert state.person_id is None
    assert readable_by(state, None)
    assert not readable_by(state, PERSON)


@pytest.mark.parametrize("roles", [("unit",), ("coordinator",), ("integrator",), ("service",), ()])
def test_other_callers_may_not_read_cases_statuses(roles: tuple[str, ...]) -> None:
    with pytest.raises(Forbidden):
        citizen_reading(actor(*roles))
