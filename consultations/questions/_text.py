"""Free-text questions (short and long): the text, moderated before it is published."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from consultations.models import QuestionKind
from consultations.questions.base import (
    ApprovedText,
    Form,
    Parsed,
    QuestionSpec,
    Row,
    texts_item,
)
from participation.i18n import N_
from participation.refusals import Problem
from participation.richtext import to_text


class TextTally:
    def __init__(self, question: QuestionSpec) -> None:
        self.question = question
        self.counts: Counter[Any] = Counter()

    def add(self, column: Sequence[Any], responses: Sequence[dict[str, Any]]) -> None:
        self.counts.update(column)
        self.counts.pop(None, None)

    def result(self, answered: int, approved: ApprovedText) -> dict[str, Any]:
        return {"answered": answered, "texts": texts_item(self.question.id, self.counts, approved)}


@dataclass(frozen=True)
class TextKind:
    value: QuestionKind
    label: str
    limit: int  # characters
    answer_template: str
    settings: frozenset[str] = frozenset()
    offers_choices: bool = False
    free_text: bool = True
    result_template: str = "consultations/questions/text_result.html"

    def setting_problems(self, question: QuestionSpec) -> list[Problem]:
        return []

    def parse(self, question: QuestionSpec, form: Form) -> Parsed:
        text = form.get(f"q{question.id}").strip()
        return text or None, None, []

    def problems(
        self, question: QuestionSpec, value: Any, others: Mapping[int, str]
    ) -> list[Problem]:
        if len(value) > self.limit:
            return [
                Problem(N_("Write at most {n} characters."), {"n": self.limit}, f"q{question.id}")
            ]
        return []

    def stored(
        self, question: QuestionSpec, value: Any, others: Mapping[int, str]
    ) -> dict[str, Any]:
        return {str(question.id): value}

    def tally(self, question: QuestionSpec) -> TextTally:
        return TextTally(question)

    def result_rows(
        self, question: Any, item: dict[str, Any], labels: Mapping[int, str]
    ) -> list[Row]:
        return [("", "texts_published", len(item["texts"]["approved"]), "")]

    def response_cell(
        self,
        question_id: int,
        value: Any,
        stored: Mapping[str, Any],
        labels: Mapping[int, str],
        approved: Callable[[str], bool],
    ) -> str:
        return to_text(value) if approved(value) else ""

    def sample(self, name: str, options: list[int], rng: random.Random) -> list[tuple[str, str]]:
        return []  # the demo writes no free text
