"""Pure rules of consultations: phases by date, audience, and what every kind of question
shares: show-if conditions, reading, checking and storing the answers, aggregating the results.
What differs per kind (Borda, Condorcet, majority judgment, numbers ...) is in its module of
`consultations.questions`, which says how its answer is stored.

Plain data in, plain data out: no database, no HTTP. Messages are English msgids (marked N_)
with `{placeholders}`, translated and formatted where they are shown.

Stored answers: JSON, one object per response, keyed by question id as a string (and
"<qid>-other" for the text of an "other" answer).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import islice, repeat
from typing import Any

from consultations.models import Audience, Phase
from consultations.models import closed_at as closed_at  # defined with Phase: the model reads it
from consultations.questions import KINDS, Form, QuestionSpec, Tally
from participation.i18n import N_
from participation.phases import Action, Phases, phase_allows_participation
from participation.refusals import Problem
from participation.residents.domain import lives_in

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


def audience_reads_register(audience: Audience) -> bool:
    """Whether deciding who may answer needs what the resident register says of the person:
    "everyone" and "anyone signed in" decide on the account alone."""
    return audience in (Audience.VERIFIED, Audience.DISTRICT)


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
#
# What differs from one kind of question to another is in its module of `consultations.questions`
# (`KINDS[question.kind]`); what follows is the same for every kind.


def question_problems(question: QuestionSpec, earlier: Sequence[QuestionSpec]) -> list[Problem]:
    """A question staff can save: options where needed, bounds that make sense, a condition on
    an earlier choice question of the same consultation."""
    problems = []
    if not question.text.strip():
        problems.append(Problem(N_("Enter the question."), {}, "text"))
    problems += KINDS[question.kind].setting_problems(question)
    if question.show_if_question is not None:
        target = next((q for q in earlier if q.id == question.show_if_question), None)
        if (
            target is None
            or not KINDS[target.kind].offers_choices
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
        value, other, found = KINDS[q.kind].parse(q, form)
        problems += found
        if value is not None:
            answers[q.id] = value
        if other is not None:
            others[q.id] = other
    return answers, others, problems


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
        value = answers.get(q.id)
        if value is None or value == [] or value == {}:
            if q.required:
                problems.append(Problem(N_("Answer this question."), {}, f"q{q.id}"))
            continue
        problems += KINDS[q.kind].problems(q, value, others)
    return problems


def clean_answers(
    questions: Sequence[QuestionSpec], answers: Answers, others: Mapping[int, str]
) -> dict[str, Any]:
    """What is stored: the answers to the visible questions, JSON-ready (string keys)."""
    shown = set(visible_questions(questions, answers))
    stored: dict[str, Any] = {}
    for q in questions:
        if q.id not in shown or q.id not in answers:
            continue
        stored.update(KINDS[q.kind].stored(q, answers[q.id], others))
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


# --- results -------------------------------------------------------------------------------
#
# Every result is computed from counts, so that 100,000 responses cost a few C-level passes
# (`collections.Counter` over one column of the decoded answers) instead of a Python loop per
# answer: how many chose each option, how many gave each point of the scale, how many gave each
# grade to each option, how many gave each distinct ranking (there are at most m! of them).
# `Aggregator` accumulates these counts batch by batch (the results job decodes the responses a
# batch at a time), one `Tally` of its kind per question; `aggregate` is the same in one call.


def _answered(column: Sequence[Any]) -> int:
    return len(column) - column.count(None)


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
        self.tallies: dict[int, Tally] = {q.id: KINDS[q.kind].tally(q) for q in questions}

    def add(self, responses: Sequence[dict[str, Any]]) -> None:
        """Count a batch of responses: one C-level pass per question over its column."""
        self.total += len(responses)
        for q in self.questions:
            column = list(map(dict.get, responses, repeat(str(q.id))))
            self.answered[q.id] += _answered(column)
            self.tallies[q.id].add(column, responses)

    def result(self, approved_text: Any = None) -> dict[str, Any]:
        """`approved_text(question_id, text) -> bool` says which free texts moderators approved
        for publication; the others are only counted. It is asked once per distinct text."""
        results: dict[str, Any] = {"responses": self.total, "questions": {}}
        for q in self.questions:
            item = self.tallies[q.id].result(self.answered[q.id], approved_text)
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
