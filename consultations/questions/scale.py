"""`scale`: a point from 1 to 5, shown as numbers or as agreement. Stored: the int."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from consultations.models import QuestionKind, ScaleStyle
from consultations.questions import base
from consultations.questions.base import (
    Counts,
    Form,
    KindBase,
    QuestionSpec,
    percent,
    read_one,
    whole,
)
from participation.formatting import format_number
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
WRONG_POINT = N_("Choose a point on the scale.")


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


class ScaleTally(Counts):
    def result(self, answered: int, approved: base.ApprovedText) -> dict[str, Any]:
        return scale_item(self.counts)


@dataclass(frozen=True, kw_only=True)
class ScaleKind(KindBase):
    counting = ScaleTally

    def on_paper(self, doc: Any, view: Any) -> None:
        if view.question.scale_style == ScaleStyle.AGREEMENT:
            labels = agreement_labels()
        else:
            labels = [str(point) for point in SCALE_POINTS]
            labels[0] += f" ({gettext('lowest')})"
            labels[-1] += f" ({gettext('highest')})"
        doc.paragraph("    ".join(f"{base.PAPER_BOX} {label}" for label in labels))

    def results_on_paper(self, doc: Any, view: Any, item: dict[str, Any]) -> None:
        """As scale_result.html: the shares of each point as bars, the table, the mean."""
        rows = [
            (scale_label(view.question, p["value"]), p["count"], p["percent"])
            for p in item["points"]
        ]
        base.shares_on_paper(
            doc,
            gettext(
                "Share of respondents per point of the scale; the table below gives the same "
                "figures."
            ),
            rows,
        )
        if item["mean"] is not None:
            mean = format_number(item["mean"])
            doc.paragraph(gettext("Mean: %(mean)s out of 5") % {"mean": mean})

    # its style (numbers or agreement) is stored whatever the kind, as it always was

    def parse(self, question: QuestionSpec, form: Form) -> base.Parsed:
        return read_one(question, form, whole, WRONG_POINT)

    def problems(self, question: QuestionSpec, value: Any, others: base.Others) -> list[Problem]:
        if value not in SCALE_POINTS:
            return [Problem(WRONG_POINT, {}, f"q{question.id}")]
        return []

    def result_rows(self, item: dict[str, Any], export: base.Export) -> list[base.Row]:
        rows: list[base.Row] = [
            (scale_label(export.question, p["value"]), "count", p["count"], p["percent"])
            for p in item["points"]
        ]
        return [*rows, ("", "mean", item["mean"], "")]

    def sample(self, name: str, options: list[int], rng: random.Random) -> list[tuple[str, str]]:
        return [(name, str(rng.randint(2, 5)))]


KIND = ScaleKind(value=QuestionKind.SCALE, label=N_("Scale"), partials="scale")
