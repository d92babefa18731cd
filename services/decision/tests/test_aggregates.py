"""The aggregates' methods, without a database: what a case and a decision allow, how they change, and the
events they raise."""

from __future__ import annotations

from datetime import date
from itertools import count

import pytest

from contracts.deadlines import DeadlineCancelled, DeadlineScheduled
from contracts.decision import DecidedBy, DecisionKind, DecisionMade, LetterIssued, Outcome, ServiceOrdered
from servicekit.errors import Conflict, DomainError, Forbidden
from servicekit.tenants import AppealRule
from services.decision.domain import (
    AgendaItem,
    AgendaStatus,
    AppealRoute,
    Attendee,
    CaseStatus,
    Decision,
    DecisionCase,
    DecisionClock,
    DecisionContent,
    DecisionStatus,
    Meeting,
    MeetingResult,
    Reasons,
    Reversal,
    RightRequest,
    ServiceLine,
    appeal_information,
)
from services.decision.tests.support import SELBU, oslo

NOW = oslo(2026, 3, 10, 13)
LATER = oslo(2026, 3, 11, 9)
ROUTE = AppealRoute("Statsforvalteren", AppealRule.PASIENT_OG_BRUKERRETTIGHETSLOVEN_7_5)


def a_case(status: CaseStatus = CaseStatus.AWAITING_DECISION, **fields: object) -> DecisionCase:
    case = DecisionCase.opened("case-1", SELBU, NOW, person_id="p-1", **fields)
    case.status = status
    return case


def a_draft(
    *, required: tuple[str, ...] = (), services: tuple[ServiceLine, ...] | None = None, supersedes: str | None = None
) -> Decision:
    lines = services if services is not None else (ServiceLine("home_nursing", 6.0, date(2026, 3, 16)),)
    content = DecisionContent(
        outcome=Outcome.GRANTED,
        services=lines,
        refused=(),
        legal_basis=("helse- og omsorgstjenesteloven § 3-2 første ledd nr. 6 bokstav a",),
        reasons=Reasons(),
        route=ROUTE,
    )
    return Decision.drafted(
        "d-1",
        a_case(),
        kind=DecisionKind.INITIAL,
        by=DecidedBy.UNIT_LEADER if required else DecidedBy.OFFICE,
        content=content,
        order_units=tuple("home_care" for _ in lines),
        required_units=required,
        person_id="p-1",
        drafted_by="kari",
        now=NOW,
        supersedes=supersedes,
    )


# --- the case ----------------------------------------------------------------------------------------------------


def test_a_new_case_is_registered_with_what_its_first_event_tells() -> None:
    case = DecisionCase.opened("case-1", SELBU, NOW, person_id="p-1")

    assert (case.status, case.person_id, case.created_at, case.updated_at) == (CaseStatus.REGISTERED, "p-1", NOW, NOW)


def test_filling_in_a_case_never_overwrites_what_it_knows() -> None:
    case = a_case(journal_number="2026/000017")

    case.fill_in(LATER, person_id="p-2", journal_number="2026/999999", received_on=date(2026, 3, 2), route="elderly")

    assert (case.person_id, case.journal_number) == ("p-1", "2026/000017")
    assert (case.received_on, case.route, case.updated_at) == (date(2026, 3, 2), "elderly", LATER)


@pytest.mark.parametrize("status", [CaseStatus.DECIDED, CaseStatus.WITHDRAWN])
def test_a_closed_case_is_not_withdrawn_again(status: CaseStatus) -> None:
    case = a_case(status)

    assert case.withdraw(LATER) is False
    assert (case.status, case.updated_at) == (status, NOW)


def test_withdrawing_an_open_case_closes_it() -> None:
    case = a_case(CaseStatus.REGISTERED)

    assert case.withdraw(LATER) is True
    assert case.status is CaseStatus.WITHDRAWN
    assert case.closed


def test_a_recommendation_makes_a_registered_case_await_a_decision_but_leaves_a_pending_draft_waiting() -> None:
    registered, drafted = a_case(CaseStatus.REGISTERED), a_case(CaseStatus.AWAITING_APPROVAL)

    registered.receive_recommendation({"proposed_outcome": "grant"}, "p-1", LATER)
    drafted.receive_recommendation({"proposed_outcome": "grant"}, "p-1", LATER)

    assert registered.status is CaseStatus.AWAITING_DECISION
    assert drafted.status is CaseStatus.AWAITING_APPROVAL


def test_a_newer_request_on_the_same_right_replaces_the_older() -> None:
    case = a_case(CaseStatus.REGISTERED)

    case.receive_request(RightRequest("r-1", "individual_plan", "grant", "coordinating_unit"), "p-1", NOW)
    case.receive_request(RightRequest("r-2", "coordinator", "grant", "coordinating_unit"), "p-1", NOW)
    case.receive_request(RightRequest("r-3", "individual_plan", "refuse", "coordinating_unit"), "p-1", LATER)

    assert [r.request_id for r in case.requests] == ["r-2", "r-3"]
    assert case.pending.kind is DecisionKind.REQUESTED
    assert case.pending.requested_rights == ("coordinator", "individual_plan")


def test_a_reversal_is_what_the_case_awaits_before_requests() -> None:
    case = a_case(CaseStatus.DECIDED)
    case.receive_request(RightRequest("r-1", "coordinator", "grant", "coordinating_unit"), "p-1", NOW)

    case.receive_reversal(Reversal("ap-1", "d-0", date(2026, 3, 10)), LATER)

    assert case.status is CaseStatus.AWAITING_DECISION
    assert case.pending.kind is DecisionKind.REVERSAL
    assert case.pending.reversal_of == "d-0"


@pytest.mark.parametrize(
    ("status", "why"),
    [
        (CaseStatus.REGISTERED, "no recommendation"),
        (CaseStatus.AWAITING_APPROVAL, "already waits"),
        (CaseStatus.DECIDED, "review that decision"),
        (CaseStatus.WITHDRAWN, "withdrawn"),
    ],
)
def test_only_a_case_awaiting_a_decision_is_ready_to_decide(status: CaseStatus, why: str) -> None:
    with pytest.raises(Conflict, match=why):
        a_case(status).check_ready()
    a_case(CaseStatus.AWAITING_DECISION).check_ready()


def test_putting_a_case_on_an_agenda_raises_its_scheduling() -> None:
    case = a_case()

    event = case.put_on_agenda("item-1", "m-1", date(2026, 3, 17), emergency=True, now=LATER)

    assert case.agenda_item_id == "item-1"
    assert (event.case_id, event.meeting_id, event.meeting_on, event.emergency_measure) == (
        "case-1",
        "m-1",
        date(2026, 3, 17),
        True,
    )


@pytest.mark.parametrize(
    ("kind", "cleared"), [(DecisionKind.REVERSAL, "reversal"), (DecisionKind.REQUESTED, "requests")]
)
def test_a_decided_case_leaves_its_agenda_and_what_it_awaited(kind: DecisionKind, cleared: str) -> None:
    case = a_case(
        agenda_item_id="item-1",
        reversal=Reversal("ap-1", "d-0", date(2026, 3, 10)),
        requests=(RightRequest("r-1", "coordinator", "grant", "coordinating_unit"),),
    )

    case.decided(kind, LATER)

    assert (case.status, case.agenda_item_id) == (CaseStatus.DECIDED, None)
    assert not getattr(case, cleared)
    kept = "requests" if cleared == "reversal" else "reversal"
    assert getattr(case, kept)


# --- the decision ------------------------------------------------------------------------------------------------


def test_a_drafted_decision_waits_for_approval() -> None:
    draft = a_draft(required=("home_care",))

    assert draft.status is DecisionStatus.AWAITING_APPROVAL
    assert (draft.decided_on, draft.letter_id, draft.made_at) == (None, None, None)


def test_a_unit_leader_approves_only_for_a_unit_the_decision_needs() -> None:
    draft = a_draft(required=("home_care", "practical_help"))

    with pytest.raises(Forbidden):
        draft.approval("day_centre", [], approved=True, reason=None, decided_on=None)
    with pytest.raises(Forbidden):
        draft.approval(None, [], approved=True, reason=None, decided_on=None)
    with pytest.raises(Conflict, match="already approved"):
        draft.approval("home_care", ["home_care"], approved=True, reason=None, decided_on=None)


def test_the_last_unit_leaders_approval_is_final_and_only_it_sets_the_date() -> None:
    draft = a_draft(required=("home_care", "practical_help"))

    assert draft.approval("home_care", [], approved=True, reason=None, decided_on=None) == ("home_care", False)
    assert draft.approval("practical_help", ["home_care"], approved=True, reason=None, decided_on=None) == (
        "practical_help",
        True,
    )
    with pytest.raises(DomainError, match="only the final approval"):
        draft.approval("home_care", [], approved=True, reason=None, decided_on=date(2026, 3, 10))


def test_a_draft_is_returned_only_with_a_reason() -> None:
    draft = a_draft(required=("home_care",))

    with pytest.raises(DomainError, match="reason"):
        draft.approval("home_care", [], approved=False, reason="  ", decided_on=None)
    assert draft.approval("home_care", [], approved=False, reason="Feil timetall", decided_on=None)[1] is False

    draft.returned("Feil timetall")
    assert (draft.status, draft.returned_reason) == (DecisionStatus.RETURNED, "Feil timetall")
    with pytest.raises(Conflict, match="does not wait for approval"):
        draft.approval("home_care", [], approved=True, reason=None, decided_on=None)


def test_making_a_decision_orders_its_services_starts_its_clocks_and_raises_its_events_in_order() -> None:
    services = (
        ServiceLine("home_nursing", 6.0, date(2026, 3, 16)),
        ServiceLine("practical_help", 2.0, date(2026, 3, 16), date(2026, 9, 30)),
    )
    draft = a_draft(services=services)
    ids = (f"id-{n}" for n in count())
    appeal = appeal_information(ROUTE, date(2026, 3, 10), "Tildeling")

    made = draft.make(
        decided_on=date(2026, 3, 10),
        appeal=appeal,
        letter_id="l-1",
        language="nb",
        responsible="allocation_office",
        new_id=lambda: next(ids),
        now=LATER,
    )

    assert (draft.status, draft.decided_on, draft.letter_id, draft.made_at) == (
        DecisionStatus.MADE,
        date(2026, 3, 10),
        "l-1",
        LATER,
    )
    assert [type(e) for e in made.events] == [
        DecisionMade,
        ServiceOrdered,
        ServiceOrdered,
        LetterIssued,
        DeadlineScheduled,
        DeadlineScheduled,
    ]
    assert [(o.service_code, o.unit) for o in made.orders] == [
        ("home_nursing", "home_care"),
        ("practical_help", "home_care"),
    ]
    assert {c.kind for c in made.clocks} == {"decision_review", "time_limited_evaluation"}
    assert all(getattr(e, "case_id", None) == "case-1" for e in made.events)
    decided = made.events[0]
    assert isinstance(decided, DecisionMade)
    assert decided.appeal == appeal
    assert decided.letter_id == "l-1"


def test_a_refusal_has_no_evaluation_clock() -> None:
    draft = a_draft(services=())
    draft.outcome = Outcome.REFUSED

    assert draft.clocks_due(date(2026, 3, 10))[1] is None


def test_a_superseded_decision_stops_its_clocks_once() -> None:
    old = a_draft()
    clock = DecisionClock("c-1", SELBU, old.id, "case-1", "decision_review", date(2027, 3, 10), "scheduled", NOW)

    events = old.supersede("d-2", [clock])

    assert old.superseded_by == "d-2"
    assert events == [
        DeadlineCancelled(deadline_id="c-1", case_id="case-1", kind="decision_review", reason="decision_superseded")
    ]
    with pytest.raises(Conflict, match="already superseded"):
        old.supersede("d-3", [])


# --- the meeting -------------------------------------------------------------------------------------------------


KARI_ATTENDS = Attendee(name="Kari", role="allocation_office", unit=None)


def test_attendance_is_recorded_on_or_after_the_meeting_day() -> None:
    meeting = Meeting("m-1", SELBU, "Tildelingsmøte", date(2026, 3, 17), NOW, NOW, NOW)

    with pytest.raises(Conflict, match="on or after the day of the meeting"):
        meeting.record_attendees([KARI_ATTENDS], by="kari", now=NOW, today=date(2026, 3, 16))
    held = meeting.record_attendees([KARI_ATTENDS], by="kari", now=LATER, today=date(2026, 3, 17))

    assert held.held
    assert not meeting.held
    assert (held.attendees, held.attendees_recorded_by) == ((KARI_ATTENDS,), "kari")


def test_a_meeting_concludes_on_an_open_item_once_with_an_outcome() -> None:
    item = AgendaItem("i-1", "m-1", SELBU, "case-1", "recommendation", False, NOW, AgendaStatus.OPEN, NOW)

    with pytest.raises(Conflict, match="attendees"):
        item.record(MeetingResult.CONCLUDED, Outcome.GRANTED, None, held=False, by="kari", now=LATER)
    with pytest.raises(DomainError, match="outcome"):
        item.record(MeetingResult.CONCLUDED, None, None, held=True, by="kari", now=LATER)
    concluded = item.record(MeetingResult.CONCLUDED, Outcome.GRANTED, "ok", held=True, by="kari", now=LATER)

    assert (concluded.status, concluded.outcome, concluded.recorded_at) == (
        AgendaStatus.CONCLUDED,
        Outcome.GRANTED,
        LATER,
    )
    with pytest.raises(Conflict, match="already recorded"):
        concluded.record(MeetingResult.POSTPONED, None, None, held=True, by="kari", now=LATER)
