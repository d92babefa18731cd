"""Notification rules: the receipt and the preliminary-reply deadline a registered case gets, who must act on it,
and which withdrawals stop its clocks."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.deadlines import DeadlineKind
from contracts.intake import (
    ChildCoordinatorApplicationRegistered,
    Consent,
    ConsentForm,
    ConsentGiver,
    ConsentScope,
    ConsentWithdrawn,
    CoordinationNeed,
    CoordinationReferralRegistered,
    Route,
    Sender,
)
from contracts.tests.examples import application_registered
from servicekit.calendar import add_months, due_after_months, is_working_day
from servicekit.settings import ServiceSettings
from servicekit.tenants import Tenant, Tenants
from services.notification.domain import (
    case_opening,
    preliminary_reply_deadline,
    preliminary_reply_due,
    receipt_for,
    responsible_for,
    withdraws_processing,
)

SHIPPED = Tenants.load(ServiceSettings().tenants_dir)
TOLGA, HOLTALEN, SELBU = SHIPPED.get("3426"), SHIPPED.get("5026"), SHIPPED.get("5032")
CONSENT = Consent(form=ConsentForm.WRITTEN, given_by=ConsentGiver.PERSON, scope=[ConsentScope.PROCESSING])


# --- rule 1: the preliminary reply is the municipality's duty, due on or before a month after receipt -------------


@pytest.mark.parametrize(
    ("received_on", "due_on", "why"),
    [
        (date(2026, 11, 28), date(2026, 12, 28), "28 December 2026 is a Monday"),
        (date(2026, 11, 2), date(2026, 12, 2), "an ordinary Wednesday"),
        (date(2026, 11, 25), date(2026, 12, 24), "Christmas Day Fri: back to Christmas Eve, a working day"),
        (date(2026, 12, 1), date(2026, 12, 31), "New Year's Day Fri: back to New Year's Eve, a working day"),
        (date(2026, 1, 31), date(2026, 2, 27), "no 31 February; Sat 28 February: back to Friday 27"),
        (date(2026, 3, 2), date(2026, 4, 1), "Maundy Thursday 2 April: back to Wednesday 1 April"),
        (date(2026, 3, 6), date(2026, 4, 1), "Easter Monday 6 April: back past Easter to Wednesday 1 April"),
        (date(2026, 4, 17), date(2026, 5, 15), "Constitution Day on a Sunday: back to Friday 15 May"),
        (date(2027, 3, 25), date(2027, 4, 23), "25 April 2027 is a Sunday: back to Friday 23"),
        (date(2027, 4, 17), date(2027, 5, 14), "Constitution Day and Whit Monday 2027: back to Friday 14"),
    ],
)
def test_preliminary_reply_is_due_on_the_last_working_day_on_or_before_a_month_after_receipt(
    received_on: date, due_on: date, why: str
) -> None:
    assert preliminary_reply_due(received_on) == due_on, why


def test_preliminary_reply_moves_back_off_a_holiday_where_a_persons_deadline_would_move_forward() -> None:
    # A month after 25 November 2026 is Christmas Day: an appeal would run to Monday 28, the reply is owed by the 24th.
    assert due_after_months(date(2026, 11, 25), 1) == date(2026, 12, 28)
    assert preliminary_reply_due(date(2026, 11, 25)) == date(2026, 12, 24)


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_preliminary_reply_is_due_on_a_working_day_never_after_the_month_and_with_no_working_day_after_it(
    received_on: date,
) -> None:
    end = add_months(received_on, 1)
    due = preliminary_reply_due(received_on)

    assert is_working_day(due)
    assert due <= end
    assert not any(is_working_day(due + timedelta(days=n)) for n in range(1, (end - due).days + 1))


def test_preliminary_reply_deadline_is_of_its_kind_and_names_who_must_act() -> None:
    plan = preliminary_reply_deadline(date(2026, 11, 2), "ke_children")

    assert (plan.kind, plan.due_on, plan.responsible) == (
        DeadlineKind.PRELIMINARY_REPLY,
        date(2026, 12, 2),
        "ke_children",
    )


# --- rule 4: who must act comes from the case's route and the municipality's configuration -------------------------


@pytest.mark.parametrize(
    ("tenant", "route", "expected"),
    [
        (TOLGA, Route.ALLOCATION_OFFICE, "allocation_office"),  # Forvaltningskontoret's code
        (HOLTALEN, Route.ALLOCATION_OFFICE, "allocation_office"),  # Holtålen: adults by the allocation office
        (HOLTALEN, Route.CHILDREN_UNIT, "ke_children"),  # the children's unit
        (SELBU, Route.COORDINATING_UNIT, "coordinating_unit"),  # no tenant file names a coordinating unit
    ],
)
def test_who_must_act_on_a_cases_deadlines_follows_its_route_and_the_municipalitys_configuration(
    tenant: Tenant, route: Route, expected: str
) -> None:
    assert responsible_for(route, tenant) == expected


def _tenant(**changes: Any) -> Tenant:
    return TOLGA.model_copy(update=changes)


def test_who_must_act_follows_the_configured_office_code_not_a_constant() -> None:
    office = TOLGA.decision.office.model_copy(update={"code": "tildelingskontoret"})  # type: ignore[union-attr]
    tenant = _tenant(decision=TOLGA.decision.model_copy(update={"office": office}))  # type: ignore[union-attr]

    assert responsible_for(Route.ALLOCATION_OFFICE, tenant) == "tildelingskontoret"


@pytest.mark.parametrize("route", list(Route))
def test_who_must_act_falls_back_to_the_routes_role_when_the_municipality_names_nobody_for_it(route: Route) -> None:
    bare = _tenant(decision=None, children_unit=None)

    assert responsible_for(route, bare) == route.value


# --- rule 3: every registration that ends in an individual decision gets a receipt and a preliminary reply -------


def _referral(**overrides: Any) -> CoordinationReferralRegistered:
    fields: dict[str, Any] = {
        "case_id": "case-r",
        "journal_number": "2026/000200",
        "person_id": "p-1",
        "channel": "gp_message",
        "sender": Sender.GP,
        "requested": [CoordinationNeed.INDIVIDUAL_PLAN],
        "received_on": date(2026, 11, 25),
        "consent": CONSENT,
    }
    return CoordinationReferralRegistered(**(fields | overrides))


def _child_coordinator(**overrides: Any) -> ChildCoordinatorApplicationRegistered:
    fields: dict[str, Any] = {
        "case_id": "case-c",
        "journal_number": "2026/000201",
        "expected_birth_on": date(2027, 2, 1),
        "applicant_person_id": "p-2",
        "channel": "letter",
        "sender": Sender.APPLICANT,
        "received_on": date(2026, 12, 1),
        "consent": CONSENT,
        "route": Route.CHILDREN_UNIT,
    }
    return ChildCoordinatorApplicationRegistered(**(fields | overrides))


def test_a_registered_application_referral_or_child_coordinator_application_gets_a_receipt_and_a_reply_deadline() -> (
    None
):
    application = case_opening(application_registered(journal_number="2026/000100"), TOLGA)
    referral = case_opening(_referral(), SELBU)
    child = case_opening(_child_coordinator(), HOLTALEN)

    assert [o.receipt.text for o in (application, referral, child)] == [
        "Søknaden er mottatt 2026-11-02 og registrert med journalnummer 2026/000100.",
        "Meldingen om behov for koordinerte tjenester er mottatt 2026-11-25 og registrert med journalnummer "
        "2026/000200.",
        "Søknaden om barnekoordinator er mottatt 2026-12-01 og registrert med journalnummer 2026/000201.",
    ]
    assert {o.receipt.recipient for o in (application, referral, child)} == {"applicant"}
    assert [(o.deadline.kind, o.deadline.due_on, o.deadline.responsible) for o in (application, referral, child)] == [
        (DeadlineKind.PRELIMINARY_REPLY, date(2026, 12, 2), "allocation_office"),
        (DeadlineKind.PRELIMINARY_REPLY, date(2026, 12, 24), "coordinating_unit"),
        (DeadlineKind.PRELIMINARY_REPLY, date(2026, 12, 31), "ke_children"),
    ]


def test_receipt_goes_to_the_applicant_and_names_journal_number_and_date() -> None:
    receipt = receipt_for("2026/000017", date(2026, 11, 2))

    assert receipt.kind == "receipt"
    assert receipt.recipient == "applicant"
    assert "2026/000017" in receipt.text
    assert "2026-11-02" in receipt.text


# --- rule 2: withdrawing consent to processing stops the case's clocks -----------------------------------------


def _withdrawal(scopes: list[ConsentScope], remaining: Consent | None) -> ConsentWithdrawn:
    return ConsentWithdrawn(
        case_id="case-1", withdrawn_scopes=scopes, withdrawn_on=date(2026, 11, 10), remaining=remaining
    )


def test_withdrawing_consent_to_processing_stops_the_case_and_withdrawing_sharing_or_fetching_does_not() -> None:
    kept = Consent(form=ConsentForm.WRITTEN, given_by=ConsentGiver.PERSON, scope=[ConsentScope.PROCESSING])

    assert withdraws_processing(_withdrawal([ConsentScope.PROCESSING, ConsentScope.SHARING], None))
    assert withdraws_processing(_withdrawal([ConsentScope.FETCH_FROM_GP], None)), "no consent remains at all"
    assert not withdraws_processing(_withdrawal([ConsentScope.SHARING], kept))
    assert not withdraws_processing(_withdrawal([ConsentScope.FETCH_FROM_GP, ConsentScope.FETCH_FROM_HOSPITAL], kept))
