"""`majority`: every option graded from Excellent to To reject; results by majority judgment
(Balinski and Laraki). base.Stored: {option_id: grade} with 0 = Excellent ... 6 = To reject."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cmp_to_key
from itertools import repeat
from typing import Any

from consultations.models import QuestionKind
from consultations.questions import base
from consultations.questions.base import Form, KindBase, QuestionSpec, option_numbers, percent
from participation.formatting import format_points
from participation.i18n import N_, gettext
from participation.refusals import Problem

GRADES = [
    N_("Excellent"),
    N_("Very good"),
    N_("Good"),
    N_("Fairly good"),
    N_("Passable"),
    N_("Insufficient"),
    N_("To reject"),
]

# the colour of each grade in the charts, from Excellent (green) to To reject (red), on the
# results page (majority_result.html, as `grade_colours()`) and in the printed results
GRADE_COLOURS = [
    (0x1A, 0x7F, 0x37),
    (0x4C, 0x9A, 0x2A),
    (0x8F, 0xBF, 0x3F),
    (0xD4, 0xC1, 0x2A),
    (0xE8, 0x9A, 0x2C),
    (0xD9, 0x62, 0x2B),
    (0xB3, 0x26, 0x1E),
]
PAPER_COLUMNS = 6  # options per table of the printed results


def grade_colours() -> list[str]:
    """GRADE_COLOURS as CSS ("#1a7f37")."""
    return ["#{:02x}{:02x}{:02x}".format(*colour) for colour in GRADE_COLOURS]


def grade_labels() -> list[str]:
    return [gettext(g) for g in GRADES]


def majority_grade(counts: Sequence[int]) -> int | None:
    """The majority grade of a grade distribution (index 0 = best): the lower median, i.e. the
    grade at position n // 2 when the n grades are sorted from best to worst."""
    n = sum(counts)
    if n == 0:
        return None
    target = n // 2  # 0-based position among the grades sorted from best to worst
    seen = 0
    for grade, count in enumerate(counts):
        seen += count
        if seen > target:
            return grade
    return None  # pragma: no cover


def _keeps_grade(counts: Sequence[int], grade: int, removed: int) -> bool:
    """Whether `grade` is still the majority grade once `removed` votes at it are taken out."""
    below = sum(counts[:grade])
    position = (sum(counts) - removed) // 2
    return below <= position < below + counts[grade] - removed


def _removable(counts: Sequence[int], grade: int) -> int:
    """The most votes at the majority `grade` that can be taken out one by one while it stays
    the majority grade (the condition only gets false as more are removed: binary search)."""
    low, high = 0, counts[grade] - 1
    while low < high:
        middle = (low + high + 1) // 2
        if _keeps_grade(counts, grade, middle):
            low = middle
        else:
            high = middle - 1
    return low


def compare_majority(a: Sequence[int], b: Sequence[int]) -> int:
    """-1 if distribution `a` wins over `b`, 1 if `b` wins, 0 if they tie exactly.

    The usual tie-break (Balinski and Laraki): while the majority grades are equal, remove one
    vote at that grade from each and compare again. Removing votes one at a time would take as
    many steps as there are voters; while neither majority grade changes, the steps are taken
    all at once (the difference of the two distributions does not change meanwhile).
    """
    a, b = list(a), list(b)
    while sum(a) and sum(b):
        grade_a, grade_b = majority_grade(a), majority_grade(b)
        assert grade_a is not None and grade_b is not None
        if grade_a != grade_b:
            return -1 if grade_a < grade_b else 1
        if a == b:
            return 0
        steps = max(1, min(_removable(a, grade_a), _removable(b, grade_b)))
        a[grade_a] -= steps
        b[grade_b] -= steps
    if sum(a) == sum(b):
        return 0
    return -1 if sum(a) else 1


def majority_results(
    options: Sequence[int], gradings: Sequence[Mapping[int, int]]
) -> dict[str, Any]:
    """Grade distribution per option, majority grade, and the ranking by majority judgment."""
    given = {option: Counter(g.get(option) for g in gradings) for option in options}
    return majority_item(options, given, len(gradings))


def majority_item(
    options: Sequence[int], given: Mapping[int, Mapping[Any, int]], answered: int
) -> dict[str, Any]:
    """The same from `given[option]`: how many respondents gave each grade to the option."""
    distributions = {
        option: [given[option].get(grade, 0) for grade in range(len(GRADES))] for option in options
    }

    def versus(x: int, y: int) -> int:
        return compare_majority(distributions[x], distributions[y])

    ordered = sorted(options, key=cmp_to_key(versus))
    places: dict[int, int] = {}
    for position, option in enumerate(ordered):
        previous = ordered[position - 1] if position else None
        tied = previous is not None and not compare_majority(
            distributions[previous], distributions[option]
        )
        places[option] = places[previous] if tied and previous is not None else position + 1
    winners = [o for o in ordered if places[o] == 1] if answered else []
    return {
        "answered": answered,
        "options": [
            {
                "id": option,
                "distribution": distributions[option],
                "percents": [percent(c, sum(distributions[option])) for c in distributions[option]],
                "majority_grade": majority_grade(distributions[option]),
                "rank": places[option],
            }
            for option in ordered
        ],
        "winner": winners[0] if len(winners) == 1 else None,
    }


class MajorityTally:
    def __init__(self, question: QuestionSpec) -> None:
        self.question = question
        # how many gave each grade to each option (stored keyed by the option id as a string)
        self.grades: dict[int, Counter[Any]] = {o: Counter() for o in question.options}

    def add(self, column: Sequence[Any], responses: Sequence[dict[str, Any]]) -> None:
        gradings = [value for value in column if value is not None]
        for option, grades in self.grades.items():
            grades.update(map(dict.get, gradings, repeat(str(option))))

    def result(self, answered: int, approved: base.ApprovedText) -> dict[str, Any]:
        return majority_item(self.question.options, self.grades, answered)


@dataclass(frozen=True, kw_only=True)
class MajorityKind(KindBase):
    counting = MajorityTally

    def on_paper(self, doc: Any, view: Any) -> None:
        doc.paragraph(gettext("Give each option a grade."))
        grades = grade_labels()
        rows = [[option.label, *([base.PAPER_BOX] * len(grades))] for option in view.options]
        widths = (14, *([86 / len(grades)] * len(grades)))
        align = ("LEFT", *(["CENTER"] * len(grades)))
        doc.table([gettext("Option"), *grades], rows, widths=widths, align=align)

    def results_on_paper(self, doc: Any, view: Any, item: dict[str, Any]) -> None:
        """As majority_result.html: the winner, each option's grades as one stacked bar, the
        table of the shares of each grade."""
        labels = view.option_labels
        if item["winner"]:
            doc.paragraph(
                gettext("Winner by majority judgment: %(option)s.")
                % {"option": labels.get(item["winner"], "")}
            )
        doc.paragraph(
            gettext(
                "Grades of each option, from Excellent (left) to To reject (right); the middle "
                "line marks the majority grade. The table below gives the figures."
            )
        )
        doc.stacked(
            [(labels.get(o["id"], ""), o["percents"]) for o in item["options"]], GRADE_COLOURS
        )
        grades = grade_labels()
        doc.table(
            [gettext("Rank"), gettext("Option"), gettext("Majority grade")],
            [
                [
                    str(o["rank"]),
                    labels.get(o["id"], ""),
                    grades[o["majority_grade"]] if o["majority_grade"] is not None else "—",
                ]
                for o in item["options"]
            ],
            widths=(12, 58, 30),
            align=("RIGHT", "LEFT", "LEFT"),
        )
        # the page's table turned a quarter: a grade a row, an option a column (seven columns
        # of grades do not fit across A4), PAPER_COLUMNS options at a time
        doc.keep_room(30)  # the table's caption stays with its first rows
        doc.paragraph(gettext("Majority judgment: share of each grade"), bold=True)
        for first in range(0, len(item["options"]), PAPER_COLUMNS):
            shown = item["options"][first : first + PAPER_COLUMNS]
            doc.table(
                [gettext("Grade"), *(labels.get(o["id"], "") for o in shown)],
                [
                    [grade, *(format_points(o["percents"][number]) for o in shown)]
                    for number, grade in enumerate(grades)
                ],
                widths=(25, *([75 / PAPER_COLUMNS] * len(shown))),
                align=("LEFT", *(["RIGHT"] * len(shown))),
            )

    def parse(self, question: QuestionSpec, form: Form) -> base.Parsed:
        return option_numbers(question, form)

    def problems(self, question: QuestionSpec, value: Any, others: base.Others) -> list[Problem]:
        name = f"q{question.id}"
        if set(value) != set(question.options):
            return [Problem(N_("Grade every option."), {}, name)]
        if any(not 0 <= grade < len(GRADES) for grade in value.values()):
            return [Problem(N_("This choice is not offered."), {}, name)]
        return []

    def stored(self, question: QuestionSpec, value: Any, others: base.Others) -> dict[str, Any]:
        return {str(question.id): {str(k): v for k, v in sorted(value.items())}}

    def result_rows(self, item: dict[str, Any], export: base.Export) -> list[base.Row]:
        grades = grade_labels()
        rows: list[base.Row] = []
        for o in item["options"]:
            label = export.labels.get(o["id"], "")
            for grade, (count, share) in enumerate(
                zip(o["distribution"], o["percents"], strict=True)
            ):
                rows.append((label, f"grade:{grades[grade]}", count, share))
            majority = o["majority_grade"]
            rows.append(
                (label, "majority_grade", grades[majority] if majority is not None else "", "")
            )
            rows.append((label, "rank", o["rank"], ""))
        return rows

    def response_cell(self, value: Any, stored: base.Stored, export: base.Export) -> str:
        grades = grade_labels()
        return " | ".join(
            f"{export.labels.get(int(option), '')}: {grades[grade]}"
            for option, grade in sorted(value.items(), key=lambda kv: int(kv[0]))
        )

    def sample(self, name: str, options: list[int], rng: random.Random) -> list[tuple[str, str]]:
        return [(f"{name}-o{option}", str(rng.randint(0, 5))) for option in options]


KIND = MajorityKind(
    value=QuestionKind.MAJORITY,
    label=N_("Majority judgment"),
    partials="majority",
    settings=frozenset({"options"}),
)
