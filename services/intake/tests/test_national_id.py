"""Validation of fødselsnummer and D-number: check digits, dates, centuries; every failure names its rule."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from servicekit.errors import DomainError
from services.intake.domain import IdKind, birth_century, parse_national_id
from services.intake.tests.support import individual_numbers, national_id, with_check_digits

TODAY = date(2026, 11, 23)


def refused(value: str, today: date = TODAY) -> str:
    with pytest.raises(DomainError) as caught:
        parse_national_id(value, today=today)
    assert caught.value.field == "national_id"
    assert caught.value.status == 422
    if value:
        assert value not in caught.value.detail, "the number is never echoed in an error"
    return caught.value.detail


@st.composite
def valid_numbers(draw: st.DrawFn) -> tuple[str, date, IdKind]:
    birth = draw(st.dates(min_value=date(1854, 1, 1), max_value=TODAY))
    kind = draw(st.sampled_from(IdKind))
    individual = draw(st.sampled_from(individual_numbers(birth.year)))
    day = birth.day + (40 if kind is IdKind.DNR else 0)
    number = with_check_digits(f"{day:02d}{birth.month:02d}{birth.year % 100:02d}{individual:03d}")
    assume(number is not None)  # about one in five digit strings has no valid check digit
    assert number is not None
    return number, birth, kind


@given(valid_numbers())
@example((national_id(date(1990, 5, 17)), date(1990, 5, 17), IdKind.FNR))
@example((national_id(date(1854, 1, 1)), date(1854, 1, 1), IdKind.FNR))
@example((national_id(date(2024, 2, 29), dnr=True), date(2024, 2, 29), IdKind.DNR))
def test_numbers_with_computed_check_digits_are_accepted_with_their_birth_date_and_kind(
    case: tuple[str, date, IdKind],
) -> None:
    number, birth, kind = case

    parsed = parse_national_id(number, today=TODAY)

    assert (parsed.value, parsed.birth_date, parsed.kind) == (number, birth, kind)


@given(valid_numbers(), st.integers(min_value=0, max_value=10), st.integers(min_value=1, max_value=9))
def test_changing_any_single_digit_of_a_valid_number_makes_it_invalid(
    case: tuple[str, date, IdKind], position: int, shift: int
) -> None:
    number, _, _ = case
    mutated = number[:position] + str((int(number[position]) + shift) % 10) + number[position + 1 :]

    with pytest.raises(DomainError):
        parse_national_id(mutated, today=TODAY)


@given(st.from_regex(r"[0-9]{8}", fullmatch=True))
def test_nine_digits_whose_first_check_digit_would_be_10_never_make_a_valid_number(eight: str) -> None:
    # Choose the ninth digit (weight 2) so that the weighted sum leaves remainder 1: 11 - 1 = 10.
    weights = (3, 7, 6, 1, 8, 9, 4, 5)
    ninth = (1 - sum(int(d) * w for d, w in zip(eight, weights, strict=True))) * 6 % 11  # 6 is 1/2 mod 11
    assume(ninth < 10)
    nine = f"{eight}{ninth}"

    for k1 in "0123456789":
        for k2 in "0123456789":
            assert refused(nine + k1 + k2).startswith("national_id: first check digit does not match")


def test_a_wrong_first_check_digit_is_named() -> None:
    number = national_id(date(1985, 12, 24))
    wrong = number[:9] + str((int(number[9]) + 1) % 10) + number[10]

    assert refused(wrong) == "national_id: first check digit does not match"


def test_a_wrong_second_check_digit_is_named() -> None:
    number = national_id(date(1985, 12, 24))
    wrong = number[:10] + str((int(number[10]) + 1) % 10)

    assert refused(wrong) == "national_id: second check digit does not match"


@pytest.mark.parametrize(
    "value", ["1234567890", "123456789012", "1705901234a", "17059 12345", "١٧٠٥٩٠١٢٣٤٥", ""], ids=repr
)
def test_anything_but_eleven_ascii_digits_is_refused_as_a_format_error(value: str) -> None:
    assert refused(value) == "national_id: must be exactly 11 digits"


def with_digits(ddmmyy: str, individuals: range) -> str:
    """A number with these first six digits and check digits that match (individual numbers vary)."""
    return next(n for i in individuals if (n := with_check_digits(f"{ddmmyy}{i:03d}")) is not None)


@pytest.mark.parametrize(
    "ddmmyy",
    [
        "310290",  # 31 February
        "000190",  # day 0
        "320190",  # day 32
        "011390",  # month 13
        "010090",  # month 0
        "015190",  # month 51 (an H-number, not accepted here)
        "810190",  # a D-number's day 81 - 40 = 41
    ],
)
def test_a_number_that_encodes_no_calendar_date_is_refused_as_not_a_valid_date(ddmmyy: str) -> None:
    assert refused(with_digits(ddmmyy, range(500))) == "national_id: not a valid date"


def test_29_february_is_a_date_in_2000_but_not_in_1900() -> None:
    born_2000 = with_digits("290200", range(500, 1000))  # 500-999 with year 00: the 2000s
    born_1900 = with_digits("290200", range(500))  # 000-499: the 1900s

    assert parse_national_id(born_2000, today=TODAY).birth_date == date(2000, 2, 29)
    assert refused(born_1900) == "national_id: not a valid date"


def test_d_number_has_40_added_to_the_day_and_is_reported_as_dnr() -> None:
    number = national_id(date(1979, 3, 15), dnr=True)

    parsed = parse_national_id(number, today=TODAY)

    assert number.startswith("55")
    assert (parsed.kind, parsed.birth_date) == (IdKind.DNR, date(1979, 3, 15))


def test_a_birth_date_after_today_is_refused() -> None:
    tomorrow = TODAY + timedelta(days=1)

    assert refused(national_id(tomorrow)) == "national_id: the birth date is in the future"
    assert parse_national_id(national_id(TODAY), today=TODAY).birth_date == TODAY


@pytest.mark.parametrize(
    ("individual", "year", "century"),
    [
        (0, 0, 1900),
        (499, 99, 1900),
        (500, 54, 1800),
        (749, 99, 1800),
        (500, 0, 2000),
        (999, 39, 2000),
        (900, 40, 1900),
        (999, 99, 1900),
        (500, 40, None),
        (749, 53, None),
        (750, 54, None),
        (899, 99, None),
    ],
)
def test_the_individual_number_range_and_year_decide_the_century(
    individual: int, year: int, century: int | None
) -> None:
    assert birth_century(individual, year) == century


def test_an_individual_number_that_fits_no_century_is_named() -> None:
    # 750-899 with a year from 40 to 99 belongs to no century.
    number = with_digits("010180", range(750, 900))

    assert refused(number) == "national_id: the individual number does not belong to any century for this birth year"


def test_the_parsed_number_does_not_show_itself_in_its_repr() -> None:
    number = national_id(date(1961, 7, 7))

    parsed = parse_national_id(number, today=TODAY)

    assert number not in repr(parsed)
    assert "1961-07-07" in repr(parsed)
