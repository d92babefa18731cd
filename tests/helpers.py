"""Small helpers for end-to-end tests: applications to post, waiting for results."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

T = TypeVar("T")


def application(
    person: str = "p-1", service_code: str = "home_nursing", received_on: date | None = None
) -> dict[str, Any]:
    return {
        "person_id": person,
        "channel": "digital_form",
        "sender": "applicant",
        "service_code": service_code,
        "received_on": (received_on or date(2026, 11, 2)).isoformat(),
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
