"""The letter PDF's layout as a reader and an archive see it: the structure tree in reading order, the language, the
title shown, the letter font embedded, the PDF/A and PDF/UA identification, page footers as artifacts, and the Sámi
letters in the text unchanged. (veraPDF judges the letters themselves: the services' test_letter_compliance.py.)"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from io import BytesIO
from typing import Any

import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, NumberObject

from servicekit.pdf import render_pdf, render_pdf_off_the_loop

CREATED_AT = datetime(2026, 3, 10, 12, tzinfo=UTC)
SAMI = "Ánde Ŋuolja Čoavji, Đuottarvárri 3, Šiellá, Ŧ Ž (á ŋ č đ š ŧ ž)"
LETTER = f"""= Tolga kommune
Forvaltningskontoret

Gjelder: {SAMI}

= Vedtak om helse- og omsorgstjenester

== Vedtak
Du får innvilget:
- Helsetjenester i hjemmet
- Trygghetsalarm
Slutt.
"""


def _render(text: str = LETTER, language: str = "nb") -> PdfReader:
    return PdfReader(
        BytesIO(render_pdf(text, title="Vedtak", footer="Tolga kommune", created_at=CREATED_AT, language=language))
    )


def _node(obj: Any) -> Any:
    return obj.get_object() if hasattr(obj, "get_object") else obj


def _catalog(reader: PdfReader) -> Any:
    return _node(reader.trailer["/Root"])


def _tree(element: Any) -> Any:
    """An element as (role, [kids]); marked content as "mcid"."""
    element = _node(element)
    if isinstance(element, NumberObject) or (isinstance(element, DictionaryObject) and "/MCID" in element):
        return "mcid"
    kids = _node(element.get("/K", []))
    kids = kids if isinstance(kids, ArrayObject) else [kids]
    return (element["/S"][1:], [_tree(k) for k in kids])


def _roles(tree: Any) -> list[Any]:
    role, kids = tree
    return [role, [_roles(k) for k in kids if k != "mcid"]]


def test_the_structure_tree_tags_titles_headings_paragraphs_and_lists_in_reading_order() -> None:
    root = _node(_catalog(_render())["/StructTreeRoot"])
    document = _tree(_node(root["/K"])[0])

    assert _roles(document) == [
        "Document",
        [
            ["H1", []],
            ["P", []],
            ["P", []],
            ["H1", []],
            ["H2", []],
            ["P", []],
            ["L", [["LI", [["Lbl", []], ["LBody", []]]], ["LI", [["Lbl", []], ["LBody", []]]]]],
            ["P", []],
        ],
    ]


def test_the_document_names_its_language_and_shows_its_title_and_says_it_is_tagged() -> None:
    for language in ("nb", "nn"):
        catalog = _catalog(_render(language=language))

        assert catalog["/Lang"] == language
        assert bool(catalog["/MarkInfo"]["/Marked"])
        assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])


def test_a_language_without_letter_templates_is_refused() -> None:
    with pytest.raises(ValueError, match="language"):
        render_pdf(LETTER, title="Vedtak", footer="x", created_at=CREATED_AT, language="en")


def test_the_letter_font_is_embedded_and_the_only_font() -> None:
    reader = _render()
    fonts = [_node(f) for page in reader.pages for f in _node(_node(page["/Resources"])["/Font"]).values()]

    assert fonts
    for font in fonts:
        assert "DejaVuSans" in font["/BaseFont"]
        descendant = _node(font["/DescendantFonts"][0])
        assert "/FontFile2" in _node(descendant["/FontDescriptor"]), f"{font['/BaseFont']} is not embedded"


def test_the_metadata_declares_pdf_a_2u_and_pdf_ua_1_with_the_title_and_the_letters_own_instant() -> None:
    reader = _render()
    xmp = _node(_catalog(reader)["/Metadata"]).get_data().decode()

    assert "<pdfaid:part>2</pdfaid:part>" in xmp
    assert "<pdfaid:conformance>U</pdfaid:conformance>" in xmp
    assert "<pdfuaid:part>1</pdfuaid:part>" in xmp
    assert '<rdf:li xml:lang="x-default">Vedtak</rdf:li>' in xmp
    assert "<rdf:li>nb</rdf:li>" in xmp
    assert "<xmp:ModifyDate>2026-03-10T12:00:00+00:00</xmp:ModifyDate>" in xmp
    assert _catalog(reader)["/OutputIntents"]


def test_the_same_letter_renders_to_the_same_bytes_whatever_the_machines_clock() -> None:
    first = render_pdf(LETTER, title="Vedtak", footer="Tolga kommune", created_at=CREATED_AT)
    second = render_pdf(LETTER, title="Vedtak", footer="Tolga kommune", created_at=CREATED_AT)

    assert first == second


def test_page_footers_are_artifacts_outside_the_tagged_content() -> None:
    reader = _render()
    content = _node(reader.pages[0].get_contents()).get_data().decode("latin-1")

    assert content.count("/Artifact <</Type /Pagination /Subtype /Footer>> BDC") == 1
    # Every sequence is closed before the next opens: none nested, the footer's neither.
    depth = 0
    for operator in re.findall(r"\b(BDC|EMC)\b", content):
        depth += 1 if operator == "BDC" else -1
        assert depth in (0, 1)
    assert depth == 0


def test_a_paragraph_running_across_a_page_break_is_one_element_with_content_on_both_pages() -> None:
    long = " ".join(["Vi har lagt vekt på at du bor alene og trenger hjelp morgen og kveld."] * 80)
    reader = _render(f"= Vedtak\n{long}\n")
    document = _node(_node(_catalog(reader)["/StructTreeRoot"]["/K"])[0])
    paragraph = _node(_node(document["/K"])[1])
    pages = {_node(mcr).raw_get("/Pg").idnum for mcr in _node(paragraph["/K"])}

    assert len(reader.pages) == 2
    assert paragraph["/S"] == "/P"
    assert len(pages) == 2
    for page in reader.pages:
        assert "/StructParents" in page


def test_sami_letters_are_printed_and_read_back_unchanged() -> None:
    text = " ".join(page.extract_text() for page in _render().pages)

    assert SAMI in text


async def test_rendering_in_a_worker_thread_gives_the_same_letter() -> None:
    awaited = await render_pdf_off_the_loop(LETTER, title="Vedtak", footer="Tolga kommune", created_at=CREATED_AT)

    assert awaited == render_pdf(LETTER, title="Vedtak", footer="Tolga kommune", created_at=CREATED_AT)
