"""`short-text`: one line, at most 200 characters. Stored: the text."""

from __future__ import annotations

from consultations.models import QuestionKind
from consultations.questions._text import TextKind
from participation.i18n import N_

LIMIT = 200  # also the length of an "other" answer

KIND = TextKind(
    value=QuestionKind.SHORT_TEXT,
    label=N_("Short text"),
    limit=LIMIT,
    partials="short_text",
)
