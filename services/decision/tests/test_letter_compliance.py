"""Decision letters to a person with a Sámi name, in bokmål and nynorsk, as veraPDF judges them: PDF/A-2u and
PDF/UA-1 compliant, and the text read back from them holds the Sámi letters unchanged. veraPDF's test is marked
`infra`: the validator runs as a local JVM process (deploy/local/verapdf.sh)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from servicekit.pdf import render_pdf
from services.decision.letters import DecisionLetter, render_decision
from services.decision.recipients import Recipient
from services.decision.tests.support import pdf_text
from services.decision.tests.test_letters import CREATED_AT, partly_granted
from tests import verapdf

PERSON = "Ánde Ŋuolja Čoavji"
ADDRESS = ("Đuottarvárri 3, Šiellá", "9730", "Kárášjohka")
GUARDIAN = Recipient("Máret Ŧuolja Žoavji", "Ŋávdnji 1", "9520", "Guovdageaidnu", receives_as="guardian")


def _to_the_sami_person(language: str) -> DecisionLetter:
    letter = partly_granted(language)
    addressees = (Recipient(PERSON, *ADDRESS, receives_as="self"), GUARDIAN)
    return replace(letter, head=replace(letter.head, concerning=PERSON, addressees=addressees))


def _letters() -> dict[str, bytes]:
    return {
        f"decision-{language}": render_pdf(
            render_decision(_to_the_sami_person(language)),
            title="Vedtak",
            footer="Kárášjoga gielda - Forvaltningskontoret - 2026/000017",
            created_at=CREATED_AT,
            language=language,
        )
        for language in ("nb", "nn")
    }


@pytest.mark.infra
@pytest.mark.parametrize("flavour", [verapdf.ARCHIVAL, verapdf.ACCESSIBLE])
def test_decision_letters_to_a_sami_person_are_pdf_a_and_pdf_ua_compliant(flavour: str) -> None:
    assert verapdf.failures(_letters(), flavour) == {"decision-nb": [], "decision-nn": []}


def test_decision_letters_to_a_sami_person_read_back_with_the_sami_letters_unchanged() -> None:
    for name, pdf in _letters().items():
        text = pdf_text(pdf)
        for words in [PERSON, *ADDRESS, f"Gjelder: {PERSON}" if name.endswith("nb") else f"Gjeld: {PERSON}"]:
            assert words in text, f"{words!r} missing from {name}"
        assert f"Kopi til: {GUARDIAN.name}, Ŋávdnji 1, 9520 Guovdageaidnu" in text
