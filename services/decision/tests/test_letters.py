"""Letters in bokmål and nynorsk: golden files of the rendered text, and the PDF's text holding every element of
forvaltningsloven § 27. Set FORVALT_UPDATE_GOLDEN=1 to rewrite the golden files after an intended change."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from contracts.decision import AppealInformation, DecidedBy, DecisionKind, Outcome, ReviewResult
from servicekit.errors import DomainError
from servicekit.pdf import render_pdf
from services.decision.domain import Reasons
from services.decision.letters import (
    Addressed,
    AppealBodyDecision,
    DecisionLetter,
    Letterhead,
    LetterService,
    PreliminaryReplyLetter,
    addressed,
    check_printable,
    render_decision,
    render_preliminary_reply,
)
from services.decision.recipients import Recipient
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
    check_printable({"reasons.facts": "Bor i Guovdageaidnu, Áltá og Kárášjohka (ŋ, đ, ŧ, ž)"})

    with pytest.raises(DomainError) as error:
        check_printable({"reasons.facts": "Bor i Guovdageaidnu 🙂"})

    assert error.value.field == "reasons.facts"
    assert "U+1F642" in error.value.detail


# --- whom the letter speaks to: the person, or the guardians about the person ---------------------

EMMA = "Emma Nordmann"
KARI = Recipient("Kari Nordmann", "Storgata 1", "2540", "Tolga", receives_as="parent")
OLA = Recipient("Ola Nordmann", "Storgata 1", "2540", "Tolga", receives_as="parent")
VERGE = Recipient("Åse Vergeland", "Fjellvegen 2", "7580", "Selbu", receives_as="guardian")
ADULT = Recipient("Ola Nordmann", "Kirkevegen 7", "7580", "Selbu", receives_as="self")


def test_a_letter_to_the_person_speaks_to_the_person_even_beside_an_appointed_guardian() -> None:
    assert addressed([ADULT]) is Addressed.PERSON
    assert addressed([ADULT, VERGE]) is Addressed.PERSON


def test_a_letter_the_register_named_nobody_for_speaks_to_the_person_as_before() -> None:
    assert addressed([]) is Addressed.PERSON


def test_a_letter_to_one_guardian_speaks_to_that_guardian_about_the_person() -> None:
    assert addressed([VERGE]) is Addressed.ONE_OTHER
    assert addressed([KARI]).about_someone_else
    assert not addressed([KARI]).several


def test_a_letter_to_several_guardians_speaks_to_them_together_about_the_person() -> None:
    assert addressed([KARI, OLA]) is Addressed.OTHERS
    assert addressed([KARI, OLA, VERGE]).several


def _to(letter: DecisionLetter, *addressees: Recipient, concerning: str = EMMA) -> DecisionLetter:
    return replace(letter, head=replace(letter.head, concerning=concerning, addressees=addressees))


def _reply_to(letter: PreliminaryReplyLetter, *addressees: Recipient) -> PreliminaryReplyLetter:
    return replace(letter, head=replace(letter.head, concerning=EMMA, addressees=addressees))


def _pdf(text: str) -> str:
    return pdf_text(render_pdf(text, title="x", footer="x", created_at=CREATED_AT))


TO_THE_PARENTS = {
    "nb": [
        "Vi viser til søknaden om helse- og omsorgstjenester for Emma Nordmann, som vi mottok 02.03.2026.",
        "Søknaden er delvis innvilget. Emma Nordmann får innvilget:",
        "Søknaden om dette er avslått:",
        "Dere har rett til å klage Dere kan klage på dette vedtaket (forvaltningsloven § 27).",
        "4 uker fra dere mottok dette brevet",
        "Mottar dere brevet samme dag",
        "Hvor dere sender klagen:",
        "Gir vi dere ikke medhold",
        "Slik klager dere: Skriv hvilket vedtak dere klager på, hvilken endring dere ønsker, og hvorfor.",
        "Vi hjelper dere gjerne med å skrive klagen",
        "Dere har rett til å se dokumentene i saken (forvaltningsloven §§ 18 og 19)",
        "Dere kan be om at vedtaket ikke gjennomføres",
    ],
    "nn": [
        "Vi viser til søknaden om helse- og omsorgstenester for Emma Nordmann, som vi tok imot 02.03.2026.",
        "Søknaden er delvis innvilga. Emma Nordmann får innvilga:",
        "Søknaden om dette er avslått:",
        "De har rett til å klage De kan klage på dette vedtaket (forvaltningslova § 27).",
        "4 veker frå de fekk dette brevet",
        "Får de brevet same dag",
        "Kvar de sender klaga:",
        "Gir vi dykk ikkje medhald",
        "Slik klagar de: Skriv kva vedtak de klagar på, kva endring de ønskjer, og kvifor.",
        "Vi hjelper dykk gjerne med å skrive klaga",
        "De har rett til å sjå dokumenta i saka (forvaltningslova §§ 18 og 19)",
        "De kan be om at vedtaket ikkje blir sett i verk",
    ],
}
TO_ONE_GUARDIAN = {
    "nb": [
        "Vi viser til søknaden om helse- og omsorgstjenester for Emma Nordmann",
        "Du har rett til å klage Du kan klage på dette vedtaket (forvaltningsloven § 27).",
        "4 uker fra du mottok dette brevet",
        "Gir vi deg ikke medhold",
        "Slik klager du: Skriv hvilket vedtak du klager på",
        "Du har rett til å se dokumentene i saken (forvaltningsloven §§ 18 og 19)",
    ],
    "nn": [
        "Vi viser til søknaden om helse- og omsorgstenester for Emma Nordmann",
        "Du har rett til å klage Du kan klage på dette vedtaket (forvaltningslova § 27).",
        "4 veker frå du fekk dette brevet",
        "Gir vi deg ikkje medhald",
        "Slik klagar du: Skriv kva vedtak du klagar på",
        "Du har rett til å sjå dokumenta i saka (forvaltningslova §§ 18 og 19)",
    ],
}
# Said to the person only: never in a letter to someone else about the person.
TO_THE_PERSON_ONLY = {
    "nb": ["søknaden din", "saken din", "Du får innvilget", "Søknaden din", "behovet ditt", "vedtaket ditt"],
    "nn": ["søknaden din", "saka di", "Du får innvilga", "Søknaden din", "behovet ditt", "vedtaket ditt"],
}


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_a_childs_decision_to_both_parents_speaks_to_them_together_about_the_child(language: str) -> None:
    text = _pdf(render_decision(_to(partly_granted(language), KARI, OLA)))

    for phrase in TO_THE_PARENTS[language]:
        assert phrase in text, f"{phrase!r} missing from the {language} letter to the parents"
    for phrase in TO_THE_PERSON_ONLY[language]:
        assert phrase not in text, f"{phrase!r} in the {language} letter to the parents"


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_a_childs_decision_to_one_guardian_speaks_to_the_guardian_about_the_child(language: str) -> None:
    text = _pdf(render_decision(_to(partly_granted(language), VERGE)))

    for phrase in TO_ONE_GUARDIAN[language]:
        assert phrase in text, f"{phrase!r} missing from the {language} letter to the guardian"
    for phrase in [*TO_THE_PERSON_ONLY[language], "Dere ", "De kan", "dykk"]:
        assert phrase not in text, f"{phrase!r} in the {language} letter to the guardian"


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_an_adults_decision_speaks_to_the_adult_as_before_with_or_without_a_guardian_beside(language: str) -> None:
    """Below the letterhead, the letter to the adult is the golden file's, word for word."""
    golden_body = (GOLDEN / f"decision_{language}.txt").read_text(encoding="utf-8").split("Klagefrist: 07.04.2026\n")[1]
    copy = "\nKopi til:\nÅse Vergeland, Fjellvegen 2, 7580 Selbu\n"

    for addressees in [(ADULT,), (ADULT, VERGE)]:
        text = render_decision(_to(partly_granted(language), *addressees, concerning="Ola Nordmann"))

        assert text.split("Klagefrist: 07.04.2026\n")[1].removesuffix(copy) == golden_body
        assert "Du kan klage på dette vedtaket" in _pdf(text)


@pytest.mark.parametrize(
    ("kind", "result", "phrases"),
    [
        (DecisionKind.REVIEW, ReviewResult.CONTINUE, ["Vi har revurdert vedtaket av 01.03.2025 som gjelder Emma"]),
        (DecisionKind.REVERSAL, None, ["Dere klaget på vedtaket vårt av 01.03.2025 som gjelder Emma Nordmann."]),
    ],
)
def test_a_new_decision_to_the_parents_names_the_one_it_replaces_as_the_childs(
    kind: DecisionKind, result: ReviewResult | None, phrases: list[str]
) -> None:
    letter = DecisionLetter(
        head=_head("nb"),
        kind=kind,
        outcome=Outcome.GRANTED,
        review_result=result,
        services=(LetterService("Avlastning", 10, date(2026, 3, 16), None),),
        refused=(),
        legal_basis=("helse- og omsorgstjenesteloven § 3-6",),
        reasons=Reasons(),
        decided_by=DecidedBy.OFFICE,
        appeal=APPEAL,
        superseded_on=date(2025, 3, 1),
        review_due=date(2027, 3, 1),
    )

    text = _pdf(render_decision(_to(letter, KARI, OLA)))

    for phrase in [
        *phrases,
        "Emma Nordmann får innvilget:",
        "Emma Nordmann får det som er søkt om.",
        "Dere kan be om en begrunnelse innen klagefristen.",
        "Gi oss beskjed hvis behovet til Emma Nordmann endrer seg før det.",
    ]:
        assert phrase in text


PRELIMINARY_TO_THE_PARENTS = {
    "nb": [
        "Foreløpig svar på søknaden for Emma Nordmann",
        "Vi viser til søknaden om helsetjenester i hjemmet for Emma Nordmann, som vi mottok 02.02.2026.",
        "Vi har ikke kunnet behandle saken innen én måned.",
        "Vedtaket får dere skriftlig",
        "Ta gjerne kontakt med oss hvis dere har spørsmål.",
    ],
    "nn": [
        "Førebels svar på søknaden for Emma Nordmann",
        "Vi viser til søknaden om helsetjenester i hjemmet for Emma Nordmann, som vi tok imot 02.02.2026.",
        "Vi har ikkje kunna behandle saka innan éin månad.",
        "Vedtaket får de skriftleg",
        "Ta gjerne kontakt med oss dersom de har spørsmål.",
    ],
}


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_a_childs_preliminary_reply_to_both_parents_speaks_to_them_about_the_child(language: str) -> None:
    text = _pdf(render_preliminary_reply(_reply_to(preliminary(language), KARI, OLA)))

    for phrase in PRELIMINARY_TO_THE_PARENTS[language]:
        assert phrase in text, f"{phrase!r} missing from the {language} reply to the parents"
    for phrase in TO_THE_PERSON_ONLY[language]:
        assert phrase not in text


@pytest.mark.parametrize(
    ("language", "phrases"),
    [
        ("nb", ["Vedtaket får du skriftlig", "hvis du har spørsmål", "behandle saken innen"]),
        ("nn", ["Vedtaket får du skriftleg", "dersom du har spørsmål", "behandle saka innan"]),
    ],
)
def test_a_childs_preliminary_reply_to_one_guardian_speaks_to_the_guardian(language: str, phrases: list[str]) -> None:
    text = _pdf(render_preliminary_reply(_reply_to(preliminary(language), VERGE)))

    for phrase in phrases:
        assert phrase in text
    assert "for Emma Nordmann" in text


# --- a decision that carries out the appeal body's: final, without the right to appeal ---------------------------

FINAL_TEXT = {
    "nb": [
        "= Vedtak etter klageinstansens avgjørelse",
        "Du klaget på vedtaket vårt av 01.03.2025. Statsforvalteren i Trøndelag behandlet klagen og gjorde delvis om "
        "vedtaket i sitt vedtak av 05.03.2026. Med dette vedtaket gjennomfører vi avgjørelsen til klageinstansen. "
        "Dette vedtaket erstatter det tidligere vedtaket.",
        "Vedtaket gjennomfører avgjørelsen til Statsforvalteren i Trøndelag og er skrevet av Forvaltningskontoret.",
        "== Vedtaket er endelig",
        "Klageinstansens avgjørelse er endelig, og dette vedtaket kan ikke påklages (forvaltningsloven § 28 tredje "
        "ledd).",
        "Rett til innsyn: Du har rett til å se dokumentene i saken din (forvaltningsloven §§ 18 og 19).",
        "Du kan be om en begrunnelse.",
    ],
    "nn": [
        "= Vedtak etter avgjerda til klageinstansen",
        "Du klaga på vedtaket vårt av 01.03.2025. Statsforvaltaren i Trøndelag handsama klaga og gjorde delvis om "
        "vedtaket i vedtaket sitt av 05.03.2026. Med dette vedtaket gjennomfører vi avgjerda til klageinstansen. "
        "Dette vedtaket erstattar det tidlegare vedtaket.",
        "Vedtaket gjennomfører avgjerda til Statsforvaltaren i Trøndelag og er skrive av Forvaltningskontoret.",
        "== Vedtaket er endeleg",
        "Avgjerda til klageinstansen er endeleg, og dette vedtaket kan ikkje påklagast (forvaltningslova § 28 tredje "
        "ledd).",
        "Rett til innsyn: Du har rett til å sjå dokumenta i saka di (forvaltningslova §§ 18 og 19).",
        "Du kan be om grunngiving.",
    ],
}
# What only a decision that can be appealed says.
APPEAL_ONLY = {
    "nb": ["Klagefrist", "rett til å klage", "klagefristen", "Klageinstans:", "forvaltningsloven § 42"],
    "nn": ["Klagefrist", "rett til å klage", "klagefristen", "Klageinstans:", "forvaltningslova § 42"],
}


def carrying_out_the_appeal_bodys(language: str) -> DecisionLetter:
    body = "Statsforvalteren i Trøndelag" if language == "nb" else "Statsforvaltaren i Trøndelag"
    return DecisionLetter(
        head=_head(language),
        kind=DecisionKind.REVERSAL,
        outcome=Outcome.GRANTED,
        review_result=None,
        services=(LetterService("Helsetjenester i hjemmet", 6, date(2026, 3, 16), None),),
        refused=(),
        legal_basis=("helse- og omsorgstjenesteloven § 3-2 første ledd nr. 6 bokstav a",),
        reasons=Reasons(),
        decided_by=DecidedBy.APPEAL_BODY,
        appeal=None,
        superseded_on=date(2025, 3, 1),
        appeal_body_decision=AppealBodyDecision(
            appeal_body=body, decided_on=date(2026, 3, 5), appealed_on=date(2025, 3, 1), partial=True
        ),
    )


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_a_decision_carrying_out_the_appeal_bodys_says_it_is_final_and_cannot_be_appealed(language: str) -> None:
    text = render_decision(carrying_out_the_appeal_bodys(language))

    for line in FINAL_TEXT[language]:
        assert line in text, line
    for words in APPEAL_ONLY[language]:
        assert words not in text, words
    pdf = pdf_text(render_pdf(text, title="Vedtak", footer="Tolga", created_at=CREATED_AT))
    assert "§ 28 tredje ledd" in pdf
