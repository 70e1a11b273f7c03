"""`number`: a number, possibly between a minimum and a maximum. Stored: an int or a float."""

from __future__ import annotations

import random
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from consultations.models import QuestionKind
from consultations.questions.base import (
    ApprovedText,
    Form,
    Parsed,
    QuestionSpec,
    Row,
    number,
    shown,
)
from participation.i18n import N_
from participation.refusals import Problem

MEASURES = ("min", "q1", "median", "mean", "q3", "max")


def number_stats(values: Sequence[float]) -> dict[str, Any]:
    if not values:
        return {"answered": 0, "min": None, "max": None, "mean": None, "median": None}
    array = np.asarray(values, dtype=float)
    q1, median, q3 = (float(x) for x in np.percentile(array, [25, 50, 75]))
    return {
        "answered": len(values),
        "min": shown(float(array.min())),
        "max": shown(float(array.max())),
        "mean": round(float(array.mean()), 2),
        "median": shown(round(median, 2)),
        "q1": shown(round(q1, 2)),
        "q3": shown(round(q3, 2)),
        "stdev": round(statistics.pstdev(values), 2) if len(values) > 1 else 0.0,
    }


class NumberTally:
    def __init__(self, question: QuestionSpec) -> None:
        self.numbers: list[Any] = []  # kept for the quartiles

    def add(self, column: Sequence[Any], responses: Sequence[dict[str, Any]]) -> None:
        self.numbers.extend(value for value in column if value is not None)

    def result(self, answered: int, approved: ApprovedText) -> dict[str, Any]:
        return number_stats(self.numbers)


@dataclass(frozen=True)
class NumberKind:
    value: QuestionKind = QuestionKind.NUMBER
    label: str = N_("Number")
    settings: frozenset[str] = frozenset({"min_value", "max_value"})
    offers_choices: bool = False
    free_text: bool = False
    answer_template: str = "consultations/questions/number_answer.html"
    result_template: str = "consultations/questions/number_result.html"

    def setting_problems(self, question: QuestionSpec) -> list[Problem]:
        low, high = question.min_value, question.max_value
        if low is not None and high is not None and high < low:
            return [Problem(N_("The maximum must be at least the minimum."), {}, "max_value")]
        return []

    def parse(self, question: QuestionSpec, form: Form) -> Parsed:
        name = f"q{question.id}"
        raw_value = form.get(name).strip()
        if not raw_value:
            return None, None, []
        value = number(raw_value)
        if value is None:
            return None, None, [Problem(N_("Enter a number, like 12 or 3,5."), {}, name)]
        return int(value) if value.is_integer() else value, None, []

    def problems(
        self, question: QuestionSpec, value: Any, others: Mapping[int, str]
    ) -> list[Problem]:
        name = f"q{question.id}"
        problems = []
        if question.min_value is not None and value < question.min_value:
            problems.append(
                Problem(
                    N_("Enter a number of at least {n}."), {"n": shown(question.min_value)}, name
                )
            )
        if question.max_value is not None and value > question.max_value:
            problems.append(
                Problem(
                    N_("Enter a number of at most {n}."), {"n": shown(question.max_value)}, name
                )
            )
        return problems

    def stored(
        self, question: QuestionSpec, value: Any, others: Mapping[int, str]
    ) -> dict[str, Any]:
        return {str(question.id): value}

    def tally(self, question: QuestionSpec) -> NumberTally:
        return NumberTally(question)

    def result_rows(
        self, question: Any, item: dict[str, Any], labels: Mapping[int, str]
    ) -> list[Row]:
        return [("", measure, item.get(measure), "") for measure in MEASURES]

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
        return [(name, str(rng.randint(0, 12)))]


KIND = NumberKind()
