"""Choice questions (single and multiple): option ids, possibly an "other" answer.

base.Stored: [option_id, ...] (OTHER for the "other" answer, its text under "<qid>-other").
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

from consultations.questions import base
from consultations.questions.base import (
    OTHER,
    Counts,
    Form,
    KindBase,
    QuestionSpec,
    percent,
    texts_item,
    whole,
)
from consultations.questions.short_text import LIMIT as OTHER_MAX
from participation.formatting import colon
from participation.i18n import N_, gettext
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


class ChoiceTally(Counts):
    def __init__(self, question: QuestionSpec) -> None:
        super().__init__(question)
        self.others: list[str] = []  # the "other" answers

    def counted(self, column: Sequence[Any]) -> Iterable[Any]:
        return chain.from_iterable(filter(None, column))

    def add(self, column: Sequence[Any], responses: Sequence[dict[str, Any]]) -> None:
        before = self.counts[OTHER]
        super().add(column, responses)
        if self.counts[OTHER] != before:  # someone wrote an "other" answer in this batch
            key = f"{self.question.id}-other"
            self.others.extend(
                response.get(key, "")
                for response, value in zip(responses, column, strict=True)
                if value and OTHER in value
            )

    def result(self, answered: int, approved: base.ApprovedText) -> dict[str, Any]:
        item = choice_item(self.question, self.counts, answered)
        item["others"] = texts_item(self.question.id, Counter(self.others), approved)
        return item


@dataclass(frozen=True, kw_only=True)
class ChoiceKind(KindBase):
    counting = ChoiceTally

    settings: frozenset[str] = frozenset({"options", "allow_other"})
    offers_choices: bool = True
    partials: str = "choice"
    several: bool = False  # multiple choice: several options can be chosen

    def on_paper(self, doc: Any, view: Any) -> None:
        for option in view.options:
            doc.paragraph(f"{base.PAPER_BOX}  {option.label}")
        if view.question.allow_other:
            doc.write_in(f"{base.PAPER_BOX}  {gettext('Other')}{colon()}")

    def results_on_paper(self, doc: Any, view: Any, item: dict[str, Any]) -> None:
        """As choice_result.html: the shares as bars, the table, the "other" answers shown."""
        labels = view.option_labels
        rows = [(labels.get(o["id"], ""), o["count"], o["percent"]) for o in item["options"]]
        base.shares_on_paper(
            doc,
            gettext("Share of respondents per answer; the table below gives the same figures."),
            rows,
        )
        others = item.get("others", {}).get("approved", [])
        if others:
            doc.heading(gettext("Other answers"), size=11)
            base.texts_on_paper(doc, others)

    def parse(self, question: QuestionSpec, form: Form) -> base.Parsed:
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

    def problems(self, question: QuestionSpec, value: Any, others: base.Others) -> list[Problem]:
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

    def stored(self, question: QuestionSpec, value: Any, others: base.Others) -> dict[str, Any]:
        stored = {str(question.id): value}
        if OTHER in value:
            stored[f"{question.id}-other"] = others[question.id].strip()
        return stored

    def result_rows(self, item: dict[str, Any], export: base.Export) -> list[base.Row]:
        return [
            (export.labels.get(o["id"], ""), "count", o["count"], o["percent"])
            for o in item["options"]
        ]

    def response_cell(self, value: Any, stored: base.Stored, export: base.Export) -> str:
        return " | ".join(option_cells(value, stored, export))

    def sample(self, name: str, options: list[int], rng: random.Random) -> list[tuple[str, str]]:
        if not self.several:
            return [(name, str(rng.choice(options)))]
        return [(name, str(o)) for o in rng.sample(options, rng.randint(1, min(2, len(options))))]


def option_cells(value: Sequence[int], stored: base.Stored, export: base.Export) -> list[str]:
    """The label of each option of an answer; an "other" answer's text while published."""
    cells = []
    for option in value:
        if option == OTHER:
            text = stored.get(f"{export.question.id}-other", "")
            cells.append(to_text(text) if export.published(text) else export.labels[OTHER])
        else:
            cells.append(export.labels.get(option, ""))
    return cells
