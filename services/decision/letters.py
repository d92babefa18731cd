"""Letters: decision letters and preliminary replies, rendered from templates in bokmål or nynorsk, then to PDF.

Templates are Mako (locked with Alembic). They write a small plain-text layout that `servicekit.pdf.render_pdf`
sets in type: a line starting "= " is a heading, "== " a section heading, "- " a list item, a blank line a
paragraph break.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from mako.lookup import TemplateLookup  # type: ignore[import-untyped]

from contracts.decision import AppealInformation, DecidedBy, DecisionKind, Outcome, ReviewResult
from servicekit.errors import DomainError
from servicekit.types import UNPRINTABLE, as_printed, prints, unprintable_in_letter
from services.decision.domain import Reasons
from services.decision.recipients import Recipient

TEMPLATES = Path(__file__).parent / "templates"
LANGUAGES = ("nb", "nn")

_MONTHS = {
    "nb": [
        "januar",
        "februar",
        "mars",
        "april",
        "mai",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "desember",
    ],
    "nn": [
        "januar",
        "februar",
        "mars",
        "april",
        "mai",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "desember",
    ],
}


@dataclass(frozen=True)
class LetterService:
    name: str
    hours_per_week: float | None
    start_on: date | None
    end_on: date | None

    @property
    def hours(self) -> str:
        """Norwegian decimal comma; whole hours without decimals."""
        if self.hours_per_week is None:
            return ""
        return f"{self.hours_per_week:g}".replace(".", ",")


class Addressed(StrEnum):
    """Whom the letter's text speaks to."""

    PERSON = "person"  # the person it concerns is an addressee: "du", "søknaden din"
    ONE_OTHER = "one other"  # one addressee, not the person (a child's one guardian): "du", about the person
    OTHERS = "others"  # several addressees, none the person (a child's parents): "dere"/"de", about the person

    @property
    def about_someone_else(self) -> bool:
        return self is not Addressed.PERSON

    @property
    def several(self) -> bool:
        return self is Addressed.OTHERS


def addressed(addressees: Sequence[Recipient]) -> Addressed:
    """The person, whenever they are among the addressees (an adult, with or without an appointed guardian beside
    them) or the register named nobody (the letter names the person by id, as before); otherwise the others it
    goes to, one or several."""
    if not addressees or any(a.receives_as == "self" for a in addressees):
        return Addressed.PERSON
    return Addressed.ONE_OTHER if len(addressees) == 1 else Addressed.OTHERS


@dataclass(frozen=True)
class Letterhead:
    municipality_name: str
    office_name: str
    language: str
    letter_on: date
    reference: str
    person_id: str
    concerning: str | None = None
    addressees: tuple[Recipient, ...] = ()

    @property
    def regarding(self) -> str:
        """Whom the letter concerns, for "Gjelder"/"Gjeld": the name, or the pseudonymous id without one."""
        return self.concerning or f"person {self.person_id}"

    @property
    def addressed(self) -> Addressed:
        return addressed(self.addressees)

    @property
    def address_names(self) -> str:
        """The address block's name line: the first addressee and everyone at the same postal address."""
        return _and([a.name for a in self._at_the_address])

    @property
    def address_lines(self) -> list[str]:
        return self.addressees[0].address_lines if self.addressees else []

    @property
    def copies(self) -> list[str]:
        """The "Kopi til" lines: one for each addressee at another postal address, with name and address."""
        return [", ".join([a.name, *a.address_lines]) for a in self.addressees if not self._at_first_address(a)]

    @property
    def _at_the_address(self) -> list[Recipient]:
        return [a for a in self.addressees if self._at_first_address(a)]

    def _at_first_address(self, addressee: Recipient) -> bool:
        return addressee.postal_address == self.addressees[0].postal_address


def _and(names: list[str]) -> str:
    """Names as a letter lists them, the same in bokmål and nynorsk: "A", "A og B", "A, B og C"."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " og " + names[-1]


@dataclass(frozen=True)
class AppealBodyDecision:
    """The appeal body's decision a letter carries out: whose, of when, about the decision of `appealed_on`, in
    full or in part. Its letter says the decision is final and cannot be appealed."""

    appeal_body: str
    decided_on: date
    appealed_on: date | None
    partial: bool = False


@dataclass(frozen=True)
class DecisionLetter:
    """A decision letter; `appeal` is none for a decision that carries out the appeal body's (`appeal_body_decision`),
    which is final (forvaltningsloven § 28 third paragraph)."""

    head: Letterhead
    kind: DecisionKind
    outcome: Outcome
    review_result: ReviewResult | None
    services: tuple[LetterService, ...]
    refused: tuple[str, ...]
    legal_basis: tuple[str, ...]
    reasons: Reasons
    decided_by: DecidedBy
    appeal: AppealInformation | None
    received_on: date | None = None
    meeting_name: str | None = None
    meeting_on: date | None = None
    approving_units: tuple[str, ...] = ()
    superseded_on: date | None = None
    review_due: date | None = None
    evaluation_due: date | None = None
    appeal_body_decision: AppealBodyDecision | None = None


@dataclass(frozen=True)
class PreliminaryReplyLetter:
    head: Letterhead
    service_name: str | None
    received_on: date | None
    expected_decision_on: date
    reason: str


@lru_cache(maxsize=1)
def _lookup() -> TemplateLookup:
    return TemplateLookup(directories=[str(TEMPLATES)], strict_undefined=True, input_encoding="utf-8")


def expected_child(language: str, due_on: date, *, parents: int) -> str:
    """Whom a letter about a child not yet born concerns, in the letter's language: "barnet dere venter (termin
    1. mars 2027)" to two expecting parents, "barnet du venter ..." to one."""
    if language not in LANGUAGES:
        raise ValueError(f"language: no letter templates for {language!r}; known: {LANGUAGES}")
    you = ("dere" if language == "nb" else "de") if parents > 1 else "du"
    expect = "venter" if language == "nb" else "ventar"
    return f"barnet {you} {expect} (termin {_helpers(language)['long'](due_on)})"


def _helpers(language: str) -> dict[str, Any]:
    months = _MONTHS[language]
    return {
        "d": lambda day: day.strftime("%d.%m.%Y"),
        "long": lambda day: f"{day.day}. {months[day.month - 1]} {day.year}",
        "cap": lambda words: words[:1].upper() + words[1:],
    }


def _render(template: str, language: str, **values: Any) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"language: no letter templates for {language!r}; known: {LANGUAGES}")
    text: str = _lookup().get_template(f"{template}_{language}.txt.mako").render(**values, **_helpers(language))
    # One blank line between blocks, none at the ends: the layout the PDF step and the golden files rely on.
    lines = [line.rstrip() for line in text.splitlines()]
    squeezed: list[str] = []
    for line in lines:
        if line or (squeezed and squeezed[-1]):
            squeezed.append(line)
    return "\n".join(squeezed).strip() + "\n"


def render_decision(letter: DecisionLetter) -> str:
    return _render(
        "decision",
        letter.head.language,
        h=letter.head,
        letter=letter,
        reasons=letter.reasons,
        appeal=letter.appeal,
    )


def render_preliminary_reply(letter: PreliminaryReplyLetter) -> str:
    return _render("preliminary_reply", letter.head.language, h=letter.head, letter=letter)


# --- text the letter font can print -------------------------------------------------------------


def printable(text: str) -> str:
    # What the letter font prints is servicekit's to say: the API's letter types refuse the same characters.
    return as_printed(text)


def fit_to_font(text: str) -> str:
    """A name or address as the letter font prints it: unchanged where the font has the letters (Norwegian, Sámi:
    á č đ ŋ š ŧ ž, and most European scripts); a character it has no glyph for becomes its base letter, or '?'
    when it has none. Names come from the register and must not stop a decision."""
    out = []
    for char in printable(text):
        if prints(char):
            out.append(char)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        out.append(base if base and all(prints(c) for c in base) else "?")
    return "".join(out)


def check_printable(fields: Mapping[str, str]) -> None:
    """Free text goes into a legal letter unchanged or not at all: refuse what the letter font cannot print."""
    for name, value in fields.items():
        char = unprintable_in_letter(value)
        if char is not None:
            raise DomainError(
                f"{name}: the letter cannot print the character {char!r} (U+{ord(char):04X}); {UNPRINTABLE}",
                field=name,
            )


# --- PDF ----------------------------------------------------------------------------------------
