"""Holtålen's BTI rule and relay log, the coordinator's raised needs and the home visit planned on arrival, as
plain rules and aggregates."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from contracts.coordination import (
    BtiLevelSet,
    BtiReason,
    CoordinatorRole,
    EscalationAnswered,
    EscalationReason,
    EscalationResponse,
    HomeVisitPlanned,
    NeedEscalated,
    ProposedResult,
    ReferralKind,
    RelayEntryAdded,
    RelayHolderChanged,
    RelayHolderRole,
    RelayLogOpened,
    RequestedRight,
)
from contracts.deadlines import DeadlineCancelled, DeadlineKind, DeadlineScheduled
from contracts.envelope import EventModel
from servicekit.actor import Actor
from servicekit.errors import Conflict, DomainError, Forbidden
from servicekit.tenants import CoordinatingUnit, CoordinationSettings, HomeVisitRule, Serves
from services.coordination.domain import (
    Appointment,
    ChildBti,
    Escalation,
    Referral,
    RelayHolder,
    RelayLog,
    bti_guidance,
    bti_implication,
    escalation_due,
    new_holder,
)
from services.coordination.tests.support import (
    HOLTALEN,
    NOW,
    RECEIVED_ON,
    TODAY,
    child_application_event,
    referral_event,
)

KE = Actor("hilde", HOLTALEN, frozenset({"caseworker"}), unit="ke_children")
SCHOOL_UNIT = Actor("lise", HOLTALEN, frozenset({"caseworker"}), unit="school_unit")
OTHER = Actor("ola", HOLTALEN, frozenset({"caseworker"}), unit="home_care")
UNITS = {"ke_children", "home_care", "school_unit", "health_station"}
SETTINGS = CoordinationSettings(
    units=[
        CoordinatingUnit(code="ke_children", name="KE barn", serves=Serves.UNDER_18),
        CoordinatingUnit(code="office", name="Kontoret", serves=Serves.ADULTS),
    ],
    home_visit_for_small_children=HomeVisitRule(max_age_months=12, within_days=14),
)


# --- BTI -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "rights", "relay_log", "specialist"),
    [
        (0, set(), False, False),
        (1, {RequestedRight.COORDINATOR}, True, False),
        (2, {RequestedRight.COORDINATOR}, True, False),
        (3, {RequestedRight.CHILD_COORDINATOR, RequestedRight.INDIVIDUAL_PLAN}, False, True),
    ],
)
def test_each_bti_level_brings_what_holtalen_says(
    level: int, rights: set[RequestedRight], relay_log: bool, specialist: bool
) -> None:
    implied = bti_implication(level)

    assert (set(implied.rights), implied.relay_log, implied.specialist_services) == (rights, relay_log, specialist)


def test_a_level_outside_0_to_3_is_refused_naming_the_level() -> None:
    with pytest.raises(DomainError) as refused:
        bti_implication(4)
    assert refused.value.field == "level"


def test_the_relay_log_starts_at_the_configured_level() -> None:
    assert not bti_implication(1, relay_log_from_level=2).relay_log
    assert bti_implication(2, relay_log_from_level=2).relay_log


def test_level_2_guides_a_referral_to_a_coordinator_with_services_from_different_providers() -> None:
    requested = (RequestedRight.COORDINATOR, RequestedRight.INDIVIDUAL_PLAN)

    guided = bti_guidance(2, ReferralKind.COORDINATION_REFERRAL, requested)

    assert (guided.long_term_need, guided.different_providers) == (True, True)
    assert guided.proposals == {RequestedRight.COORDINATOR: ProposedResult.GRANT}
    assert not guided.application_needed


def test_level_1_guides_to_a_coordinator_without_claiming_different_providers() -> None:
    guided = bti_guidance(1, ReferralKind.COORDINATION_REFERRAL, (RequestedRight.COORDINATOR,))

    assert (guided.long_term_need, guided.different_providers) == (True, False)
    assert guided.proposals == {RequestedRight.COORDINATOR: ProposedResult.GRANT}


def test_level_3_on_a_referral_grants_coordinator_and_plan_and_says_the_family_must_apply() -> None:
    requested = (RequestedRight.COORDINATOR, RequestedRight.INDIVIDUAL_PLAN)

    guided = bti_guidance(3, ReferralKind.COORDINATION_REFERRAL, requested)

    assert guided.proposals == {r: ProposedResult.GRANT for r in requested}
    assert guided.application_needed


def test_level_3_on_the_familys_application_grants_the_child_coordinator() -> None:
    guided = bti_guidance(3, ReferralKind.CHILD_COORDINATOR_APPLICATION, (RequestedRight.CHILD_COORDINATOR,))

    assert guided.proposals == {RequestedRight.CHILD_COORDINATOR: ProposedResult.GRANT}
    assert not guided.application_needed


def test_level_0_proposes_nothing() -> None:
    guided = bti_guidance(0, ReferralKind.COORDINATION_REFERRAL, (RequestedRight.COORDINATOR,))

    assert (guided.long_term_need, dict(guided.proposals)) == (False, {})


def test_the_bti_level_keeps_its_history_and_the_event_carries_codes_only() -> None:
    record = ChildBti.start(HOLTALEN, "child-1", "ke_children", NOW)
    record.set_level(
        KE, level=1, reason=BtiReason.CONCERN_IDENTIFIED, note="Lærer er bekymret.", set_on=date(2026, 11, 2), now=NOW
    )

    [event] = record.set_level(
        KE, level=3, reason=BtiReason.SPECIALIST_SERVICES_INVOLVED, note=None, set_on=TODAY, now=NOW
    )

    assert [(e.level, e.set_by) for e in record.history] == [(1, "hilde"), (3, "hilde")]
    assert isinstance(event, BtiLevelSet)
    assert (event.level, event.previous, event.reason) == (3, 1, BtiReason.SPECIALIST_SERVICES_INVOLVED)
    assert "Lærer" not in event.model_dump_json()


def test_the_same_level_again_and_another_units_token_are_refused() -> None:
    record = ChildBti.start(HOLTALEN, "child-1", "ke_children", NOW)
    record.set_level(KE, level=2, reason=BtiReason.NEEDS_MAPPED, note=None, set_on=TODAY, now=NOW)

    with pytest.raises(Conflict):
        record.set_level(KE, level=2, reason=BtiReason.NEEDS_MAPPED, note=None, set_on=TODAY, now=NOW)
    with pytest.raises(Forbidden):
        record.set_level(OTHER, level=1, reason=BtiReason.NEEDS_REDUCED, note=None, set_on=TODAY, now=NOW)


def test_a_level_cannot_be_set_before_the_one_before_it() -> None:
    record = ChildBti.start(HOLTALEN, "child-1", "ke_children", NOW)
    record.set_level(KE, level=2, reason=BtiReason.NEEDS_MAPPED, note=None, set_on=TODAY, now=NOW)

    with pytest.raises(DomainError) as refused:
        record.set_level(KE, level=1, reason=BtiReason.NEEDS_REDUCED, note=None, set_on=date(2026, 1, 1), now=NOW)
    assert refused.value.field == "set_on"


# --- the relay log ---------------------------------------------------------------------------------------------


def _teacher(name: str = "Lise Lærer", unit: str | None = "school_unit", on: date = TODAY) -> RelayHolder:
    return new_holder(name=name, role=RelayHolderRole.TEACHER, unit=unit, user=None, from_on=on)


def _log(level: int | None = 1, holder: RelayHolder | None = None) -> tuple[RelayLog, list[EventModel]]:
    return RelayLog.open(
        HOLTALEN,
        KE,
        person_id="child-1",
        unit="ke_children",
        bti_level=level,
        from_level=1,
        holder=holder or _teacher(),
        units=UNITS,
        now=NOW,
    )


def test_a_relay_log_opens_with_its_holder_and_the_event_names_no_one() -> None:
    log, [event] = _log()

    assert isinstance(event, RelayLogOpened)
    assert (event.holder_role, event.holder_unit, event.person_id) == (
        RelayHolderRole.TEACHER,
        "school_unit",
        "child-1",
    )
    assert "Lise" not in event.model_dump_json()
    assert log.holder.name == "Lise Lærer"


@pytest.mark.parametrize("level", [None, 0, 3])
def test_a_relay_log_needs_a_level_that_keeps_one(level: int | None) -> None:
    with pytest.raises(Conflict) as refused:
        _log(level)
    assert refused.value.field == "level"


def test_a_kindergarten_teacher_outside_the_units_may_hold_it_but_a_nurse_names_a_unit() -> None:
    outside = new_holder(name="Bente", role=RelayHolderRole.KINDERGARTEN_TEACHER, unit=None, user=None, from_on=TODAY)
    log, _ = _log(holder=outside)
    assert log.holder.unit is None

    nurse = new_holder(name="Nina", role=RelayHolderRole.PUBLIC_HEALTH_NURSE, unit=None, user=None, from_on=TODAY)
    with pytest.raises(DomainError) as refused:
        _log(holder=nurse)
    assert refused.value.field == "unit"


def test_a_change_of_holder_is_recorded_and_the_one_before_keeps_its_end() -> None:
    log, _ = _log(holder=_teacher(on=date(2026, 10, 1)))
    nurse = new_holder(
        name="Nina", role=RelayHolderRole.PUBLIC_HEALTH_NURSE, unit="health_station", user=None, from_on=TODAY
    )

    [event] = log.change_holder(KE, nurse, UNITS, NOW)

    assert isinstance(event, RelayHolderChanged)
    assert (event.replaces, event.holder_id, event.holder_unit) == (log.holders[0].id, nurse.id, "health_station")
    assert [(h.name, h.until_on) for h in log.holders] == [("Lise Lærer", TODAY), ("Nina", None)]


def test_only_the_coordinating_unit_and_the_holders_unit_read_and_write_the_log() -> None:
    log, _ = _log()

    assert log.may_read(KE)
    assert log.may_read(SCHOOL_UNIT)
    assert not log.may_read(OTHER)
    [event] = log.add_entry(SCHOOL_UNIT, entry_on=TODAY, text="Samtale med foreldre.", now=NOW)
    assert isinstance(event, RelayEntryAdded)
    assert (event.entries, "Samtale" in event.model_dump_json()) == (1, False)
    with pytest.raises(Forbidden):
        log.add_entry(OTHER, entry_on=TODAY, text="Nei.", now=NOW)


# --- the coordinator raises a need -----------------------------------------------------------------------------


def test_the_response_is_due_on_the_last_working_day_within_the_period() -> None:
    # Monday 23 November + 14 days = Monday 7 December, a working day.
    assert escalation_due(date(2026, 11, 23), 14) == date(2026, 12, 7)
    # Thursday 10 December + 10 days = Sunday 20 December: back to Friday 18 December.
    assert escalation_due(date(2026, 12, 10), 10) == date(2026, 12, 18)
    # Saturday + 1 day is a Sunday; the last working day before is before the day raised: the next working day.
    assert escalation_due(date(2026, 11, 28), 1) == date(2026, 11, 30)


def _with_coordinator() -> Referral:
    referral, _ = Referral.open_referral(HOLTALEN, referral_event(HOLTALEN, involves_child=True).data, SETTINGS, NOW)
    referral.appointments.append(
        Appointment("a-1", CoordinatorRole.COORDINATOR, "siri", "home_care", None, None, RECEIVED_ON, "hilde")
    )
    return referral


def test_the_coordinator_raises_a_need_with_a_deadline_for_the_unit_that_the_response_stops() -> None:
    referral = _with_coordinator()
    coordinator = Actor("siri", HOLTALEN, frozenset({"caseworker"}), unit="home_care")

    escalation, [raised, clock] = Escalation.raise_need(
        referral, coordinator, reason=EscalationReason.COMPLEX_NEEDS, text="Store behov.", within_days=14, now=NOW
    )

    assert isinstance(raised, NeedEscalated)
    assert isinstance(clock, DeadlineScheduled)
    assert (raised.unit, raised.due_on, clock.kind, clock.responsible) == (
        "ke_children",
        date(2026, 12, 7),
        DeadlineKind.ESCALATION_RESPONSE,
        "ke_children",
    )
    assert "Store" not in raised.model_dump_json()
    with pytest.raises(Forbidden):
        escalation.answer(
            coordinator, response=EscalationResponse.MEETING_CALLED, text="Møte.", answered_on=TODAY, now=NOW
        )
    answered, stopped = escalation.answer(
        KE, response=EscalationResponse.MEETING_CALLED, text="Vi kaller inn.", answered_on=TODAY, now=NOW
    )
    assert isinstance(answered, EscalationAnswered)
    assert isinstance(stopped, DeadlineCancelled)
    assert (stopped.deadline_id, stopped.kind) == (clock.deadline_id, DeadlineKind.ESCALATION_RESPONSE)
    with pytest.raises(Conflict):
        escalation.answer(KE, response=EscalationResponse.NO_ACTION, text="Igjen.", answered_on=TODAY, now=NOW)


def test_no_need_is_raised_without_a_coordinator_nor_by_another_unit() -> None:
    referral, _ = Referral.open_referral(HOLTALEN, referral_event(HOLTALEN).data, SETTINGS, NOW)
    with pytest.raises(Conflict):
        Escalation.raise_need(referral, KE, reason=EscalationReason.OTHER, text="x", within_days=14, now=NOW)

    stranger = Actor("per", HOLTALEN, frozenset({"caseworker"}), unit="school_unit")
    with pytest.raises(Forbidden):
        Escalation.raise_need(
            _with_coordinator(), stranger, reason=EscalationReason.OTHER, text="x", within_days=14, now=NOW
        )


# --- the home visit planned when the referral arrives ----------------------------------------------------------


def test_a_referral_with_a_small_childs_birth_date_plans_the_home_visit_on_arrival() -> None:
    data = referral_event(HOLTALEN, involves_child=True, person_birth_on=date(2026, 10, 1)).data

    referral, events = Referral.open_referral(HOLTALEN, data, SETTINGS, NOW)

    assert referral.born_on == date(2026, 10, 1)
    planned = [e for e in events if isinstance(e, HomeVisitPlanned)]
    clocks = [e for e in events if isinstance(e, DeadlineScheduled)]
    assert [p.due_on for p in planned] == [date(2026, 12, 4)]  # 20 November + 14 days = Friday 4 December
    assert [c.kind for c in clocks] == [DeadlineKind.HOME_VISIT]


def test_an_older_child_or_a_referral_without_a_birth_date_plans_no_visit() -> None:
    older = referral_event(HOLTALEN, involves_child=True, person_birth_on=date(2020, 1, 1)).data
    referral, events = Referral.open_referral(HOLTALEN, older, SETTINGS, NOW)
    assert referral.born_on == date(2020, 1, 1)
    assert not [e for e in events if isinstance(e, HomeVisitPlanned)]

    _, events = Referral.open_referral(HOLTALEN, referral_event(HOLTALEN, involves_child=True).data, SETTINGS, NOW)
    assert not [e for e in events if isinstance(e, HomeVisitPlanned)]


def test_a_born_childs_application_plans_the_visit_on_arrival() -> None:
    data = child_application_event(
        HOLTALEN, child_person_id="child-1", expected_birth_on=None, child_birth_on=date(2026, 11, 1)
    ).data

    referral, events = Referral.open_child_application(HOLTALEN, data, SETTINGS, NOW)

    assert referral.born_on == date(2026, 11, 1)
    assert [type(e) for e in events if not isinstance(e, type(events[0]))] == [HomeVisitPlanned, DeadlineScheduled]


def test_a_birth_date_that_cannot_be_the_childs_is_left_for_the_caseworker() -> None:
    later = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    data = referral_event(HOLTALEN, involves_child=True, person_birth_on=date(2026, 11, 30)).data

    referral, events = Referral.open_referral(HOLTALEN, data, SETTINGS, later)

    assert (referral.born_on, len(events)) == (None, 1)
