"""Consent: what a valid consent is, and what a withdrawal takes away and leaves."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.intake import Consent, ConsentForm, ConsentGiver, ConsentScope
from servicekit.errors import Conflict, DomainError
from servicekit.settings import REPO_ROOT
from servicekit.tenants import Tenant, Tenants
from services.intake.domain import ConsentWithdrawal, check_consent, shareable_codes, withdraw_consent

TODAY = date(2026, 11, 23)
RECEIVED = date(2026, 11, 2)
P, S, GP, HOSP = (
    ConsentScope.PROCESSING,
    ConsentScope.SHARING,
    ConsentScope.FETCH_FROM_GP,
    ConsentScope.FETCH_FROM_HOSPITAL,
)


@pytest.fixture(scope="module")
def tenants() -> Tenants:
    return Tenants.load(REPO_ROOT / "deploy" / "tenants")


@pytest.fixture(scope="module")
def tolga(tenants: Tenants) -> Tenant:
    return tenants.get("3426")


def consent(*scope: ConsentScope, share_with: list[str] | None = None) -> Consent:
    return Consent(
        form=ConsentForm.WRITTEN, given_by=ConsentGiver.GUARDIAN, scope=list(scope), share_with=share_with or []
    )


# --- valid consent ------------------------------------------------------------------------------


def test_consent_to_sharing_with_a_service_and_a_unit_of_the_municipality_passes(tolga: Tenant) -> None:
    check_consent(consent(P, S, GP, share_with=["home_nursing", "home_care"]), tolga)


def test_the_childrens_unit_is_something_consent_may_share_with(tenants: Tenants) -> None:
    holtalen = tenants.get("5026")

    check_consent(consent(P, S, share_with=["ke_children"]), holtalen)
    assert "ke_children" in shareable_codes(holtalen)
    assert "ke_children" not in shareable_codes(tenants.get("3426"))


def test_consent_may_name_a_partner_office_municipality_so_the_case_can_be_handed_over(tenants: Tenants) -> None:
    holtalen = tenants.get("5026")

    check_consent(consent(P, S, share_with=["respite_service", "5025"]), holtalen)
    assert "5025" in shareable_codes(holtalen)
    assert "5025" not in shareable_codes(tenants.get("3426"))


@pytest.mark.parametrize(
    ("given", "field", "rule"),
    [
        (consent(GP, HOSP), "consent.scope", "must include 'processing'"),
        (consent(P, P), "consent.scope", "more than once"),
        (consent(P, S), "consent.share_with", "at least one"),
        (consent(P, GP, share_with=["home_care"]), "consent.share_with", "must be empty unless"),
        (consent(P, S, share_with=["home_care", "home_care"]), "consent.share_with", "more than once"),
        (consent(P, S, share_with=["ke_children"]), "consent.share_with", "is not a service or unit of Tolga"),
    ],
    ids=["no-processing", "scope-twice", "sharing-with-nobody", "share-without-sharing", "code-twice", "unknown"],
)
def test_invalid_consent_is_refused_naming_the_field_and_the_rule(
    tolga: Tenant, given: Consent, field: str, rule: str
) -> None:
    with pytest.raises(DomainError) as caught:
        check_consent(given, tolga)

    assert caught.value.field == field
    assert rule in caught.value.detail
    assert caught.value.detail.startswith(field)


# --- withdrawal ---------------------------------------------------------------------------------


def withdraw(
    current: Consent | None, *scopes: ConsentScope, share_with: list[str] | None = None, on: date = TODAY
) -> ConsentWithdrawal:
    return withdraw_consent(current, list(scopes), share_with or [], withdrawn_on=on, received_on=RECEIVED, today=TODAY)


def test_withdrawing_processing_leaves_no_consent_and_withdraws_every_scope() -> None:
    result = withdraw(consent(P, S, GP, share_with=["home_care"]), P)

    assert result.remaining is None
    assert result.withdrawn_scopes == [P, S, GP]
    assert result.withdrawn_share_with == ["home_care"]


def test_withdrawing_fetching_from_the_gp_keeps_the_rest() -> None:
    result = withdraw(consent(P, GP, HOSP), GP)

    assert result.withdrawn_scopes == [GP]
    assert result.withdrawn_share_with == []
    assert result.remaining == consent(P, HOSP)


def test_withdrawing_sharing_without_codes_stops_all_sharing() -> None:
    result = withdraw(consent(P, S, share_with=["home_care", "nursing_home"]), S)

    assert result.remaining == consent(P)
    assert result.withdrawn_scopes == [S]
    assert result.withdrawn_share_with == ["home_care", "nursing_home"]


def test_withdrawing_sharing_with_some_codes_keeps_sharing_with_the_others() -> None:
    result = withdraw(consent(P, S, share_with=["home_care", "nursing_home"]), S, share_with=["home_care"])

    assert result.remaining == consent(P, S, share_with=["nursing_home"])
    assert result.withdrawn_scopes == [S]
    assert result.withdrawn_share_with == ["home_care"]


def test_withdrawing_sharing_with_every_code_named_stops_sharing() -> None:
    result = withdraw(consent(P, S, share_with=["home_care"]), S, share_with=["home_care"])

    assert result.remaining == consent(P)


def test_the_form_and_giver_of_the_consent_carry_over_to_what_remains() -> None:
    given = Consent(form=ConsentForm.ORAL, given_by=ConsentGiver.PARENTS, scope=[P, GP])

    remaining = withdraw(given, GP).remaining

    assert remaining is not None
    assert (remaining.form, remaining.given_by) == (ConsentForm.ORAL, ConsentGiver.PARENTS)


@pytest.mark.parametrize(
    ("current", "scopes", "share_with", "on", "field"),
    [
        (consent(P), [GP], [], TODAY, "scopes"),
        (consent(P, GP), [GP, GP], [], TODAY, "scopes"),
        (consent(P, GP), [], [], TODAY, "scopes"),
        (consent(P, S, GP, share_with=["home_care"]), [GP], ["home_care"], TODAY, "share_with"),
        (consent(P, S, share_with=["home_care"]), [S], ["nursing_home"], TODAY, "share_with"),
        (consent(P, GP), [GP], [], RECEIVED - timedelta(days=1), "withdrawn_on"),
        (consent(P, GP), [GP], [], TODAY + timedelta(days=1), "withdrawn_on"),
    ],
    ids=[
        "not-given",
        "scope-twice",
        "no-scope",
        "codes-without-sharing",
        "code-not-shared",
        "before-receipt",
        "future",
    ],
)
def test_an_impossible_withdrawal_is_refused_naming_the_field(
    current: Consent, scopes: list[ConsentScope], share_with: list[str], on: date, field: str
) -> None:
    with pytest.raises(DomainError) as caught:
        withdraw_consent(current, scopes, share_with, withdrawn_on=on, received_on=RECEIVED, today=TODAY)

    assert caught.value.field == field
    assert caught.value.detail.startswith(field)


def test_nothing_can_be_withdrawn_once_no_consent_remains() -> None:
    with pytest.raises(Conflict) as caught:
        withdraw(None, GP)

    assert caught.value.status == 409


@given(st.data())
def test_what_remains_plus_what_was_withdrawn_is_what_was_given(data: st.DataObject) -> None:
    others = data.draw(st.lists(st.sampled_from([S, GP, HOSP]), min_size=1, unique=True), label="other scopes")
    to_withdraw = data.draw(st.lists(st.sampled_from(others), min_size=1, unique=True), label="withdrawn")
    shared = data.draw(st.lists(st.sampled_from(["home_care", "nursing_home", "respite"]), min_size=1, unique=True))
    partly = data.draw(st.lists(st.sampled_from(shared), unique=True), label="share_with") if S in to_withdraw else []
    current = consent(P, *others, share_with=shared if S in others else None)

    result = withdraw(current, *to_withdraw, share_with=partly)

    assert result.remaining is not None
    assert P in result.remaining.scope
    assert set(result.remaining.share_with) | set(result.withdrawn_share_with) == set(current.share_with)
    assert not set(result.remaining.share_with) & set(result.withdrawn_share_with)
    assert (S in result.remaining.scope) == bool(result.remaining.share_with)
    assert set(result.withdrawn_scopes) == set(to_withdraw)
    # Sharing stays only while someone is still shared with.
    gone = set(to_withdraw) - ({S} if result.remaining.share_with else set())
    assert set(result.remaining.scope) == set(current.scope) - gone
