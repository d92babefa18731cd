"""Notification rules: the receipt and the preliminary-reply deadline a new application gets."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.deadlines import DeadlineKind
from services.notification.domain import preliminary_reply_deadline, receipt_for


@pytest.mark.parametrize(
    ("received_on", "due_on", "why"),
    [
        (date(2026, 11, 28), date(2026, 12, 28), "28 December 2026 is a Monday"),
        (date(2026, 11, 2), date(2026, 12, 2), "an ordinary Wednesday"),
        (date(2026, 11, 25), date(2026, 12, 28), "Christmas Day Fri, Boxing Day Sat, then Sunday"),
        (date(2026, 12, 1), date(2027, 1, 4), "New Year's Day Fri, then a weekend"),
        (date(2026, 1, 31), date(2026, 3, 2), "no 31 February: Sat 28 February, then Sunday"),
        (date(2026, 3, 2), date(2026, 4, 7), "Maundy Thursday 2 April to Easter Monday 6 April"),
        (date(2026, 4, 17), date(2026, 5, 18), "Constitution Day on a Sunday"),
        (date(2027, 3, 25), date(2027, 4, 26), "25 April 2027 is a Sunday"),
        (date(2027, 4, 17), date(2027, 5, 18), "Constitution Day and Whit Monday 2027"),
    ],
)
def test_preliminary_reply_is_due_a_month_after_receipt_on_a_working_day(
    received_on: date, due_on: date, why: str
) -> None:
    plan = preliminary_reply_deadline(received_on)

    assert plan.due_on == due_on, why


def test_preliminary_reply_deadline_is_the_allocation_offices() -> None:
    plan = preliminary_reply_deadline(date(2026, 11, 2))

    assert plan.kind is DeadlineKind.PRELIMINARY_REPLY
    assert plan.responsible == "allocation_office"


def test_receipt_goes_to_the_applicant_and_names_journal_number_and_date() -> None:
    receipt = receipt_for("2026/000017", date(2026, 11, 2))

    assert receipt.kind == "receipt"
    assert receipt.recipient == "applicant"
    assert "2026/000017" in receipt.text
    assert "2026-11-02" in receipt.text
