"""The rules of delivering staff notifications: the pause between attempts, giving up, who gets an e-mail and the
alert when it fails, the e-mail's words in bokmål and nynorsk, the configured addresses, and who reads which inbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from servicekit.actor import Actor
from servicekit.errors import Conflict, Forbidden
from servicekit.settings import ServiceSettings
from servicekit.tenants import Language, NotificationSettings, Tenants
from services.notification.domain import (
    CLAIM_LEASE,
    DELIVERY_FAILED,
    FIRST_RETRY,
    LONGEST_RETRY,
    Channel,
    Delivery,
    DeliveryStatus,
    Notification,
    authorize_inbox,
    delivery_failed_alert,
    email_delivery_for,
    email_text,
    readable_inboxes,
    retry_delay,
    staff_offices,
)

NOW = datetime(2026, 12, 10, 8, tzinfo=UTC)
SHIPPED = Tenants.load(ServiceSettings().tenants_dir)
ADDRESSES = NotificationSettings(
    addresses={
        "allocation_office": "tildeling@tolga.example.no",
        "leader_of:allocation_office": "leder@tolga.example.no",
    }
)


def _note(kind: str = "reminder", recipient: str = "allocation_office") -> Notification:
    return Notification(
        id="n-1",
        municipality="3426",
        case_id="case-1",
        kind=kind,
        recipient=recipient,
        text="Påminnelse: fristen (preliminary_reply) går ut 2026-12-14.",
        source_event_id="deadline:d-1",
        created_at=NOW,
    )


def _pending() -> Delivery:
    return Delivery("del-1", "3426", "n-1", Channel.EMAIL, "tildeling@tolga.example.no", NOW, next_attempt_at=NOW)


def test_the_pause_doubles_after_each_failed_attempt_from_one_minute() -> None:
    assert [retry_delay(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]


@given(st.integers(min_value=1, max_value=10_000))
def test_the_pause_never_exceeds_the_longest_and_never_shrinks(attempts: int) -> None:
    assert FIRST_RETRY <= retry_delay(attempts) <= LONGEST_RETRY
    assert retry_delay(attempts + 1) >= retry_delay(attempts)


def test_there_is_no_pause_before_the_first_attempt() -> None:
    with pytest.raises(ValueError, match="attempts"):
        retry_delay(0)


def test_a_claim_counts_an_attempt_and_holds_the_delivery_for_the_lease() -> None:
    delivery = _pending()
    delivery.claim(NOW)
    assert (delivery.attempts, delivery.next_attempt_at) == (1, NOW + CLAIM_LEASE)
    assert not delivery.due(NOW)
    with pytest.raises(Conflict, match="not due"):
        delivery.claim(NOW)
    assert delivery.due(NOW + CLAIM_LEASE)  # a replica that died while sending leaves it to be tried again


def test_a_failed_attempt_is_tried_again_after_the_pause_until_the_last_which_gives_up() -> None:
    delivery = _pending()
    now = NOW
    for attempt in (1, 2):
        delivery.claim(now)
        assert delivery.attempt_failed(now, "550 mailbox unavailable", max_attempts=3) is False
        assert (delivery.status, delivery.next_attempt_at) == (DeliveryStatus.PENDING, now + retry_delay(attempt))
        now += retry_delay(attempt)
    delivery.claim(now)
    assert delivery.attempt_failed(now, "550 mailbox unavailable", max_attempts=3) is True
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (DeliveryStatus.FAILED, 3, None)
    assert delivery.last_error == "550 mailbox unavailable"
    assert not delivery.due(now + timedelta(days=365))


def test_a_sent_delivery_is_done() -> None:
    delivery = _pending()
    delivery.claim(NOW)
    delivery.sent(NOW)
    assert (delivery.status, delivery.sent_at, delivery.due(NOW + timedelta(days=1))) == (
        DeliveryStatus.SENT,
        NOW,
        False,
    )


def test_a_staff_notification_to_a_recipient_with_an_address_is_an_email_delivery() -> None:
    delivery = email_delivery_for(_note(), ADDRESSES, delivery_id="del-1", now=NOW)
    assert delivery is not None
    assert (delivery.channel, delivery.address, delivery.status, delivery.attempts, delivery.next_attempt_at) == (
        Channel.EMAIL,
        "tildeling@tolga.example.no",
        DeliveryStatus.PENDING,
        0,
        NOW,
    )


@pytest.mark.parametrize(
    ("kind", "recipient"),
    [("reminder", "home_care"), ("decision", "applicant"), ("receipt", "applicant")],
    ids=["no_address_for_the_unit", "a_decision_notice_is_the_applicants", "a_receipt_is_the_applicants"],
)
def test_no_email_is_owed_without_an_address_or_for_the_applicants_notices(kind: str, recipient: str) -> None:
    assert email_delivery_for(_note(kind, recipient), ADDRESSES, delivery_id="del-1", now=NOW) is None


def test_a_failed_delivery_alerts_the_recipients_leader_and_a_failed_alert_alerts_no_one() -> None:
    delivery = _pending()
    delivery.claim(NOW)
    delivery.attempt_failed(NOW, "550 no such user", max_attempts=1)

    alert = delivery_failed_alert(_note(), delivery)
    assert alert is not None
    assert (alert.kind, alert.recipient) == (DELIVERY_FAILED, "leader_of:allocation_office")
    assert "tildeling@tolga.example.no" in alert.text
    assert "550 no such user" in alert.text
    assert delivery_failed_alert(_note(DELIVERY_FAILED, "leader_of:allocation_office"), delivery) is None


def test_a_failed_delivery_to_a_leader_alerts_that_leaders_inbox() -> None:
    delivery = _pending()
    alert = delivery_failed_alert(_note("escalation", "leader_of:home_care"), delivery)
    assert alert is not None
    assert alert.recipient == "leader_of:home_care"


def test_the_email_in_bokmal_names_the_municipality_what_happened_and_the_case() -> None:
    text = email_text(_note(), municipality="Tolga", language=Language.BOKMAL)
    assert text.subject == "Tolga: Påminnelse om frist (sak case-1)"
    assert text.body.startswith("Påminnelse: fristen (preliminary_reply) går ut 2026-12-14.\n")
    assert "Sak: case-1\nMottaker: allocation_office\n" in text.body
    assert "Dette er et varsel fra Forvalt i Tolga kommune." in text.body


def test_the_email_in_nynorsk() -> None:
    text = email_text(_note("escalation"), municipality="Selbu", language=Language.NYNORSK)
    assert text.subject == "Selbu: Frist løfta til leiar (sak case-1)"
    assert "Mottakar: allocation_office\n" in text.body
    assert "Dette er eit varsel frå Forvalt i Selbu kommune." in text.body


@pytest.mark.parametrize("language", list(Language))
def test_each_staff_kind_has_a_subject_of_its_own_in_each_language(language: Language) -> None:
    kinds = ("reminder", "alert", "escalation", DELIVERY_FAILED)
    subjects = {email_text(_note(k), municipality="Tolga", language=language).subject for k in kinds}
    assert len(subjects) == len(kinds)
    assert "Tolga: Varsel (sak case-1)" not in subjects  # the words for a kind without its own


def test_a_municipality_configures_validated_addresses_per_office_unit_and_leader() -> None:
    settings = NotificationSettings.model_validate(
        {"addresses": {"home_care": "hjemme@tolga.example.no", "leader_of:home_care": "leder@tolga.example.no"}}
    )
    assert settings.address_of("leader_of:home_care") == "leder@tolga.example.no"
    assert settings.address_of("nursing_home") is None
    assert SHIPPED.get("3426").notification.address_of("allocation_office") == "tildeling@tolga.example.no"


@pytest.mark.parametrize(
    ("addresses", "message"),
    [
        ({"home_care": "not-an-address"}, "email address"),
        ({"Home Care": "hjemme@tolga.example.no"}, "pattern"),
        ({"leader-of:home_care": "hjemme@tolga.example.no"}, "pattern"),
        ({"applicant": "person@example.no"}, "applicant is a person"),
    ],
    ids=["not_an_email_address", "not_a_code", "not_leader_of", "a_person"],
)
def test_an_address_that_is_not_an_email_or_for_no_staff_recipient_stops_the_start(
    addresses: dict[str, str], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        NotificationSettings.model_validate({"addresses": addresses})


def test_unknown_fields_in_the_notification_section_are_refused() -> None:
    with pytest.raises(ValidationError, match="Extra inputs"):
        NotificationSettings.model_validate({"adresses": {}})


def _user(*roles: str, unit: str | None = None) -> Actor:
    return Actor(subject="kari", municipality="3426", roles=frozenset(roles), unit=unit)


def test_a_unit_reads_its_own_and_its_leaders_inbox_only() -> None:
    assert readable_inboxes(_user("unit", unit="home_care"), ("allocation_office",)) == {
        "home_care",
        "leader_of:home_care",
    }
    with pytest.raises(Forbidden, match="nursing_home"):
        authorize_inbox(_user("unit", unit="home_care"), "nursing_home", ("allocation_office",))
    with pytest.raises(Forbidden):
        authorize_inbox(_user("leader", unit="home_care"), "allocation_office", ("allocation_office",))


def test_the_office_reads_its_offices_inboxes_and_a_leader_also_their_leaders() -> None:
    offices = staff_offices(SHIPPED.get("3426"))
    assert offices == ("allocation_office", "coordinating_unit")
    assert readable_inboxes(_user("caseworker"), offices) == set(offices)
    assert readable_inboxes(_user("leader"), offices) == {*offices, "leader_of:allocation_office"} | {
        "leader_of:coordinating_unit"
    }
    authorize_inbox(_user("coordinator"), "coordinator", offices)
    with pytest.raises(Forbidden):
        authorize_inbox(_user("caseworker"), "leader_of:allocation_office", offices)
    with pytest.raises(Forbidden):
        authorize_inbox(_user("caseworker"), "applicant", offices)
    with pytest.raises(Forbidden):
        authorize_inbox(_user("person"), "allocation_office", offices)
