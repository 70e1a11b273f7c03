"""Question kinds: one module each, one interface (`Kind`), like `budgets/rules/`.

A kind says how its question is set up by staff (which settings it uses, what makes them
valid), how an answer is read from the form, checked and stored, how the answers are counted
into results, how those results are exported and printed, and which template partials show the
question and its results. The rest of the package (domain, services, queries, routes,
templates) asks `KINDS[question.kind]` and never branches on the kind itself; a test keeps it so.

The interface is named `Kind` because `QuestionKind` is the stored enum (models.py) that keys
the registry.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any, Protocol

from consultations.models import QuestionKind
from consultations.questions import (
    long_text,
    majority,
    multiple,
    number,
    ranking,
    scale,
    short_text,
    single,
)
from consultations.questions.base import (
    OTHER,
    Export,
    Form,
    Others,
    Parsed,
    QuestionSpec,
    Row,
    Stored,
    Tally,
)
from participation.refusals import Problem

__all__ = ["KINDS", "OTHER", "SETTINGS", "Export", "Form", "Kind", "QuestionSpec", "Tally"]

# The settings of a question that only some kinds use, with the value stored for the others.
SETTINGS: Mapping[str, Any] = {
    "options": (),
    "min_choices": 0,
    "max_choices": None,
    "allow_other": False,
    "min_value": None,
    "max_value": None,
}


class Kind(Protocol):
    @property
    def value(self) -> QuestionKind: ...

    @property
    def label(self) -> str:
        """A msgid, shown to staff."""

    @property
    def settings(self) -> frozenset[str]:
        """The keys of SETTINGS that this kind uses."""

    @property
    def offers_choices(self) -> bool:
        """Its answers are option ids: a condition can refer to them."""

    @property
    def free_text(self) -> bool:
        """Its answer is a free text (moderated before it is published)."""

    @property
    def answer_template(self) -> str:
        """The partial that asks the question."""

    @property
    def result_template(self) -> str:
        """The partial that shows its results."""

    def setting_problems(self, question: QuestionSpec) -> list[Problem]:
        """What is wrong with the question's settings, tied to their field."""

    def parse(self, question: QuestionSpec, form: Form) -> Parsed:
        """The answer read from the form, before it is checked."""

    def problems(self, question: QuestionSpec, value: Any, others: Others) -> list[Problem]:
        """What is wrong with a given answer (an empty answer is the caller's business)."""

    def stored(self, question: QuestionSpec, value: Any, others: Others) -> dict[str, Any]:
        """The keys of the stored response (JSON-ready) for the answer."""

    def tally(self, question: QuestionSpec) -> Tally:
        """An empty count of the question's answers."""

    def result_rows(self, item: dict[str, Any], export: Export) -> list[Row]:
        """The rows of the results `item` in the CSV of aggregates."""

    def response_cell(self, value: Any, stored: Stored, export: Export) -> str:
        """One stored answer in the anonymised responses CSV."""

    def sample(self, name: str, options: list[int], rng: random.Random) -> list[tuple[str, str]]:
        """A random answer as form items (the demo town)."""

    def paper_hints(self, question: Any) -> list[str]:
        """What the paper questionnaire says under the question (consultations/print.py)."""

    def on_paper(self, doc: Any, view: Any) -> None:
        """Where a person answers on the paper questionnaire (participation.pdf.Document)."""

    def results_on_paper(self, doc: Any, view: Any, item: dict[str, Any]) -> None:
        """Its results in the printed results (consultations/print.py): what its result
        partial shows, drawn from the same `item` (the stored results as published now)."""


ALL: tuple[Kind, ...] = (
    single.KIND,
    multiple.KIND,
    ranking.KIND,
    scale.KIND,
    majority.KIND,
    number.KIND,
    short_text.KIND,
    long_text.KIND,
)
KINDS: Mapping[QuestionKind, Kind] = {kind.value: kind for kind in ALL}
