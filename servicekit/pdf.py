"""Letters as PDF: a small plain-text layout set on A4 pages in the PDF core font, for every service that writes
letters (decision letters, an appeal's forwarding letter).

The layout: `= ` a title, `== ` a heading, `- ` a bullet, an empty line a small gap, any other line a paragraph.
The core font prints Latin-1 only; the API's letter types (`servicekit.types.LetterText`) refuse what it cannot."""

from __future__ import annotations

from datetime import UTC, datetime

from fpdf import FPDF

from servicekit.types import as_printed


class _Pdf(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("helvetica", size=8)
        self.cell(0, 10, f"{self.footer_text}  {self.page_no()}/{{nb}}", align="C")


def render_pdf(text: str, *, title: str, footer: str, created_at: datetime) -> bytes:
    """Set a rendered letter on A4 pages in the PDF core font."""
    pdf = _Pdf(format="A4")
    pdf.footer_text = as_printed(footer)
    pdf.set_title(as_printed(title))
    pdf.set_creator("Forvalt")
    pdf.set_creation_date(created_at.astimezone(UTC))
    pdf.set_margins(22, 20, 22)
    pdf.set_auto_page_break(auto=True, margin=22)
    pdf.add_page()
    for line in as_printed(text).splitlines():
        if not line:
            pdf.ln(3)
        elif line.startswith("== "):
            pdf.ln(2)
            pdf.set_font("helvetica", style="B", size=12)
            pdf.multi_cell(0, 6, line[3:], new_x="LMARGIN", new_y="NEXT")
        elif line.startswith("= "):
            pdf.set_font("helvetica", style="B", size=15)
            pdf.multi_cell(0, 8, line[2:], new_x="LMARGIN", new_y="NEXT")
        elif line.startswith("- "):
            pdf.set_font("helvetica", size=11)
            pdf.set_x(pdf.l_margin + 4)
            pdf.multi_cell(0, 5.5, "- " + line[2:], new_x="LMARGIN", new_y="NEXT", align="L")
        else:
            pdf.set_font("helvetica", size=11)
            pdf.multi_cell(0, 5.5, line, new_x="LMARGIN", new_y="NEXT", align="L")
    return bytes(pdf.output())
