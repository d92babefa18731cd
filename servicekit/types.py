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
from servicekit.fonts import has_glyph

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
    "UNPRINTABLE",
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
    "prints",
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

# Word processors' typography, set in the PDF as plain punctuation, as letters always have been (the letter font
# has glyphs for it too: printing it as typed is a choice to make, not a limit of the font).
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
    """The text as a letter sets it: composed (NFC), with word processors' typography as plain punctuation."""
    return unicodedata.normalize("NFC", text).translate(LETTER_TYPOGRAPHY)


# Why a character is refused, for the problem's detail.
UNPRINTABLE = "it is a control or format character, or the letter font (DejaVu Sans) has no glyph for it"


def prints(char: str) -> bool:
    """Whether a letter prints the character: a printable character (no control, format or unassigned code point)
    that the letter font (`servicekit.fonts`, DejaVu Sans) has a glyph for."""
    return char.isprintable() and has_glyph(char)


def unprintable_in_letter(text: str, *, allowed: str = "\n\t") -> str | None:
    """The first character of `text` a letter cannot print (beyond the `allowed` layout characters)."""
    for char in as_printed(text):
        if char not in allowed and not prints(char):
            return char
    return None


def _printable(allowed: str) -> AfterValidator:
    def check(value: str) -> str:
        char = unprintable_in_letter(value, allowed=allowed)
        if char is not None:
            raise ValueError(f"the letter cannot print the character {char!r} (U+{ord(char):04X}); {UNPRINTABLE}")
        return value

    return AfterValidator(check)


# Text that goes into a letter unchanged (a legal basis, the reasons): refused when the letter font cannot print it.
# A field that narrows one puts the check last: `Annotated[Text, Field(max_length=5000), PRINTABLE_TEXT]`.
PRINTABLE_LINE = _printable("")
PRINTABLE_TEXT = _printable("\n\t")
LetterLine = Annotated[Line, PRINTABLE_LINE]
LetterName = Annotated[Name, PRINTABLE_LINE]
LetterText = Annotated[Text, PRINTABLE_TEXT]
