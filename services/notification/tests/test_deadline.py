"""The Deadline aggregate: scheduled -> reminded -> due, or cancelled; a reminder shortly before the due day, an
alert (and DeadlineDue) when it has run out, each at most once. Plain unit tests: no database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.deadlines import DeadlineDue, DeadlineKind, DeadlineScheduled
from servicekit.errors import Conflict
from services.notification.domain import (
    REMINDER_DAYS_BEFORE,
    Deadline,
    DeadlinePlan,
    DeadlineStatus,
    Sweep,
)

CREATED = datetime(2026, 11, 1, 9, tzinfo=UTC)


def _deadline(due_on: date = date(2026, 12, 14), **changes: object) -> Deadline:
    deadline = Deadline(
        id="d-1",
        municipality="3426",
        case_id="case-1",
        kind="information_request",
        due_on=due_on,
        responsible="home_care",
        created_at=CREATED,
    )
    for name, value in changes.items():
        setattr(deadline, name, value)
    return deadline


def _at(day: date, hour: int = 9) -> datetime:
    """An instant on a Norwegian day (09:00 UTC is 10:00 in Norway, summer or winter: the same date)."""
    return datetime.combine(day, time(hour), tzinfo=UTC)


# --- opening and keeping clocks -----------------------------------------------------------------------------------


def test_opening_a_clock_schedules_it_and_announces_it() -> None:
    plan = DeadlinePlan(kind=DeadlineKind.PRELIMINARY_REPLY, due_on=date(2026, 12, 2), responsible="allocation_office")

    deadline, scheduled = Deadline.open(
        deadline_id="d-9", municipality="5032", case_id="case-9", plan=plan, now=CREATED
    )

    assert (deadline.status, deadline.municipality, deadline.kind, deadline.created_at) == (
        DeadlineStatus.SCHEDULED,
        "5032",
        "preliminary_reply",
        CREATED,
    )
    assert scheduled == DeadlineScheduled(
        deadline_id="d-9",
        case_id="case-9",
        kind="preliminary_reply",
        due_on=date(2026, 12, 2),
        responsible="allocation_office",
    )


def test_a_clock_another_service_started_is_kept_as_announced_and_scheduled() -> None:
    announced = DeadlineScheduled(
        deadline_id="x-1", case_id="case-2", kind="decision_review", due_on=date(2027, 1, 4), responsible="ke"
    )

    kept = Deadline.kept(announced, municipality="5026", now=CREATED)

    assert (kept.id, kept.case_id, kept.kind, kept.due_on, kept.responsible, kept.municipality, kept.status) == (
        "x-1",
        "case-2",
        "decision_review",
        date(2027, 1, 4),
        "ke",
        "5026",
        DeadlineStatus.SCHEDULED,
    )


# --- what a clock needs on a day -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due_on", "status", "expected"),
    [
        (date(2026, 12, 21), DeadlineStatus.SCHEDULED, Sweep.NOTHING),  # 10 days ahead
        (date(2026, 12, 11 + REMINDER_DAYS_BEFORE + 1), DeadlineStatus.SCHEDULED, Sweep.NOTHING),  # one day early
        (date(2026, 12, 11 + REMINDER_DAYS_BEFORE), DeadlineStatus.SCHEDULED, Sweep.REMIND),
        (date(2026, 12, 12), DeadlineStatus.SCHEDULED, Sweep.REMIND),  # the day before
        (date(2026, 12, 13), DeadlineStatus.REMINDED, Sweep.NOTHING),  # already reminded
        (date(2026, 12, 11), DeadlineStatus.REMINDED, Sweep.DUE),  # the due day itself
        (date(2026, 12, 1), DeadlineStatus.SCHEDULED, Sweep.DUE),  # overdue and never reminded: alert at once
        (date(2026, 12, 1), DeadlineStatus.DUE, Sweep.NOTHING),  # alerted already
        (date(2026, 12, 1), DeadlineStatus.CANCELLED, Sweep.NOTHING),
        (date(2026, 12, 12), DeadlineStatus.CANCELLED, Sweep.NOTHING),
    ],
)
def test_what_a_deadline_needs_on_a_day(due_on: date, status: DeadlineStatus, expected: Sweep) -> None:
    assert _deadline(due_on, status=status).needs(date(2026, 12, 11)) is expected


def test_the_day_is_the_norwegian_date_of_the_sweep_not_the_utc_date() -> None:
    deadline = _deadline(date(2026, 12, 14))

    # 23:30 UTC on 8 December is already 9 December in Norway: five days before the due day.
    note = deadline.remind(datetime(2026, 12, 8, 23, 30, tzinfo=UTC))

    assert note.kind == "reminder"


# --- the steps ---------------------------------------------------------------------------------------------------


def test_a_reminder_goes_to_whoever_must_act_and_names_the_kind_and_due_day() -> None:
    deadline = _deadline(date(2026, 12, 14))
    now = _at(date(2026, 12, 10))

    note = deadline.remind(now)

    assert (note.kind, note.recipient) == ("reminder", "home_care")
    assert "information_request" in note.text
    assert "2026-12-14" in note.text
    assert (deadline.status, deadline.reminded_at, deadline.listed_status) == (
        DeadlineStatus.REMINDED,
        now,
        "scheduled",
    ), "a reminded clock still runs, and is listed as scheduled"


def test_a_deadline_is_reminded_only_once() -> None:
    deadline = _deadline(date(2026, 12, 14))
    deadline.remind(_at(date(2026, 12, 10)))

    with pytest.raises(Conflict):
        deadline.remind(_at(date(2026, 12, 11)))


def test_no_reminder_before_the_reminder_days_nor_once_the_clock_ran_out() -> None:
    with pytest.raises(Conflict):
        _deadline(date(2026, 12, 14)).remind(_at(date(2026, 12, 8)))
    with pytest.raises(Conflict):
        _deadline(date(2026, 12, 14)).remind(_at(date(2026, 12, 14)))


def test_falling_due_raises_deadline_due_and_alerts_whoever_must_act() -> None:
    deadline = _deadline(date(2026, 12, 14), status=DeadlineStatus.REMINDED)
    now = _at(date(2026, 12, 14))

    due = deadline.fall_due(now)

    assert due == DeadlineDue(
        deadline_id="d-1",
        case_id="case-1",
        kind="information_request",
        due_on=date(2026, 12, 14),
        responsible="home_care",
    )
    assert (deadline.status, deadline.due_at, deadline.listed_status) == (DeadlineStatus.DUE, now, "due")
    alert = deadline.alert()
    assert (alert.kind, alert.recipient) == ("alert", "home_care")
    assert "2026-12-14" in alert.text


def test_a_deadline_falls_due_only_once_and_not_before_its_day() -> None:
    with pytest.raises(Conflict):
        _deadline(date(2026, 12, 14)).fall_due(_at(date(2026, 12, 13)))
    deadline = _deadline(date(2026, 12, 14))
    deadline.fall_due(_at(date(2026, 12, 14)))
    with pytest.raises(Conflict):
        deadline.fall_due(_at(date(2026, 12, 15)))


@pytest.mark.parametrize("status", [DeadlineStatus.SCHEDULED, DeadlineStatus.REMINDED])
def test_cancelling_a_running_clock_stops_it_with_its_reason(status: DeadlineStatus) -> None:
    deadline = _deadline(date(2026, 12, 14), status=status)

    assert deadline.cancel("decision_made")

    assert (deadline.status, deadline.cancel_reason) == (DeadlineStatus.CANCELLED, "decision_made")
    assert deadline.needs(date(2026, 12, 20)) is Sweep.NOTHING
    with pytest.raises(Conflict):
        deadline.fall_due(_at(date(2026, 12, 20)))


@pytest.mark.parametrize("status", [DeadlineStatus.DUE, DeadlineStatus.CANCELLED])
def test_a_clock_that_no_longer_runs_is_not_cancelled_again(status: DeadlineStatus) -> None:
    deadline = _deadline(date(2026, 12, 14), status=status, cancel_reason="first")

    assert not deadline.cancel("second")

    assert (deadline.status, deadline.cancel_reason) == (status, "first")


# --- the sweep rule over any days the timer happens to run -------------------------------------------------------


def _swept(deadline: Deadline, days: list[date]) -> list[tuple[date, Sweep]]:
    """Sweep the deadline on each of `days` as the timer does: the step it needs, if any."""
    sent: list[tuple[date, Sweep]] = []
    for day in days:
        action = deadline.needs(day)
        if action is Sweep.REMIND:
            deadline.remind(_at(day))
        elif action is Sweep.DUE:
            deadline.fall_due(_at(day))
        if action is not Sweep.NOTHING:
            sent.append((day, action))
    return sent


@settings(max_examples=300, deadline=None)
@given(
    due_on=st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)),
    offsets=st.lists(st.integers(min_value=-30, max_value=30), unique=True).map(sorted),
)
def test_whatever_days_it_is_swept_a_deadline_is_reminded_at_most_once_and_alerted_once_on_the_first_sweep_due(
    due_on: date, offsets: list[int]
) -> None:
    days = [due_on + timedelta(days=n) for n in offsets]
    deadline = _deadline(due_on)

    sent = _swept(deadline, days)

    reminders = [day for day, action in sent if action is Sweep.REMIND]
    alerts = [day for day, action in sent if action is Sweep.DUE]
    in_window = [d for d in days if 0 < (due_on - d).days <= REMINDER_DAYS_BEFORE]
    on_or_after = [d for d in days if d >= due_on]
    assert reminders == in_window[:1], "reminded once, on the first sweep within the reminder days"
    assert alerts == on_or_after[:1], "alerted once, on the first sweep on or after the due day"
    expected = DeadlineStatus.REMINDED if reminders else DeadlineStatus.SCHEDULED
    assert deadline.status is (DeadlineStatus.DUE if alerts else expected)


@settings(max_examples=200, deadline=None)
@given(
    due_on=st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)),
    offsets=st.lists(st.integers(min_value=-30, max_value=30), unique=True).map(sorted),
    cancelled_after=st.integers(min_value=0, max_value=61),
)
def test_once_cancelled_a_deadline_is_never_reminded_nor_alerted(
    due_on: date, offsets: list[int], cancelled_after: int
) -> None:
    days = [due_on + timedelta(days=n) for n in offsets]
    deadline = _deadline(due_on)
    before, after = days[:cancelled_after], days[cancelled_after:]
    _swept(deadline, before)
    running = deadline.status.running

    assert deadline.cancel("application_withdrawn") is running

    assert _swept(deadline, after) == []
