"""Assessment rules without I/O: the state machine, who may act, and the checks on every input."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from contracts.assessment import AssigneeKind, InformationSource, ProposedOutcome
from servicekit.actor import Actor
from servicekit.calendar import is_working_day
from servicekit.errors import Conflict, DomainError, Forbidden
from servicekit.settings import REPO_ROOT
from servicekit.tenants import Tenant, Tenants
from services.assessment.domain import (
    CHILD_BEST_INTERESTS_MISSING,
    Action,
    Assignment,
    CriteriaEvaluation,
    FunctionalVariables,
    RequestStatus,
    ServiceLine,
    Status,
    authorize,
    build_recommendation,
    check_assignment,
    check_completion,
    check_handover,
    check_information_received,
    check_information_request,
    check_scores,
    check_visit_record,
    consent_shares_with,
    evaluate_criteria,
    is_overdue,
    next_status,
    requests_to_cancel,
)
from services.assessment.iplos import load_variables

TODAY = date(2026, 11, 23)  # a Monday
MENTAL_HEALTH = "mental_health_substance_abuse"


@pytest.fixture(scope="module")
def tenants() -> Tenants:
    return Tenants.load(REPO_ROOT / "deploy" / "tenants")


@pytest.fixture(scope="module")
def tolga(tenants: Tenants) -> Tenant:
    return tenants.get("3426")


@pytest.fixture(scope="module")
def holtalen(tenants: Tenants) -> Tenant:
    return tenants.get("5026")


@pytest.fixture(scope="module")
def variables() -> FunctionalVariables:
    return load_variables()


# --- the state machine ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "action", "expected"),
    [
        (Status.OPEN, Action.ASSIGN, Status.IN_PROGRESS),
        (Status.OPEN, Action.SCORE, Status.IN_PROGRESS),
        (Status.IN_PROGRESS, Action.VISIT, Status.IN_PROGRESS),
        (Status.OPEN, Action.COMPLETE, Status.COMPLETED),
        (Status.IN_PROGRESS, Action.COMPLETE, Status.COMPLETED),
        (Status.OPEN, Action.HAND_OVER, Status.HANDED_OVER),
        (Status.IN_PROGRESS, Action.HAND_OVER, Status.HANDED_OVER),
        (Status.HANDED_OVER, Action.RECOMMEND, Status.HANDED_OVER),
        (Status.HANDED_OVER, Action.COMPLETE, Status.COMPLETED),
        (Status.OPEN, Action.READ, Status.OPEN),
        (Status.COMPLETED, Action.READ, Status.COMPLETED),
    ],
)
def test_status_moves_from_open_through_work_to_completed_or_handed_over(
    current: Status, action: Action, expected: Status
) -> None:
    assert next_status(current, action) is expected


@pytest.mark.parametrize("action", [a for a in Action if a is not Action.READ])
def test_nothing_changes_after_completion(action: Action) -> None:
    with pytest.raises(Conflict, match="completed") as caught:
        next_status(Status.COMPLETED, action)

    assert caught.value.status == 409


def test_a_case_is_handed_over_only_once() -> None:
    with pytest.raises(Conflict, match="already handed over"):
        next_status(Status.HANDED_OVER, Action.HAND_OVER)


# --- who may act ---------------------------------------------------------------------------------

OFFICE = Actor(subject="kari", municipality="3426", roles=frozenset({"caseworker"}))
MH_UNIT = Actor(subject="kari", municipality="3426", roles=frozenset({"unit"}), unit=MENTAL_HEALTH)
ASSIGNED_TO_MH = Assignment(kind=AssigneeKind.UNIT, assignee=MENTAL_HEALTH, writes_own_assessment=True)
NOT_ASSIGNED = Assignment(kind=None, assignee=None, writes_own_assessment=False)


def act(caller: Actor, action: Action, assignment: Assignment = ASSIGNED_TO_MH, partners: tuple[str, ...] = ()) -> str:
    actor = authorize(
        caller, home="3426", route="allocation_office", assignment=assignment, partners=partners, action=action
    )
    return actor.label


@pytest.mark.parametrize("action", list(Action))
def test_office_caseworkers_may_always_act_as_the_office(action: Action) -> None:
    assert act(OFFICE, action) == "allocation_office"
    assert act(OFFICE, action, NOT_ASSIGNED) == "allocation_office"


@pytest.mark.parametrize("action", [Action.READ, Action.VISIT, Action.SCORE, Action.RECOMMEND, Action.COMPLETE])
def test_the_unit_that_writes_its_own_assessment_acts_as_itself(action: Action) -> None:
    assert act(MH_UNIT, action) == MENTAL_HEALTH


@pytest.mark.parametrize(
    "action",
    [
        Action.ASSIGN,
        Action.REQUEST_INFORMATION,
        Action.EVALUATE_CRITERIA,
        Action.ASSESS_CHILD_BEST_INTERESTS,
        Action.HAND_OVER,
    ],
)
def test_office_actions_are_refused_to_a_unit(action: Action) -> None:
    with pytest.raises(Forbidden, match="office"):
        act(MH_UNIT, action)


def test_another_unit_may_not_work_on_the_units_assessment() -> None:
    home_care = Actor(subject="kari", municipality="3426", roles=frozenset({"unit"}), unit="home_care")

    with pytest.raises(Forbidden, match="not assigned to unit home_care"):
        act(home_care, Action.SCORE)


def test_a_unit_that_does_not_write_its_own_assessments_may_read_but_not_record() -> None:
    home_care = Actor(subject="kari", municipality="3426", roles=frozenset({"unit"}), unit="home_care")
    assigned = Assignment(kind=AssigneeKind.UNIT, assignee="home_care", writes_own_assessment=False)

    assert act(home_care, Action.READ, assigned) == "home_care"
    with pytest.raises(Forbidden, match="does not write its own"):
        act(home_care, Action.VISIT, assigned)


def test_a_unit_token_without_its_unit_claim_is_refused() -> None:
    with pytest.raises(Forbidden, match="claim 'unit'"):
        act(Actor(subject="kari", municipality="3426", roles=frozenset({"unit"})), Action.READ)


def test_a_same_named_unit_of_another_municipality_is_refused() -> None:
    stranger = Actor(subject="kari", municipality="5025", roles=frozenset({"unit"}), unit=MENTAL_HEALTH)

    with pytest.raises(Forbidden):
        act(stranger, Action.SCORE, partners=("5025",))


def test_the_partner_office_works_on_a_handed_over_case_but_does_not_hand_it_on() -> None:
    partner = Actor(subject="kari", municipality="5025", roles=frozenset({"caseworker"}))

    assert act(partner, Action.COMPLETE, partners=("5025",)) == "partner_office:5025"
    with pytest.raises(Forbidden, match="home municipality"):
        act(partner, Action.HAND_OVER, partners=("5025",))


def test_leaders_read_but_do_not_write_and_other_roles_do_neither() -> None:
    leader = Actor(subject="kari", municipality="3426", roles=frozenset({"leader"}))
    integrator = Actor(subject="kari", municipality="3426", roles=frozenset({"integrator"}))

    assert act(leader, Action.READ) == "allocation_office"
    with pytest.raises(Forbidden):
        act(leader, Action.RECOMMEND)
    with pytest.raises(Forbidden):
        act(integrator, Action.READ)


def test_assigning_a_unit_tells_whether_it_writes_its_own_assessment(tolga: Tenant) -> None:
    assert check_assignment(AssigneeKind.UNIT, MENTAL_HEALTH, tolga) is True
    assert check_assignment(AssigneeKind.UNIT, "home_care", tolga) is False
    assert check_assignment(AssigneeKind.PROFESSION, "occupational_therapist", tolga) is False


def test_assigning_an_unknown_unit_names_the_assignee_and_the_known_units(tolga: Tenant) -> None:
    with pytest.raises(DomainError, match="not a unit of Tolga") as caught:
        check_assignment(AssigneeKind.UNIT, "respite_service", tolga)

    assert caught.value.field == "assignee"
    assert "home_care" in caught.value.detail


# --- information requests ------------------------------------------------------------------------


def test_information_is_requested_only_with_the_consent_to_fetch_from_that_source() -> None:
    due = check_information_request(
        InformationSource.GP, TODAY + timedelta(days=3), ["processing", "fetch_from_gp"], TODAY
    )
    assert due == TODAY + timedelta(days=3)

    with pytest.raises(Conflict, match="fetch_from_hospital") as caught:
        check_information_request(
            InformationSource.HOSPITAL, TODAY + timedelta(days=3), ["processing", "fetch_from_gp"], TODAY
        )
    assert caught.value.field == "consent.scope"


@pytest.mark.parametrize("due_on", [TODAY, TODAY - timedelta(days=1)])
def test_an_information_request_falls_due_after_today(due_on: date) -> None:
    with pytest.raises(DomainError, match="after today") as caught:
        check_information_request(InformationSource.GP, due_on, ["fetch_from_gp"], TODAY)

    assert caught.value.field == "due_on"


def test_an_information_request_due_on_christmas_day_falls_due_on_the_next_working_day() -> None:
    due = check_information_request(InformationSource.GP, date(2026, 12, 25), ["fetch_from_gp"], TODAY)

    assert due == date(2026, 12, 28)
    assert is_working_day(due)


def test_information_is_received_once_on_an_open_request_not_in_the_future_nor_before_asking() -> None:
    check_information_received(RequestStatus.REQUESTED, TODAY, TODAY - timedelta(days=2), TODAY)

    with pytest.raises(Conflict, match="already received"):
        check_information_received(RequestStatus.RECEIVED, TODAY, TODAY, TODAY)
    with pytest.raises(Conflict, match="cancelled_consent_withdrawn"):
        check_information_received(RequestStatus.CANCELLED_CONSENT_WITHDRAWN, TODAY, TODAY, TODAY)
    with pytest.raises(DomainError, match="future"):
        check_information_received(RequestStatus.REQUESTED, TODAY + timedelta(days=1), TODAY, TODAY)
    with pytest.raises(DomainError, match="before the request"):
        check_information_received(RequestStatus.REQUESTED, TODAY - timedelta(days=3), TODAY - timedelta(days=2), TODAY)


def test_withdrawing_a_fetch_consent_cancels_only_the_requests_that_needed_it() -> None:
    open_requests = [
        ("r-gp", InformationSource.GP),
        ("r-hospital", InformationSource.HOSPITAL),
        ("r-gp2", InformationSource.GP),
    ]

    assert requests_to_cancel(open_requests, ["processing", "fetch_from_hospital"]) == ["r-gp", "r-gp2"]
    assert requests_to_cancel(open_requests, []) == ["r-gp", "r-hospital", "r-gp2"]
    assert requests_to_cancel(open_requests, ["fetch_from_gp", "fetch_from_hospital"]) == []


def test_a_request_is_overdue_when_past_due_and_not_received() -> None:
    yesterday = TODAY - timedelta(days=1)

    assert is_overdue(RequestStatus.REQUESTED, yesterday, TODAY) is True
    assert is_overdue(RequestStatus.REQUESTED, TODAY, TODAY) is False
    assert is_overdue(RequestStatus.RECEIVED, yesterday, TODAY) is False
    assert is_overdue(RequestStatus.CANCELLED_CONSENT_WITHDRAWN, yesterday, TODAY) is False


def test_a_visit_is_recorded_once_and_not_ahead_of_time() -> None:
    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    check_visit_record(None, now - timedelta(hours=1), now)

    with pytest.raises(Conflict, match="already recorded"):
        check_visit_record(now - timedelta(days=1), now - timedelta(hours=1), now)
    with pytest.raises(DomainError, match="future") as caught:
        check_visit_record(None, now + timedelta(hours=1), now)
    assert caught.value.field == "held_at"


# --- IPLOS ---------------------------------------------------------------------------------------


def test_the_iplos_list_holds_the_national_functional_variables_scored_1_to_5_or_9(
    variables: FunctionalVariables,
) -> None:
    names = set(variables.names.values())

    assert len(variables.names) == 18
    for name in ["Ivareta egen helse", "Kle av og på seg", "Toalett", "Styre atferd", "Hukommelse", "Syn", "Hørsel"]:
        assert name in names
    assert variables.allowed_scores == {1, 2, 3, 4, 5, 9}
    assert not variables.required_for("individual_plan")
    assert variables.required_for("home_nursing")


def test_valid_scores_pass(variables: FunctionalVariables) -> None:
    check_scores({"personal_hygiene": 3, "vision": 9, "memory": 1, "eating": 5}, variables, TODAY, TODAY)


@pytest.mark.parametrize("score", [0, 6, 7, 8, 10, -1])
def test_a_score_outside_1_to_5_and_9_names_the_variable_and_the_rule(
    variables: FunctionalVariables, score: int
) -> None:
    with pytest.raises(DomainError) as caught:
        check_scores({"memory": 2, "dressing": score}, variables, TODAY, TODAY)

    assert caught.value.field == "scores.dressing"
    assert "Kle av og på seg" in caught.value.detail
    assert "allowed: 1, 2, 3, 4, 5, 9" in caught.value.detail


def test_an_unknown_variable_is_named_with_the_known_ones(variables: FunctionalVariables) -> None:
    with pytest.raises(DomainError, match="'juggling' is not an IPLOS functional variable") as caught:
        check_scores({"juggling": 3}, variables, TODAY, TODAY)

    assert caught.value.field == "scores.juggling"
    assert "personal_hygiene" in caught.value.detail


def test_scores_need_at_least_one_variable_and_a_date_not_in_the_future(variables: FunctionalVariables) -> None:
    with pytest.raises(DomainError, match="at least one"):
        check_scores({}, variables, TODAY, TODAY)
    with pytest.raises(DomainError, match="future") as caught:
        check_scores({"memory": 2}, variables, TODAY + timedelta(days=1), TODAY)
    assert caught.value.field == "assessed_on"


# --- criteria ------------------------------------------------------------------------------------


def test_a_care_ladder_step_with_its_grounds_bti_level_and_coordinated_criteria_pass(holtalen: Tenant) -> None:
    given = CriteriaEvaluation(
        care_ladder_step=4,
        care_ladder_grounds=("parents_health_threatened", "siblings_need_absence", "parents_health_threatened"),
        bti_level=3,
        coordinated_criteria_met=("long_term_need", "two_or_more_services"),
    )

    result = evaluate_criteria(given, holtalen.criteria, holtalen.name)

    assert result == CriteriaEvaluation(
        4, ("parents_health_threatened", "siblings_need_absence"), 3, ("long_term_need", "two_or_more_services")
    )


@pytest.mark.parametrize(
    ("given", "field", "words"),
    [
        (CriteriaEvaluation(care_ladder_step=5, care_ladder_grounds=("x",)), "care_ladder_step", "steps: 1, 2, 3, 4"),
        (CriteriaEvaluation(care_ladder_step=2), "care_ladder_grounds", "at least one"),
        (
            CriteriaEvaluation(care_ladder_step=2, care_ladder_grounds=("parents_health_threatened",)),
            "care_ladder_grounds",
            "parents_health_threatened not among the grounds of step 2",
        ),
        (CriteriaEvaluation(care_ladder_grounds=("siblings_wellbeing",)), "care_ladder_grounds", "need a"),
        (CriteriaEvaluation(bti_level=4), "bti_level", "(0, 1, 2, 3)"),
        (CriteriaEvaluation(coordinated_criteria_met=("friendly",)), "coordinated_criteria_met", "friendly"),
        (CriteriaEvaluation(), "criteria", "at least one"),
    ],
    ids=[
        "unknown-step",
        "step-without-grounds",
        "ground-of-another-step",
        "grounds-without-step",
        "bti",
        "coord",
        "empty",
    ],
)
def test_criteria_outside_the_municipalitys_configuration_are_refused_naming_the_field(
    holtalen: Tenant, given: CriteriaEvaluation, field: str, words: str
) -> None:
    with pytest.raises(DomainError) as caught:
        evaluate_criteria(given, holtalen.criteria, holtalen.name)

    assert caught.value.field == field
    assert words in caught.value.detail


def test_a_municipality_without_a_care_ladder_or_bti_levels_refuses_them(tolga: Tenant) -> None:
    with pytest.raises(DomainError, match="Tolga has no care ladder") as step:
        evaluate_criteria(
            CriteriaEvaluation(care_ladder_step=1, care_ladder_grounds=("some_extra_support",)),
            tolga.criteria,
            tolga.name,
        )
    with pytest.raises(DomainError, match="Tolga has no BTI levels") as level:
        evaluate_criteria(CriteriaEvaluation(bti_level=0), tolga.criteria, tolga.name)

    assert step.value.field == "care_ladder_step"
    assert level.value.field == "bti_level"
    assert evaluate_criteria(
        CriteriaEvaluation(coordinated_criteria_met=("long_term_need",)), tolga.criteria, tolga.name
    )


# --- recommendation ------------------------------------------------------------------------------

LINE = ServiceLine(service_code="home_nursing", start_on=date(2026, 12, 1), hours_per_week=3.5)


def test_the_legal_basis_defaults_to_the_catalogues_for_the_recommended_services(tolga: Tenant) -> None:
    alarm = ServiceLine(service_code="safety_alarm", start_on=date(2026, 12, 1))

    recommendation = build_recommendation([LINE, alarm], None, ProposedOutcome.GRANT, "", tolga)

    assert recommendation.legal_basis == [
        "helse- og omsorgstjenesteloven § 3-2 første ledd nr. 6 bokstav a",
        "pasient- og brukerrettighetsloven § 2-1 a",
        "forvaltningsloven",
    ]
    assert [s.service_code for s in recommendation.services] == ["home_nursing", "safety_alarm"]
    assert recommendation.services[0].hours_per_week == 3.5


def test_a_given_legal_basis_must_be_the_catalogues_for_those_services(tolga: Tenant) -> None:
    chosen = ["pasient- og brukerrettighetsloven § 2-1 a"]
    assert build_recommendation([LINE], chosen, ProposedOutcome.GRANT, "", tolga).legal_basis == chosen

    with pytest.raises(DomainError, match="§ 3-8") as caught:
        build_recommendation([LINE], ["helse- og omsorgstjenesteloven § 3-8"], ProposedOutcome.GRANT, "", tolga)
    assert caught.value.field == "legal_basis"


def test_a_service_outside_the_catalogue_is_named(tolga: Tenant) -> None:
    with pytest.raises(DomainError, match="'private_respite' is not in Tolga's service catalogue") as caught:
        build_recommendation(
            [LINE, ServiceLine(service_code="private_respite", start_on=date(2026, 12, 1))],
            None,
            ProposedOutcome.GRANT,
            "",
            tolga,
        )

    assert caught.value.field == "services.1.service_code"


@pytest.mark.parametrize("end_on", [date(2026, 12, 1), date(2026, 11, 30)])
def test_a_period_ends_after_it_starts(tolga: Tenant, end_on: date) -> None:
    with pytest.raises(DomainError, match="end_on must be after start_on") as caught:
        build_recommendation(
            [ServiceLine(service_code="home_nursing", start_on=date(2026, 12, 1), end_on=end_on)],
            None,
            ProposedOutcome.GRANT,
            "",
            tolga,
        )

    assert caught.value.field == "services.0.end_on"


@pytest.mark.parametrize("outcome", [ProposedOutcome.REFUSE, ProposedOutcome.PARTLY])
def test_a_refusal_or_partial_grant_must_give_reasons(tolga: Tenant, outcome: ProposedOutcome) -> None:
    with pytest.raises(DomainError, match="must give its reasons") as caught:
        build_recommendation([LINE], None, outcome, "  \n ", tolga)

    assert caught.value.field == "reasons"
    assert build_recommendation([LINE], None, outcome, "Behovet dekkes delvis", tolga).proposed_outcome is outcome


def test_the_same_service_is_not_recommended_twice(tolga: Tenant) -> None:
    with pytest.raises(DomainError, match="twice"):
        build_recommendation([LINE, LINE], None, ProposedOutcome.GRANT, "", tolga)


# --- completion and hand-over --------------------------------------------------------------------


def complete(variables: FunctionalVariables, **overrides: object) -> None:
    facts: dict[str, object] = {
        "has_recommendation": True,
        "involves_child": False,
        "has_child_best_interests": False,
        "has_scores": True,
        "service_code": "home_nursing",
    }
    facts.update(overrides)
    check_completion(variables=variables, **facts)  # type: ignore[arg-type]


def test_an_assessment_with_recommendation_and_scores_completes(variables: FunctionalVariables) -> None:
    complete(variables)
    complete(variables, involves_child=True, has_child_best_interests=True)
    complete(variables, has_scores=False, service_code="coordinator")


def test_completion_needs_a_recommendation(variables: FunctionalVariables) -> None:
    with pytest.raises(DomainError, match="no recommendation") as caught:
        complete(variables, has_recommendation=False)

    assert caught.value.field == "recommendation"


def test_a_case_involving_children_needs_the_best_interests_assessment(variables: FunctionalVariables) -> None:
    with pytest.raises(DomainError) as caught:
        complete(variables, involves_child=True)

    assert caught.value.detail == CHILD_BEST_INTERESTS_MISSING
    assert caught.value.field == "child_best_interests"


def test_a_service_application_needs_the_first_iplos_registration(variables: FunctionalVariables) -> None:
    with pytest.raises(DomainError, match="IPLOS") as caught:
        complete(variables, has_scores=False)

    assert caught.value.field == "functional_scores"


def test_every_missing_part_is_named_at_once(variables: FunctionalVariables) -> None:
    with pytest.raises(DomainError) as caught:
        complete(variables, has_recommendation=False, involves_child=True, has_scores=False)

    assert "recommendation" in caught.value.detail
    assert CHILD_BEST_INTERESTS_MISSING in caught.value.detail
    assert "IPLOS" in caught.value.detail


def test_a_case_goes_to_the_partner_office_configured_for_its_service(holtalen: Tenant) -> None:
    partner = check_handover(holtalen, "private_respite", ["processing", "sharing"], ["5025"])

    assert partner.municipality == "5025"


def test_a_hand_over_needs_a_partner_office_for_the_service(holtalen: Tenant, tolga: Tenant) -> None:
    with pytest.raises(DomainError, match="'home_nursing'") as caught:
        check_handover(holtalen, "home_nursing", ["sharing"], ["5025"])
    assert caught.value.field == "service_code"
    assert caught.value.status == 422
    assert "private_respite" in caught.value.detail

    with pytest.raises(DomainError, match="Tolga hands no cases"):
        check_handover(tolga, "bpa", ["sharing"], ["5025"])


def test_a_hand_over_needs_the_consent_to_share(holtalen: Tenant) -> None:
    with pytest.raises(Conflict, match="'sharing'") as caught:
        check_handover(holtalen, "bpa", ["processing", "fetch_from_gp"], ["5025"])

    assert caught.value.field == "consent.scope"
    assert caught.value.status == 409


@pytest.mark.parametrize("share_with", [[], ["respite_service"], ["5024"]])
def test_a_hand_over_needs_the_consent_to_name_the_partner_municipality(
    holtalen: Tenant, share_with: list[str]
) -> None:
    with pytest.raises(Conflict, match="5025") as caught:
        check_handover(holtalen, "bpa", ["processing", "sharing"], share_with)

    assert caught.value.field == "consent.share_with"
    assert caught.value.status == 409


@pytest.mark.parametrize(
    ("scope", "share_with", "shares"),
    [
        (["processing", "sharing"], ["5025"], True),
        (["processing", "sharing"], ["respite_service", "5025"], True),
        (["processing", "sharing"], ["respite_service"], False),
        (["processing"], ["5025"], False),
        (["sharing"], ["5025"], False),
        ([], [], False),
    ],
)
def test_the_consent_shares_with_a_partner_only_with_processing_sharing_and_its_name(
    scope: list[str], share_with: list[str], shares: bool
) -> None:
    assert consent_shares_with("5025", scope, share_with) is shares


@pytest.mark.parametrize("closed", [Status.WITHDRAWN, Status.CONSENT_WITHDRAWN, Status.COMPLETED])
@pytest.mark.parametrize("action", [Action.SCORE, Action.RECOMMEND, Action.COMPLETE, Action.HAND_OVER])
def test_a_closed_assessment_refuses_every_change(closed: Status, action: Action) -> None:
    with pytest.raises(Conflict):
        next_status(closed, action)
