"""`scale`: a point from 1 to 5, shown as numbers or as agreement. Stored: the int."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from consultations.models import QuestionKind, ScaleStyle
from consultations.questions.base import (
    ApprovedText,
    Form,
    Parsed,
    QuestionSpec,
    Row,
    percent,
    whole,
)
from participation.i18n import N_, gettext
from participation.refusals import Problem

SCALE_POINTS = [1, 2, 3, 4, 5]
AGREEMENT_LABELS = [
    N_("Strongly disagree"),
    N_("Disagree"),
    N_("Neither agree nor disagree"),
    N_("Agree"),
    N_("Strongly agree"),
]


def agreement_labels() -> list[str]:
    return [gettext(label) for label in AGREEMENT_LABELS]


def scale_label(question: Any, value: int) -> str:
    """A point as people read it (`question`: anything with a `scale_style`)."""
    if question.scale_style == ScaleStyle.AGREEMENT and 1 <= value <= 5:
        return gettext(AGREEMENT_LABELS[value - 1])
    return str(value)


def scale_counts(values: Sequence[int]) -> dict[str, Any]:
    return scale_item(Counter(values))


def scale_item(given: Mapping[Any, int]) -> dict[str, Any]:
    """`given`: how many respondents gave each value."""
    answered = sum(given.values())
    mean = round(sum(v * c for v, c in given.items()) / answered, 2) if answered else None
    return {
        "answered": answered,
        "mean": mean,
        "points": [
            {
                "value": point,
                "count": given.get(point, 0),
                "percent": percent(given.get(point, 0), answered),
            }
            for point in SCALE_POINTS
        ],
    }


class ScaleTally:
    def __init__(self, question: QuestionSpec) -> None:
        self.counts: Counter[Any] = Counter()

    def add(self, column: Sequence[Any], responses: Sequence[dict[str, Any]]) -> None:
        self.counts.update(column)
        self.counts.pop(None, None)

    def result(self, answered: int, approved: ApprovedText) -> dict[str, Any]:
        return scale_item(self.counts)


@dataclass(frozen=True)
class ScaleKind:
    value: QuestionKind = QuestionKind.SCALE
    label: str = N_("Scale")
    settings: frozenset[str] = frozenset()  # its style is kept whatever the kind
    offers_choices: bool = False
    free_text: bool = False
    answer_template: str = "consultations/questions/scale_answer.html"
    result_template: str = "consultations/questions/scale_result.html"

    def setting_problems(self, question: QuestionSpec) -> list[Problem]:
        return []

    def parse(self, question: QuestionSpec, form: Form) -> Parsed:
        name = f"q{question.id}"
        raw_value = form.get(name).strip()
        if not raw_value:
            return None, None, []
        value = whole(raw_value)
        if value is None:
            return None, None, [Problem(N_("Choose a point on the scale."), {}, name)]
        return value, None, []

    def problems(
        self, question: QuestionSpec, value: Any, others: Mapping[int, str]
    ) -> list[Problem]:
        if value not in SCALE_POINTS:
            return [Problem(N_("Choose a point on the scale."), {}, f"q{question.id}")]
        return []

    def stored(
        self, question: QuestionSpec, value: Any, others: Mapping[int, str]
    ) -> dict[str, Any]:
        return {str(question.id): value}

    def tally(self, question: QuestionSpec) -> ScaleTally:
        return ScaleTally(question)

    def result_rows(
        self, question: Any, item: dict[str, Any], labels: Mapping[int, str]
    ) -> list[Row]:
        rows: list[Row] = [
            (scale_label(question, p["value"]), "count", p["count"], p["percent"])
            for p in item["points"]
        ]
        return [*rows, ("", "mean", item["mean"], "")]

    def response_cell(
        self,
        question_id: int,
        value: Any,
        stored: Mapping[str, Any],
        labels: Mapping[int, str],
        approved: Callable[[str], bool],
    ) -> str:
        return str(value)

    def sample(self, name: str, options: list[int], rng: random.Random) -> list[tuple[str, str]]:
        return [(name, str(rng.randint(2, 5)))]


KIND = ScaleKind()
