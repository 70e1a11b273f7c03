"""What every question kind shares: the question as plain data, the submitted form, the "other"
answer, number reading, and the free-text summary of results."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any, Protocol

from consultations.models import QuestionKind, ScaleStyle
from participation.numbers import is_whole_number
from participation.refusals import Problem

OTHER = 0  # the option id of an "other" answer

# A kind's parse of one question: the answer (None: none given), the "other" text (None: not
# chosen), and the problems found.
Parsed = tuple[Any, str | None, list[Problem]]
# One row of the CSV of aggregates, past the question: (item, measure, value, percent)
Row = tuple[str, str, Any, Any]
ApprovedText = Any  # `approved(question_id, text) -> bool`, or None: no text is published


@dataclass(frozen=True)
class QuestionSpec:
    id: int
    kind: QuestionKind
    text: str = ""
    required: bool = True
    options: tuple[int, ...] = ()  # option ids, in order
    min_choices: int = 0
    max_choices: int | None = None
    allow_other: bool = False
    scale_style: ScaleStyle = ScaleStyle.NUMERIC
    min_value: float | None = None
    max_value: float | None = None
    show_if_question: int | None = None
    show_if_option: int | None = None


class Form:
    """The submitted form as the answer parser needs it (a multi-dict of strings)."""

    def __init__(self, items: Iterable[tuple[str, str]]) -> None:
        self.values: dict[str, list[str]] = {}
        for key, value in items:
            self.values.setdefault(key, []).append(value)

    def get(self, name: str) -> str:
        values = self.values.get(name)
        return values[0] if values else ""

    def getlist(self, name: str) -> list[str]:
        return self.values.get(name, [])


class Tally(Protocol):
    """The counts of one question, added a batch of responses at a time."""

    def add(self, column: Sequence[Any], responses: Sequence[dict[str, Any]]) -> None:
        """`column`: the stored answer of each response of the batch (None: not answered)."""

    def result(self, answered: int, approved: ApprovedText) -> dict[str, Any]: ...


def number(raw: str) -> float | None:
    text = raw.strip().replace("\u202f", "").replace("\u00a0", "").replace(" ", "")
    text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def whole(raw: str) -> int | None:
    raw = raw.strip()
    return int(raw) if is_whole_number(raw) and len(raw) < 10 else None


def shown(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def texts_item(
    question_id: int, texts: Mapping[str, int], approved: ApprovedText
) -> dict[str, Any]:
    """`texts`: how many times each text was given; the approved ones are listed as many
    times, in order."""
    listed = sorted(
        chain.from_iterable(
            [text] * count
            for text, count in texts.items()
            if approved is not None and approved(question_id, text)
        )
    )
    return {"count": sum(texts.values()), "approved": listed}


def option_ranks(name: str, question: QuestionSpec, form: Form) -> dict[int, int] | None:
    """The whole number given to each option (`<name>-o<option>` fields: ranks, grades), or
    None when one is not a whole number or a field names an option the question does not have."""
    values: dict[int, int] = {}
    bad = False
    for option in question.options:
        raw_value = form.get(f"{name}-o{option}").strip()
        if not raw_value:
            continue
        value = whole(raw_value)
        if value is None:
            bad = True
            continue
        values[option] = value
    forged = [key for key in form.values if key.startswith(f"{name}-o") and form.get(key).strip()]
    if bad or len(forged) != len(values):
        return None
    return values
