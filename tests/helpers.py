"""Small helpers for end-to-end tests: applications to post, waiting for results.

Dates. The shared platform (`running` in tests/conftest.py) runs every service on a clock frozen at `E2E_NOW`,
so the tests on it may write their dates out: an application received on `RECEIVED_ON` is nine days old, its
preliminary reply is due on 2 December, and no reminder is owed yet, on whatever day the suite runs. A test on
services that run on the machine's clock (tests/test_real_clock.py) computes its dates from the run's own
today instead (`today_in_norway`) and passes them explicitly.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import httpx

from servicekit.clock import SystemClock

T = TypeVar("T")

# Wednesday 11 November 2026, 10:00 in Norway: "now" for every service of the shared test platform.
E2E_NOW = datetime(2026, 11, 11, 9, 0, tzinfo=UTC)
# Monday 2 November 2026: when the tests' applications were received, unless a test says otherwise.
RECEIVED_ON = date(2026, 11, 2)


def today_in_norway() -> date:
    """The run's own today, for tests on services that run on the machine's clock."""
    return SystemClock().today()


def application(
    person: str = "p-1", service_code: str = "home_nursing", received_on: date | None = None
) -> dict[str, Any]:
    return {
        "person_id": person,
        "channel": "digital_form",
        "sender": "applicant",
        "service_code": service_code,
        "received_on": (received_on or RECEIVED_ON).isoformat(),
        "consent": {"form": "written", "given_by": "person", "scope": ["processing"]},
    }


def wait_for(probe: Callable[[], T | None], *, timeout_s: float, interval_s: float = 0.25, what: str = "") -> T:
    """Poll until `probe` returns something truthy, or fail naming what did not happen."""
    deadline = time.monotonic() + timeout_s
    last: T | None = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(interval_s)
    raise AssertionError(f"timed out after {timeout_s}s waiting for {what or 'condition'} (last: {last!r})")


def national_id(birth: date, individual: int = 123, *, d_number: bool = False) -> str:
    """A valid Norwegian national identity number (or D-number) for a birth date, with both check digits.

    Starts at `individual` and takes the first individual number that has valid check digits. It must fit the
    century of `birth` (000-499 for the 1900s, 500-999 for the 2000s).
    """
    day = birth.day + (40 if d_number else 0)
    for candidate in range(individual, 1000):
        number = f"{day:02d}{birth.month:02d}{birth.year % 100:02d}{candidate:03d}"
        for weights in ((3, 7, 6, 1, 8, 9, 4, 5, 2), (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)):
            remainder = sum(int(d) * w for d, w in zip(number, weights, strict=True)) % 11
            check = 0 if remainder == 0 else 11 - remainder
            if check == 10:
                break
            number += str(check)
        if len(number) == 11:
            return number
    raise ValueError(f"no valid identity number from individual number {individual}")


def register_person(
    intake_url: str, headers: dict[str, str], birth: date, individual: int = 123, **contact: Any
) -> str:
    """Register a person in intake's person register (optionally with name and address) and return the
    pseudonymous person id."""
    response = httpx.post(
        f"{intake_url}/persons",
        json={"national_id": national_id(birth, individual), **contact},
        headers=headers,
        timeout=10,
    )
    assert response.status_code in (200, 201), response.text
    person_id: str = response.json()["person_id"]
    return person_id


async def eventually(
    probe: Callable[[], Awaitable[T | None]], *, timeout_s: float, interval_s: float = 0.3, what: str = ""
) -> T:
    """The async twin of `wait_for`: await `probe` until it returns something truthy."""
    deadline = time.monotonic() + timeout_s
    last: T | None = None
    while time.monotonic() < deadline:
        last = await probe()
        if last:
            return last
        await asyncio.sleep(interval_s)
    raise AssertionError(f"timed out after {timeout_s}s waiting for {what or 'condition'} (last: {last!r})")
