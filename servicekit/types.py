"""Bounded types for every request body, query and path parameter: text without control characters, codes and ids
of a known shape, counts and pages that fit their columns, plausible dates and instants, and text that the letter
font can print. A value outside them is a 422 problem naming the field, before any use case runs."""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from contracts.types import (
    EARLIEST_DATE,
    EARLIEST_TIME,
    INT32_MAX,
    LATEST_DATE,
    LATEST_TIME,
    LINE_PATTERN,
    MAX_LIST,
    TEXT_PATTERN,
    Code,
    Count,
    HoursPerWeek,
    Identifier,
    Int32,
    JournalNumber,
    Line,
    Name,
    PlausibleDate,
    PlausibleTime,
    PositiveCount,
    Text,
)

__all__ = [
    "EARLIEST_DATE",
    "EARLIEST_TIME",
    "INT32_MAX",
    "LATEST_DATE",
    "LATEST_TIME",
    "LETTER_TYPOGRAPHY",
    "LINE_PATTERN",
    "MAX_ENTRIES",
    "MAX_LIST",
    "MAX_OFFSET",
    "MAX_PAGE",
    "PRINTABLE_LINE",
    "PRINTABLE_TEXT",
    "TEXT_PATTERN",
    "Code",
    "Count",
    "FilledText",
    "HoursPerWeek",
    "Identifier",
    "Int32",
    "JournalNumber",
    "LetterLine",
    "LetterName",
    "LetterText",
    "Limit",
    "Line",
    "Name",
    "Offset",
    "PlausibleDate",
    "PlausibleTime",
    "PositiveCount",
    "Subject",
    "Text",
    "as_printed",
    "unprintable_in_letter",
]

MAX_PAGE = 500
MAX_OFFSET = 1_000_000
# The services, legal bases or refused services one body names: a decision or recommendation has a few.
MAX_ENTRIES = 20


def _not_blank(text: str) -> str:
    if not text.strip():
        raise ValueError("must not be blank")
    return text


# Free text a person must write: not empty and not only spaces.
FilledText = Annotated[Text, Field(min_length=1), AfterValidator(_not_blank)]

# A page of a list: at most MAX_PAGE items, starting at most MAX_OFFSET items in.
Limit = Annotated[int, Field(ge=1, le=MAX_PAGE)]
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET)]

# Who a token names (its `sub` claim): it is recorded as "recorded by" in columns 60 characters wide.
Subject = Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=LINE_PATTERN)]


# --- text the letter font can print -------------------------------------------------------------

# Word processors' typography, as the letter font (the PDF core font, Latin-1) can print it.
LETTER_TYPOGRAPHY = str.maketrans(
    {
        "–": "-",
        "—": "-",
        "‘": "'",
        "’": "'",
        "‚": ",",
        "“": '"',
        "”": '"',
        "„": '"',
        "…": "...",
        "•": "-",
        "\u00a0": " ",
    }
)


def as_printed(text: str) -> str:
    """The text as a letter sets it: composed (NFC), with word processors' typography in the font's own."""
    return unicodedata.normalize("NFC", text).translate(LETTER_TYPOGRAPHY)


def unprintable_in_letter(text: str, *, allowed: str = "\n\t") -> str | None:
    """The first character of `text` the letter font cannot print (beyond the `allowed` layout characters)."""
    for char in as_printed(text):
        if char not in allowed and (ord(char) > 0xFF or not char.isprintable()):
            return char
    return None


def _printable(allowed: str) -> AfterValidator:
    def check(value: str) -> str:
        char = unprintable_in_letter(value, allowed=allowed)
        if char is not None:
            raise ValueError(
                f"the letter cannot print the character {char!r} (U+{ord(char):04X}); letters are set in "
                "Latin-1 (Norwegian letters, § and the usual punctuation)"
            )
        return value

    return AfterValidator(check)


# Text that goes into a letter unchanged (a legal basis, the reasons): refused when the letter font cannot print it.
# A field that narrows one puts the check last: `Annotated[Text, Field(max_length=5000), PRINTABLE_TEXT]`.
PRINTABLE_LINE = _printable("")
PRINTABLE_TEXT = _printable("\n\t")
LetterLine = Annotated[Line, PRINTABLE_LINE]
LetterName = Annotated[Name, PRINTABLE_LINE]
LetterText = Annotated[Text, PRINTABLE_TEXT]
