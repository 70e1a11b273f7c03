"""Choice questions (single and multiple): option ids, possibly an "other" answer.

Stored: [option_id, ...] (OTHER for the "other" answer, its text under "<qid>-other").
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

from consultations.models import QuestionKind
from consultations.questions.base import (
    OTHER,
    ApprovedText,
    Form,
    Parsed,
    QuestionSpec,
    Row,
    percent,
    texts_item,
    whole,
)
from consultations.questions.short_text import LIMIT as OTHER_MAX
from participation.i18n import N_
from participation.refusals import Problem
from participation.richtext import to_text


def choice_counts(q: QuestionSpec, values: Sequence[list[int]]) -> dict[str, Any]:
    """Counts and percentages of respondents per option (several per person: multiple)."""
    return choice_item(q, Counter(chain.from_iterable(values)), len(values))


def choice_item(q: QuestionSpec, chosen: Mapping[Any, int], answered: int) -> dict[str, Any]:
    options = [*q.options, *([OTHER] if q.allow_other else [])]
    counts = {option: chosen.get(option, 0) for option in dict.fromkeys(options)}
    return {
        "answered": answered,
        "options": [
            {"id": option, "count": count, "percent": percent(count, answered)}
            for option, count in counts.items()
        ],
    }


class ChoiceTally:
    def __init__(self, question: QuestionSpec) -> None:
        self.question = question
        self.counts: Counter[Any] = Counter()
        self.others: list[str] = []  # the "other" answers

    def add(self, column: Sequence[Any], responses: Sequence[dict[str, Any]]) -> None:
        counts = self.counts
        before = counts[OTHER]
        counts.update(chain.from_iterable(filter(None, column)))
        if counts[OTHER] != before:  # someone wrote an "other" answer in this batch
            key = f"{self.question.id}-other"
            self.others.extend(
                response.get(key, "")
                for response, value in zip(responses, column, strict=True)
                if value and OTHER in value
            )
        counts.pop(None, None)

    def result(self, answered: int, approved: ApprovedText) -> dict[str, Any]:
        item = choice_item(self.question, self.counts, answered)
        item["others"] = texts_item(self.question.id, Counter(self.others), approved)
        return item


@dataclass(frozen=True)
class ChoiceKind:
    value: QuestionKind
    label: str
    settings: frozenset[str] = frozenset({"options", "allow_other"})
    offers_choices: bool = True
    free_text: bool = False
    answer_template: str = "consultations/questions/choice_answer.html"
    result_template: str = "consultations/questions/choice_result.html"
    several: bool = False  # multiple choice: several options can be chosen

    def setting_problems(self, question: QuestionSpec) -> list[Problem]:
        if len(question.options) < 2:
            return [Problem(N_("Give at least two options, one per line."), {}, "options")]
        return []

    def parse(self, question: QuestionSpec, form: Form) -> Parsed:
        name = f"q{question.id}"
        other = form.get(f"{name}-other").strip()
        raw = [v for v in form.getlist(name) if v.strip()]
        if not self.several:
            raw = raw[:1]
        ids = [whole(v) for v in raw]
        if any(i is None for i in ids):
            return None, None, [Problem(N_("This choice is not offered."), {}, name)]
        chosen = list(dict.fromkeys(i for i in ids if i is not None))
        if other and OTHER not in chosen and question.allow_other and self.several:
            chosen.append(OTHER)  # a text in the "other" field of a multiple choice ticks it
        return chosen or None, other if OTHER in chosen else None, []

    def problems(
        self, question: QuestionSpec, value: Any, others: Mapping[int, str]
    ) -> list[Problem]:
        name = f"q{question.id}"
        offered = set(question.options) | ({OTHER} if question.allow_other else set())
        if any(option not in offered for option in value):
            return [Problem(N_("This choice is not offered."), {}, name)]
        if OTHER in value and not others.get(question.id, "").strip():
            return [Problem(N_("Write your other answer."), {}, f"{name}-other")]
        if OTHER in value and len(others[question.id]) > OTHER_MAX:
            return [Problem(N_("Write at most {n} characters."), {"n": OTHER_MAX}, f"{name}-other")]
        return self.count_problems(question, value)

    def count_problems(self, question: QuestionSpec, value: Any) -> list[Problem]:
        """How many were chosen, against the question's bounds (multiple choice)."""
        return []

    def stored(
        self, question: QuestionSpec, value: Any, others: Mapping[int, str]
    ) -> dict[str, Any]:
        stored = {str(question.id): value}
        if OTHER in value:
            stored[f"{question.id}-other"] = others[question.id].strip()
        return stored

    def tally(self, question: QuestionSpec) -> ChoiceTally:
        return ChoiceTally(question)

    def result_rows(
        self, question: Any, item: dict[str, Any], labels: Mapping[int, str]
    ) -> list[Row]:
        return [
            (labels.get(o["id"], ""), "count", o["count"], o["percent"]) for o in item["options"]
        ]

    def response_cell(
        self,
        question_id: int,
        value: Any,
        stored: Mapping[str, Any],
        labels: Mapping[int, str],
        approved: Callable[[str], bool],
    ) -> str:
        return " | ".join(option_cells(question_id, value, stored, labels, approved))

    def sample(self, name: str, options: list[int], rng: random.Random) -> list[tuple[str, str]]:
        if not self.several:
            return [(name, str(rng.choice(options)))]
        return [(name, str(o)) for o in rng.sample(options, rng.randint(1, min(2, len(options))))]


def option_cells(
    question_id: int,
    value: Sequence[int],
    stored: Mapping[str, Any],
    labels: Mapping[int, str],
    approved: Callable[[str], bool],
) -> list[str]:
    """The label of each option of an answer; an "other" answer's text while published."""
    cells = []
    for option in value:
        if option == OTHER:
            text = stored.get(f"{question_id}-other", "")
            cells.append(to_text(text) if approved(text) else labels[OTHER])
        else:
            cells.append(labels.get(option, ""))
    return cells
