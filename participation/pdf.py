"""Printable documents (PDF, generated with fpdf2): one page set-up, one font, one header, one
table, so that each feature's `print.py` only says what its document holds.

The trap: fpdf2's built-in fonts (Helvetica, Times) are Latin-1 only, without "€" or the
narrow no-break space (U+202F) that French numbers use ("12 500 €"), and fpdf2 ships no other
font. The font comes from a package of the registry, `font-source-sans-pro` (Source Sans Pro,
SIL Open Font License 1.1): nothing is copied into the repository. fpdf2 embeds only the glyphs a
document uses (subsetting), so a document stays small.

A4 portrait, 15 mm margins; every page carries the town's name and the document's title, and
its number at the bottom ("Page 1 sur 2"). A feature reads what it prints (async), then hands a
`draw(doc)` function to `render()`, which builds the document in a worker thread: reading the
fonts and subsetting them takes a few hundred milliseconds of CPU, too long for the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path

import font_source_sans_pro
from fpdf import FPDF
from fpdf.enums import TableBordersLayout, XPos, YPos
from fpdf.fonts import FontFace
from starlette.responses import Response

from participation.i18n import current_language, gettext

FONT = "SourceSans"
FONT_DIR = Path(font_source_sans_pro.font_directory)
MARGIN = 15  # mm
TEXT_SIZE = 10.5
LINE = 5.5  # mm per line of text


class Document(FPDF):
    """A printable document: `section()` starts an A4 page, then `heading()`, `paragraph()`,
    `table()`, `bars()`, `stacked()`, `bullets()`, `write_in()`; `content()` is the PDF
    (`render()` builds one off the event loop, `response()` serves it)."""

    def __init__(self, site_name: str, title: str, language: str = "fr") -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.site_name = site_name
        self.document_title = title
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN + 5)
        self.add_font(FONT, "", FONT_DIR / "SourceSansPro-Regular.ttf")
        self.add_font(FONT, "B", FONT_DIR / "SourceSansPro-Bold.ttf")
        self.set_font(FONT, size=TEXT_SIZE)
        self.set_title(title)
        self.set_author(site_name)
        self.set_creator(site_name)
        self.set_lang(language)

    # fpdf2 calls these on every page
    def header(self) -> None:
        self.set_font(FONT, "B", 9)
        self.set_text_color(80)
        self.cell(0, 5, self.site_name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, "", 9)
        self.cell(0, 5, self.document_title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(160)
        self.line(MARGIN, self.get_y() + 1, self.w - MARGIN, self.get_y() + 1)
        self.ln(5)
        self.set_text_color(0)
        self.set_font(FONT, "", TEXT_SIZE)

    def footer(self) -> None:
        self.set_y(-MARGIN)
        self.set_font(FONT, "", 8)
        self.set_text_color(80)
        label = gettext("Page %(page)s of %(pages)s") % {
            "page": self.page_no(),
            "pages": "{nb}",
        }
        self.cell(0, 5, label, align="C")
        self.set_text_color(0)

    def section(self, heading: str = "") -> None:
        """A new A4 page, with its heading."""
        self.add_page()
        if heading:
            self.heading(heading, size=16)

    def keep_room(self, height: float) -> None:
        """A new page unless `height` mm are left on this one (a heading with what follows)."""
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()

    def heading(self, text: str, size: float = 13) -> None:
        self.set_font(FONT, "B", size)
        self.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)
        self.set_font(FONT, "", TEXT_SIZE)

    def paragraph(self, text: str, bold: bool = False) -> None:
        if not text:
            return
        self.set_font(FONT, "B" if bold else "", TEXT_SIZE)
        self.multi_cell(0, LINE, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)
        self.set_font(FONT, "", TEXT_SIZE)

    def table(  # type: ignore[override]  # fpdf2's table() is a context manager: this fills one
        self,
        headings: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths: Sequence[float] | None = None,
        align: Sequence[str] | None = None,
        row_height: float | None = None,
    ) -> None:
        """A table with a heading row repeated on each page; `widths` are proportions, `align`
        one of "LEFT", "RIGHT", "CENTER" per column; `row_height` leaves room to write by hand
        (an attendance sheet's signature)."""
        self.set_font(FONT, "", TEXT_SIZE)
        with super().table(
            col_widths=tuple(widths) if widths else None,
            text_align=tuple(align) if align else "LEFT",
            headings_style=FontFace(emphasis="BOLD", fill_color=(230, 230, 230)),
            borders_layout=TableBordersLayout.ALL,
            line_height=LINE,
            padding=1.5,
            v_align="MIDDLE",
        ) as table:
            table.row(list(headings))
            for cells in rows:
                table.row(list(cells), min_height=row_height)
        self.ln(4)

    def bars(self, rows: Sequence[tuple[str, float, str, bool]]) -> None:
        """A horizontal bar chart, one (label, value, value as shown, highlighted) a line:
        the label on the left, the bar (dark when highlighted, light otherwise) in proportion
        to the largest value, the value after it. Tables beside it give the same figures."""
        top = max((value for _, value, _, _ in rows), default=0) or 1
        label_width, gap, height = 55.0, 2.0, 5.0
        room = self.w - 2 * MARGIN - label_width - 2 * gap - 20
        self.set_font(FONT, "", 9)
        for label, value, shown, highlighted in rows:
            self.keep_room(height + 1)
            y = self.get_y()
            self.set_x(MARGIN)
            self.cell(label_width, height, self._fitted(label, label_width), align="R")
            width = max(room * value / top, 0.3)
            self.set_fill_color(*((0, 0, 145) if highlighted else (200, 200, 200)))
            self.rect(MARGIN + label_width + gap, y + 0.75, width, height - 1.5, style="F")
            self.set_xy(MARGIN + label_width + 2 * gap + width, y)
            self.cell(20, height, shown)
            self.ln(height + 1)
        self.set_fill_color(255)  # tables fill their cells with the current colour
        self.set_font(FONT, "", TEXT_SIZE)
        self.ln(2)

    def stacked(
        self, rows: Sequence[tuple[str, Sequence[float]]], colours: Sequence[tuple[int, int, int]]
    ) -> None:
        """A horizontal stacked bar per (label, shares in points from 0 to 100), its parts in
        `colours` in order, a dashed line at the middle (a majority judgment's median). A table
        beside it gives the figures."""
        label_width, gap, height = 55.0, 2.0, 5.0
        room = self.w - 2 * MARGIN - label_width - gap
        left = MARGIN + label_width + gap
        self.set_font(FONT, "", 9)
        middle = left + room / 2
        for label, shares in rows:
            self.keep_room(height + 1)
            y = self.get_y()
            self.set_x(MARGIN)
            self.cell(label_width, height, self._fitted(label, label_width), align="R")
            x = left
            for share, colour in zip(shares, colours, strict=False):
                width = room * share / 100
                if width > 0:
                    self.set_fill_color(*colour)
                    self.rect(x, y + 0.75, width, height - 1.5, style="F")
                x += width
            with self.local_context():  # the tables that follow keep their lines
                self.set_draw_color(0)
                self.set_dash_pattern(dash=1, gap=1)
                self.line(middle, y, middle, y + height + 1)
            self.set_y(y + height + 1)
        self.set_fill_color(255)
        self.set_font(FONT, "", TEXT_SIZE)
        self.ln(2)

    def bullets(self, texts: Sequence[str]) -> None:
        """A list, one paragraph per item."""
        for text in texts:
            self.paragraph(f"\u2022 {text}")

    def _fitted(self, text: str, width: float) -> str:
        """`text` cut with "…" to fit `width` mm in the current font."""
        if self.get_string_width(text) <= width - 2:
            return text
        while text and self.get_string_width(text + "…") > width - 2:
            text = text[:-1]
        return text.rstrip() + "…"

    def write_in(self, label: str, lines: int = 1) -> None:
        """A label and ruled lines to write an answer on by hand."""
        self.paragraph(label)
        for _ in range(lines):
            self.ln(6)
            self.line(MARGIN, self.get_y(), self.w - MARGIN, self.get_y())
        self.ln(4)

    def content(self) -> bytes:
        return bytes(self.output())


async def render(site_name: str, title: str, draw: Callable[[Document], None]) -> bytes:
    """The PDF that `draw` fills, built in a worker thread: a document costs a few hundred
    milliseconds of CPU (the fonts read, then subset), which must not stall the event loop. The
    thread runs in a copy of the request's context (its language)."""

    def build() -> bytes:
        doc = Document(site_name, title, current_language.get())
        draw(doc)
        return doc.content()

    return await asyncio.to_thread(build)


def response(content: bytes, filename: str) -> Response:
    """A PDF, shown in the browser (`filename`, ASCII, when saved)."""
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )
