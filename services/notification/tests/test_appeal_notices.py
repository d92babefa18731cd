"""What the person is told at each step of an appeal, without I/O: the receipt (in time or late), the office's
reversal, the forwarding to the appeal body, the appeal body's outcome, and an appeal that ended without it."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.appeals import AppealEnd, BodyOutcome
from services.notification.domain import (
    appeal_closed_notice,
    appeal_forwarded_notice,
    appeal_outcome_notice,
    appeal_receipt,
    appeal_reversal_notice,
)

BODY = "Statsforvalteren i Trøndelag"


def test_an_appeal_in_time_is_receipted_with_the_day_it_arrived() -> None:
    receipt = appeal_receipt(date(2026, 12, 3), late=False, deadline_on=date(2026, 12, 21))

    assert (receipt.kind, receipt.recipient) == ("appeal_receipt", "applicant")
    assert receipt.text == "Klagen din er mottatt 2026-12-03. Klagen kom innen klagefristen (2026-12-21)."


def test_a_late_appeal_is_receipted_as_late_and_may_still_be_taken_up() -> None:
    receipt = appeal_receipt(date(2027, 1, 4), late=True, deadline_on=date(2026, 12, 21))

    assert receipt.text.startswith("Klagen din er mottatt 2027-01-04. Klagen kom etter klagefristen (2026-12-21).")
    assert "likevel kan behandles" in receipt.text
    assert "innen klagefristen" not in receipt.text


def test_a_reversal_by_the_office_tells_that_a_new_decision_follows() -> None:
    full = appeal_reversal_notice(date(2026, 12, 10), partial=False)
    partial = appeal_reversal_notice(date(2026, 12, 10), partial=True)

    assert (full.kind, full.recipient) == ("appeal_reversed", "applicant")
    assert "2026-12-10" in full.text
    assert "Du får et nytt vedtak." in full.text
    assert "klageinstansen" not in full.text
    assert "delvis" in partial.text
    assert "resten av klagen sendes til klageinstansen" in partial.text


def test_a_forwarded_appeal_names_the_appeal_body_and_the_day() -> None:
    notice = appeal_forwarded_notice(BODY, date(2026, 12, 14))

    assert (notice.kind, notice.recipient) == ("appeal_forwarded", "applicant")
    assert "Klagen din er sendt til Statsforvalteren i Trøndelag 2026-12-14" in notice.text


@pytest.mark.parametrize(
    ("outcome", "words"),
    [
        (BodyOutcome.UPHELD, "stadfestet vedtaket. Klagen førte ikke fram."),
        (BodyOutcome.REVERSED, "omgjort vedtaket. Klagen førte fram."),
        (BodyOutcome.PARTLY_REVERSED, "omgjort vedtaket delvis. Klagen førte delvis fram."),
        (BodyOutcome.QUASHED, "opphevet vedtaket og sendt saken tilbake. Kommunen behandler saken din på nytt."),
        (BodyOutcome.DISMISSED, "avvist klagen din."),
        (BodyOutcome.WITHDRAWN, "trukket klagen din."),
    ],
)
def test_the_appeal_bodys_outcome_is_told_in_its_own_words_with_the_day(outcome: BodyOutcome, words: str) -> None:
    notice = appeal_outcome_notice(outcome, BODY, date(2027, 2, 1))

    assert (notice.kind, notice.recipient) == ("appeal_outcome", "applicant")
    assert notice.text.startswith("Statsforvalteren i Trøndelag har 2027-02-01 ")
    assert words in notice.text


def test_every_outcome_of_the_appeal_body_has_a_text_of_its_own() -> None:
    texts = {appeal_outcome_notice(o, BODY, date(2027, 2, 1)).text for o in BodyOutcome}

    assert len(texts) == len(BodyOutcome)


def test_a_withdrawn_appeal_and_one_dismissed_as_late_are_told_with_the_day_they_closed() -> None:
    withdrawn = appeal_closed_notice(AppealEnd.WITHDRAWN, date(2026, 12, 9))
    late = appeal_closed_notice(AppealEnd.DISMISSED_AS_LATE, date(2026, 12, 9))

    assert withdrawn is not None
    assert late is not None
    assert (withdrawn.kind, withdrawn.recipient, late.kind) == ("appeal_closed", "applicant", "appeal_closed")
    assert withdrawn.text == "Klagen din er trukket, og klagesaken er avsluttet 2026-12-09."
    assert "etter klagefristen og er avvist 2026-12-09" in late.text


def test_an_appeal_closed_by_a_reversal_in_full_is_not_told_twice() -> None:
    assert appeal_closed_notice(AppealEnd.REVERSED_BY_OFFICE, date(2026, 12, 9)) is None
