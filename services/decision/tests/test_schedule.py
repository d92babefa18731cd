"""The allocation-meeting calendar: which meeting's agenda a case goes on.

Tolga: tiltaksmøte every Tuesday 09:00, "frist mandager kl. 12.00". Holtålen: the coordinating unit for
children meets on the first Wednesday of the month at 09:00; the agenda closes a week before at 12:00.
Submitted by 12:00 is in time, to the minute: 12:00:59 still is, 12:01 is not.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicekit.tenants import MeetingSchedule
from services.decision.schedule import agenda_meeting, in_time, meeting_for, next_meeting_after, slot
from services.decision.tests.support import oslo

TOLGA = MeetingSchedule.model_validate(
    {
        "name": "Tiltaksmøte",
        "frequency": "weekly",
        "weekday": "tuesday",
        "time": "09:00",
        "cutoff": {"days_before": 1, "time": "12:00"},
    }
)
HOLTALEN = MeetingSchedule.model_validate(
    {
        "name": "Møte i koordinerende enhet for barn og unge",
        "frequency": "monthly",
        "weekday": "wednesday",
        "week_of_month": 1,
        "time": "09:00",
        "cutoff": {"days_before": 7, "time": "12:00"},
    }
)


def test_a_recommendation_submitted_at_12_00_on_monday_is_on_tuesdays_agenda() -> None:
    found = meeting_for(TOLGA, oslo(2026, 3, 9, 12, 0), emergency=False)

    assert found.meeting_on == date(2026, 3, 10)
    assert found.starts_at == oslo(2026, 3, 10, 9, 0)
    assert found.cutoff_at == oslo(2026, 3, 9, 12, 0)


def test_a_recommendation_submitted_while_the_clock_still_shows_12_00_is_in_time() -> None:
    assert meeting_for(TOLGA, oslo(2026, 3, 9, 12, 0, 59), emergency=False).meeting_on == date(2026, 3, 10)


def test_a_recommendation_submitted_at_12_01_on_monday_waits_for_the_next_weeks_meeting() -> None:
    assert meeting_for(TOLGA, oslo(2026, 3, 9, 12, 1), emergency=False).meeting_on == date(2026, 3, 17)


def test_a_recommendation_submitted_during_the_week_goes_on_next_tuesdays_agenda() -> None:
    assert meeting_for(TOLGA, oslo(2026, 3, 11, 10, 0), emergency=False).meeting_on == date(2026, 3, 17)
    assert meeting_for(TOLGA, oslo(2026, 3, 10, 9, 30), emergency=False).meeting_on == date(2026, 3, 17)


def test_the_cut_off_is_norwegian_time_on_both_sides_of_the_summer_time_change() -> None:
    # Summer time starts Sunday 29 March 2026: Monday 12:00 is 10:00 UTC, a week earlier it was 11:00 UTC.
    assert in_time(datetime(2026, 3, 30, 10, 0, 30, tzinfo=UTC), oslo(2026, 3, 30, 12, 0))
    assert not in_time(datetime(2026, 3, 30, 10, 1, tzinfo=UTC), oslo(2026, 3, 30, 12, 0))
    assert meeting_for(TOLGA, datetime(2026, 3, 23, 11, 0, tzinfo=UTC), emergency=False).meeting_on == date(2026, 3, 24)
    assert meeting_for(TOLGA, datetime(2026, 3, 30, 10, 1, tzinfo=UTC), emergency=False).meeting_on == date(2026, 4, 7)


def test_an_emergency_measure_registered_on_a_sunday_goes_on_tuesdays_meeting() -> None:
    found = meeting_for(TOLGA, oslo(2026, 3, 8, 22, 15), emergency=True)

    assert found.meeting_on == date(2026, 3, 10)


def test_an_emergency_measure_registered_after_the_cut_off_still_goes_on_the_first_meeting() -> None:
    registered = oslo(2026, 3, 9, 15, 0)

    assert meeting_for(TOLGA, registered, emergency=True).meeting_on == date(2026, 3, 10)
    assert meeting_for(TOLGA, registered, emergency=False).meeting_on == date(2026, 3, 17)


def test_an_emergency_measure_goes_on_the_first_meeting_that_starts_after_it_was_registered() -> None:
    assert meeting_for(TOLGA, oslo(2026, 3, 10, 8, 59), emergency=True).meeting_on == date(2026, 3, 10)
    assert meeting_for(TOLGA, oslo(2026, 3, 10, 9, 0), emergency=True).meeting_on == date(2026, 3, 17)


def test_a_meeting_on_a_public_holiday_moves_to_the_next_working_day_and_keeps_its_cut_off() -> None:
    # Tuesday 25 December 2029 and Wednesday 26 December are holidays: the meeting is held Thursday 27th.
    moved = slot(TOLGA, date(2029, 12, 25))
    assert moved.meeting_on == date(2029, 12, 27)
    assert moved.cutoff_at == oslo(2029, 12, 24, 12, 0)
    assert meeting_for(TOLGA, oslo(2029, 12, 24, 11, 0), emergency=False).meeting_on == date(2029, 12, 27)
    assert meeting_for(TOLGA, oslo(2029, 12, 26, 10, 0), emergency=True).meeting_on == date(2029, 12, 27)


def test_monthly_meeting_is_on_the_first_wednesday_with_the_agenda_closing_a_week_before() -> None:
    found = meeting_for(HOLTALEN, oslo(2026, 2, 25, 12, 0), emergency=False)

    assert found.meeting_on == date(2026, 3, 4)
    assert found.cutoff_at == oslo(2026, 2, 25, 12, 0)


def test_monthly_meeting_a_minute_after_the_cut_off_waits_a_month() -> None:
    assert meeting_for(HOLTALEN, oslo(2026, 2, 25, 12, 1), emergency=False).meeting_on == date(2026, 4, 1)
    assert meeting_for(HOLTALEN, oslo(2026, 3, 10, 10, 0), emergency=False).meeting_on == date(2026, 4, 1)


def test_monthly_meeting_takes_an_emergency_measure_registered_on_a_sunday_at_the_next_meeting() -> None:
    assert meeting_for(HOLTALEN, oslo(2026, 3, 1, 21, 0), emergency=True).meeting_on == date(2026, 3, 4)


def test_monthly_meeting_crosses_the_year_end() -> None:
    # First Wednesday of January 2027 is the 6th; the agenda closes Wednesday 30 December 2026.
    assert meeting_for(HOLTALEN, oslo(2026, 12, 10, 9, 0), emergency=False).meeting_on == date(2027, 1, 6)


def test_a_case_processed_after_its_meeting_started_goes_on_the_next_meeting_it_can_reach() -> None:
    submitted = oslo(2026, 3, 9, 11, 0)

    on_time = agenda_meeting(TOLGA, submitted, emergency=False, now=oslo(2026, 3, 9, 11, 1))
    late = agenda_meeting(TOLGA, submitted, emergency=False, now=oslo(2026, 3, 10, 10, 0))

    assert on_time.meeting_on == date(2026, 3, 10)
    assert late.meeting_on == date(2026, 3, 17)


def test_a_postponed_case_goes_on_the_following_meeting() -> None:
    assert next_meeting_after(TOLGA, oslo(2026, 3, 10, 9, 0)).meeting_on == date(2026, 3, 17)
    assert next_meeting_after(HOLTALEN, oslo(2026, 3, 4, 9, 0)).meeting_on == date(2026, 4, 1)


def test_a_naive_submission_time_is_refused() -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        meeting_for(TOLGA, datetime(2026, 3, 9, 12, 0), emergency=False)


moments = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2031, 12, 31), timezones=st.just(UTC))


@pytest.mark.parametrize("schedule", [TOLGA, HOLTALEN], ids=["weekly", "monthly"])
@given(submitted=moments)
def test_a_recommendation_goes_on_the_first_meeting_whose_cut_off_it_made(
    schedule: MeetingSchedule, submitted: datetime
) -> None:
    found = meeting_for(schedule, submitted, emergency=False)

    assert in_time(submitted, found.cutoff_at)
    assert found.starts_at > submitted
    assert found.meeting_on >= found.scheduled_on
    # The meeting scheduled before it was closed already.
    earlier = [d for d in _days_between(schedule, found.scheduled_on - timedelta(days=40), found.scheduled_on)]
    for day in earlier:
        assert not in_time(submitted, slot(schedule, day).cutoff_at)


@pytest.mark.parametrize("schedule", [TOLGA, HOLTALEN], ids=["weekly", "monthly"])
@given(registered=moments)
def test_an_emergency_goes_on_the_first_meeting_starting_after_registration(
    schedule: MeetingSchedule, registered: datetime
) -> None:
    found = meeting_for(schedule, registered, emergency=True)

    assert found.starts_at > registered
    for day in _days_between(schedule, found.scheduled_on - timedelta(days=40), found.scheduled_on):
        assert slot(schedule, day).starts_at <= registered


def _days_between(schedule: MeetingSchedule, start: date, end: date) -> list[date]:
    from services.decision.schedule import scheduled_days

    days: list[date] = []
    for day in scheduled_days(schedule, start):
        if day >= end:
            return days
        days.append(day)
    return days  # pragma: no cover
