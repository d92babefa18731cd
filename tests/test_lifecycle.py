"""A service stops cleanly on SIGTERM and resumes where it left off."""

from __future__ import annotations

import signal
import time

import httpx
import pytest

from tests.helpers import application, wait_for
from tests.platform import Platform

pytestmark = pytest.mark.infra

TOLGA = "3426"


def test_sigterm_drains_and_exits_zero_and_events_sent_meanwhile_are_processed_after_restart(
    running: Platform, tolga_person: str
) -> None:
    notification = running.services["notification"]
    intake = running.services["intake"]
    started = time.monotonic()
    notification.stop()
    assert notification.process is not None
    # The server re-raises SIGTERM after its graceful shutdown, so the exit status names the signal.
    assert notification.process.returncode in (0, -signal.SIGTERM)
    assert "notification stopped cleanly" in notification.log_path.read_text()
    assert time.monotonic() - started < 20

    case = httpx.post(
        f"{intake.url}/applications", json=application(person=tolga_person), headers=running.token(TOLGA), timeout=10
    )
    assert case.status_code == 201
    case_id = case.json()["case_id"]

    notification.start()
    receipts = wait_for(
        lambda: httpx.get(
            f"{notification.url}/notifications", params={"case_id": case_id}, headers=running.token(TOLGA), timeout=5
        ).json(),
        timeout_s=20,
        what="the receipt of an application registered while notification was down",
    )
    assert len(receipts) == 1
