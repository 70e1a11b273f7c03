"""Pure rules of consultations: phases by date, audience, answer validity, show-if conditions,
and the results of every question type (counts, Borda, Condorcet, majority judgment, numbers).

Plain data in, plain data out: no database, no HTTP. Messages are English msgids (marked N_)
with `{placeholders}`, translated and formatted where they are shown.

Stored answers (JSON, one object per response, keyed by question id as a string):
- single: [option_id] (OTHER for the "other" answer, its text under "<qid>-other")
- multiple: [option_id, ...] (same for "other")
- ranking: [option_id, ...] best first, every option once
- majority: {option_id: grade} with 0 = Excellent ... 6 = À rejeter, every option graded
- scale: an int from 1 to 5
- number: an int or a float
- short-text, long-text: the text
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cmp_to_key
from itertools import chain, islice, repeat
from typing import Any

import numpy as np

from consultations.models import Audience, Phase, QuestionKind, ScaleStyle
from participation.i18n import N_
from participation.numbers import is_whole_number
from participation.phases import Action, Phases, phase_allows_participation
from participation.refusals import Problem
from participation.residents.domain import lives_in

OTHER = 0  # the option id of an "other" answer
SHORT_TEXT_MAX = 200
LONG_TEXT_MAX = 5000
CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
OPTION_KINDS = (*CHOICE_KINDS, QuestionKind.RANKING, QuestionKind.MAJORITY)
TEXT_KINDS = (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT)
GRADES = [
    N_("Excellent"),
    N_("Very good"),
    N_("Good"),
    N_("Fairly good"),
    N_("Passable"),
    N_("Insufficient"),
    N_("To reject"),
]
SCALE_POINTS = [1, 2, 3, 4, 5]
AGREEMENT_LABELS = [
    N_("Strongly disagree"),
    N_("Disagree"),
    N_("Neither agree nor disagree"),
    N_("Agree"),
    N_("Strongly agree"),
]


# --- phases --------------------------------------------------------------------------------


# What each phase allows (participation/phases.py); whether results show while open is the
# consultation's own setting (`results_visible_while_open`).
PHASES = Phases(
    order=(Phase.PREPARATION, Phase.OPEN, Phase.CLOSED),
    allows={
        Phase.OPEN: frozenset({Action.VIEW, Action.PARTICIPATE}),
        Phase.CLOSED: frozenset({Action.VIEW, Action.RESULTS}),
    },
)


def phase_starts(
    opens_at: datetime | None, closes_at: datetime | None
) -> list[tuple[Phase, datetime | None]]:
    """(phase, the moment it starts) for `participation.phases.automatic_switch`."""
    return [(Phase.OPEN, opens_at), (Phase.CLOSED, closes_at)]


def answering_is_open(phase: Phase, closes_at: datetime | None, now: datetime) -> bool:
    """Open phase, and the closing time has not passed (even if the cron has not run yet)."""
    return phase_allows_participation(PHASES, phase, closes_at, now)


def closing_early(phase: Phase, closes_at: datetime | None, now: datetime) -> bool:
    """Closing by hand while people can still answer (before the announced closing time, or
    with none announced): staff are asked to confirm first."""
    return answering_is_open(phase, closes_at, now)


def closed_at(
    phase: Phase, phase_changed_at: datetime | None, closes_at: datetime | None
) -> datetime | None:
    """When answering really ended: the switch to closed (by hand, possibly early), or the
    announced closing time if that came first (answers stop at it, before the cron job runs)."""
    if phase != Phase.CLOSED:
        return None
    moments = [m for m in (phase_changed_at, closes_at) if m is not None]
    return min(moments) if moments else None


def dates_problems(opens_at: datetime | None, closes_at: datetime | None) -> list[Problem]:
    if opens_at and closes_at and closes_at <= opens_at:
        return [Problem(N_("The closing date must come after the opening date."), {}, "closes_at")]
    return []


# --- audience ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """What the audience rules need to know of the one who answers."""

    signed_in: bool
    verified: bool = False  # on the resident register
    district: str | None = None


def audience_problem(audience: Audience, district: str | None, person: Person) -> Problem | None:
    if audience == Audience.EVERYONE:
        return None
    if not person.signed_in:
        return Problem(N_("Log in to answer this consultation."))
    if audience == Audience.SIGNED_IN:
        return None
    if not person.verified:
        return Problem(
            N_("This consultation is open to residents: first confirm that you live here.")
        )
    if audience == Audience.DISTRICT and not lives_in(person.district, district):
        return Problem(
            N_("This consultation is open to the residents of {district} only."),
            {"district": district or ""},
        )
    return None


# --- questions and answers -----------------------------------------------------------------


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


def question_problems(question: QuestionSpec, earlier: Sequence[QuestionSpec]) -> list[Problem]:
    """A question staff can save: options where needed, bounds that make sense, a condition on
    an earlier choice question of the same consultation."""
    problems = []
    if not question.text.strip():
        problems.append(Problem(N_("Enter the question."), {}, "text"))
    if question.kind in OPTION_KINDS and len(question.options) < 2:
        problems.append(Problem(N_("Give at least two options, one per line."), {}, "options"))
    if question.kind == QuestionKind.MULTIPLE:
        upper = question.max_choices
        if question.min_choices < 0 or (upper is not None and upper < question.min_choices):
            problems.append(
                Problem(
                    N_("The maximum number of choices must be at least the minimum."),
                    {},
                    "max_choices",
                )
            )
    if question.kind == QuestionKind.NUMBER and None not in (
        question.min_value,
        question.max_value,
    ):
        if question.max_value < question.min_value:  # type: ignore[operator]
            problems.append(
                Problem(N_("The maximum must be at least the minimum."), {}, "max_value")
            )
    if question.show_if_question is not None:
        target = next((q for q in earlier if q.id == question.show_if_question), None)
        if (
            target is None
            or target.kind not in CHOICE_KINDS
            or question.show_if_option not in target.options
        ):
            problems.append(
                Problem(
                    N_("A condition can only refer to an option of an earlier choice question."),
                    {},
                    "show_if",
                )
            )
    return problems


Answers = dict[int, Any]


def visible_questions(questions: Sequence[QuestionSpec], answers: Mapping[int, Any]) -> list[int]:
    """The ids of the questions shown, given the answers: a conditional question is shown when
    its earlier question is shown and was answered with the option."""
    shown: set[int] = set()
    for q in questions:
        if q.show_if_question is None:
            shown.add(q.id)
            continue
        earlier = answers.get(q.show_if_question)
        if q.show_if_question in shown and isinstance(earlier, list):
            if q.show_if_option in earlier:
                shown.add(q.id)
    return [q.id for q in questions if q.id in shown]


def _number(raw: str) -> float | None:
    text = raw.strip().replace("\u202f", "").replace("\u00a0", "").replace(" ", "")
    text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _int(raw: str) -> int | None:
    raw = raw.strip()
    return int(raw) if is_whole_number(raw) and len(raw) < 10 else None


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


def parse_answers(
    questions: Sequence[QuestionSpec], form: Form
) -> tuple[Answers, dict[int, str], list[Problem]]:
    """Answers, "other" texts and problems from a form; then `answers_problems` checks them.

    Field names: `q<id>` (single, scale, number, texts; repeated for multiple), `q<id>-other`,
    `q<id>-o<option>` (a rank for ranking, a grade for majority judgment).
    """
    answers: Answers = {}
    others: dict[int, str] = {}
    problems: list[Problem] = []
    for q in questions:
        name = f"q{q.id}"
        other = form.get(f"{name}-other").strip()
        if q.kind in CHOICE_KINDS:
            raw = [v for v in form.getlist(name) if v.strip()]
            if q.kind == QuestionKind.SINGLE:
                raw = raw[:1]
            ids = [_int(v) for v in raw]
            if any(i is None for i in ids):
                problems.append(Problem(N_("This choice is not offered."), {}, name))
                continue
            chosen = list(dict.fromkeys(i for i in ids if i is not None))
            if other and OTHER not in chosen and q.allow_other and q.kind == QuestionKind.MULTIPLE:
                chosen.append(OTHER)
            if chosen:
                answers[q.id] = chosen
            if OTHER in chosen:
                others[q.id] = other
        elif q.kind in (QuestionKind.RANKING, QuestionKind.MAJORITY):
            values: dict[int, int] = {}
            bad = False
            for option in q.options:
                raw_value = form.get(f"{name}-o{option}").strip()
                if not raw_value:
                    continue
                number = _int(raw_value)
                if number is None:
                    bad = True
                    continue
                values[option] = number
            forged = [
                key for key in form.values if key.startswith(f"{name}-o") and form.get(key).strip()
            ]
            if bad or len(forged) != len(values):
                problems.append(Problem(N_("This choice is not offered."), {}, name))
                continue
            if not values:
                continue
            if q.kind == QuestionKind.MAJORITY:
                answers[q.id] = values
            else:
                answers[q.id] = _ranking(values, q, problems)
        elif q.kind == QuestionKind.SCALE:
            raw_value = form.get(name).strip()
            if raw_value:
                number = _int(raw_value)
                if number is None:
                    problems.append(Problem(N_("Choose a point on the scale."), {}, name))
                else:
                    answers[q.id] = number
        elif q.kind == QuestionKind.NUMBER:
            raw_value = form.get(name).strip()
            if raw_value:
                value = _number(raw_value)
                if value is None:
                    problems.append(Problem(N_("Enter a number, like 12 or 3,5."), {}, name))
                else:
                    answers[q.id] = int(value) if value.is_integer() else value
        else:
            text = form.get(name).strip()
            if text:
                answers[q.id] = text
    return answers, others, problems


def _ranking(ranks: dict[int, int], q: QuestionSpec, problems: list[Problem]) -> list[int]:
    """Option -> rank (1 = best) to the options in order; ranks must be 1..n, each once."""
    if sorted(ranks.values()) != list(range(1, len(q.options) + 1)):
        problems.append(
            Problem(
                N_("Give each option a different rank, from 1 to {n}."),
                {"n": len(q.options)},
                f"q{q.id}",
            )
        )
        return []
    return [option for option, _rank in sorted(ranks.items(), key=lambda item: item[1])]


def answers_problems(
    questions: Sequence[QuestionSpec], answers: Answers, others: Mapping[int, str]
) -> list[Problem]:
    """Everything wrong with the answers of the visible questions, tied to their field.
    Answers to hidden questions are ignored (and dropped by `clean_answers`)."""
    problems: list[Problem] = []
    shown = set(visible_questions(questions, answers))
    for q in questions:
        if q.id not in shown:
            continue
        name = f"q{q.id}"
        value = answers.get(q.id)
        if value is None or value == [] or value == {}:
            if q.required:
                problems.append(Problem(N_("Answer this question."), {}, name))
            continue
        if q.kind in CHOICE_KINDS:
            offered = set(q.options) | ({OTHER} if q.allow_other else set())
            if any(option not in offered for option in value):
                problems.append(Problem(N_("This choice is not offered."), {}, name))
            elif OTHER in value and not others.get(q.id, "").strip():
                problems.append(Problem(N_("Write your other answer."), {}, f"{name}-other"))
            elif OTHER in value and len(others[q.id]) > SHORT_TEXT_MAX:
                problems.append(
                    Problem(
                        N_("Write at most {n} characters."), {"n": SHORT_TEXT_MAX}, f"{name}-other"
                    )
                )
            elif q.kind == QuestionKind.MULTIPLE:
                count = len(value)
                if count < q.min_choices:
                    problems.append(
                        Problem(
                            N_("Choose at least one answer.")
                            if q.min_choices == 1  # no "1 réponses"
                            else N_("Choose at least {n} answers (you chose {count})."),
                            {"n": q.min_choices, "count": count},
                            name,
                        )
                    )
                if q.max_choices is not None and count > q.max_choices:
                    problems.append(
                        Problem(
                            N_("Choose at most one answer (you chose {count}).")
                            if q.max_choices == 1
                            else N_("Choose at most {n} answers (you chose {count})."),
                            {"n": q.max_choices, "count": count},
                            name,
                        )
                    )
        elif q.kind == QuestionKind.RANKING:
            if sorted(value) != sorted(q.options):
                problems.append(
                    Problem(
                        N_("Give each option a different rank, from 1 to {n}."),
                        {"n": len(q.options)},
                        name,
                    )
                )
        elif q.kind == QuestionKind.MAJORITY:
            if set(value) != set(q.options):
                problems.append(Problem(N_("Grade every option."), {}, name))
            elif any(not 0 <= grade < len(GRADES) for grade in value.values()):
                problems.append(Problem(N_("This choice is not offered."), {}, name))
        elif q.kind == QuestionKind.SCALE:
            if value not in SCALE_POINTS:
                problems.append(Problem(N_("Choose a point on the scale."), {}, name))
        elif q.kind == QuestionKind.NUMBER:
            if q.min_value is not None and value < q.min_value:
                problems.append(
                    Problem(N_("Enter a number of at least {n}."), {"n": _shown(q.min_value)}, name)
                )
            if q.max_value is not None and value > q.max_value:
                problems.append(
                    Problem(N_("Enter a number of at most {n}."), {"n": _shown(q.max_value)}, name)
                )
        else:
            limit = SHORT_TEXT_MAX if q.kind == QuestionKind.SHORT_TEXT else LONG_TEXT_MAX
            if len(value) > limit:
                problems.append(Problem(N_("Write at most {n} characters."), {"n": limit}, name))
    return problems


def _shown(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def clean_answers(
    questions: Sequence[QuestionSpec], answers: Answers, others: Mapping[int, str]
) -> dict[str, Any]:
    """What is stored: the answers to the visible questions, JSON-ready (string keys)."""
    shown = set(visible_questions(questions, answers))
    stored: dict[str, Any] = {}
    for q in questions:
        if q.id not in shown or q.id not in answers:
            continue
        value = answers[q.id]
        if q.kind == QuestionKind.MAJORITY:
            value = {str(k): v for k, v in sorted(value.items())}
        stored[str(q.id)] = value
        if q.kind in CHOICE_KINDS and OTHER in value:
            stored[f"{q.id}-other"] = others[q.id].strip()
    return stored


def answers_from_stored(stored: Mapping[str, Any]) -> tuple[Answers, dict[int, str]]:
    answers: Answers = {}
    others: dict[int, str] = {}
    for key, value in stored.items():
        if key.endswith("-other"):
            others[int(key[: -len("-other")])] = value
        elif isinstance(value, dict):
            answers[int(key)] = {int(k): v for k, v in value.items()}
        else:
            answers[int(key)] = value
    return answers, others


# --- results -------------------------------------------------------------------------------
#
# Every result is computed from counts, so that 100,000 responses cost a few C-level passes
# (`collections.Counter` over one column of the decoded answers) instead of a Python loop per
# answer: how many chose each option, how many gave each point of the scale, how many gave each
# grade to each option, how many gave each distinct ranking (there are at most m! of them).
# `Aggregator` accumulates these counts batch by batch (the results job decodes the responses a
# batch at a time); `aggregate` is the same in one call.


def percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def _answered(column: Sequence[Any]) -> int:
    return len(column) - column.count(None)


def choice_counts(q: QuestionSpec, values: Sequence[list[int]]) -> dict[str, Any]:
    """Counts and percentages of respondents per option (several per person: multiple)."""
    return _choice_item(q, Counter(chain.from_iterable(values)), len(values))


def _choice_item(q: QuestionSpec, chosen: Mapping[Any, int], answered: int) -> dict[str, Any]:
    options = [*q.options, *([OTHER] if q.allow_other else [])]
    counts = {option: chosen.get(option, 0) for option in dict.fromkeys(options)}
    return {
        "answered": answered,
        "options": [
            {"id": option, "count": count, "percent": percent(count, answered)}
            for option, count in counts.items()
        ],
    }


def scale_counts(values: Sequence[int]) -> dict[str, Any]:
    return _scale_item(Counter(values))


def _scale_item(given: Mapping[Any, int]) -> dict[str, Any]:
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


def ranking_results(options: Sequence[int], rankings: Sequence[Sequence[int]]) -> dict[str, Any]:
    """Borda score (m-1 points for first, 0 for last), mean rank, and the Condorcet winner:
    the option that a majority prefers to each other option, if there is one."""
    return _ranking_item(options, Counter(map(tuple, rankings)))


def _ranking_item(
    options: Sequence[int], rankings: Mapping[tuple[Any, ...], int]
) -> dict[str, Any]:
    """The same from `rankings`: how many respondents gave each distinct ranking."""
    m = len(options)
    index = {option: i for i, option in enumerate(options)}
    every = set(options)
    complete = [(r, n) for r, n in rankings.items() if len(r) == m and set(r) == every]
    n = sum(count for _r, count in complete)
    if n == 0 or m == 0:
        return {
            "answered": 0,
            "options": [{"id": o, "borda": 0, "mean_rank": None, "rank": None} for o in options],
            "condorcet_winner": None,
            "pairwise": [[0] * m for _ in range(m)],
        }
    # positions[k, i]: the rank (0 = best) that the k-th distinct ranking gives option i, and
    # weights[k] how many respondents gave that ranking
    d = len(complete)
    positions = np.empty((d, m), dtype=np.int64)
    order = np.array([[index[o] for o in r] for r, _n in complete], dtype=np.int64)
    positions[np.arange(d)[:, None], order] = np.arange(m, dtype=np.int64)[None, :]
    weights = np.array([count for _r, count in complete], dtype=np.int64)
    borda = ((m - 1 - positions) * weights[:, None]).sum(axis=0)
    # exact integer sums, then one division: the same float as the mean of every position
    mean_rank = [float(total) / n + 1 for total in (positions * weights[:, None]).sum(axis=0)]
    pairwise = [
        [0 if a == b else int(weights[positions[:, a] < positions[:, b]].sum()) for b in range(m)]
        for a in range(m)
    ]
    winner = condorcet_winner(pairwise)
    ordered = sorted(range(m), key=lambda i: (-int(borda[i]), mean_rank[i], i))
    places = {i: place for place, i in enumerate(ordered, start=1)}
    return {
        "answered": n,
        "options": [
            {
                "id": options[i],
                "borda": int(borda[i]),
                "mean_rank": round(mean_rank[i], 2),
                "rank": places[i],
            }
            for i in ordered
        ],
        "condorcet_winner": options[winner] if winner is not None else None,
        "pairwise": pairwise,
    }


def condorcet_winner(pairwise: Sequence[Sequence[int]]) -> int | None:
    """The index that beats every other index head to head (strictly), or None."""
    m = len(pairwise)
    for a in range(m):
        if all(pairwise[a][b] > pairwise[b][a] for b in range(m) if b != a):
            return a
    return None


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
    return _majority_item(options, given, len(gradings))


def _majority_item(
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


def number_stats(values: Sequence[float]) -> dict[str, Any]:
    if not values:
        return {"answered": 0, "min": None, "max": None, "mean": None, "median": None}
    array = np.asarray(values, dtype=float)
    q1, median, q3 = (float(x) for x in np.percentile(array, [25, 50, 75]))
    return {
        "answered": len(values),
        "min": _shown(float(array.min())),
        "max": _shown(float(array.max())),
        "mean": round(float(array.mean()), 2),
        "median": _shown(round(median, 2)),
        "q1": _shown(round(q1, 2)),
        "q3": _shown(round(q3, 2)),
        "stdev": round(statistics.pstdev(values), 2) if len(values) > 1 else 0.0,
    }


class Aggregator:
    """The results of every question, from stored responses (JSON objects) added in batches.

    Only counts are kept (and the numbers, for their quartiles): memory does not grow with the
    number of responses but for those. Stored answers are as `clean_answers` writes them (string
    keys, majority grades keyed by the option id as a string).
    """

    def __init__(self, questions: Sequence[QuestionSpec]) -> None:
        self.questions = list(questions)
        self.total = 0
        self.answered: dict[int, int] = {q.id: 0 for q in questions}
        self.counts: dict[int, Counter[Any]] = {q.id: Counter() for q in questions}
        self.grades: dict[int, dict[int, Counter[Any]]] = {
            q.id: {o: Counter() for o in q.options}
            for q in questions
            if q.kind == QuestionKind.MAJORITY
        }
        self.numbers: dict[int, list[Any]] = {q.id: [] for q in questions}
        self.others: dict[int, list[str]] = {q.id: [] for q in questions}  # "other" answers

    def add(self, responses: Sequence[dict[str, Any]]) -> None:
        """Count a batch of responses: one C-level pass per question over its column."""
        self.total += len(responses)
        for q in self.questions:
            column = list(map(dict.get, responses, repeat(str(q.id))))
            self.answered[q.id] += _answered(column)
            counts = self.counts[q.id]
            if q.kind in CHOICE_KINDS:
                before = counts[OTHER]
                counts.update(chain.from_iterable(filter(None, column)))
                if counts[OTHER] != before:  # someone wrote an "other" answer in this batch
                    key = f"{q.id}-other"
                    self.others[q.id].extend(
                        response.get(key, "")
                        for response, value in zip(responses, column, strict=True)
                        if value and OTHER in value
                    )
            elif q.kind == QuestionKind.RANKING:
                counts.update(map(tuple, filter(None, column)))
            elif q.kind == QuestionKind.MAJORITY:
                gradings = [value for value in column if value is not None]
                for option, grades in self.grades[q.id].items():
                    grades.update(map(dict.get, gradings, repeat(str(option))))
            elif q.kind == QuestionKind.NUMBER:
                self.numbers[q.id].extend(value for value in column if value is not None)
            else:  # scale and free texts
                counts.update(column)
            counts.pop(None, None)

    def result(self, approved_text: Any = None) -> dict[str, Any]:
        """`approved_text(question_id, text) -> bool` says which free texts moderators approved
        for publication; the others are only counted. It is asked once per distinct text."""
        results: dict[str, Any] = {"responses": self.total, "questions": {}}
        for q in self.questions:
            counts, answered = self.counts[q.id], self.answered[q.id]
            if q.kind in CHOICE_KINDS:
                item = _choice_item(q, counts, answered)
                item["others"] = _texts(q.id, Counter(self.others[q.id]), approved_text)
            elif q.kind == QuestionKind.SCALE:
                item = _scale_item(counts)
            elif q.kind == QuestionKind.RANKING:
                item = _ranking_item(q.options, counts)
            elif q.kind == QuestionKind.MAJORITY:
                item = _majority_item(q.options, self.grades[q.id], answered)
            elif q.kind == QuestionKind.NUMBER:
                item = number_stats(self.numbers[q.id])
            else:
                item = {"answered": answered, "texts": _texts(q.id, counts, approved_text)}
            item["kind"] = q.kind.value
            results["questions"][str(q.id)] = item
        return results


def aggregate(
    questions: Sequence[QuestionSpec],
    responses: Iterable[dict[str, Any]],
    approved_text: Any = None,
    batch: int = 10_000,
) -> dict[str, Any]:
    """The results of every question from the stored responses (JSON objects).

    `approved_text(question_id, text) -> bool` says which free texts moderators approved for
    publication; the others are only counted.
    """
    aggregator = Aggregator(questions)
    iterator = iter(responses)
    while chunk := list(islice(iterator, batch)):
        aggregator.add(chunk)
    return aggregator.result(approved_text)


def _texts(question_id: int, texts: Mapping[str, int], approved: Any) -> dict[str, Any]:
    """`texts`: how many times each text was given; the approved ones are listed as many
    times, in order."""
    shown = sorted(
        chain.from_iterable(
            [text] * count
            for text, count in texts.items()
            if approved is not None and approved(question_id, text)
        )
    )
    return {"count": sum(texts.values()), "approved": shown}


def read_answers(
    questions: Sequence[QuestionSpec], form: Form
) -> tuple[dict[str, Any], list[Problem]]:
    """Parse and check a submitted form: what to store, or the problems, one per field.
    A question whose condition is not met is neither demanded nor checked: whatever was sent
    for it (a stray answer, even a malformed one) is ignored."""
    answers, others, problems = parse_answers(questions, form)
    shown = {f"q{question_id}" for question_id in visible_questions(questions, answers)}
    problems = [p for p in problems if p.field.removesuffix("-other") in shown]
    seen = {p.field for p in problems}
    problems += [p for p in answers_problems(questions, answers, others) if p.field not in seen]
    return clean_answers(questions, answers, others), problems
