"""`long-text`: a paragraph, at most 5000 characters. Stored: the text."""

from __future__ import annotations

from consultations.models import QuestionKind
from consultations.questions._text import TextKind
from participation.i18n import N_

LIMIT = 5000

KIND = TextKind(
    paper_lines=5,
    value=QuestionKind.LONG_TEXT,
    label=N_("Long text"),
    limit=LIMIT,
    partials="long_text",
)
