"""The allocation-meeting calendar: which meeting's agenda a case goes on, by the cut-off or as an emergency."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from servicekit.calendar import NORWAY, next_working_day
from servicekit.tenants import Frequency, MeetingSchedule, time_of_day

# Meetings and their cut-offs are Norwegian wall-clock times, whatever the server's zone.
# How far back scheduled days are looked at: a meeting moved past a holiday can fall after a later submission.
_LOOK_BACK = timedelta(days=14)


@dataclass(frozen=True)
class MeetingSlot:
    """One meeting of a schedule: the day it is held, when it starts, and the last minute to get on its agenda."""

    scheduled_on: date
    meeting_on: date
    starts_at: datetime
    cutoff_at: datetime


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: meeting rules need a timezone-aware moment")
    return moment


def scheduled_days(schedule: MeetingSchedule, start: date) -> Iterator[date]:
    """The schedule's days on or after `start`, in order, before any move off a holiday."""
    weekday = schedule.weekday.number
    if schedule.frequency is Frequency.WEEKLY:
        day = start + timedelta(days=(weekday - start.weekday()) % 7)
        while True:
            yield day
            day += timedelta(weeks=1)
    year, month = start.year, start.month
    while True:
        first = date(year, month, 1)
        day = first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * ((schedule.week_of_month or 1) - 1))
        if day >= start:
            yield day
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def slot(schedule: MeetingSchedule, scheduled_on: date) -> MeetingSlot:
    """The meeting scheduled on `scheduled_on`: held on the next working day if that day is none; the cut-off
    stays where the schedule puts it."""
    meeting_on = next_working_day(scheduled_on)
    starts_local = datetime.combine(meeting_on, time_of_day(schedule.time), tzinfo=NORWAY)
    cutoff_day = scheduled_on - timedelta(days=schedule.cutoff.days_before)
    cutoff_local = datetime.combine(cutoff_day, time_of_day(schedule.cutoff.time), tzinfo=NORWAY)
    return MeetingSlot(
        scheduled_on=scheduled_on,
        meeting_on=meeting_on,
        starts_at=starts_local.astimezone(UTC),
        cutoff_at=cutoff_local.astimezone(UTC),
    )


def in_time(submitted_at: datetime, cutoff_at: datetime) -> bool:
    """ "Frist mandager kl. 12.00": submitted by 12:00 is in time, and so is any moment while the clock still
    shows 12:00 (12:00:59); from 12:01 it is late. Compared in Norwegian time, to the minute."""
    submitted_minute = _aware(submitted_at).astimezone(NORWAY).replace(second=0, microsecond=0)
    return submitted_minute <= _aware(cutoff_at).astimezone(NORWAY)


def meeting_for(schedule: MeetingSchedule, submitted_at: datetime, *, emergency: bool) -> MeetingSlot:
    """The meeting whose agenda a case goes on.

    A recommendation goes on the first meeting whose cut-off it made. An emergency measure goes on the first
    meeting that starts after it was registered, whatever the cut-off.
    """
    submitted_at = _aware(submitted_at)
    start = submitted_at.astimezone(NORWAY).date() - _LOOK_BACK
    for day in scheduled_days(schedule, start):
        candidate = slot(schedule, day)
        if candidate.starts_at <= submitted_at:
            continue
        if emergency or in_time(submitted_at, candidate.cutoff_at):
            return candidate
    raise AssertionError("unreachable: a schedule has a meeting after every moment")  # pragma: no cover


def agenda_meeting(schedule: MeetingSchedule, submitted_at: datetime, *, emergency: bool, now: datetime) -> MeetingSlot:
    """`meeting_for`, unless that meeting has already started by the time the case is scheduled (the event was
    processed late): then the first meeting the case can still reach from `now`."""
    found = meeting_for(schedule, submitted_at, emergency=emergency)
    if found.starts_at <= _aware(now):
        return meeting_for(schedule, now, emergency=emergency)
    return found


def next_meeting_after(schedule: MeetingSchedule, starts_at: datetime) -> MeetingSlot:
    """The meeting after the one starting at `starts_at`: where a postponed case goes."""
    return meeting_for(schedule, starts_at, emergency=True)
