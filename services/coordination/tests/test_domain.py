"""Coordination's rules as plain functions and aggregate methods: the criteria, a refusal's reasons, the 18-year
end, the home visit for small children, and the change notices (declining the plan keeps the coordinator)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.coordination import (
    ChangeReason,
    CoordinationDeclined,
    CoordinatorAppointed,
    CoordinatorChanged,
    CoordinatorRole,
    DecisionRequested,
    Declined,
    ProposedResult,
    ReferralKind,
    RequestedRight,
)
from contracts.deadlines import DeadlineCancelled, DeadlineKind, DeadlineScheduled
from contracts.decision import Outcome
from contracts.envelope import EventModel
from servicekit.actor import Actor
from servicekit.calendar import is_working_day
from servicekit.errors import Conflict, DomainError, Forbidden
from servicekit.tenants import CoordinatingUnit, CoordinationSettings, HomeVisitRule, Serves
from services.coordination.domain import (
    Proposal,
    Referral,
    SeenDecision,
    Status,
    check_proposals,
    child_coordinator_ends,
    criteria_met,
    eighteenth_birthday,
    home_visit_due,
    providers_of,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
KE = Actor("kari", "1508", frozenset({"caseworker"}))
UNITS = {"home_care", "ke_habilitation"}
RULE = HomeVisitRule(max_age_months=12, within_days=14)
GRANT = Proposal(ProposedResult.GRANT)
SETTINGS = CoordinationSettings(units=[CoordinatingUnit(code="ke_habilitation", name="KE", serves=Serves.ALL)])


def _referral(kind: ReferralKind = ReferralKind.COORDINATION_REFERRAL, **fields: object) -> Referral:
    values: dict[str, object] = {
        "id": "r-1",
        "municipality": "1508",
        "case_id": "case-1",
        "kind": kind,
        "person_id": "child-1",
        "requested": (RequestedRight.COORDINATOR, RequestedRight.INDIVIDUAL_PLAN),
        "unit": "ke_habilitation",
        "involves_child": True,
        "received_on": date(2026, 11, 20),
        "created_at": NOW,
        "updated_at": NOW,
    }
    values.update(fields)
    return Referral(**values)  # type: ignore[arg-type]


def _decided(referral: Referral, *rights: RequestedRight) -> Referral:
    """The referral assessed, its decisions requested and granted for `rights`."""
    referral.assess(
        KE,
        long_term_need=True,
        different_providers=True,
        providers_seen=(),
        judgement="Langvarig behov; tjenester fra sykehuset og hjemmetjenesten.",
        proposals={r: GRANT for r in rights},
        now=NOW,
    )
    referral.request_decisions(KE, NOW)
    decision = SeenDecision("d-1", referral.case_id, referral.person_id, Outcome.GRANTED, tuple(rights), NOW.date())
    referral.decided(decision, NOW)
    return referral


# --- the criteria --------------------------------------------------------------------------------


def test_a_plan_and_a_coordinator_need_a_long_term_need_and_services_from_different_providers() -> None:
    for right in (RequestedRight.COORDINATOR, RequestedRight.INDIVIDUAL_PLAN):
        assert criteria_met(right, long_term_need=True, different_providers=True)
        assert not criteria_met(right, long_term_need=True, different_providers=False)
        assert not criteria_met(right, long_term_need=False, different_providers=True)


def test_a_child_coordinator_needs_the_long_term_need_the_judgement_weighs() -> None:
    assert criteria_met(RequestedRight.CHILD_COORDINATOR, long_term_need=True, different_providers=False)
    assert not criteria_met(RequestedRight.CHILD_COORDINATOR, long_term_need=False, different_providers=True)


def _seen(
    decision_id: str, *codes: str, outcome: Outcome = Outcome.GRANTED, supersedes: str | None = None
) -> SeenDecision:
    return SeenDecision(decision_id, "c", "p", outcome, codes, date(2026, 1, 1), supersedes)


def test_providers_are_the_different_units_that_deliver_the_granted_services() -> None:
    units = {"home_nursing": "home_care", "practical_assistance": "home_care", "respite": "nursing_home"}

    assert providers_of([_seen("a", "home_nursing", "practical_assistance")], units) == ("home_care",)
    assert providers_of([_seen("a", "home_nursing"), _seen("b", "respite")], units) == ("home_care", "nursing_home")


def test_refused_superseded_decisions_and_the_coordination_rights_count_no_provider() -> None:
    units = {"home_nursing": "home_care", "respite": "nursing_home"}
    decisions = [
        _seen("old", "respite"),
        _seen("new", "home_nursing", supersedes="old"),
        _seen("no", "respite", outcome=Outcome.REFUSED),
        _seen("ke", "coordinator", "individual_plan"),
    ]

    assert providers_of(decisions, units) == ("home_care",)


def test_a_service_without_a_configured_unit_is_its_own_provider() -> None:
    assert providers_of([_seen("a", "home_nursing", "bpa")], {"home_nursing": "home_care"}) == ("bpa", "home_care")


# --- proposals: a refusal needs written reasons ---------------------------------------------------


def _check(proposals: dict[RequestedRight, Proposal], *, long_term_need: bool = True, different: bool = True) -> None:
    check_proposals(
        proposals,
        kind=ReferralKind.COORDINATION_REFERRAL,
        requested=(RequestedRight.COORDINATOR,),
        long_term_need=long_term_need,
        different_providers=different,
    )


@pytest.mark.parametrize("reasons", [None, "", "   "])
def test_a_refusal_without_written_reasons_is_refused_naming_the_field(reasons: str | None) -> None:
    with pytest.raises(DomainError) as raised:
        _check({RequestedRight.COORDINATOR: Proposal(ProposedResult.REFUSE, reasons)}, long_term_need=False)
    assert raised.value.field == "proposals.coordinator.reasons"


def test_a_refusal_with_written_reasons_is_accepted() -> None:
    _check({RequestedRight.COORDINATOR: Proposal(ProposedResult.REFUSE, "Ett tjenestetilbud.")}, different=False)


def test_a_grant_where_the_criteria_are_not_met_is_a_conflict() -> None:
    with pytest.raises(Conflict) as raised:
        _check({RequestedRight.COORDINATOR: GRANT}, different=False)
    assert raised.value.field == "proposals.coordinator"


def test_every_right_asked_for_needs_a_proposal_and_only_rights_the_referral_may_lead_to() -> None:
    with pytest.raises(DomainError) as missing:
        _check({RequestedRight.INDIVIDUAL_PLAN: GRANT})
    assert missing.value.field == "proposals.coordinator"
    with pytest.raises(DomainError) as foreign:
        _check({RequestedRight.COORDINATOR: GRANT, RequestedRight.CHILD_COORDINATOR: GRANT})
    assert foreign.value.field == "proposals.child_coordinator"


# --- the 18-year end -------------------------------------------------------------------------------


def test_the_child_coordinator_ends_on_the_18th_birthday_and_its_clock_falls_on_or_before_it() -> None:
    # 5 November 2044 is a Saturday: the unit must have acted by Friday the 4th.
    assert child_coordinator_ends(date(2026, 11, 5)) == (date(2044, 11, 5), date(2044, 11, 4))
    assert child_coordinator_ends(date(2026, 11, 7)) == (date(2044, 11, 7), date(2044, 11, 7))


def test_a_child_born_on_29_february_turns_18_on_1_march_in_a_common_year() -> None:
    assert eighteenth_birthday(date(2008, 2, 29)) == date(2026, 3, 1)
    assert eighteenth_birthday(date(2012, 2, 29)) == date(2030, 3, 1)
    assert eighteenth_birthday(date(2014, 2, 28)) == date(2032, 2, 28)


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)))
def test_the_end_clock_is_a_working_day_no_later_than_the_18th_birthday(born_on: date) -> None:
    ends_on, due_on = child_coordinator_ends(born_on)
    assert due_on <= ends_on
    assert is_working_day(due_on)
    assert (ends_on - due_on).days < 7


# --- the home visit for newborns and small children -------------------------------------------------


def test_a_newborn_referred_gets_a_home_visit_within_the_configured_days() -> None:
    # Received Friday 20 November; 14 days later is Friday 4 December.
    assert home_visit_due(date(2026, 11, 20), date(2026, 11, 5), RULE) == date(2026, 12, 4)


def test_the_home_visit_falls_on_the_last_working_day_on_or_before_the_period_end() -> None:
    # Received Saturday 21 November; 14 days later is Saturday 5 December, so Friday the 4th.
    assert home_visit_due(date(2026, 11, 21), date(2026, 11, 5), RULE) == date(2026, 12, 4)


def test_a_child_of_a_year_or_more_gets_no_home_visit_and_nor_does_any_child_without_the_rule() -> None:
    assert home_visit_due(date(2026, 11, 20), date(2025, 11, 20), RULE) is None
    assert home_visit_due(date(2026, 11, 20), date(2025, 11, 21), RULE) is not None
    assert home_visit_due(date(2026, 11, 20), date(2026, 11, 5), None) is None


def test_a_child_born_after_an_application_in_pregnancy_is_visited_counting_from_the_birth() -> None:
    assert home_visit_due(date(2026, 11, 2), date(2027, 2, 1), RULE) == date(2027, 2, 15)


def test_recording_a_small_childs_birth_plans_the_home_visit_with_its_clock() -> None:
    referral = _referral()

    events = referral.record_birth(KE, date(2026, 11, 5), RULE, NOW)

    assert referral.home_visit is not None
    assert referral.home_visit.due_on == date(2026, 12, 4)
    [clock] = [e for e in events if isinstance(e, DeadlineScheduled)]
    assert (clock.kind, clock.due_on, clock.responsible) == (
        DeadlineKind.HOME_VISIT,
        date(2026, 12, 4),
        "ke_habilitation",
    )


def test_a_birth_date_in_the_future_or_of_an_adult_is_refused() -> None:
    with pytest.raises(DomainError) as future:
        _referral().record_birth(KE, date(2026, 12, 1), RULE, NOW)
    assert future.value.field == "born_on"
    with pytest.raises(DomainError, match="18 or older"):
        _referral().record_birth(KE, date(2008, 11, 20), RULE, NOW)


# --- asking for the decisions -------------------------------------------------------------------------


def test_a_child_not_yet_born_has_its_decisions_asked_for_the_applying_parent() -> None:
    referral = _referral(
        ReferralKind.CHILD_COORDINATOR_APPLICATION,
        person_id="mother-1",
        requested=(RequestedRight.CHILD_COORDINATOR,),
        expected_birth_on=date(2027, 2, 1),
    )
    referral.assess(
        KE,
        long_term_need=True,
        different_providers=None,
        providers_seen=(),
        judgement="Alvorlig sykdom påvist i svangerskapet.",
        proposals={RequestedRight.CHILD_COORDINATOR: GRANT},
        now=NOW,
    )

    [request] = referral.request_decisions(KE, NOW)

    assert isinstance(request, DecisionRequested)
    assert (request.person_id, request.right, request.requested_by) == (
        "mother-1",
        RequestedRight.CHILD_COORDINATOR,
        "ke_habilitation",
    )
    assert referral.status is Status.DECISION_REQUESTED


def test_the_proposal_of_different_providers_comes_from_the_decisions_seen_unless_set() -> None:
    proposed = _referral()
    proposed.assess(
        KE,
        long_term_need=True,
        different_providers=None,
        providers_seen=("home_care", "nursing_home"),
        judgement="Langvarig behov.",
        proposals={RequestedRight.COORDINATOR: GRANT, RequestedRight.INDIVIDUAL_PLAN: GRANT},
        now=NOW,
    )
    assert proposed.assessment is not None
    assert proposed.assessment.different_providers is True
    with pytest.raises(Conflict):  # one provider seen, nothing set: the criteria are not met for a grant
        _referral().assess(
            KE,
            long_term_need=True,
            different_providers=None,
            providers_seen=("home_care",),
            judgement="Langvarig behov.",
            proposals={RequestedRight.COORDINATOR: GRANT, RequestedRight.INDIVIDUAL_PLAN: GRANT},
            now=NOW,
        )


def test_decisions_cannot_be_requested_before_the_assessment() -> None:
    with pytest.raises(Conflict, match="assess the referral first"):
        _referral().request_decisions(KE, NOW)


def test_a_token_of_another_coordinating_unit_may_not_act() -> None:
    other = Actor("ola", "1508", frozenset({"caseworker"}), unit="home_care")
    with pytest.raises(Forbidden):
        _referral().record_birth(other, date(2026, 11, 5), RULE, NOW)


# --- coordinators ------------------------------------------------------------------------------------


def _appoint(
    referral: Referral,
    role: CoordinatorRole,
    *,
    unit: str = "home_care",
    wishes: str | None = None,
    wishes_met: bool | None = None,
) -> list[EventModel]:
    return referral.appoint(
        KE, role=role, coordinator="anne", unit=unit, wishes=wishes, wishes_met=wishes_met, units=UNITS, now=NOW
    )


def test_a_coordinator_is_appointed_only_once_the_right_is_granted() -> None:
    with pytest.raises(Conflict) as raised:
        _appoint(_referral(), CoordinatorRole.COORDINATOR)
    assert raised.value.field == "role"


def test_a_coordinator_is_appointed_with_the_unit_and_the_wishes_stay_off_the_event() -> None:
    referral = _decided(_referral(), RequestedRight.COORDINATOR, RequestedRight.INDIVIDUAL_PLAN)

    [appointed] = _appoint(
        referral,
        CoordinatorRole.COORDINATOR,
        wishes="Foreldrene ønsker helsesykepleieren de kjenner.",
        wishes_met=True,
    )

    assert isinstance(appointed, CoordinatorAppointed)
    assert (appointed.unit, appointed.wishes_recorded, appointed.wishes_met) == ("home_care", True, True)
    assert "helsesykepleieren" not in appointed.model_dump_json()
    assert referral.current_coordinator is not None
    assert referral.current_coordinator.wishes == "Foreldrene ønsker helsesykepleieren de kjenner."


def test_the_unit_must_be_one_of_the_municipalitys_and_wishes_met_needs_the_wishes() -> None:
    referral = _decided(_referral(), RequestedRight.COORDINATOR, RequestedRight.INDIVIDUAL_PLAN)
    with pytest.raises(DomainError) as unit:
        _appoint(referral, CoordinatorRole.COORDINATOR, unit="nowhere")
    assert unit.value.field == "unit"
    with pytest.raises(DomainError) as wishes:
        _appoint(referral, CoordinatorRole.COORDINATOR, wishes_met=False)
    assert wishes.value.field == "wishes_met"


def _child_coordinator(born_on: date | None) -> Referral:
    referral = _referral(
        ReferralKind.CHILD_COORDINATOR_APPLICATION, requested=(RequestedRight.CHILD_COORDINATOR,), born_on=born_on
    )
    return _decided(referral, RequestedRight.CHILD_COORDINATOR)


def test_a_child_coordinator_of_a_born_child_schedules_the_end_at_18() -> None:
    referral = _child_coordinator(date(2026, 11, 5))

    appointed, clock = _appoint(referral, CoordinatorRole.CHILD_COORDINATOR)

    assert isinstance(appointed, CoordinatorAppointed)
    assert appointed.ends_on == date(2044, 11, 5)
    assert isinstance(clock, DeadlineScheduled)
    assert (clock.kind, clock.due_on) == (DeadlineKind.CHILD_COORDINATOR_ENDS, date(2044, 11, 4))


def test_a_child_coordinator_before_the_birth_gets_its_end_clock_when_the_birth_is_recorded() -> None:
    referral = _child_coordinator(None)
    events = _appoint(referral, CoordinatorRole.CHILD_COORDINATOR)
    assert not any(isinstance(e, DeadlineScheduled) for e in events)

    born = referral.record_birth(KE, date(2026, 11, 7), None, NOW)

    assert [(e.kind, e.due_on) for e in born if isinstance(e, DeadlineScheduled)] == [
        (DeadlineKind.CHILD_COORDINATOR_ENDS, date(2044, 11, 7))
    ]


def test_a_change_of_coordinator_records_its_reason_and_keeps_the_end_clock() -> None:
    referral = _child_coordinator(date(2026, 11, 5))
    _appoint(referral, CoordinatorRole.CHILD_COORDINATOR)
    first = referral.appointments[0]

    [changed] = referral.change_coordinator(
        KE,
        coordinator="berit",
        unit="ke_habilitation",
        reason=ChangeReason.COORDINATOR_LEFT,
        wishes=None,
        wishes_met=None,
        units=UNITS,
        now=NOW,
    )

    assert isinstance(changed, CoordinatorChanged)
    assert (changed.replaces, changed.reason, changed.coordinator) == (first.id, ChangeReason.COORDINATOR_LEFT, "berit")
    assert (first.ended_on, first.end_reason) == (NOW.date(), "coordinator_left")
    current = referral.current_coordinator
    assert current is not None
    assert (current.coordinator, current.deadline_id) == ("berit", first.deadline_id)


def test_declining_the_plan_keeps_the_coordinator() -> None:
    referral = _decided(_referral(), RequestedRight.COORDINATOR, RequestedRight.INDIVIDUAL_PLAN)
    _appoint(referral, CoordinatorRole.COORDINATOR)

    [declined] = referral.decline(KE, Declined.INDIVIDUAL_PLAN, date(2026, 11, 23), NOW)

    assert isinstance(declined, CoordinationDeclined)
    assert (declined.declined, declined.coordinator_kept) == (Declined.INDIVIDUAL_PLAN, True)
    assert referral.plan_declined_on == date(2026, 11, 23)
    assert referral.current_coordinator is not None
    assert referral.current_coordinator.coordinator == "anne"


def test_declining_the_coordinator_ends_the_appointment_and_stops_its_clock_but_keeps_the_plan() -> None:
    referral = _child_coordinator(date(2026, 11, 5))
    _appoint(referral, CoordinatorRole.CHILD_COORDINATOR)

    declined, stopped = referral.decline(KE, Declined.COORDINATOR, date(2026, 11, 23), NOW)

    assert isinstance(declined, CoordinationDeclined)
    assert declined.coordinator_kept is False
    assert isinstance(stopped, DeadlineCancelled)
    assert stopped.kind == DeadlineKind.CHILD_COORDINATOR_ENDS
    assert referral.current_coordinator is None
    assert referral.plan_declined_on is None
    with pytest.raises(Conflict):
        referral.decline(KE, Declined.COORDINATOR, date(2026, 11, 23), NOW)


def test_a_change_notice_dated_in_the_future_is_refused() -> None:
    with pytest.raises(DomainError) as raised:
        _referral().decline(KE, Declined.INDIVIDUAL_PLAN, date(2026, 11, 24), NOW)
    assert raised.value.field == "declined_on"


# --- the municipality's coordinating units -----------------------------------------------------------


def test_children_go_to_the_unit_for_under_18_and_adults_to_the_other() -> None:
    holtalen = CoordinationSettings(
        units=[
            CoordinatingUnit(code="ke_children", name="KE barn", serves=Serves.UNDER_18),
            CoordinatingUnit(code="allocation_office", name="Forvaltning", serves=Serves.ADULTS),
        ]
    )
    assert [holtalen.unit_for(child=c).code for c in (True, False)] == ["ke_children", "allocation_office"]  # type: ignore[union-attr]
    assert SETTINGS.unit_for(child=True) == SETTINGS.unit_for(child=False)


def test_a_municipality_whose_units_leave_adults_unserved_is_refused() -> None:
    with pytest.raises(ValueError, match="no coordinating unit serves adults"):
        CoordinationSettings(units=[CoordinatingUnit(code="ke_children", name="KE barn", serves=Serves.UNDER_18)])


# --- later decisions on the referral's case -------------------------------------------------------


def test_a_reversal_after_appeal_that_supersedes_the_referrals_decision_decides_its_rights_anew() -> None:
    referral = _decided(_referral(), RequestedRight.COORDINATOR, RequestedRight.INDIVIDUAL_PLAN)
    review = SeenDecision(
        "d-2", referral.case_id, referral.person_id, Outcome.PARTLY_GRANTED, ("coordinator",), NOW.date(), "d-1"
    )
    referral.decided(review, NOW)
    assert referral.outcomes[RequestedRight.INDIVIDUAL_PLAN].value == "refused"
    reversal = SeenDecision(
        "d-3",
        referral.case_id,
        referral.person_id,
        Outcome.GRANTED,
        ("coordinator", "individual_plan"),
        NOW.date(),
        supersedes="d-2",
    )

    referral.decided(reversal, NOW)

    assert referral.granted(RequestedRight.INDIVIDUAL_PLAN)
    assert (referral.decision_id, referral.status) == ("d-3", Status.DECIDED)


def test_a_decision_that_supersedes_another_decision_leaves_the_referral_as_it_was() -> None:
    referral = _decided(_referral(), RequestedRight.COORDINATOR, RequestedRight.INDIVIDUAL_PLAN)
    elsewhere = SeenDecision(
        "d-9", referral.case_id, referral.person_id, Outcome.REFUSED, (), NOW.date(), supersedes="d-other"
    )
    unrelated = SeenDecision("d-8", referral.case_id, referral.person_id, Outcome.REFUSED, (), NOW.date())

    referral.decided(elsewhere, NOW)
    referral.decided(unrelated, NOW)

    assert referral.granted(RequestedRight.COORDINATOR)
    assert referral.decision_id == "d-1"
