"""Letters as PDF: a small plain-text layout set on A4 pages, archivable (PDF/A-2u) and accessible (PDF/UA-1), for
every service that writes letters (decision letters, an appeal's forwarding letter).

The layout: `= ` a title, `== ` a heading, `- ` a list item, an empty line a small gap, any other line a paragraph.
In the PDF they are tagged H1, H2, L/LI (with Lbl and LBody) and P under one Document, in reading order; the page
footers are artifacts. The document names its language (nb or nn) and its title, which a reader shows instead of
the file name; the letter font (`servicekit.fonts`, DejaVu Sans) is embedded, and the XMP metadata declares PDF/A-2u
and PDF/UA-1. The API's letter types (`servicekit.types.LetterText`) refuse what the font cannot print.

Rendering is CPU work of a tenth of a second or so for a letter of a few pages: an async caller runs it in a worker
thread (`render_pdf_off_the_loop`). The structure tree replaces fpdf2's internal builder (fpdf2 is pinned): after an
upgrade, the tests marked `infra` have veraPDF judge the letters again."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from typing import Any, cast

from fpdf import FPDF, __version__
from fpdf.enums import MethodReturnValue, XPos, YPos
from fpdf.prefs import ViewerPreferences
from fpdf.structure_tree import StructureTreeBuilder
from fpdf.syntax import PDFObject, create_dictionary_string

from servicekit.fonts import BOLD, FAMILY, REGULAR
from servicekit.types import as_printed

LANGUAGES = ("nb", "nn")
COMPLIANCE = "PDF/A-2U"
BULLET = "-"  # the marker the letters have always had, so their text reads the same
_LINE = 5.5  # mm per line of body text


# --- the structure tree ---------------------------------------------------------------------------


@dataclass(eq=False)
class _Content:
    """One marked-content sequence on one page: the kid of a structure element by its MCID."""

    page: Any  # the fpdf page object; its object number is known only when the document is written
    mcid: int


class _Element(PDFObject):
    """A structure element whose kids may be other elements or marked content on any page (MCR dictionaries), so a
    paragraph may run across a page break. fpdf2's own builder knows only one level of elements on one page each."""

    def __init__(self, role: str, parent: PDFObject) -> None:
        super().__init__()
        self.role = role
        self.parent = parent
        self.kids: list[_Element | _Content] = []
        self.pg: Any = None  # fpdf2 sets it on the Document's children; unused, each MCR names its own page
        self._first_page: int | None = None

    def page_number(self) -> int:
        return self._first_page or 1

    def elements(self) -> Iterator[_Element]:
        yield self
        for kid in self.kids:
            if isinstance(kid, _Element):
                yield from kid.elements()

    def serialize(self, obj_dict: dict[str, object] | None = None, _security_handler: Any = None) -> str:
        kids = []
        for kid in self.kids:
            if isinstance(kid, _Element):
                kids.append(kid.ref)
            else:
                kids.append(f"<</Type /MCR /Pg {kid.page.ref} /MCID {kid.mcid}>>")
        entries = {"/Type": "/StructElem", "/S": f"/{self.role}", "/P": self.parent.ref, "/K": f"[{' '.join(kids)}]"}
        lines = [f"{self.id} 0 obj", "<<", create_dictionary_string(entries, open_dict="", close_dict=""), ">>"]
        return "\n".join([*lines, "endobj"])


class _Tags(StructureTreeBuilder):
    """The document's structure tree: Document, then the letter's elements in reading order."""

    def __init__(self) -> None:
        super().__init__()
        self.document = self.doc_struct_elem

    def add(self, role: str, parent: _Element | None = None) -> _Element:
        element = _Element(role, parent or self.document)
        if parent is None:
            self.document.k.append(element)
        else:
            parent.kids.append(element)
        return element

    def __iter__(self) -> Iterator[PDFObject]:
        yield self.struct_tree_root
        yield self.document
        yield self.struct_tree_root.parent_tree
        for top in self.document.k:
            yield from top.elements()


# --- the document ---------------------------------------------------------------------------------


@dataclass
class _Marking:
    element: _Element | None = None
    per_page: dict[int, int] = field(default_factory=dict)  # page number -> the next MCID on it


class _Pdf(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(format="A4", enforce_compliance=COMPLIANCE)
        self.footer_text = footer_text
        self.tags = _Tags()
        self.struct_builder = self.tags
        self.marking = _Marking()
        self.add_font(FAMILY, "", REGULAR)
        self.add_font(FAMILY, "B", BOLD)

    def footer(self) -> None:
        self._out("/Artifact <</Type /Pagination /Subtype /Footer>> BDC")
        self.set_y(-15)
        self.set_font(FAMILY, size=8)
        self.cell(0, 10, f"{self.footer_text}  {self.page_no()}/{{nb}}", align="C")
        self._out("EMC")

    # Marked content: each element's text on a page is one sequence, tied to the element by its MCID.
    def begin(self, element: _Element) -> None:
        page = self.pages[self.page]
        mcid = self.marking.per_page.get(self.page, 0)
        self.marking.per_page[self.page] = mcid + 1
        spid = self.tags.spid_per_page_number.setdefault(self.page, len(self.tags.spid_per_page_number))
        page.struct_parents = spid
        self.tags.struct_tree_root.parent_tree.nums[spid].append(element)
        element.kids.append(_Content(page, mcid))
        if element._first_page is None:
            element._first_page = self.page
        self.marking.element = element
        self._out(f"/{element.role} <</MCID {mcid}>> BDC")

    def end(self) -> None:
        if self.marking.element is not None:
            self._out("EMC")
            self.marking.element = None

    def lines(self, element: _Element, text: str, *, size: float, bold: bool, height: float, indent: float) -> None:
        """Set text as lines within the margins, starting a new page where the next line would not fit."""
        self.set_font(FAMILY, style="B" if bold else "", size=size)
        width = self.epw - indent
        broken: list[str] = cast(
            list[str], self.multi_cell(width, height, text, dry_run=True, output=MethodReturnValue.LINES)
        )
        self.begin(element)
        for line in broken:
            if self.get_y() + height > self.page_break_trigger:
                self.end()
                self.add_page()
                self.set_font(FAMILY, style="B" if bold else "", size=size)
                self.begin(element)
            self.set_x(self.l_margin + indent)
            self.cell(width, height, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.end()

    def list_item(self, items: _Element, text: str) -> None:
        item = self.tags.add("LI", items)
        label = self.tags.add("Lbl", item)
        body = self.tags.add("LBody", item)
        self.set_font(FAMILY, size=11)
        if self.get_y() + _LINE > self.page_break_trigger:
            self.add_page()
        top = self.get_y()
        self.begin(label)
        self.set_x(self.l_margin + 4)
        self.cell(4, _LINE, BULLET)
        self.end()
        self.set_y(top)
        self.lines(body, text, size=11, bold=False, height=_LINE, indent=8)


def _xmp(title: str, language: str, created_at: datetime) -> str:
    """The XMP metadata: PDF/A-2u and PDF/UA-1 identification (with the extension schema PDF/A asks for the latter),
    title, language and the letter's own instant, never the machine's clock."""
    instant = created_at.astimezone(UTC).isoformat(timespec="seconds")
    return f"""<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"
    xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"
    xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
    xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
    xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
   <pdfaid:part>2</pdfaid:part>
   <pdfaid:conformance>U</pdfaid:conformance>
   <pdfuaid:part>1</pdfuaid:part>
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(title)}</rdf:li></rdf:Alt></dc:title>
   <dc:language><rdf:Bag><rdf:li>{language}</rdf:li></rdf:Bag></dc:language>
   <xmp:CreatorTool>Forvalt</xmp:CreatorTool>
   <xmp:CreateDate>{instant}</xmp:CreateDate>
   <xmp:ModifyDate>{instant}</xmp:ModifyDate>
   <xmp:MetadataDate>{instant}</xmp:MetadataDate>
   <pdf:Producer>fpdf2 {__version__}</pdf:Producer>
   <pdfaExtension:schemas>
    <rdf:Bag>
     <rdf:li rdf:parseType="Resource">
      <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
      <pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
      <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
      <pdfaSchema:property>
       <rdf:Seq>
        <rdf:li rdf:parseType="Resource">
         <pdfaProperty:name>part</pdfaProperty:name>
         <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
         <pdfaProperty:category>internal</pdfaProperty:category>
         <pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>
        </rdf:li>
       </rdf:Seq>
      </pdfaSchema:property>
     </rdf:li>
    </rdf:Bag>
   </pdfaExtension:schemas>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>"""


def render_pdf(text: str, *, title: str, footer: str, created_at: datetime, language: str = "nb") -> bytes:
    """Set a rendered letter on A4 pages as a tagged PDF/A-2u document in the letter's language (nb or nn)."""
    if language not in LANGUAGES:
        raise ValueError(f"language: letters are written in {LANGUAGES}, not {language!r}")
    title = as_printed(title)
    pdf = _Pdf(as_printed(footer))
    pdf.set_title(title)
    pdf.set_lang(language)
    pdf.viewer_preferences = ViewerPreferences(display_doc_title=True)
    pdf.set_creator("Forvalt")
    pdf.set_creation_date(created_at.astimezone(UTC))
    pdf.set_xmp_metadata(_xmp(title, language, created_at))
    pdf.set_margins(22, 20, 22)
    pdf.set_auto_page_break(auto=False, margin=22)
    pdf.add_page()
    items: _Element | None = None  # the list the next "- " line belongs to
    for line in as_printed(text).splitlines():
        if not line.startswith("- "):
            items = None
        if not line:
            pdf.ln(3)
        elif line.startswith("== "):
            pdf.ln(2)
            pdf.lines(pdf.tags.add("H2"), line[3:], size=12, bold=True, height=6, indent=0)
        elif line.startswith("= "):
            pdf.lines(pdf.tags.add("H1"), line[2:], size=15, bold=True, height=8, indent=0)
        elif line.startswith("- "):
            items = items or pdf.tags.add("L")
            pdf.list_item(items, line[2:])
        else:
            pdf.lines(pdf.tags.add("P"), line, size=11, bold=False, height=_LINE, indent=0)
    return bytes(pdf.output())


async def render_pdf_off_the_loop(
    text: str, *, title: str, footer: str, created_at: datetime, language: str = "nb"
) -> bytes:
    """`render_pdf` in a worker thread, so the event loop goes on serving other requests meanwhile."""
    return await asyncio.to_thread(
        render_pdf, text, title=title, footer=footer, created_at=created_at, language=language
    )


__all__ = ["COMPLIANCE", "LANGUAGES", "render_pdf", "render_pdf_off_the_loop"]
