"""The one clock: the instant in UTC, the day in Norway, fixed clocks for tests, and a frozen clock only in tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from servicekit.clock import FixedClock, SystemClock, clock_from
from servicekit.settings import ServiceSettings

OSLO = ZoneInfo("Europe/Oslo")


@pytest.mark.parametrize(
    ("instant", "norwegian_day"),
    [
        (datetime(2026, 12, 31, 22, 59, tzinfo=UTC), date(2026, 12, 31)),  # 23:59 in Oslo, winter time
        (datetime(2026, 12, 31, 23, 0, tzinfo=UTC), date(2027, 1, 1)),  # midnight in Oslo: already next year
        (datetime(2026, 6, 30, 22, 0, tzinfo=UTC), date(2026, 7, 1)),  # midnight in Oslo, summer time
        (datetime(2027, 3, 28, 1, 30, tzinfo=UTC), date(2027, 3, 28)),  # the spring-forward night (Easter Sunday)
        (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), date(2026, 10, 25)),  # 02:30 CEST on the fall-back night
    ],
)
def test_today_is_the_norwegian_date_of_the_instant_whatever_utc_says(instant: datetime, norwegian_day: date) -> None:
    assert FixedClock(instant).today() == norwegian_day


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)))
def test_a_fixed_clock_keeps_its_instant_in_utc_and_its_day_in_oslo(instant: datetime) -> None:
    clock = FixedClock(instant)

    assert clock.now() == instant
    assert clock.now().tzinfo is UTC
    assert clock.today() == instant.astimezone(OSLO).date()


def test_a_fixed_clock_takes_any_zone_and_answers_in_utc() -> None:
    clock = FixedClock(datetime(2026, 11, 2, 10, 0, tzinfo=timezone(timedelta(hours=1))))

    assert clock.now() == datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    assert clock.now().utcoffset() == timedelta(0)


def test_a_fixed_clock_stands_still_until_it_is_set_or_advanced() -> None:
    start = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    clock = FixedClock(start)

    assert clock.now() == clock.now() == start
    assert clock.advance(timedelta(days=31)) == datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    assert clock.today() == date(2026, 12, 3)
    clock.set(datetime(2027, 12, 24, 8, 0, tzinfo=UTC))
    assert clock.today() == date(2027, 12, 24)


def test_a_naive_instant_is_refused_because_its_day_would_depend_on_the_machine() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        FixedClock(datetime(2026, 11, 2, 9, 0))
    clock = FixedClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    with pytest.raises(ValueError, match="timezone-aware"):
        clock.set(datetime(2026, 11, 3, 9, 0))


def test_the_system_clock_answers_aware_utc() -> None:
    now = SystemClock().now()

    assert now.tzinfo is UTC


def test_the_settings_give_the_machines_clock_unless_a_test_server_freezes_it() -> None:
    assert isinstance(clock_from(ServiceSettings()), SystemClock)

    settings = ServiceSettings(environment="test", clock_frozen_at="2026-11-03T10:00:00+01:00")  # type: ignore[arg-type]
    clock = clock_from(settings)

    assert isinstance(clock, FixedClock)
    assert clock.now() == datetime(2026, 11, 3, 9, 0, tzinfo=UTC)


def test_the_frozen_clock_setting_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORVALT_ENVIRONMENT", "test")
    monkeypatch.setenv("FORVALT_CLOCK_FROZEN_AT", "2026-11-03T09:00:00Z")

    assert clock_from(ServiceSettings()).now() == datetime(2026, 11, 3, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("environment", ["production", "development"])
def test_a_frozen_clock_is_refused_outside_test_servers(environment: str) -> None:
    with pytest.raises(ValidationError, match="clock_frozen_at"):
        ServiceSettings(
            environment=environment,  # type: ignore[arg-type]
            jwt_secret="a-real-secret-of-a-production-installation",
            clock_frozen_at="2026-11-03T09:00:00Z",  # type: ignore[arg-type]
        )


def test_a_frozen_clock_without_a_zone_is_refused() -> None:
    with pytest.raises(ValidationError, match="clock_frozen_at"):
        ServiceSettings(environment="test", clock_frozen_at="2026-11-03T09:00:00")  # type: ignore[arg-type]
