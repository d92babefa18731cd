"""Bounded field types of the contracts: ids, codes and text without control characters, counts that fit a 32-bit
column, plausible dates and instants. `servicekit.types` builds the API's types on these, so a body and the event
it becomes are bounded alike (contracts depend on nothing of ours, so the shared ones live here)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field, StringConstraints

# The largest value of a PostgreSQL `integer` column: counts beyond it cannot be stored.
INT32_MAX = 2**31 - 1

# Dates and instants the services' rules can count with: adding the law's weeks, months or years to any of them
# stays far from the calendar's end (year 9999), and no person, case or deadline lies outside them.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)
EARLIEST_TIME = datetime(1900, 1, 1, tzinfo=UTC)
LATEST_TIME = datetime(2199, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)

# Text refuses C0 and C1 control characters, and (being a constrained string) lone surrogates, which cannot be
# written as UTF-8: PostgreSQL refuses NUL in text outright, and no database takes a lone surrogate.
# One line: no control character, no line break, no tab.
LINE_PATTERN = r"^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$"
# Free text keeps its tabs and line breaks (LF, CR).
TEXT_PATTERN = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$"
CODE_PATTERN = r"^[a-z][a-z0-9_]*$"


def _plausible_time(value: datetime) -> datetime:
    # Aware datetimes compare as UTC, and the comparison never overflows, whatever the offset.
    if not EARLIEST_TIME <= value <= LATEST_TIME:
        raise ValueError(f"must lie between {EARLIEST_TIME.isoformat()} and {LATEST_TIME.isoformat()}")
    return value


# A code from the catalogue or a list of kinds: service, unit, criterion, profession codes.
Code = Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=CODE_PATTERN)]
# An id we mint (a UUID) or another system's reference (journal number 2026/000123): no spaces, no controls.
Identifier = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:/-]*$")]
# A journal number, unique per municipality and year, e.g. 2026/000123.
JournalNumber = Annotated[str, StringConstraints(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9][A-Za-z0-9/_.-]*$")]
# The kinds of text, each as wide as its columns. A field narrows one with `Annotated[Line, Field(max_length=...)]`.
# A person's or a body's name: one line.
Name = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=LINE_PATTERN)]
# One line of text, e.g. a legal basis: "helse- og omsorgstjenesteloven § 3-2 første ledd nr. 6 bokstav b".
Line = Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=LINE_PATTERN)]
# Free text, with tabs and line breaks.
Text = Annotated[str, StringConstraints(max_length=20_000, pattern=TEXT_PATTERN)]

Count = Annotated[int, Field(ge=0, le=INT32_MAX)]
PositiveCount = Annotated[int, Field(ge=1, le=INT32_MAX)]
# Any whole number a 32-bit column holds, for values a rule then checks against its own list (a score, a step).
Int32 = Annotated[int, Field(ge=-INT32_MAX - 1, le=INT32_MAX)]
HoursPerWeek = Annotated[float, Field(ge=0, le=168, allow_inf_nan=False)]

PlausibleDate = Annotated[date, Field(ge=EARLIEST_DATE, le=LATEST_DATE)]
PlausibleTime = Annotated[AwareDatetime, AfterValidator(_plausible_time)]

# Lists in events: bounded, so that no event outgrows what the broker takes (1 MiB).
MAX_LIST = 50
# A decision's legal basis: the rules named, or the union of the catalogue's for every service decided (an API
# body names at most 20; a catalogue service at most 20, for at most 20 services).
MAX_LEGAL_BASIS = 400
