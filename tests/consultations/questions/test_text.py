"""Free-text questions (consultations/questions/_text.py), without HTTP."""

from __future__ import annotations

import random

from consultations.models import QuestionKind
from consultations.questions import Export, Form, QuestionSpec
from consultations.questions.long_text import KIND as LONG
from consultations.questions.short_text import KIND as SHORT

WORD = QuestionSpec(7, QuestionKind.SHORT_TEXT, "Un mot", required=False)
WHY = QuestionSpec(8, QuestionKind.LONG_TEXT, "Pourquoi ?")


def test_texts_are_trimmed_and_limited() -> None:
    assert SHORT.parse(WORD, Form([("q7", "  vélo ")])) == ("vélo", None, [])
    assert SHORT.parse(WORD, Form([("q7", "  ")])) == (None, None, [])
    assert [p.values for p in SHORT.problems(WORD, "x" * 201, {})] == [{"n": 200}]
    assert SHORT.problems(WORD, "x" * 200, {}) == []
    assert [p.values for p in LONG.problems(WHY, "x" * 5001, {})] == [{"n": 5000}]
    assert LONG.problems(WHY, "x" * 5000, {}) == []
    assert SHORT.stored(WORD, "vélo", {}) == {"7": "vélo"}


def test_only_approved_texts_are_published_and_exported() -> None:
    tally = SHORT.tally(WORD)
    tally.add(["super", "<b>nul</b>", "super", None], [{}] * 4)
    item = tally.result(3, lambda qid, text: text == "super")
    assert item == {"answered": 3, "texts": {"count": 3, "approved": ["super", "super"]}}
    assert SHORT.result_rows(item, Export(WORD)) == [("", "texts_published", 2, "")]
    assert SHORT.response_cell("<p>super</p>", {}, Export(WORD, {}, lambda t: True)) == "super"
    assert SHORT.response_cell("nul", {}, Export(WORD)) == ""
    assert LONG.sample("q8", [], random.Random(1)) == []
