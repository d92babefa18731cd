"""The bounded types: what each lets through, and that everything else is a validation error, never a crash later."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from servicekit.types import (
    INT32_MAX,
    Code,
    Count,
    HoursPerWeek,
    Identifier,
    Int32,
    LetterLine,
    LetterText,
    Limit,
    Line,
    Name,
    Offset,
    PlausibleDate,
    PlausibleTime,
    PositiveCount,
    Subject,
    Text,
    unprintable_in_letter,
)

CONTROLS = [chr(c) for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)]]
SURROGATE = "\ud800"


def accepts(kind: Any, value: Any) -> bool:
    try:
        TypeAdapter(kind).validate_python(value)
    except ValidationError:
        return False
    return True


def accepts_json(kind: Any, raw: str) -> bool:
    try:
        TypeAdapter(kind).validate_json(raw)
    except ValidationError:
        return False
    return True


# --- text ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [Line, Name, Subject, LetterLine])
@pytest.mark.parametrize("char", [*CONTROLS, "\u2028", "\u2029", SURROGATE])
def test_a_line_refuses_every_control_character_line_break_and_lone_surrogate(kind: Any, char: str) -> None:
    assert not accepts(kind, f"Kari{char}Nordmann")


@pytest.mark.parametrize("kind", [Text, LetterText])
@pytest.mark.parametrize("char", [c for c in [*CONTROLS, SURROGATE] if c not in "\t\n\r"])
def test_free_text_refuses_control_characters_other_than_tabs_and_line_breaks(kind: Any, char: str) -> None:
    assert not accepts(kind, f"Bor alene.{char}Trenger hjelp.")


def test_free_text_keeps_tabs_and_line_breaks() -> None:
    text = "Fakta:\n\t- bor alene\r\n\t- faller ofte"
    assert TypeAdapter(Text).validate_python(text) == text


@given(st.text(st.characters(blacklist_categories=["Cc", "Cs", "Zl", "Zp"]), min_size=1, max_size=500))
def test_a_line_takes_any_text_without_controls_up_to_its_length(text: str) -> None:
    assert TypeAdapter(Line).validate_python(text) == text


@given(st.text(min_size=1, max_size=200))
def test_whatever_a_line_takes_has_no_control_character(text: str) -> None:
    if accepts(Line, text):
        assert not any(0x00 <= ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 or 0xD800 <= ord(c) < 0xE000 for c in text)


@pytest.mark.parametrize(
    ("kind", "longest"),
    [(Code, 60), (Identifier, 64), (Name, 200), (Line, 500), (Text, 20_000), (Subject, 60)],
)
def test_every_text_kind_has_its_maximum_length(kind: Any, longest: int) -> None:
    assert accepts(kind, "a" * longest)
    assert not accepts(kind, "a" * (longest + 1))


@pytest.mark.parametrize("value", ["home_nursing", "a", "respite2"])
def test_a_code_is_lower_case_snake_case(value: str) -> None:
    assert accepts(Code, value)


@pytest.mark.parametrize("value", ["", "Home", "2nd", "home nursing", "home-nursing", "hjemmesykepleie_ø", "a\x00"])
def test_a_code_refuses_anything_else(value: str) -> None:
    assert not accepts(Code, value)


@pytest.mark.parametrize("value", ["7f0e7c3a-1b2c-4d5e-8f90-123456789abc", "case-1", "2026/000123", "case_id"])
def test_an_identifier_is_a_uuid_or_a_plain_reference(value: str) -> None:
    assert accepts(Identifier, value)


@pytest.mark.parametrize("value", ["", " case", "case 1", "case\x00", "-case", "../etc", "sak-ø"])
def test_an_identifier_refuses_spaces_controls_and_other_letters(value: str) -> None:
    assert not accepts(Identifier, value)


# --- the letter font -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "helse- og omsorgstjenesteloven § 3-2 første ledd nr. 6 bokstav b",
        "Bor på Røros – «hjemme» … ‘ok’",  # word processors' typography: printed as plain punctuation
        "Ærlig, østlig, ålreit: ÆØÅ é ü",
        "e\u0301",  # a decomposed é: composed before it is printed
        "Ánde Ŋuolja Čoavji, Guovdageaidnu, Kárášjohka: Đ đ Š š Ŧ ŧ Ž ž ǯ ǩ ʒ",  # Sámi names and places
        "€ 100, Łódź, Ελλάδα, Москва",
    ],
)
def test_a_letter_line_takes_what_the_letter_font_prints(text: str) -> None:
    assert TypeAdapter(LetterLine).validate_python(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "emoji 🙂",  # no glyph in the letter font
        "東京",  # no glyph in the letter font
        "soft\u00adhyphen",  # a format character
        "zero\u200bwidth",  # a format character
        "private \ue000 use",
        "unassigned \U000e0080",
    ],
)
def test_a_letter_line_refuses_what_the_letter_font_cannot_print(text: str) -> None:
    with pytest.raises(ValidationError, match="the letter cannot print"):
        TypeAdapter(LetterLine).validate_python(text)


def test_letter_text_keeps_tabs_and_newlines_and_refuses_carriage_returns() -> None:
    assert accepts(LetterText, "Fakta:\n\tbor alene")
    assert not accepts(LetterText, "Fakta:\r\nbor alene")
    assert not accepts(LetterLine, "Fakta:\tbor alene")


@given(st.text(max_size=50))
def test_whatever_letter_text_takes_the_font_prints(text: str) -> None:
    if accepts(LetterText, text):
        assert unprintable_in_letter(text) is None


# --- whole numbers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "lowest", "highest"),
    [
        (Count, 0, INT32_MAX),
        (PositiveCount, 1, INT32_MAX),
        (Int32, -(2**31), INT32_MAX),
        (Limit, 1, 500),
        (Offset, 0, 1_000_000),
    ],
)
def test_every_whole_number_kind_has_its_range(kind: Any, lowest: int, highest: int) -> None:
    assert accepts(kind, lowest)
    assert accepts(kind, highest)
    assert not accepts(kind, lowest - 1)
    assert not accepts(kind, highest + 1)


@given(st.integers())
def test_a_count_that_is_accepted_fits_a_postgresql_integer(value: int) -> None:
    if accepts(Count, value):
        assert 0 <= value < 2**31


def test_a_number_with_ten_thousand_digits_is_refused_not_parsed_forever() -> None:
    assert not accepts_json(Count, "9" * 10_000)


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity", "1e400", "-1", "168.5"])
def test_hours_per_week_refuse_what_no_week_has(raw: str) -> None:
    assert not accepts_json(HoursPerWeek, raw)
    assert accepts(HoursPerWeek, 37.5)


# --- dates and instants ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0001-01-01", "1899-12-31", "2200-01-01", "9999-12-31"])
def test_a_date_near_the_ends_of_the_calendar_is_refused(value: str) -> None:
    assert not accepts(PlausibleDate, value)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31)))
def test_a_plausible_date_leaves_room_for_any_deadline_the_law_counts(value: date) -> None:
    adapter = TypeAdapter(PlausibleDate)
    assert adapter.validate_python(value.isoformat()) == value
    # A century of deadlines after any plausible date is still a date: no arithmetic on it overflows.
    assert value + timedelta(days=366 * 100) > value


@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01T00:00:00+01:00",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59-01:00",
        "9999-12-31T23:59:59Z",
        "1900-01-01T00:00:00+14:00",  # 1899 in UTC
        "2200-01-01T00:00:00Z",
    ],
)
def test_an_instant_near_the_ends_of_the_calendar_is_refused(value: str) -> None:
    assert not accepts(PlausibleTime, value)


def test_an_instant_needs_its_time_zone() -> None:
    assert not accepts(PlausibleTime, "2026-03-10T12:00:00")
    assert accepts(PlausibleTime, "2026-03-10T12:00:00+01:00")


@given(
    st.datetimes(
        min_value=datetime(1900, 1, 2),
        max_value=datetime(2199, 12, 30),
        timezones=st.just(timezone(timedelta(hours=14))),
    )
)
def test_a_plausible_instant_converts_to_utc_and_back(value: datetime) -> None:
    parsed = TypeAdapter(PlausibleTime).validate_python(value.isoformat())
    assert parsed.astimezone(UTC) == value
