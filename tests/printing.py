"""What the tests of the printable documents share: the text of a PDF (pypdf)."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader


def pdf_pages(content: bytes) -> list[str]:
    """Each page's text, runs of spaces and line ends as one space (a cell's text may wrap).

    The font draws the no-break space (U+00A0) with the space's glyph, so it reads back as a
    space (`printed()` says what to look for); the narrow no-break space (U+202F) of French
    thousands has a glyph of its own and reads back as itself."""
    assert content.startswith(b"%PDF-"), content[:20]
    reader = PdfReader(io.BytesIO(content))
    return [printed(page.extract_text() or "") for page in reader.pages]


def pdf_text(content: bytes) -> str:
    return " ".join(pdf_pages(content))


def printed(text: str) -> str:
    """`text` as `pdf_text` reads it back: "40\u202f000\u00a0€" -> "40\u202f000 €"."""
    return re.sub(r"[ \t\r\n\u00a0]+", " ", text)
