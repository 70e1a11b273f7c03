"""`number`: a number, possibly between a minimum and a maximum. Stored: an int or a float."""

from __future__ import annotations

import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from consultations.models import QuestionKind
from consultations.questions import base
from consultations.questions.base import Form, KindBase, QuestionSpec, number, read_one, shown
from participation.formatting import format_number
from participation.i18n import N_, gettext
from participation.refusals import Problem

MEASURES = ("min", "q1", "median", "mean", "q3", "max")
# their headings, as number_result.html says them
MEASURE_LABELS = (
    N_("Minimum"),
    N_("First quartile"),
    N_("Median"),
    N_("Mean"),
    N_("Third quartile"),
    N_("Maximum"),
)


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


def _answer(raw: str) -> int | float | None:
    value = number(raw)
    if value is None:
        return None
    return int(value) if value.is_integer() else value


class NumberTally:
    def __init__(self, question: QuestionSpec) -> None:
        self.numbers: list[Any] = []  # kept for the quartiles

    def add(self, column: Sequence[Any], responses: Sequence[dict[str, Any]]) -> None:
        self.numbers.extend(value for value in column if value is not None)

    def result(self, answered: int, approved: base.ApprovedText) -> dict[str, Any]:
        return number_stats(self.numbers)


@dataclass(frozen=True, kw_only=True)
class NumberKind(KindBase):
    counting = NumberTally

    def paper_hints(self, question: Any) -> list[str]:
        hints = []
        if question.min_value is not None:
            hints.append(gettext("Minimum:") + " " + format_number(question.min_value))
        if question.max_value is not None:
            hints.append(gettext("Maximum:") + " " + format_number(question.max_value))
        return hints

    def on_paper(self, doc: Any, view: Any) -> None:
        doc.paragraph("_" * 12)  # a short line to write the number on

    def results_on_paper(self, doc: Any, view: Any, item: dict[str, Any]) -> None:
        """As number_result.html: the six measures in one table."""
        doc.table(
            [gettext(label) for label in MEASURE_LABELS],
            [[format_number(item.get(m)) if item.get(m) is not None else "—" for m in MEASURES]],
            align=["RIGHT"] * len(MEASURES),
        )

    def setting_problems(self, question: QuestionSpec) -> list[Problem]:
        low, high = question.min_value, question.max_value
        if low is not None and high is not None and high < low:
            return [Problem(N_("The maximum must be at least the minimum."), {}, "max_value")]
        return []

    def parse(self, question: QuestionSpec, form: Form) -> base.Parsed:
        return read_one(question, form, _answer, N_("Enter a number, like 12 or 3,5."))

    def problems(self, question: QuestionSpec, value: Any, others: base.Others) -> list[Problem]:
        name, low, high = f"q{question.id}", question.min_value, question.max_value
        problems = []
        if low is not None and value < low:
            problems.append(Problem(N_("Enter a number of at least {n}."), {"n": shown(low)}, name))
        if high is not None and value > high:
            problems.append(Problem(N_("Enter a number of at most {n}."), {"n": shown(high)}, name))
        return problems

    def result_rows(self, item: dict[str, Any], export: base.Export) -> list[base.Row]:
        return [("", measure, item.get(measure), "") for measure in MEASURES]

    def sample(self, name: str, options: list[int], rng: random.Random) -> list[tuple[str, str]]:
        return [(name, str(rng.randint(0, 12)))]


KIND = NumberKind(
    value=QuestionKind.NUMBER,
    label=N_("Number"),
    partials="number",
    settings=frozenset({"min_value", "max_value"}),
)
