"""A consumer killed with SIGKILL mid-stream loses nothing and does nothing twice."""

from __future__ import annotations

import threading
import time
from collections import Counter

import httpx
import pytest

from tests.helpers import application, wait_for
from tests.platform import Platform

pytestmark = pytest.mark.infra

TOLGA = "3426"
APPLICATIONS = 200


def test_every_application_gets_exactly_one_receipt_across_a_sigkill_and_restart(
    running: Platform, tolga_person: str
) -> None:
    intake = running.services["intake"]
    notification = running.services["notification"]
    headers = running.token(TOLGA)
    case_ids: list[str] = []
    errors: list[str] = []

    def post_all() -> None:
        with httpx.Client(timeout=10) as client:
            for _ in range(APPLICATIONS):
                response = client.post(
                    f"{intake.url}/applications", json=application(person=tolga_person), headers=headers
                )
                if response.status_code != 201:
                    errors.append(response.text)
                    continue
                case_ids.append(response.json()["case_id"])

    poster = threading.Thread(target=post_all)
    poster.start()
    # Kill the consumer while applications are still flowing, then bring it back.
    wait_for(lambda: len(case_ids) >= APPLICATIONS // 4, timeout_s=60, what="a quarter of the applications")
    notification.kill()
    time.sleep(1.0)
    notification.start()
    poster.join(timeout=120)
    assert not errors, errors[:3]
    assert len(case_ids) == APPLICATIONS
    wanted = set(case_ids)

    def receipts() -> Counter[str] | None:
        seen: Counter[str] = Counter()
        offset = 0
        with httpx.Client(timeout=10) as client:
            while True:
                page = client.get(
                    f"{notification.url}/notifications", params={"limit": 500, "offset": offset}, headers=headers
                ).json()
                seen.update(n["case_id"] for n in page if n["kind"] == "receipt" and n["case_id"] in wanted)
                if len(page) < 500:
                    break
                offset += 500
        return seen if set(seen) == wanted else None

    seen = wait_for(receipts, timeout_s=60, interval_s=1, what="a receipt for every application")
    assert set(seen) == wanted, "none missing"
    assert all(count == 1 for count in seen.values()), "none doubled"
