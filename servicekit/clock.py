"""The one clock of a service: the current instant and the Norwegian date, injected from the composition root.

Nothing else in `servicekit/` or `services/` reads the machine's time for the domain. A service's `main()`
builds its clock from the settings (`clock_from`) and hands it to the runtime; tests hand it a `FixedClock`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from servicekit.calendar import local_date

if TYPE_CHECKING:
    from servicekit.settings import ServiceSettings


class Clock(ABC):
    """When "now" is, for the rules: a timezone-aware UTC instant, and the Norwegian calendar day it falls on."""

    @abstractmethod
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""

    def today(self) -> date:
        """The Norwegian calendar date of `now()`: the day the law counts, whatever the server's zone."""
        return local_date(self.now())


class SystemClock(Clock):
    """The machine's clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def __repr__(self) -> str:
        return "SystemClock()"


class FixedClock(Clock):
    """A clock that stands still until it is moved: for tests, and for test servers started at a fixed instant."""

    def __init__(self, at: datetime) -> None:
        self._at = _aware(at)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = _aware(at)

    def advance(self, by: timedelta) -> datetime:
        """Move the clock forward (or back, with a negative `by`) and return the new instant."""
        self._at += by
        return self._at

    def __repr__(self) -> str:
        return f"FixedClock({self._at.isoformat()})"


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"a clock keeps timezone-aware instants; {at.isoformat()} has no zone")
    return at.astimezone(UTC)


def clock_from(settings: ServiceSettings) -> Clock:
    """The clock the settings ask for: the machine's, or, on a test server only, one standing at
    `clock_frozen_at` (the settings refuse that outside `environment=test`)."""
    return SystemClock() if settings.clock_frozen_at is None else FixedClock(settings.clock_frozen_at)
