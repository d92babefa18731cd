"""Staff notifications delivered by e-mail, as use cases on the service's clock: a reminder to an office with an
address is owed an e-mail; each attempt is claimed by one replica; a failure is tried again after a growing pause,
then fails and alerts the recipient's leader (once: a failed alert alerts no one); with no SMTP server, off."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from pydantic import ValidationError

from servicekit.actor import Actor
from servicekit.clock import FixedClock
from servicekit.testing import runtime_of
from services.notification import commands
from services.notification.domain import CLAIM_LEASE, DELIVERY_FAILED, DeliveryStatus, retry_delay
from services.notification.main import Settings, deliveries_job
from services.notification.tests.staff_mail import (
    LEADER_ADDRESS,
    OFFICE_ADDRESS,
    REMIND_AT,
    TOLGA,
    deliveries,
    due_reminder,
    notes,
)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 12, 1, 9, tzinfo=UTC))


async def _claim(app: FastAPI, delivery_id: str) -> commands.Outgoing | None:
    bus = runtime_of(app).bus.acting_as(Actor.service("notification", TOLGA))
    return await bus.run(commands.claim_delivery, commands.ClaimDelivery(delivery_id))


async def _record(app: FastAPI, delivery_id: str, attempt: int, error: str | None, max_attempts: int = 3) -> object:
    bus = runtime_of(app).bus.acting_as(Actor.service("notification", TOLGA))
    cmd = commands.RecordAttempt(delivery_id, attempt, error, max_attempts)
    return await bus.run(commands.record_attempt, cmd)


async def test_a_reminder_to_an_office_with_an_address_is_owed_an_email_and_one_without_is_not(
    app: FastAPI, clock: FixedClock
) -> None:
    await due_reminder(app, clock, responsible="allocation_office", deadline_id="d-office")
    await due_reminder(app, clock, responsible="nursing_home", deadline_id="d-unit")  # no address configured

    [row] = await deliveries(app)
    assert (row.kind, row.recipient, row.channel, row.address, row.status, row.attempts, row.next_attempt_at) == (
        "reminder",
        "allocation_office",
        "email",
        OFFICE_ADDRESS,
        "pending",
        0,
        REMIND_AT,
    )


async def test_a_claimed_delivery_is_rendered_in_the_municipalitys_language_and_claimed_by_one_replica_only(
    app: FastAPI, clock: FixedClock
) -> None:
    await due_reminder(app, clock)
    [row] = await deliveries(app)

    claims = await asyncio.gather(_claim(app, row.id), _claim(app, row.id))

    [outgoing] = [c for c in claims if c is not None]
    assert claims.count(None) == 1
    assert (outgoing.attempt, outgoing.to, outgoing.subject, outgoing.at) == (
        1,
        OFFICE_ADDRESS,
        "Tolga: Påminnelse om frist (sak case-d-1)",
        REMIND_AT,
    )
    assert outgoing.body.startswith("Påminnelse: fristen (information_request) går ut 2026-12-14.")
    [claimed] = await deliveries(app)
    assert (claimed.attempts, claimed.next_attempt_at) == (1, REMIND_AT + CLAIM_LEASE)


async def test_a_sent_email_is_recorded_sent_and_never_claimed_again(app: FastAPI, clock: FixedClock) -> None:
    await due_reminder(app, clock)
    [row] = await deliveries(app)
    outgoing = await _claim(app, row.id)
    assert outgoing is not None

    assert await _record(app, row.id, 1, None) is DeliveryStatus.SENT

    [sent] = await deliveries(app)
    assert (sent.status, sent.sent_at, sent.next_attempt_at) == ("sent", REMIND_AT, None)
    clock.set(REMIND_AT + timedelta(days=1))
    assert await _claim(app, row.id) is None


async def test_failures_are_retried_with_a_growing_pause_then_the_delivery_fails_and_alerts_the_leader_once(
    app: FastAPI, clock: FixedClock
) -> None:
    await due_reminder(app, clock)
    [row] = await deliveries(app)

    now = REMIND_AT
    for attempt in (1, 2):
        clock.set(now)
        assert (await _claim(app, row.id)) is not None
        assert await _record(app, row.id, attempt, "550 mailbox unavailable") is DeliveryStatus.PENDING
        [retrying] = await deliveries(app)
        assert (retrying.attempts, retrying.next_attempt_at) == (attempt, now + retry_delay(attempt))
        clock.set(now + retry_delay(attempt) - timedelta(seconds=1))
        assert await _claim(app, row.id) is None  # not before the pause is over
        now += retry_delay(attempt)
    clock.set(now)
    assert (await _claim(app, row.id)) is not None
    assert await _record(app, row.id, 3, "550 mailbox unavailable") is DeliveryStatus.FAILED

    failed, alert = await deliveries(app)
    assert (failed.status, failed.attempts, failed.last_error) == ("failed", 3, "550 mailbox unavailable")
    assert (alert.kind, alert.recipient, alert.address, alert.status) == (
        DELIVERY_FAILED,
        "leader_of:allocation_office",
        LEADER_ADDRESS,
        "pending",
    )

    # The leader's address refuses too: the alert fails, and no one is alerted of that in turn.
    for attempt in (1, 2, 3):
        assert (await _claim(app, alert.id)) is not None
        await _record(app, alert.id, attempt, "550 mailbox unavailable")
        clock.set(clock.now() + timedelta(hours=3))
    assert [r.status for r in await deliveries(app)] == ["failed", "failed"]
    assert await notes(app) == [("reminder", "allocation_office"), (DELIVERY_FAILED, "leader_of:allocation_office")]


async def test_a_result_is_not_recorded_once_the_claim_ran_out_and_another_replica_took_the_delivery(
    app: FastAPI, clock: FixedClock
) -> None:
    await due_reminder(app, clock)
    [row] = await deliveries(app)
    assert (await _claim(app, row.id)) is not None
    clock.set(REMIND_AT + CLAIM_LEASE)
    second = await _claim(app, row.id)  # the first replica died, or hangs, while sending
    assert second is not None
    assert second.attempt == 2

    assert await _record(app, row.id, 1, None) is None
    assert await _record(app, row.id, 2, None) is DeliveryStatus.SENT
    [sent] = await deliveries(app)
    assert (sent.status, sent.attempts) == ("sent", 2)


async def test_without_an_smtp_server_each_email_owed_is_recorded_off_and_never_sent(
    app: FastAPI, clock: FixedClock
) -> None:
    job = deliveries_job(Settings(environment="test"))
    await due_reminder(app, clock)

    assert await job(runtime_of(app).parts) == 0

    [off] = await deliveries(app)
    assert (off.status, off.attempts, off.next_attempt_at) == ("off", 0, None)
    assert off.last_error == "e-mail delivery is not configured on this installation"
    assert await _claim(app, off.id) is None
    assert await notes(app) == [("reminder", "allocation_office")]  # still in the inbox; no alert


def test_the_smtp_server_is_configuration_with_a_sender_and_credentials_in_pairs() -> None:
    assert Settings(environment="test").mailer() is None  # no host: e-mail delivery off
    mailer = Settings(
        environment="test",
        smtp_host="smtp.example.no",
        smtp_from="forvalt@tolga.example.no",
        smtp_username="forvalt",
        smtp_password="a-password",
    ).mailer()
    assert mailer is not None
    assert (mailer.host, mailer.port, mailer.starttls, mailer.username, mailer.password) == (
        "smtp.example.no",
        587,
        True,
        "forvalt",
        "a-password",
    )
    with pytest.raises(ValidationError, match="smtp_from"):
        Settings(environment="test", smtp_host="smtp.example.no")
    with pytest.raises(ValidationError, match="give both or neither"):
        Settings(environment="test", smtp_host="smtp.example.no", smtp_from="a@b.no", smtp_username="forvalt")
    with pytest.raises(ValidationError, match="email address"):
        Settings(environment="test", smtp_host="smtp.example.no", smtp_from="not-an-address")
