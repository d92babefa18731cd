"""Deadline arithmetic: calendar time that lands on Norwegian working days.

Which way a deadline moves off a weekend or public holiday depends on whose it is (docs/domain.md, "Counting
deadlines"): a deadline the person must meet (an appeal, forvaltningsloven § 30) moves forward to the next working
day (`due_after_*`); a duty the municipality owes within a period moves back to the last working day on or before
the period's end, so the duty is met in time (`due_within_*`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from dateutil.relativedelta import relativedelta  # type: ignore[import-untyped]

# The law counts Norwegian calendar days: "today" and every local time of day are in this zone.
NORWAY = ZoneInfo("Europe/Oslo")


def local_date(moment: datetime) -> date:
    """The Norwegian calendar date of a timezone-aware moment."""
    return moment.astimezone(NORWAY).date()


@lru_cache(maxsize=64)
def _norwegian_holidays(year: int) -> holidays.HolidayBase:  # type: ignore[name-defined]
    # Sundays are left to the weekday test, so the list holds only the public holidays.
    return holidays.Norway(years=year, include_sundays=False)  # type: ignore[attr-defined,no-any-return]


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _norwegian_holidays(day.year)


def next_working_day(day: date) -> date:
    """The day itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def previous_working_day(day: date) -> date:
    """The day itself when it is a working day, else the last working day before it."""
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def add_working_days(day: date, days: int) -> date:
    """The working day `days` working days after `day` (a letter posted on a Friday with 3 days reaches the person on
    Wednesday); 0 is the day itself moved forward to a working day."""
    day = next_working_day(day)
    for _ in range(days):
        day = next_working_day(day + timedelta(days=1))
    return day


def add_months(day: date, months: int) -> date:
    """Same day-of-month `months` later; the 31st becomes the month's last day when it has fewer."""
    result: date = day + relativedelta(months=months)
    return result


def add_weeks(day: date, weeks: int) -> date:
    return day + timedelta(weeks=weeks)


def due_after_months(start: date, months: int) -> date:
    """A deadline the person must meet, `months` from `start`: moved forward to a working day."""
    return next_working_day(add_months(start, months))


def due_after_weeks(start: date, weeks: int) -> date:
    """A deadline the person must meet, `weeks` from `start`: moved forward to a working day."""
    return next_working_day(add_weeks(start, weeks))


def due_within_months(start: date, months: int) -> date:
    """A duty the municipality owes within `months` of `start`: the last working day on or before the period's end."""
    return previous_working_day(add_months(start, months))


def due_within_weeks(start: date, weeks: int) -> date:
    """A duty the municipality owes within `weeks` of `start`: the last working day on or before the period's end."""
    return previous_working_day(add_weeks(start, weeks))


def due_within_days(start: date, days: int) -> date:
    """A duty the municipality owes within `days` of `start`: the last working day on or before the period's end."""
    return previous_working_day(start + timedelta(days=days))
