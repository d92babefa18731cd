"""E-mail to staff through a real SMTP server, started in the test on 127.0.0.1 (an ephemeral port): a due
reminder to Tolga's allocation office arrives with its address, subject and words; a server that refuses the
message leads to attempts after a growing pause, then a failed delivery and an alert to the office's leader."""

from __future__ import annotations

import asyncio
import email
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session
from fastapi import FastAPI

from servicekit.clock import FixedClock
from servicekit.testing import TEST_SECRET, close_app, migrated_app, runtime_of
from services.notification.domain import DELIVERY_FAILED, retry_delay
from services.notification.main import Settings, deliveries_job, spec
from services.notification.tests.staff_mail import (
    LEADER_ADDRESS,
    OFFICE_ADDRESS,
    REMIND_AT,
    deliveries,
    due_reminder,
    notes,
)

SENDER = "forvalt@tolga.example.no"


class Inbox:
    """What the server was handed; `refuse` makes it answer every message with 550."""

    def __init__(self, *, refuse: bool = False) -> None:
        self.refuse = refuse
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.refused = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.refuse:
            self.refused += 1
            return "550 5.1.1 mailbox unavailable"
        content = envelope.content if isinstance(envelope.content, bytes) else str(envelope.content).encode()
        message = email.message_from_bytes(content, policy=default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 12, 1, 9, tzinfo=UTC))


@pytest.fixture
async def smtp_server() -> AsyncIterator[tuple[Inbox, int]]:
    inbox = Inbox()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(inbox, hostname="smtp.test"), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield inbox, port
    server.close()
    await server.wait_closed()


async def _app_with_smtp(tmp_path: Path, clock: FixedClock, port: int, **more: Any) -> tuple[FastAPI, Settings]:
    settings = Settings(
        environment="test",
        database_url=f"sqlite+aiosqlite:///{tmp_path}/notification.db",
        telemetry_exporter="memory",
        jwt_secret=TEST_SECRET,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_from=SENDER,
        smtp_starttls=False,
        smtp_timeout_s=5,
        **more,
    )
    return await migrated_app(spec(settings), settings, clock), settings


async def test_a_due_reminder_to_tolgas_allocation_office_arrives_at_its_address(
    tmp_path: Path, clock: FixedClock, smtp_server: tuple[Inbox, int]
) -> None:
    server, port = smtp_server
    app, settings = await _app_with_smtp(tmp_path, clock, port)
    try:
        await due_reminder(app, clock)

        assert await deliveries_job(settings)(runtime_of(app).parts) == 1

        [(to, message)] = server.messages
        assert to == [OFFICE_ADDRESS]
        assert (message["To"], message["From"]) == (OFFICE_ADDRESS, SENDER)
        assert message["Subject"] == "Tolga: Påminnelse om frist (sak case-d-1)"
        body = message.get_body()
        assert body is not None
        text = body.get_content().replace("\r\n", "\n")  # lines end in CRLF on the wire
        assert text.startswith("Påminnelse: fristen (information_request) går ut 2026-12-14.\n")
        assert "Sak: case-d-1\nMottaker: allocation_office\n" in text
        [sent] = await deliveries(app)
        assert (sent.status, sent.attempts, sent.sent_at) == ("sent", 1, REMIND_AT)

        assert await deliveries_job(settings)(runtime_of(app).parts) == 0  # sent once
        assert len(server.messages) == 1
    finally:
        await close_app(app)


async def test_a_server_that_refuses_leads_to_retries_then_a_failed_delivery_and_an_alert_to_the_leader(
    tmp_path: Path, clock: FixedClock, smtp_server: tuple[Inbox, int]
) -> None:
    server, port = smtp_server
    server.refuse = True
    app, settings = await _app_with_smtp(tmp_path, clock, port, delivery_max_attempts=3)
    job = deliveries_job(settings)
    try:
        await due_reminder(app, clock)

        now = REMIND_AT
        for attempt in (1, 2):
            clock.set(now)
            assert await job(runtime_of(app).parts) == 0
            [retrying] = await deliveries(app)
            assert (retrying.status, retrying.attempts) == ("pending", attempt)
            assert retrying.last_error.startswith("SMTPDataError")
            assert await job(runtime_of(app).parts) == 0  # not again before the pause is over
            now += retry_delay(attempt)
        clock.set(now)
        assert await job(runtime_of(app).parts) == 0

        assert server.refused == 3
        failed, alert = await deliveries(app)
        assert (failed.status, failed.attempts, failed.address) == ("failed", 3, OFFICE_ADDRESS)
        assert "550 5.1.1 mailbox unavailable" in failed.last_error
        assert (alert.kind, alert.recipient, alert.address, alert.status) == (
            DELIVERY_FAILED,
            "leader_of:allocation_office",
            LEADER_ADDRESS,
            "pending",
        )
        assert await notes(app) == [("reminder", "allocation_office"), (DELIVERY_FAILED, "leader_of:allocation_office")]

        server.refuse = False
        assert await job(runtime_of(app).parts) == 1  # the leader's address takes the alert
        [(to, message)] = server.messages
        assert to == [LEADER_ADDRESS]
        assert message["Subject"] == "Tolga: Et varsel kunne ikke sendes (sak case-d-1)"
    finally:
        await close_app(app)
