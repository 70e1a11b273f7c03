"""`multiple`: several options, between the question's minimum and maximum.
Stored: [option_id, ...]; a text in the "other" field counts as choosing "other"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from consultations.models import QuestionKind
from consultations.questions._choice import ChoiceKind
from consultations.questions.base import QuestionSpec
from participation.i18n import N_, gettext
from participation.refusals import Problem


@dataclass(frozen=True, kw_only=True)
class MultipleKind(ChoiceKind):
    settings: frozenset[str] = frozenset({"options", "allow_other", "min_choices", "max_choices"})
    several: bool = True

    def paper_hints(self, question: Any) -> list[str]:
        if question.max_choices:
            return [
                gettext("Choose from %(min)s to %(max)s answers.")
                % {"min": question.min_choices, "max": question.max_choices}
            ]
        if question.min_choices:
            return [gettext("Choose at least %(min)s answers.") % {"min": question.min_choices}]
        return []

    def setting_problems(self, question: QuestionSpec) -> list[Problem]:
        problems = super().setting_problems(question)
        low, high = question.min_choices, question.max_choices
        if low < 0 or (high is not None and high < low):
            message = N_("The maximum number of choices must be at least the minimum.")
            problems.append(Problem(message, {}, "max_choices"))
        return problems

    def count_problems(self, question: QuestionSpec, value: Any) -> list[Problem]:
        name, count = f"q{question.id}", len(value)
        low, high = question.min_choices, question.max_choices
        problems = []
        if count < low:
            few = N_("Choose at least {n} answers (you chose {count}).")
            message = N_("Choose at least one answer.") if low == 1 else few  # no "1 réponses"
            problems.append(Problem(message, {"n": low, "count": count}, name))
        if high is not None and count > high:
            many = N_("Choose at most {n} answers (you chose {count}).")
            message = N_("Choose at most one answer (you chose {count}).") if high == 1 else many
            problems.append(Problem(message, {"n": high, "count": count}, name))
        return problems


KIND = MultipleKind(value=QuestionKind.MULTIPLE, label=N_("Multiple choice"))
