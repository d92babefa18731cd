"""Intake's rules: what a registrable case of each kind is, who it concerns, where it goes, journal numbers."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from contracts.intake import (
    Channel,
    Consent,
    ConsentForm,
    ConsentGiver,
    ConsentScope,
    CoordinationNeed,
    Route,
    Sender,
)
from servicekit.calendar import local_date
from servicekit.errors import Conflict, DomainError, Forbidden
from servicekit.settings import REPO_ROOT
from servicekit.tenants import Tenant, Tenants
from services.intake.domain import (
    CaseKind,
    RegisterApplication,
    RegisterChildCoordinatorApplication,
    RegisterEmergencyMeasure,
    RegisterReferral,
    acting_unit,
    age_on,
    check_application,
    check_child_age,
    check_child_coordinator_application,
    check_emergency_measure,
    check_referral,
    is_child_on,
    journal_number,
    route_for,
    routing,
    withdraw,
)

TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def tolga() -> Tenant:
    return Tenants.load(REPO_ROOT / "deploy" / "tenants").get("3426")


def application(**overrides: object) -> RegisterApplication:
    cmd = RegisterApplication(
        case_id="case-1",
        person_id="person-1",
        channel=Channel.LETTER,
        sender=Sender.RELATIVE,
        service_code="home_nursing",
        received_on=date(2026, 11, 2),
        consent=Consent(form=ConsentForm.ORAL, given_by=ConsentGiver.PERSON, scope=[ConsentScope.PROCESSING]),
    )
    return replace(cmd, **overrides)  # type: ignore[arg-type]


def test_valid_application_passes(tolga: Tenant) -> None:
    check_application(application(), tolga, today=TODAY)  # raises when a rule is broken


def test_application_received_today_passes(tolga: Tenant) -> None:
    check_application(application(received_on=TODAY), tolga, today=TODAY)


def test_unknown_service_code_names_the_field_and_the_known_codes(tolga: Tenant) -> None:
    with pytest.raises(DomainError) as caught:
        check_application(application(service_code="space_travel"), tolga, today=TODAY)

    error = caught.value
    assert error.field == "service_code"
    assert error.status == 422
    assert "space_travel" in error.detail
    assert "Tolga" in error.detail
    for service in tolga.services:
        assert service.code in error.detail


def test_application_received_in_the_future_is_refused(tolga: Tenant) -> None:
    with pytest.raises(DomainError, match="future") as caught:
        check_application(application(received_on=TODAY + timedelta(days=1)), tolga, today=TODAY)

    assert caught.value.field == "received_on"


@pytest.mark.parametrize(
    "scope",
    [[ConsentScope.SHARING], [ConsentScope.FETCH_FROM_GP, ConsentScope.FETCH_FROM_HOSPITAL]],
)
def test_consent_without_processing_is_refused(tolga: Tenant, scope: list[ConsentScope]) -> None:
    consent = Consent(form=ConsentForm.WRITTEN, given_by=ConsentGiver.GUARDIAN, scope=scope)

    with pytest.raises(DomainError, match="processing") as caught:
        check_application(application(consent=consent), tolga, today=TODAY)

    assert caught.value.field == "consent.scope"


def test_consent_with_processing_among_other_scopes_passes(tolga: Tenant) -> None:
    consent = Consent(
        form=ConsentForm.WRITTEN,
        given_by=ConsentGiver.PERSON,
        scope=[ConsentScope.SHARING, ConsentScope.PROCESSING],
        share_with=["home_care"],
    )

    check_application(application(consent=consent), tolga, today=TODAY)


@pytest.mark.parametrize(
    ("year", "sequence", "expected"),
    [(2026, 1, "2026/000001"), (2026, 42, "2026/000042"), (2027, 123456, "2027/123456"), (1999, 7, "1999/000007")],
)
def test_journal_number_is_year_slash_six_digit_sequence(year: int, sequence: int, expected: str) -> None:
    assert journal_number(year, sequence) == expected


# --- who the case concerns and where it goes ----------------------------------------------------


@pytest.fixture(scope="module")
def holtalen() -> Tenant:
    return Tenants.load(REPO_ROOT / "deploy" / "tenants").get("5026")


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(2008, 3, 2), date(2026, 3, 2), 18),
        (date(2008, 3, 3), date(2026, 3, 2), 17),
        (date(2008, 2, 29), date(2026, 2, 28), 17),
        (date(2008, 2, 29), date(2026, 3, 1), 18),
        (date(2026, 3, 2), date(2026, 3, 2), 0),
    ],
)
def test_age_counts_whole_years_and_a_29_february_birthday_comes_on_1_march(born: date, on: date, age: int) -> None:
    assert age_on(born, on) == age


def test_a_person_is_a_child_until_the_18th_birthday() -> None:
    assert is_child_on(date(2008, 3, 3), date(2026, 3, 2), field="received_on") is True
    assert is_child_on(date(2008, 3, 2), date(2026, 3, 2), field="received_on") is False


def test_a_date_before_the_birth_is_refused_naming_the_field() -> None:
    with pytest.raises(DomainError) as caught:
        is_child_on(date(2020, 1, 2), date(2020, 1, 1), field="received_on")

    assert caught.value.field == "received_on"


@pytest.mark.parametrize(
    ("kind", "child", "expected"),
    [
        (CaseKind.SERVICE_APPLICATION, False, Route.ALLOCATION_OFFICE),
        (CaseKind.SERVICE_APPLICATION, True, Route.CHILDREN_UNIT),
        (CaseKind.EMERGENCY_MEASURE, True, Route.CHILDREN_UNIT),
        (CaseKind.COORDINATION_REFERRAL, False, Route.COORDINATING_UNIT),
        (CaseKind.COORDINATION_REFERRAL, True, Route.CHILDREN_UNIT),
        (CaseKind.CHILD_COORDINATOR_APPLICATION, True, Route.CHILDREN_UNIT),
    ],
)
def test_children_go_to_the_childrens_unit_where_the_municipality_has_one(
    holtalen: Tenant, kind: CaseKind, child: bool, expected: Route
) -> None:
    assert route_for(kind, holtalen, person_is_child=child) == expected


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (CaseKind.SERVICE_APPLICATION, Route.ALLOCATION_OFFICE),
        (CaseKind.EMERGENCY_MEASURE, Route.ALLOCATION_OFFICE),
        (CaseKind.COORDINATION_REFERRAL, Route.COORDINATING_UNIT),
        (CaseKind.CHILD_COORDINATOR_APPLICATION, Route.COORDINATING_UNIT),
    ],
)
def test_without_a_childrens_unit_children_follow_the_kind_of_case(
    tolga: Tenant, kind: CaseKind, expected: Route
) -> None:
    assert route_for(kind, tolga, person_is_child=True) == expected


def test_children_as_next_of_kin_involve_a_child_without_rerouting_an_adults_case(holtalen: Tenant) -> None:
    routed = routing(
        CaseKind.SERVICE_APPLICATION,
        holtalen,
        birth_date=date(1980, 1, 1),
        on=date(2026, 3, 2),
        children_involved=True,
        field="received_on",
    )

    assert (routed.involves_child, routed.route) == (True, Route.ALLOCATION_OFFICE)


def test_an_adults_case_without_children_involved_involves_no_child(holtalen: Tenant) -> None:
    routed = routing(
        CaseKind.SERVICE_APPLICATION, holtalen, birth_date=date(1980, 1, 1), on=date(2026, 3, 2), field="received_on"
    )

    assert (routed.involves_child, routed.route) == (False, Route.ALLOCATION_OFFICE)


@pytest.mark.parametrize(("unit", "rule"), [(None, "'unit' claim"), ("space_station", "not a unit of Tolga")])
def test_a_unit_token_must_name_one_of_the_municipalitys_units(tolga: Tenant, unit: str | None, rule: str) -> None:
    with pytest.raises(Forbidden, match=rule):
        acting_unit(unit, tolga)


def test_a_unit_of_the_municipality_may_act(tolga: Tenant) -> None:
    assert acting_unit("home_care", tolga) == "home_care"


# --- coordination referrals ---------------------------------------------------------------------


def referral(**overrides: object) -> RegisterReferral:
    cmd = RegisterReferral(
        case_id="case-1",
        person_id="person-1",
        channel=Channel.HOSPITAL_MESSAGE,
        sender=Sender.HOSPITAL,
        requested=[CoordinationNeed.COORDINATOR],
        received_on=date(2026, 11, 2),
        consent=Consent(form=ConsentForm.ORAL, given_by=ConsentGiver.PARENTS, scope=[ConsentScope.PROCESSING]),
    )
    return replace(cmd, **overrides)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "requested",
    [[CoordinationNeed.COORDINATOR], [CoordinationNeed.INDIVIDUAL_PLAN], list(CoordinationNeed)],
)
def test_a_referral_asks_for_a_coordinator_an_individual_plan_or_both(
    tolga: Tenant, requested: list[CoordinationNeed]
) -> None:
    check_referral(referral(requested=requested), tolga, today=TODAY)


@pytest.mark.parametrize(
    "requested", [[], [CoordinationNeed.COORDINATOR, CoordinationNeed.COORDINATOR]], ids=["none", "twice"]
)
def test_a_referral_asking_for_nothing_or_twice_the_same_is_refused(
    tolga: Tenant, requested: list[CoordinationNeed]
) -> None:
    with pytest.raises(DomainError) as caught:
        check_referral(referral(requested=requested), tolga, today=TODAY)

    assert caught.value.field == "requested"


def test_a_referral_received_in_the_future_is_refused(tolga: Tenant) -> None:
    with pytest.raises(DomainError) as caught:
        check_referral(referral(received_on=TODAY + timedelta(days=1)), tolga, today=TODAY)

    assert caught.value.field == "received_on"


# --- child coordinator applications -------------------------------------------------------------


def child_coordinator(**overrides: object) -> RegisterChildCoordinatorApplication:
    cmd = RegisterChildCoordinatorApplication(
        case_id="case-1",
        applicant_person_id="parent-1",
        child_person_id="child-1",
        expected_birth_on=None,
        channel=Channel.DIGITAL_FORM,
        sender=Sender.APPLICANT,
        received_on=date(2026, 11, 2),
        consent=Consent(form=ConsentForm.WRITTEN, given_by=ConsentGiver.PARENTS, scope=[ConsentScope.PROCESSING]),
    )
    return replace(cmd, **overrides)  # type: ignore[arg-type]


def test_a_child_coordinator_may_be_applied_for_a_born_child(holtalen: Tenant) -> None:
    check_child_coordinator_application(child_coordinator(), holtalen, today=TODAY)


@pytest.mark.parametrize("expected", [date(2026, 11, 3), date(2027, 9, 2)], ids=["next-day", "ten-months"])
def test_a_child_coordinator_may_be_applied_for_in_pregnancy_up_to_ten_months_ahead(
    holtalen: Tenant, expected: date
) -> None:
    check_child_coordinator_application(
        child_coordinator(child_person_id=None, expected_birth_on=expected), holtalen, today=TODAY
    )


@pytest.mark.parametrize(
    ("child", "expected", "word"),
    [("child-1", date(2027, 1, 1), "both"), (None, None, "neither")],
)
def test_a_child_coordinator_application_names_the_child_or_the_expected_birth_not_both_or_neither(
    holtalen: Tenant, child: str | None, expected: date | None, word: str
) -> None:
    with pytest.raises(DomainError, match=word) as caught:
        check_child_coordinator_application(
            child_coordinator(child_person_id=child, expected_birth_on=expected), holtalen, today=TODAY
        )

    assert caught.value.field == "child_person_id"
    assert "expected_birth_on" in caught.value.detail


@pytest.mark.parametrize(
    ("expected", "rule"),
    [
        (date(2026, 11, 2), "after received_on"),
        (date(2026, 10, 1), "after received_on"),
        (date(2027, 9, 3), "10 months"),
    ],
)
def test_an_expected_birth_must_lie_after_receipt_and_within_ten_months(
    holtalen: Tenant, expected: date, rule: str
) -> None:
    with pytest.raises(DomainError, match=rule) as caught:
        check_child_coordinator_application(
            child_coordinator(child_person_id=None, expected_birth_on=expected), holtalen, today=TODAY
        )

    assert caught.value.field == "expected_birth_on"


def test_the_applicant_cannot_be_the_child(holtalen: Tenant) -> None:
    with pytest.raises(DomainError) as caught:
        check_child_coordinator_application(child_coordinator(applicant_person_id="child-1"), holtalen, today=TODAY)

    assert caught.value.field == "applicant_person_id"


def test_a_child_coordinator_is_for_children_under_18_on_the_receipt_date() -> None:
    check_child_age(date(2008, 11, 3), date(2026, 11, 2))
    with pytest.raises(DomainError, match="under 18") as caught:
        check_child_age(date(2008, 11, 2), date(2026, 11, 2))

    assert caught.value.field == "child_person_id"


# --- emergency measures -------------------------------------------------------------------------

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def emergency(**overrides: object) -> RegisterEmergencyMeasure:
    cmd = RegisterEmergencyMeasure(
        case_id="case-1",
        person_id="person-1",
        service_code="home_nursing",
        started_at=datetime(2026, 11, 21, 22, 15, tzinfo=UTC),
        what="Evening visit to help with medication",
        why="Discharged from hospital on a Saturday night",
        consent=Consent(form=ConsentForm.ORAL, given_by=ConsentGiver.PERSON, scope=[ConsentScope.PROCESSING]),
    )
    return replace(cmd, **overrides)  # type: ignore[arg-type]


def test_an_emergency_measure_started_in_the_past_or_now_passes(tolga: Tenant) -> None:
    check_emergency_measure(emergency(), tolga, now=NOW)
    check_emergency_measure(emergency(started_at=NOW), tolga, now=NOW)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"started_at": NOW + timedelta(minutes=1)}, "started_at"),
        ({"started_at": datetime(2026, 11, 21, 22, 15)}, "started_at"),
        ({"service_code": "space_travel"}, "service_code"),
        ({"what": "   "}, "what"),
        ({"why": "\n"}, "why"),
    ],
    ids=["future", "naive", "unknown-service", "blank-what", "blank-why"],
)
def test_an_invalid_emergency_measure_is_refused_naming_the_field(
    tolga: Tenant, overrides: dict[str, object], field: str
) -> None:
    with pytest.raises(DomainError) as caught:
        check_emergency_measure(emergency(**overrides), tolga, now=NOW)

    assert caught.value.field == field


def test_the_norwegian_date_of_a_late_evening_utc_moment_is_the_next_day() -> None:
    # 23:30 UTC on 31 December is 00:30 on 1 January in Oslo: a case of the new journal year.
    assert local_date(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == date(2027, 1, 1)
    assert local_date(datetime(2026, 6, 30, 21, 59, tzinfo=UTC)) == date(2026, 6, 30)


# --- withdrawal ---------------------------------------------------------------------------------


def test_a_registered_case_may_be_withdrawn_from_its_receipt_date() -> None:
    withdraw("registered", date(2026, 3, 2), date(2026, 3, 2), today=TODAY)


@pytest.mark.parametrize(
    ("status", "withdrawn_on", "error", "field"),
    [
        ("withdrawn", date(2026, 3, 5), Conflict, "status"),
        ("registered", date(2026, 3, 1), DomainError, "withdrawn_on"),
        ("registered", TODAY + timedelta(days=1), DomainError, "withdrawn_on"),
    ],
    ids=["twice", "before-receipt", "future"],
)
def test_a_withdrawal_twice_before_receipt_or_ahead_of_time_is_refused(
    status: str, withdrawn_on: date, error: type[DomainError], field: str
) -> None:
    with pytest.raises(error) as caught:
        withdraw(status, withdrawn_on, date(2026, 3, 2), today=TODAY)

    assert caught.value.field == field
