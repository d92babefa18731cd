"""Letters in bokmål and nynorsk: golden files of the rendered text, and the PDF's text holding every element of
forvaltningsloven § 27. Set FORVALT_UPDATE_GOLDEN=1 to rewrite the golden files after an intended change."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from contracts.decision import AppealInformation, DecidedBy, DecisionKind, Outcome, ReviewResult
from servicekit.errors import DomainError
from services.decision.domain import Reasons
from services.decision.letters import (
    DecisionLetter,
    Letterhead,
    LetterService,
    PreliminaryReplyLetter,
    check_printable,
    render_decision,
    render_pdf,
    render_preliminary_reply,
)
from services.decision.tests.support import oslo, pdf_text

GOLDEN = Path(__file__).parent / "golden"
CREATED_AT = oslo(2026, 3, 10, 13)  # when the PDFs are made: a fixed instant, not the machine's
APPEAL = AppealInformation(
    appeal_body="Statsforvalteren",
    submit_to="Forvaltningskontoret",
    deadline_weeks=4,
    deadline_on=date(2026, 4, 7),
    legal_basis="pasient- og brukerrettighetsloven § 7-5",
)


def _head(language: str, letter_on: date = date(2026, 3, 10)) -> Letterhead:
    return Letterhead(
        municipality_name="Tolga",
        office_name="Forvaltningskontoret",
        language=language,
        letter_on=letter_on,
        reference="2026/000017",
        person_id="p-123",
    )


def partly_granted(language: str) -> DecisionLetter:
    return DecisionLetter(
        head=_head(language),
        kind=DecisionKind.INITIAL,
        outcome=Outcome.PARTLY_GRANTED,
        review_result=None,
        services=(LetterService("Helsetjenester i hjemmet", 6.5, date(2026, 3, 16), date(2026, 6, 30)),),
        refused=("Praktisk bistand og opplæring",),
        legal_basis=(
            "helse- og omsorgstjenesteloven § 3-2 første ledd nr. 6 bokstav a",
            "helse- og omsorgstjenesteloven § 3-2 første ledd nr. 6 bokstav b",
        ),
        reasons=Reasons(
            facts="Du bor alene og trenger hjelp med medisiner morgen og kveld. Du klarer husarbeidet selv.",
            rules="Helse- og omsorgstjenesteloven § 3-2 gir rett til nødvendige og forsvarlige tjenester.",
            considerations=(
                "Vi har lagt vekt på at du klarer husarbeidet med hjelpemidler – og på ergoterapeutens vurdering."
            ),
        ),
        decided_by=DecidedBy.UNIT_LEADER,
        appeal=APPEAL,
        received_on=date(2026, 3, 2),
        approving_units=("Hjemmetjenesten",),
        evaluation_due=date(2026, 6, 2),
    )


def preliminary(language: str) -> PreliminaryReplyLetter:
    return PreliminaryReplyLetter(
        head=_head(language),
        service_name="Helsetjenester i hjemmet",
        received_on=date(2026, 2, 2),
        expected_decision_on=date(2026, 4, 15),
        reason="Vi venter på opplysninger fra fastlegen din.",
    )


def _check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("FORVALT_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from the golden file"


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_decision_letter_matches_its_golden_file(language: str) -> None:
    _check_golden(f"decision_{language}.txt", render_decision(partly_granted(language)))


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_preliminary_reply_matches_its_golden_file(language: str) -> None:
    _check_golden(f"preliminary_reply_{language}.txt", render_preliminary_reply(preliminary(language)))


APPEAL_ELEMENTS = {
    "nb": [
        "Du har rett til å klage",
        "Du kan klage på dette vedtaket (forvaltningsloven § 27)",
        "Fristen for å klage er 4 uker fra du mottok dette brevet (pasient- og brukerrettighetsloven § 7-5)",
        "siste dag for å klage 7. april 2026",
        "Klagefrist: 07.04.2026",
        "Send klagen skriftlig til Forvaltningskontoret, Tolga kommune",
        "sender vi klagen videre til Statsforvalteren, som avgjør klagen",
        "Skriv hvilket vedtak du klager på, hvilken endring du ønsker, og hvorfor",
        "Vi hjelper deg gjerne med å skrive klagen (forvaltningsloven § 32)",
        "Du har rett til å se dokumentene i saken din (forvaltningsloven §§ 18 og 19)",
    ],
    "nn": [
        "Du har rett til å klage",
        "Du kan klage på dette vedtaket (forvaltningslova § 27)",
        "Fristen for å klage er 4 veker frå du fekk dette brevet (pasient- og brukerrettighetsloven § 7-5)",
        "siste dag for å klage 7. april 2026",
        "Klagefrist: 07.04.2026",
        "Send klaga skriftleg til Forvaltningskontoret, Tolga kommune",
        "sender vi klaga vidare til Statsforvalteren, som avgjer klaga",
        "Skriv kva vedtak du klagar på, kva endring du ønskjer, og kvifor",
        "Vi hjelper deg gjerne med å skrive klaga (forvaltningslova § 32)",
        "Du har rett til å sjå dokumenta i saka di (forvaltningslova §§ 18 og 19)",
    ],
}
REASON_HEADINGS = {
    "nb": [
        "Faktiske forhold: Du bor alene",
        "Regler: Helse- og omsorgstjenesteloven",
        "Hovedhensyn ved skjønnsutøvingen:",
    ],
    "nn": ["Faktiske forhold: Du bor alene", "Reglar: Helse- og omsorgstjenesteloven", "Hovudomsyn i skjønnsutøvinga:"],
}


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_decision_pdf_holds_every_appeal_element_of_section_27_and_the_reasons(language: str) -> None:
    letter = partly_granted(language)
    pdf = render_pdf(render_decision(letter), title="Vedtak", footer="Tolga kommune", created_at=CREATED_AT)

    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    for element in [*APPEAL_ELEMENTS[language], *REASON_HEADINGS[language]]:
        assert element in text, f"{element!r} missing from the {language} PDF"
    # A dash pasted from a word processor is printed as a plain one.
    assert "hjelpemidler - og på ergoterapeutens" in text


@pytest.mark.parametrize(
    ("language", "phrase"),
    [("nb", "Vi regner med å fatte vedtak innen 15.04.2026"), ("nn", "Vi reknar med å gjere vedtak innan 15.04.2026")],
)
def test_preliminary_reply_pdf_says_why_and_when(language: str, phrase: str) -> None:
    letter = preliminary(language)
    text = pdf_text(render_pdf(render_preliminary_reply(letter), title="x", footer="x", created_at=CREATED_AT))

    assert phrase in text
    assert "Vi venter på opplysninger fra fastlegen din." in text
    assert "§ 11 a" in text


def test_a_full_grant_without_reasons_tells_that_none_are_given_and_how_to_ask() -> None:
    letter = DecisionLetter(
        head=_head("nb"),
        kind=DecisionKind.INITIAL,
        outcome=Outcome.GRANTED,
        review_result=None,
        services=(LetterService("Trygghetsalarm", None, date(2026, 3, 16), None),),
        refused=(),
        legal_basis=("forvaltningsloven",),
        reasons=Reasons(),
        decided_by=DecidedBy.OFFICE,
        appeal=APPEAL,
    )

    text = render_decision(letter)

    assert "- Trygghetsalarm, fra 16.03.2026\n" in text
    assert "forvaltningsloven § 24 annet ledd" in text
    assert "Vedtaket er fattet av Forvaltningskontoret." in text


@pytest.mark.parametrize(
    ("kind", "result", "phrase"),
    [
        (DecisionKind.REVIEW, ReviewResult.STOP, "Vi har revurdert vedtaket ditt av 01.03.2025. Tjenestene avsluttes."),
        (DecisionKind.REVIEW, ReviewResult.CONTINUE, "Tjenestene fortsetter. Dette vedtaket erstatter"),
        (DecisionKind.REVERSAL, None, "Du klaget på vedtaket vårt av 01.03.2025."),
    ],
)
def test_a_new_decision_names_the_one_it_replaces(kind: DecisionKind, result: ReviewResult | None, phrase: str) -> None:
    letter = DecisionLetter(
        head=_head("nb"),
        kind=kind,
        outcome=Outcome.REFUSED if result is ReviewResult.STOP else Outcome.GRANTED,
        review_result=result,
        services=() if result is ReviewResult.STOP else (LetterService("Avlastning", 10, date(2026, 3, 16), None),),
        refused=("Avlastning",) if result is ReviewResult.STOP else (),
        legal_basis=("helse- og omsorgstjenesteloven § 3-6",),
        reasons=Reasons("f", "r", "c"),
        decided_by=DecidedBy.MEETING,
        appeal=APPEAL,
        meeting_name="Tiltaksmøte",
        meeting_on=date(2026, 3, 10),
        superseded_on=date(2025, 3, 1),
    )

    text = render_decision(letter)

    assert phrase in text
    assert "Vedtaket er fattet i Tiltaksmøte 10.03.2026." in text


def test_free_text_the_letter_font_cannot_print_is_refused_naming_the_field() -> None:
    check_printable({"reasons.facts": "Bor på Røros – «hjemme» … ‘ok’ §"})

    with pytest.raises(DomainError) as error:
        check_printable({"reasons.facts": "Bor i Guovdageaidnu, Áltá og Kárášjohka (ŋ)"})

    assert error.value.field == "reasons.facts"
    assert "U+0161" in error.value.detail
