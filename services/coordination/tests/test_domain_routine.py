"""The coordinating unit's routine as plain rules and aggregate methods: Selbu's choice before the coordinator, the
individual plan's versions and participants, meetings and their minutes deadline, the six-month training date and
the annual report's counts."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.coordination import (
    ArrangementChosen,
    ArrangementForm,
    ChangeReason,
    CoordinatorRole,
    MeetingHeld,
    MeetingKind,
    MinutesRecorded,
    PlanChange,
    PlanCreated,
    PlanRevised,
    RequestedRight,
    TrainingCompleted,
    TrainingKind,
    TrainingNeedRegistered,
)
from contracts.deadlines import DeadlineCancelled, DeadlineKind, DeadlineScheduled
from servicekit.actor import Actor
from servicekit.calendar import add_months, is_working_day
from servicekit.errors import Conflict, DomainError, Forbidden
from services.coordination.domain import (
    Meeting,
    Plan,
    Referral,
    TrainingNeed,
    annual_report_due,
    minutes_due,
    report_year_of,
    training_due,
    unit_report,
)
from services.coordination.tests.test_domain import KE, NOW, UNITS, _decided, _referral

PLAN_UNITS = UNITS | {"occupational_therapy"}


def _granted(*rights: RequestedRight) -> Referral:
    return _decided(_referral(requested=rights), *rights)


def _appointed(referral: Referral, coordinator: str = "anne", unit: str = "home_care") -> Referral:
    referral.appoint(
        KE,
        role=CoordinatorRole.COORDINATOR,
        coordinator=coordinator,
        unit=unit,
        wishes=None,
        wishes_met=None,
        units=UNITS,
        now=NOW,
    )
    return referral


def _choose(referral: Referral, **overrides: object) -> list[object]:
    values: dict[str, object] = {
        "form": ArrangementForm.RESPONSIBILITY_GROUP,
        "linked_units": ("home_care", "home_care"),
        "consent_on": date(2026, 11, 20),
        "units": UNITS,
        "now": NOW,
    }
    values.update(overrides)
    return list(referral.choose_arrangement(KE, **values))  # type: ignore[arg-type]


# --- Selbu's choice ------------------------------------------------------------------------------


def test_the_arrangement_is_chosen_after_the_assessment_with_consent_and_carries_codes_only() -> None:
    referral = _granted(RequestedRight.COORDINATOR)

    [event] = _choose(referral)

    assert isinstance(event, ArrangementChosen)
    assert (event.form, event.linked_units, event.consent_on) == (
        ArrangementForm.RESPONSIBILITY_GROUP,
        ["home_care"],
        date(2026, 11, 20),
    )
    assert referral.arrangement is not None
    assert referral.arrangement.linked_units == ("home_care",)


def test_the_arrangement_waits_for_the_assessment_and_needs_consent_and_known_units() -> None:
    with pytest.raises(Conflict) as before:
        _choose(_referral())
    assert before.value.field == "status"

    referral = _granted(RequestedRight.COORDINATOR)
    with pytest.raises(DomainError) as no_consent:
        _choose(referral, consent_on=None)
    assert no_consent.value.field == "consent_on"
    with pytest.raises(DomainError) as early:
        _choose(referral, consent_on=date(2026, 11, 1))
    assert early.value.field == "consent_on"
    with pytest.raises(DomainError) as unknown:
        _choose(referral, linked_units=("school",))
    assert unknown.value.field == "linked_units"
    assert referral.arrangement is None


def test_where_configured_the_coordinator_is_chosen_only_after_the_arrangement() -> None:
    referral = _granted(RequestedRight.COORDINATOR)
    appoint = {
        "role": CoordinatorRole.COORDINATOR,
        "coordinator": "anne",
        "unit": "home_care",
        "wishes": None,
        "wishes_met": None,
        "units": UNITS,
        "now": NOW,
    }

    with pytest.raises(Conflict) as refused:
        referral.appoint(KE, arrangement_first=True, **appoint)  # type: ignore[arg-type]
    assert refused.value.field == "arrangement"

    _choose(referral)
    referral.appoint(KE, arrangement_first=True, **appoint)  # type: ignore[arg-type]
    assert referral.current_coordinator is not None


def test_the_arrangement_cannot_change_once_the_coordinator_is_appointed() -> None:
    referral = _appointed(_granted(RequestedRight.COORDINATOR))

    with pytest.raises(Conflict):
        _choose(referral)


# --- the individual plan -------------------------------------------------------------------------


def _plan() -> tuple[Referral, Plan]:
    referral = _granted(RequestedRight.COORDINATOR, RequestedRight.INDIVIDUAL_PLAN)
    plan, _ = Plan.create(referral, KE, NOW)
    return referral, plan


def test_a_plan_is_made_only_for_a_granted_plan_right_that_was_not_declined() -> None:
    with pytest.raises(Conflict):
        Plan.create(_granted(RequestedRight.COORDINATOR), KE, NOW)

    referral = _granted(RequestedRight.COORDINATOR, RequestedRight.INDIVIDUAL_PLAN)
    referral.plan_declined_on = date(2026, 11, 21)
    with pytest.raises(Conflict) as declined:
        Plan.create(referral, KE, NOW)
    assert declined.value.field == "declined"

    plan, [created] = Plan.create(_granted(RequestedRight.INDIVIDUAL_PLAN), KE, NOW)
    assert isinstance(created, PlanCreated)
    assert (created.plan_id, created.version, plan.version) == (plan.id, 1, 1)


def test_every_change_makes_a_new_version_and_keeps_the_old_ones() -> None:
    _, plan = _plan()
    [revised] = plan.add_goal(KE, "Gå på skolen sammen med venner.", NOW)
    plan.add_measure(
        KE,
        description="Tilrettelagt skoleskyss",
        responsible_unit="home_care",
        due_on=date(2027, 1, 15),
        goal_id=plan.goals[0].id,
        units=PLAN_UNITS,
        now=NOW,
    )
    plan.add_note(KE, "Skyss avklart med skolen.", plan.measures[0].id, NOW)
    plan.complete_measure(KE, plan.measures[0].id, date(2026, 11, 23), NOW)
    [reviewed] = plan.review(
        KE, reviewed_on=date(2026, 11, 23), summary="Planen følges.", next_review_on=date(2027, 5, 1), now=NOW
    )

    assert isinstance(revised, PlanRevised)
    assert (revised.version, revised.change, revised.goals) == (2, PlanChange.GOAL_ADDED, 1)
    assert isinstance(reviewed, PlanRevised)
    assert (reviewed.version, reviewed.measures, reviewed.notes, reviewed.reviews) == (6, 1, 1, 1)
    assert [v.version for v in plan.new_versions] == [1, 2, 3, 4, 5, 6]
    assert plan.new_versions[0].content["goals"] == []
    assert plan.new_versions[1].content["goals"][0]["text"] == "Gå på skolen sammen med venner."  # type: ignore[index]
    assert plan.measures[0].completed_on == date(2026, 11, 23)
    assert "skolen" not in revised.model_dump_json() + reviewed.model_dump_json()


def test_a_measure_needs_a_known_responsible_unit_a_due_date_ahead_and_an_existing_goal() -> None:
    _, plan = _plan()
    measure = {"description": "Ergoterapi", "due_on": None, "goal_id": None, "units": PLAN_UNITS, "now": NOW}

    for bad, field in (
        ({"responsible_unit": "school"}, "responsible_unit"),
        ({"responsible_unit": "home_care", "due_on": date(2026, 11, 1)}, "due_on"),
        ({"responsible_unit": "home_care", "goal_id": "no-such-goal"}, "goal_id"),
    ):
        with pytest.raises(DomainError) as refused:
            plan.add_measure(KE, **{**measure, **bad})  # type: ignore[arg-type]
        assert refused.value.field == field
    assert (plan.version, plan.measures) == (1, [])


def test_a_review_needs_its_next_review_after_it_and_a_declined_plan_changes_no_more() -> None:
    _, plan = _plan()
    with pytest.raises(DomainError) as refused:
        plan.review(KE, reviewed_on=date(2026, 11, 23), summary="Ok.", next_review_on=date(2026, 11, 23), now=NOW)
    assert refused.value.field == "next_review_on"

    plan.declined(date(2026, 11, 23), NOW)
    with pytest.raises(Conflict):
        plan.add_goal(KE, "Et mål.", NOW)


def test_only_the_plans_participants_may_read_it() -> None:
    referral = _granted(RequestedRight.COORDINATOR, RequestedRight.INDIVIDUAL_PLAN)
    _choose(referral, linked_units=("occupational_therapy",), units=PLAN_UNITS)
    _appointed(referral, "anne", "home_care")
    participants = referral.plan_participants()

    def actor(subject: str, unit: str | None, *roles: str) -> Actor:
        return Actor(subject, "1508", frozenset(roles or ("caseworker",)), unit=unit)

    assert participants.may_read(actor("kari", "ke_habilitation"))
    assert participants.may_read(actor("ola", "occupational_therapy"))
    assert participants.may_read(actor("per", "home_care"))
    assert participants.may_read(actor("anne", "school"))
    assert participants.may_read(actor("kari", None))
    assert not participants.may_read(actor("eva", "nursing_home"))
    assert not participants.may_write(actor("lise", "home_care", "leader"))

    referral.change_coordinator(
        KE,
        coordinator="berit",
        unit="ke_habilitation",
        reason=ChangeReason.COORDINATOR_LEFT,
        wishes=None,
        wishes_met=None,
        units=UNITS,
        now=NOW,
    )
    after = referral.plan_participants()
    assert not after.may_read(actor("anne", "school"))
    assert not after.may_read(actor("per", "home_care"))
    assert after.may_read(actor("berit", "school"))


# --- meetings ------------------------------------------------------------------------------------


def test_coordination_and_responsibility_group_meetings_need_a_coordinator_and_a_hospital_call_names_its_caller() -> (
    None
):
    referral = _granted(RequestedRight.COORDINATOR)
    base = {"planned_on": date(2026, 11, 30), "called_by": None, "invited": (), "now": NOW}
    for kind in (MeetingKind.COORDINATION, MeetingKind.RESPONSIBILITY_GROUP):
        with pytest.raises(Conflict):
            Meeting.call(referral, KE, kind=kind, **base)  # type: ignore[arg-type]
    with pytest.raises(DomainError) as hospital:
        Meeting.call(referral, KE, kind=MeetingKind.DISCHARGE_COLLABORATION, **base)  # type: ignore[arg-type]
    assert hospital.value.field == "called_by"

    meeting, _ = Meeting.call(
        referral,
        KE,
        kind=MeetingKind.COLLABORATION,
        **{**base, "invited": ("gp", "person")},  # type: ignore[arg-type]
    )
    assert (meeting.coordinator, meeting.members) == (None, ("person", "gp"))


def test_a_held_meeting_owes_its_minutes_and_recording_them_stops_that_clock() -> None:
    referral = _appointed(_granted(RequestedRight.COORDINATOR))
    meeting, _ = Meeting.call(
        referral,
        KE,
        kind=MeetingKind.COORDINATION,
        planned_on=date(2026, 11, 23),
        called_by=None,
        invited=("home_care",),
        now=NOW,
    )
    assert meeting.members == ("coordinator", "person", "home_care")

    with pytest.raises(DomainError) as stranger:
        meeting.held(KE, held_on=date(2026, 11, 23), participants=("school",), within_days=7, now=NOW)
    assert stranger.value.field == "participants"

    held, clock = meeting.held(
        KE, held_on=date(2026, 11, 23), participants=("coordinator", "person"), within_days=7, now=NOW
    )
    assert isinstance(held, MeetingHeld)
    assert (held.coordinator, held.participants) == ("anne", 2)
    assert isinstance(clock, DeadlineScheduled)
    assert (clock.kind, clock.due_on, clock.responsible) == (
        DeadlineKind.MEETING_MINUTES,
        date(2026, 11, 30),
        "ke_habilitation",
    )

    recorded, stopped = meeting.record_minutes(
        KE, minutes="Avklart ansvar for skoleskyss.", follow_ups=[("Søke skyss", "home_care", None)], now=NOW
    )
    assert isinstance(recorded, MinutesRecorded)
    assert recorded.follow_ups == 1
    assert isinstance(stopped, DeadlineCancelled)
    assert (stopped.deadline_id, stopped.kind) == (clock.deadline_id, DeadlineKind.MEETING_MINUTES)
    assert "skoleskyss" not in recorded.model_dump_json()
    with pytest.raises(Conflict):
        meeting.record_minutes(KE, minutes="Igjen.", follow_ups=[], now=NOW)


def test_the_coordinator_of_another_unit_records_the_minutes_but_another_units_caseworker_may_not() -> None:
    referral = _appointed(_granted(RequestedRight.COORDINATOR), "anne", "home_care")
    meeting, _ = Meeting.call(
        referral,
        KE,
        kind=MeetingKind.COORDINATION,
        planned_on=date(2026, 11, 23),
        called_by=None,
        invited=(),
        now=NOW,
    )
    coordinator = Actor("anne", "1508", frozenset({"caseworker"}), unit="home_care")
    colleague = Actor("per", "1508", frozenset({"caseworker"}), unit="home_care")

    with pytest.raises(Forbidden):
        meeting.held(colleague, held_on=date(2026, 11, 23), participants=("person",), within_days=7, now=NOW)
    meeting.held(coordinator, held_on=date(2026, 11, 23), participants=("person",), within_days=7, now=NOW)
    meeting.record_minutes(coordinator, minutes="Referat.", follow_ups=[], now=NOW)
    assert meeting.minutes_recorded_on == date(2026, 11, 23)


def test_minutes_before_the_meeting_was_held_are_a_conflict() -> None:
    referral = _granted(RequestedRight.COORDINATOR)
    meeting, _ = Meeting.call(
        referral,
        KE,
        kind=MeetingKind.COLLABORATION,
        planned_on=date(2026, 11, 30),
        called_by=None,
        invited=(),
        now=NOW,
    )
    with pytest.raises(Conflict) as early:
        meeting.record_minutes(KE, minutes="Referat.", follow_ups=[], now=NOW)
    assert early.value.field == "held_on"


def test_the_minutes_are_due_on_the_last_working_day_on_or_before_the_period_end() -> None:
    # 18 December + 7 days is Christmas Day: the minutes are owed by 24 December, a working day.
    assert minutes_due(date(2026, 12, 18), 7) == date(2026, 12, 24)
    assert minutes_due(date(2026, 11, 23), 7) == date(2026, 11, 30)


# --- training ------------------------------------------------------------------------------------


def test_training_is_offered_within_six_months_on_or_before_the_last_day() -> None:
    assert training_due(date(2026, 11, 20)) == date(2027, 5, 20)
    # 13 June 2027 is a Sunday: the duty falls on Friday 11 June.
    assert training_due(date(2026, 12, 13)) == date(2027, 6, 11)
    # 31 August + 6 months is 28 February 2027, a Sunday: Friday 26 February.
    assert training_due(date(2026, 8, 31)) == date(2027, 2, 26)


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 12, 31)))
def test_the_training_date_is_a_working_day_no_later_than_six_months_on(day: date) -> None:
    due = training_due(day)
    period_end = add_months(day, 6)
    assert is_working_day(due)
    # Easter (Maundy Thursday to Easter Monday) is the longest run of days off: at most five days back.
    assert 0 <= (period_end - due).days <= 5


def test_a_training_need_schedules_its_clock_and_completion_cancels_it() -> None:
    need, [registered, clock] = TrainingNeed.register(
        "1508",
        KE,
        coordinator="anne",
        unit="home_care",
        coordinating_unit="ke_habilitation",
        kind=TrainingKind.INITIAL,
        needs="Ny som koordinator; trenger innføring i individuell plan.",
        requested_on=date(2026, 11, 20),
        units=UNITS,
        within_months=6,
        now=NOW,
    )
    assert isinstance(registered, TrainingNeedRegistered)
    assert registered.due_on == date(2027, 5, 20)
    assert "innføring" not in registered.model_dump_json()
    assert isinstance(clock, DeadlineScheduled)
    assert (clock.kind, clock.due_on, clock.responsible) == (
        DeadlineKind.COORDINATOR_TRAINING,
        date(2027, 5, 20),
        "ke_habilitation",
    )

    with pytest.raises(DomainError):
        need.complete(KE, date(2026, 11, 1), NOW)
    done, stopped = need.complete(KE, date(2026, 11, 23), NOW)
    assert isinstance(done, TrainingCompleted)
    assert isinstance(stopped, DeadlineCancelled)
    assert stopped.deadline_id == clock.deadline_id
    with pytest.raises(Conflict):
        need.complete(KE, date(2026, 11, 23), NOW)


# --- the annual report ---------------------------------------------------------------------------


def test_the_annual_report_is_due_by_15_november_on_or_before_and_later_referrals_start_next_years() -> None:
    assert annual_report_due(2026) == date(2026, 11, 13)  # 15 November 2026 is a Sunday
    assert annual_report_due(2027) == date(2027, 11, 15)
    assert report_year_of(date(2026, 3, 1)) == 2026
    assert report_year_of(date(2026, 11, 13)) == 2026
    assert report_year_of(date(2026, 11, 20)) == 2027


def test_the_report_counts_coordinators_plans_and_meetings_of_the_year_exactly() -> None:
    report = unit_report(
        "ke_habilitation",
        2026,
        appointments=[
            ("anne", date(2025, 5, 1), None),
            ("anne", date(2026, 3, 1), date(2026, 6, 1)),
            ("berit", date(2026, 6, 1), None),
            ("carl", date(2024, 1, 1), date(2025, 12, 31)),
            ("dag", date(2027, 1, 4), None),
        ],
        plans=[(date(2025, 2, 1), None), (date(2026, 2, 1), date(2026, 4, 1)), (date(2024, 1, 1), date(2025, 6, 1))],
        meetings=[
            (MeetingKind.COLLABORATION, date(2026, 1, 5), None),
            (MeetingKind.COORDINATION, date(2026, 2, 5), "anne"),
            (MeetingKind.COORDINATION, date(2026, 3, 5), "anne"),
            (MeetingKind.RESPONSIBILITY_GROUP, date(2026, 4, 5), "berit"),
            (MeetingKind.COORDINATION, date(2025, 12, 30), "anne"),
        ],
    )

    assert (report.coordinators_active, report.coordinators_appointed) == (2, 2)
    assert (report.individual_plans_active, report.individual_plans_created) == (2, 1)
    assert report.meetings_held == 4
    assert report.meetings_by_kind[MeetingKind.COORDINATION] == 2
    assert report.meetings_by_kind[MeetingKind.DISCHARGE_COLLABORATION] == 0
    assert report.meetings_per_coordinator == {"anne": 2, "berit": 1}
