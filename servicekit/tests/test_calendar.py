"""Deadline arithmetic on the Norwegian calendar."""

from __future__ import annotations

import calendar as std_calendar
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicekit.calendar import (
    add_months,
    add_weeks,
    add_working_days,
    due_after_months,
    due_after_weeks,
    due_within_days,
    due_within_months,
    due_within_weeks,
    is_working_day,
    next_working_day,
    previous_working_day,
)

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
months = st.integers(min_value=0, max_value=36)


@settings(max_examples=300, deadline=None)
@given(days)
def test_next_working_day_is_a_working_day_on_or_after_the_day_and_within_a_week(day: date) -> None:
    result = next_working_day(day)

    assert is_working_day(result)
    assert day <= result < day + timedelta(days=7)


@settings(max_examples=300, deadline=None)
@given(days)
def test_next_working_day_is_the_first_working_day(day: date) -> None:
    result = next_working_day(day)

    skipped = [day + timedelta(days=n) for n in range((result - day).days)]
    assert not any(is_working_day(d) for d in skipped)


@settings(max_examples=300, deadline=None)
@given(days)
def test_next_working_day_is_idempotent(day: date) -> None:
    once = next_working_day(day)

    assert next_working_day(once) == once


@settings(max_examples=300, deadline=None)
@given(days)
def test_previous_working_day_is_the_last_working_day_on_or_before_the_day(day: date) -> None:
    result = previous_working_day(day)

    assert is_working_day(result)
    assert day - timedelta(days=7) < result <= day
    skipped = [result + timedelta(days=n) for n in range(1, (day - result).days + 1)]
    assert not any(is_working_day(d) for d in skipped)
    assert previous_working_day(result) == result


@settings(max_examples=200, deadline=None)
@given(days)
def test_weekends_are_never_working_days(day: date) -> None:
    if day.weekday() >= 5:
        assert not is_working_day(day)


@settings(max_examples=300, deadline=None)
@given(days, months)
def test_add_months_keeps_the_day_of_month_or_takes_the_months_last_day(day: date, n: int) -> None:
    result = add_months(day, n)

    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == n
    last = std_calendar.monthrange(result.year, result.month)[1]
    assert result.day == min(day.day, last)


@settings(max_examples=300, deadline=None)
@given(days, months)
def test_due_after_months_is_the_first_working_day_on_or_after_the_calendar_date(day: date, n: int) -> None:
    due = due_after_months(day, n)

    assert due >= add_months(day, n)
    assert due == next_working_day(add_months(day, n))
    assert is_working_day(due)


@settings(max_examples=300, deadline=None)
@given(days, months)
def test_a_duty_due_within_months_falls_on_the_last_working_day_on_or_before_the_periods_end(day: date, n: int) -> None:
    end = add_months(day, n)
    due = due_within_months(day, n)

    assert is_working_day(due)
    assert due <= end, "never after the period's end: the duty is met in time"
    between = [due + timedelta(days=k) for k in range(1, (end - due).days + 1)]
    assert not any(is_working_day(d) for d in between), "no working day lies between the due date and the end"


@settings(max_examples=200, deadline=None)
@given(days, st.integers(min_value=0, max_value=52))
def test_due_after_weeks_is_the_first_working_day_on_or_after_the_calendar_date(day: date, n: int) -> None:
    due = due_after_weeks(day, n)

    assert add_weeks(day, n) == day + timedelta(weeks=n)
    assert due == next_working_day(day + timedelta(weeks=n))


@pytest.mark.parametrize(
    ("day", "expected", "why"),
    [
        (date(2026, 12, 25), date(2026, 12, 28), "Christmas Day Fri, Boxing Day Sat, Sun"),
        (date(2027, 3, 25), date(2027, 3, 30), "Maundy Thursday to Easter Monday 2027"),
        (date(2026, 4, 2), date(2026, 4, 7), "Maundy Thursday to Easter Monday 2026"),
        (date(2026, 5, 17), date(2026, 5, 18), "Constitution Day on a Sunday"),
        (date(2027, 5, 17), date(2027, 5, 18), "Constitution Day and Whit Monday 2027"),
        (date(2026, 5, 14), date(2026, 5, 15), "Ascension Day 2026"),
        (date(2026, 5, 1), date(2026, 5, 4), "Labour Day Fri, then a weekend"),
        (date(2027, 1, 1), date(2027, 1, 4), "New Year's Day Fri, then a weekend"),
        (date(2026, 11, 28), date(2026, 11, 30), "Saturday"),
        (date(2026, 11, 23), date(2026, 11, 23), "an ordinary Monday"),
        (date(2026, 12, 24), date(2026, 12, 24), "Christmas Eve is not a public holiday"),
    ],
)
def test_next_working_day_on_norwegian_holidays(day: date, expected: date, why: str) -> None:
    assert next_working_day(day) == expected, why


def test_january_31st_plus_a_month_is_the_last_of_february() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)


def test_month_deadline_from_january_31st_2026_falls_on_monday_2_march() -> None:
    # 28 February 2026 is a Saturday.
    assert date(2026, 2, 28).weekday() == 5
    assert due_after_months(date(2026, 1, 31), 1) == date(2026, 3, 2)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (date(2026, 11, 28), date(2026, 12, 28)),  # lands on a Monday
        (date(2026, 11, 25), date(2026, 12, 28)),  # Christmas Day Fri, Boxing Day Sat, Sun
        (date(2027, 3, 25), date(2027, 4, 26)),  # 25 April 2027 is a Sunday
        (date(2026, 4, 17), date(2026, 5, 18)),  # Constitution Day on a Sunday
    ],
)
def test_one_month_deadlines_move_to_the_next_working_day(start: date, expected: date) -> None:
    assert due_after_months(start, 1) == expected


def test_three_week_deadline_moves_past_easter() -> None:
    # 2027-03-04 + 3 weeks = Maundy Thursday 25 March; Easter Monday is 29 March.
    assert due_after_weeks(date(2027, 3, 4), 3) == date(2027, 3, 30)


@pytest.mark.parametrize(
    ("start", "expected", "why"),
    [
        (date(2026, 11, 2), date(2026, 12, 2), "an ordinary Wednesday stays"),
        (date(2026, 11, 25), date(2026, 12, 24), "Christmas Day: back to Christmas Eve, a working day"),
        (date(2026, 12, 1), date(2026, 12, 31), "New Year's Day: back to New Year's Eve, a working day"),
        (date(2026, 1, 31), date(2026, 2, 27), "no 31 February; Saturday 28 February: back to Friday"),
        (date(2026, 3, 6), date(2026, 4, 1), "Easter Monday, Sunday, Saturday, Good Friday, Maundy Thursday"),
        (date(2026, 4, 17), date(2026, 5, 15), "Constitution Day on a Sunday: back past the weekend"),
        (date(2027, 4, 17), date(2027, 5, 14), "Constitution Day and Whit Monday 2027: back to Friday"),
    ],
)
def test_a_duty_due_within_a_month_moves_back_to_a_working_day(start: date, expected: date, why: str) -> None:
    assert due_within_months(start, 1) == expected, why


def test_a_duty_due_within_a_month_moves_back_where_a_persons_deadline_moves_forward() -> None:
    # 25 December 2026 is a Friday: the person's deadline moves to Monday 28, the municipality's duty to Thursday 24.
    assert due_after_months(date(2026, 11, 25), 1) == date(2026, 12, 28)
    assert due_within_months(date(2026, 11, 25), 1) == date(2026, 12, 24)


@pytest.mark.parametrize("day", [date(2026, 12, 24), date(2026, 12, 31), date(2027, 12, 24), date(2027, 12, 31)])
def test_christmas_eve_and_new_years_eve_are_working_days_on_a_weekday(day: date) -> None:
    assert day.weekday() < 5
    assert is_working_day(day)


def test_the_norwegian_date_is_used_around_midnight_utc() -> None:
    from datetime import UTC, datetime

    from servicekit.calendar import local_date

    # 23:30 UTC on 31 March 2026 is already 1 April in Norway (summer time, UTC+2).
    assert local_date(datetime(2026, 3, 31, 23, 30, tzinfo=UTC)) == date(2026, 4, 1)
    # 22:30 UTC on 15 January is 23:30 in Norway (UTC+1): still the 15th.
    assert local_date(datetime(2026, 1, 15, 22, 30, tzinfo=UTC)) == date(2026, 1, 15)


@settings(max_examples=200, deadline=None)
@given(day=days, n=st.integers(min_value=0, max_value=15))
def test_add_working_days_counts_n_working_days_after_the_first_working_day(day: date, n: int) -> None:
    start, result = next_working_day(day), add_working_days(day, n)
    assert is_working_day(result)
    between = [start + timedelta(days=i) for i in range(1, (result - start).days + 1)]
    assert sum(1 for d in between if is_working_day(d)) == n


def test_add_working_days_skips_easter_and_weekends() -> None:
    # Wednesday before Easter 2027 + 1 working day: Maundy Thursday, Good Friday, Easter Monday are holidays.
    assert add_working_days(date(2027, 3, 24), 1) == date(2027, 3, 30)
    assert add_working_days(date(2026, 11, 27), 3) == date(2026, 12, 2)  # a Friday + 3 = Wednesday
    assert add_working_days(date(2026, 11, 28), 0) == date(2026, 11, 30)  # a Saturday moves to Monday


def test_duties_within_weeks_and_days_fall_on_or_before_the_periods_end() -> None:
    assert due_within_weeks(date(2027, 3, 4), 3) == date(2027, 3, 24)  # 25 March 2027 is Maundy Thursday
    assert due_within_days(date(2026, 12, 1), 5) == date(2026, 12, 4)  # 6 December 2026 is a Sunday
    assert due_within_days(date(2026, 12, 1), 3) == date(2026, 12, 4)
