"""`multiple`: several options, between the question's minimum and maximum.
Stored: [option_id, ...]; a text in the "other" field counts as choosing "other"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from consultations.models import QuestionKind
from consultations.questions._choice import ChoiceKind
from consultations.questions.base import QuestionSpec
from participation.i18n import N_
from participation.refusals import Problem


@dataclass(frozen=True)
class MultipleKind(ChoiceKind):
    settings: frozenset[str] = frozenset({"options", "allow_other", "min_choices", "max_choices"})
    several: bool = True

    def setting_problems(self, question: QuestionSpec) -> list[Problem]:
        problems = super().setting_problems(question)
        upper = question.max_choices
        if question.min_choices < 0 or (upper is not None and upper < question.min_choices):
            problems.append(
                Problem(
                    N_("The maximum number of choices must be at least the minimum."),
                    {},
                    "max_choices",
                )
            )
        return problems

    def count_problems(self, question: QuestionSpec, value: Any) -> list[Problem]:
        name = f"q{question.id}"
        problems = []
        count = len(value)
        if count < question.min_choices:
            problems.append(
                Problem(
                    N_("Choose at least one answer.")
                    if question.min_choices == 1  # no "1 réponses"
                    else N_("Choose at least {n} answers (you chose {count})."),
                    {"n": question.min_choices, "count": count},
                    name,
                )
            )
        if question.max_choices is not None and count > question.max_choices:
            problems.append(
                Problem(
                    N_("Choose at most one answer (you chose {count}).")
                    if question.max_choices == 1
                    else N_("Choose at most {n} answers (you chose {count})."),
                    {"n": question.max_choices, "count": count},
                    name,
                )
            )
        return problems


KIND = MultipleKind(QuestionKind.MULTIPLE, N_("Multiple choice"))
