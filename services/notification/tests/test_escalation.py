"""Each deadline kind's reminder lead, recipients and escalation, from the defaults and the municipality's
configuration; an overdue clock escalates to the responsible's leader at the due day and then on the kind's
rhythm, once per step, until it is cancelled. Plain unit tests on a fixed clock: no database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.deadlines import DeadlineDue, DeadlineEscalated, DeadlineKind, DeadlineScheduled
from servicekit.clock import FixedClock
from servicekit.errors import Conflict
from servicekit.tenants import DeadlineKindSettings, NotificationSettings, RecipientRole
from services.notification.domain import (
    DEFAULT_KIND_RULES,
    FALLBACK_RULE,
    Deadline,
    DeadlineStatus,
    KindRule,
    Sweep,
    kind_rule,
)
from services.notification.tests.conftest import SHIPPED

NONE = NotificationSettings()
CREATED = datetime(2026, 11, 1, 9, tzinfo=UTC)
RESPONSIBLE, LEADER, COORDINATOR = RecipientRole.RESPONSIBLE, RecipientRole.LEADER, RecipientRole.COORDINATOR


def _at(day: date) -> datetime:
    """09:00 UTC: the same date in Norway, summer or winter."""
    return datetime.combine(day, time(9), tzinfo=UTC)


def _kept(kind: str, due_on: date, rule: KindRule, responsible: str = "allocation_office") -> Deadline:
    scheduled = DeadlineScheduled(
        deadline_id="d-1", case_id="case-1", kind=kind, due_on=due_on, responsible=responsible
    )
    return Deadline.kept(scheduled, municipality="3426", now=CREATED, rule=rule)


# --- lead times and recipients per kind ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "lead", "recipients", "every"),
    [
        (DeadlineKind.PRELIMINARY_REPLY, 5, (RESPONSIBLE,), 7),
        ("emergency_measure", 1, (RESPONSIBLE, LEADER), None),
        (DeadlineKind.INFORMATION_REQUEST, 5, (RESPONSIBLE,), None),
        (DeadlineKind.HOME_VISIT, 3, (RESPONSIBLE,), None),
        (DeadlineKind.DECISION_REVIEW, 30, (RESPONSIBLE,), None),
        (DeadlineKind.TIME_LIMITED_EVALUATION, 14, (RESPONSIBLE,), None),
        (DeadlineKind.APPEAL_HANDLING, 5, (RESPONSIBLE,), 7),
        (DeadlineKind.COMPLAINT_RESPONSE, 5, (RESPONSIBLE,), 7),
        (DeadlineKind.MEETING_MINUTES, 2, (COORDINATOR, RESPONSIBLE), 7),
        (DeadlineKind.COORDINATOR_TRAINING, 30, (RESPONSIBLE,), 14),
        (DeadlineKind.CHILD_COORDINATOR_ENDS, 60, (RESPONSIBLE, COORDINATOR), None),
        (DeadlineKind.ANNUAL_REPORT, 30, (RESPONSIBLE, LEADER), None),
        (DeadlineKind.ESCALATION_RESPONSE, 5, (RESPONSIBLE, LEADER), None),
    ],
)
def test_each_kind_has_its_default_lead_recipients_and_escalation(
    kind: str, lead: int, recipients: tuple[RecipientRole, ...], every: int | None
) -> None:
    assert kind_rule(kind, NONE) == KindRule(remind_days_before=lead, recipients=recipients, escalate_every_days=every)


def test_every_kind_a_service_starts_has_defaults_of_its_own() -> None:
    assert {k.value for k in DeadlineKind} <= set(DEFAULT_KIND_RULES)


def test_a_kind_no_service_has_told_us_of_falls_back_to_the_defaults() -> None:
    assert kind_rule("a_kind_of_tomorrow", NONE) == FALLBACK_RULE == KindRule(5, (RESPONSIBLE,), None)


def test_a_municipality_overrides_only_what_it_names_of_a_kind() -> None:
    settings = NotificationSettings(
        kinds={
            "preliminary_reply": DeadlineKindSettings(remind_days_before=10),
            "annual_report": DeadlineKindSettings(recipients=[LEADER], escalates=True),
            "appeal_handling": DeadlineKindSettings(escalates=False),
            "complaint_response": DeadlineKindSettings(escalate_every_days=3),
            "a_kind_of_tomorrow": DeadlineKindSettings(remind_days_before=2),
        }
    )

    assert kind_rule("preliminary_reply", settings) == KindRule(10, (RESPONSIBLE,), 7)
    assert kind_rule("annual_report", settings) == KindRule(30, (LEADER,), 7)
    assert kind_rule("appeal_handling", settings).escalate_every_days is None
    assert kind_rule("complaint_response", settings).escalate_every_days == 3
    assert kind_rule("a_kind_of_tomorrow", settings) == KindRule(2, (RESPONSIBLE,), None)
    assert kind_rule("home_visit", settings) == DEFAULT_KIND_RULES["home_visit"]


def test_alesunds_coordinator_training_reminds_its_leader_a_month_ahead() -> None:
    rule = kind_rule(DeadlineKind.COORDINATOR_TRAINING, SHIPPED.get("1508").notification)

    assert rule == KindRule(30, (RESPONSIBLE, LEADER), 14)


@pytest.mark.parametrize(
    ("kind", "due_on", "first_reminded_on"),
    [
        (DeadlineKind.PRELIMINARY_REPLY, date(2027, 3, 30), date(2027, 3, 25)),  # on Maundy Thursday: the sweep runs
        (DeadlineKind.ANNUAL_REPORT, date(2026, 11, 13), date(2026, 10, 14)),
        (DeadlineKind.MEETING_MINUTES, date(2027, 5, 18), date(2027, 5, 16)),
        (DeadlineKind.HOME_VISIT, date(2026, 12, 28), date(2026, 12, 25)),
    ],
)
def test_a_clock_is_reminded_from_its_kinds_lead_before_the_due_day_and_not_a_day_earlier(
    kind: str, due_on: date, first_reminded_on: date
) -> None:
    deadline = _kept(kind, due_on, kind_rule(kind, NONE))

    assert deadline.needs(first_reminded_on - timedelta(days=1)) is Sweep.NOTHING
    assert deadline.needs(first_reminded_on) is Sweep.REMIND


def test_a_reminder_and_an_alert_reach_every_recipient_of_the_kind() -> None:
    rule = kind_rule(DeadlineKind.ANNUAL_REPORT, NONE)
    deadline = _kept(DeadlineKind.ANNUAL_REPORT, date(2026, 11, 13), rule, responsible="ke")

    reminders = deadline.remind_all(_at(date(2026, 11, 1)), rule)
    alerts, events = deadline.fall_due_all(_at(date(2026, 11, 13)), rule)

    assert [(n.kind, n.recipient) for n in reminders] == [("reminder", "ke"), ("reminder", "leader_of:ke")]
    assert [(n.kind, n.recipient) for n in alerts] == [("alert", "ke"), ("alert", "leader_of:ke")]
    assert [type(e) for e in events] == [DeadlineDue], "the annual report does not escalate"
    assert deadline.escalate_on is None


# --- escalation steps and rhythm ----------------------------------------------------------------------------------

WEEKLY = KindRule(5, (RESPONSIBLE,), 7)


@pytest.mark.parametrize(
    ("due_on", "steps"),
    [
        # Easter 2027: Maundy Thursday 25 March to Easter Monday 29 March; step 2 goes out on Tuesday 30 March, and
        # step 3 is back on the rhythm's own day.
        (date(2027, 3, 18), [date(2027, 3, 18), date(2027, 3, 30), date(2027, 4, 1)]),
        # 17 May 2027 is Constitution Day and Whit Monday: step 2 goes out on Tuesday 18 May.
        (date(2027, 5, 10), [date(2027, 5, 10), date(2027, 5, 18), date(2027, 5, 24)]),
        # Christmas 2026 and New Year's Day 2027 fall on Fridays: the following Mondays.
        (date(2026, 12, 18), [date(2026, 12, 18), date(2026, 12, 28), date(2027, 1, 4)]),
    ],
)
def test_the_escalation_steps_come_on_the_rhythm_from_the_due_day_moved_off_holidays(
    due_on: date, steps: list[date]
) -> None:
    assert [WEEKLY.escalation_on(due_on, n) for n in (1, 2, 3)] == steps
    for n, day in enumerate(steps, start=1):
        assert WEEKLY.escalation_step(due_on, day - timedelta(days=1)) == n - 1
        assert WEEKLY.escalation_step(due_on, day) == n


def _sweep(deadline: Deadline, rule: KindRule, clock: FixedClock) -> tuple[Sweep, list[object]]:
    """What one sweep on the clock's day sends, as the sweep use case asks the aggregate."""
    now = clock.now()
    action = deadline.needs(now.date())
    if action is Sweep.REMIND:
        return action, list(deadline.remind_all(now, rule))
    if action is Sweep.DUE:
        notes, events = deadline.fall_due_all(now, rule)
        return action, [*notes, *events]
    if action is Sweep.ESCALATE:
        return action, list(deadline.escalate(now, rule))
    return action, []


def test_an_overdue_preliminary_reply_escalates_to_the_leader_at_the_due_day_then_weekly_until_cancelled() -> None:
    rule = kind_rule(DeadlineKind.PRELIMINARY_REPLY, NONE)
    deadline = _kept(DeadlineKind.PRELIMINARY_REPLY, date(2026, 12, 18), rule)
    clock = FixedClock(_at(date(2026, 12, 18)))

    action, sent = _sweep(deadline, rule, clock)
    escalated: list[DeadlineEscalated] = [e for e in sent if isinstance(e, DeadlineEscalated)]
    for _ in range(20):  # every day from 19 December to 7 January
        clock.advance(timedelta(days=1))
        step_action, step_sent = _sweep(deadline, rule, clock)
        assert step_action in (Sweep.NOTHING, Sweep.ESCALATE)
        escalated += [e for e in step_sent if isinstance(e, DeadlineEscalated)]

    assert action is Sweep.DUE
    assert [(e.step, e.escalated_on, e.escalated_to) for e in escalated] == [
        (1, date(2026, 12, 18), "leader_of:allocation_office"),
        (2, date(2026, 12, 28), "leader_of:allocation_office"),
        (3, date(2027, 1, 4), "leader_of:allocation_office"),
    ]
    assert (deadline.status, deadline.escalation_step, deadline.escalate_on) == (
        DeadlineStatus.DUE,
        3,
        date(2027, 1, 8),
    )

    assert deadline.cancel("decision_made")
    clock.set(_at(date(2027, 1, 8)))
    assert _sweep(deadline, rule, clock) == (Sweep.NOTHING, [])
    assert not deadline.cancel("decision_made"), "cancelled once"


def test_a_sweep_after_weeks_down_sends_the_latest_step_once_not_every_missed_one() -> None:
    rule = kind_rule(DeadlineKind.APPEAL_HANDLING, NONE)
    deadline = _kept(DeadlineKind.APPEAL_HANDLING, date(2027, 3, 18), rule)

    _, sent = _sweep(deadline, rule, FixedClock(_at(date(2027, 4, 2))))  # the first sweep after the due day

    [escalated] = [e for e in sent if isinstance(e, DeadlineEscalated)]
    assert (escalated.step, escalated.escalated_on) == (3, date(2027, 4, 2))
    assert deadline.escalate_on == date(2027, 4, 8)
    with pytest.raises(Conflict):
        deadline.escalate(_at(date(2027, 4, 2)), rule)


def test_a_kind_that_does_not_escalate_is_done_with_its_alert() -> None:
    rule = kind_rule(DeadlineKind.INFORMATION_REQUEST, NONE)
    deadline = _kept(DeadlineKind.INFORMATION_REQUEST, date(2026, 12, 14), rule)

    deadline.fall_due_all(_at(date(2026, 12, 14)), rule)

    assert [deadline.needs(date(2026, 12, 14) + timedelta(days=n)) for n in range(0, 60)] == [Sweep.NOTHING] * 60
    assert not deadline.cancel("information_received"), "a due clock that does not escalate is done"


@settings(max_examples=200, deadline=None)
@given(
    due_on=st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)),
    every=st.integers(min_value=1, max_value=21),
    offsets=st.lists(st.integers(min_value=0, max_value=90), unique=True, min_size=1).map(sorted),
)
def test_whatever_days_it_is_swept_each_escalation_step_goes_out_once_in_order_never_before_its_day(
    due_on: date, every: int, offsets: list[int]
) -> None:
    rule = KindRule(5, (RESPONSIBLE,), every)
    deadline = _kept(DeadlineKind.PRELIMINARY_REPLY, due_on, rule)
    steps: list[DeadlineEscalated] = []
    for offset in offsets:
        _, sent = _sweep(deadline, rule, FixedClock(_at(due_on + timedelta(days=offset))))
        steps += [e for e in sent if isinstance(e, DeadlineEscalated)]

    numbers = [e.step for e in steps]
    assert numbers == sorted(set(numbers)), "each step once, in order"
    for e in steps:
        assert (rule.escalation_on(due_on, e.step) or e.escalated_on) <= e.escalated_on
    last_day = due_on + timedelta(days=offsets[-1])
    latest = numbers[-1] if numbers else 0
    assert latest == rule.escalation_step(due_on, last_day), "the latest step owed by the last sweep is sent"
