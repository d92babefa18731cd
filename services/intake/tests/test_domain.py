"""Intake's rules for what a registrable application is, and how journal numbers read."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from contracts.intake import Channel, Consent, ConsentForm, ConsentGiver, ConsentScope, Sender
from servicekit.errors import DomainError
from servicekit.settings import REPO_ROOT
from servicekit.tenants import Tenant, Tenants
from services.intake.domain import RegisterApplication, check_application, journal_number

TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def tolga() -> Tenant:
    return Tenants.load(REPO_ROOT / "deploy" / "tenants").get("3426")


def application(**overrides: object) -> RegisterApplication:
    cmd = RegisterApplication(
        municipality="3426",
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
    )

    check_application(application(consent=consent), tolga, today=TODAY)


@pytest.mark.parametrize(
    ("year", "sequence", "expected"),
    [(2026, 1, "2026/000001"), (2026, 42, "2026/000042"), (2027, 123456, "2027/123456"), (1999, 7, "1999/000007")],
)
def test_journal_number_is_year_slash_six_digit_sequence(year: int, sequence: int, expected: str) -> None:
    assert journal_number(year, sequence) == expected
