"""Pure rules: phases, audience, and the questionnaire as a whole: answer validity, show-if,
aggregation. What each kind computes is tested in tests/consultations/questions/."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from consultations import domain
from consultations.domain import Person
from consultations.models import Audience, Phase, QuestionKind
from consultations.questions import OTHER, Form, QuestionSpec
from participation import phases

K = QuestionKind
NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)
DAY = timedelta(days=1)


def test_phase_follows_the_dates_but_respects_a_later_manual_switch() -> None:
    def switch(
        current: Phase,
        last_switch_at: datetime | None,
        opens_at: datetime | None,
        closes_at: datetime | None,
        now: datetime,
    ) -> Phase | None:
        starts = domain.phase_starts(opens_at, closes_at)
        return phases.automatic_switch(domain.PHASES.order, current, last_switch_at, starts, now)

    assert switch(Phase.PREPARATION, None, NOW - DAY, NOW + DAY, NOW) == Phase.OPEN
    assert switch(Phase.PREPARATION, None, NOW - 2 * DAY, NOW - DAY, NOW) == Phase.CLOSED
    assert switch(Phase.OPEN, None, NOW - DAY, NOW + DAY, NOW) is None
    assert switch(Phase.PREPARATION, None, NOW + DAY, None, NOW) is None
    # reopened by hand after the closing date: the old date does not close it again
    assert switch(Phase.OPEN, NOW - timedelta(hours=1), NOW - 2 * DAY, NOW - DAY, NOW) is None
    assert switch(Phase.CLOSED, None, NOW - DAY, None, NOW) is None  # never backwards


def test_answering_is_open_only_in_the_open_phase_before_closing() -> None:
    assert domain.answering_is_open(Phase.OPEN, NOW + DAY, NOW)
    assert domain.answering_is_open(Phase.OPEN, None, NOW)
    assert not domain.answering_is_open(Phase.OPEN, NOW, NOW)  # the cron may be late
    assert not domain.answering_is_open(Phase.CLOSED, None, NOW)
    assert not domain.answering_is_open(Phase.PREPARATION, None, NOW)


@pytest.mark.parametrize(
    ("audience", "person", "allowed"),
    [
        (Audience.EVERYONE, Person(False), True),
        (Audience.SIGNED_IN, Person(False), False),
        (Audience.SIGNED_IN, Person(True), True),
        (Audience.VERIFIED, Person(True), False),
        (Audience.VERIFIED, Person(True, True, "Sud"), True),
        (Audience.DISTRICT, Person(True, True, "Sud"), False),
        (Audience.DISTRICT, Person(True, True, "Nord"), True),
        (Audience.DISTRICT, Person(True, False, "Nord"), False),
    ],
)
def test_audience_matrix(audience: Audience, person: Person, allowed: bool) -> None:
    assert (domain.audience_problem(audience, "Nord", person) is None) is allowed


QUESTIONS = [
    QuestionSpec(1, K.SINGLE, "Venez-vous ?", options=(11, 12), allow_other=True),
    QuestionSpec(2, K.MULTIPLE, "Quoi ?", options=(21, 22, 23), min_choices=1, max_choices=2),
    QuestionSpec(3, K.RANKING, "Ordre", options=(31, 32, 33)),
    QuestionSpec(4, K.SCALE, "Note"),
    QuestionSpec(5, K.MAJORITY, "Jugement", options=(51, 52)),
    QuestionSpec(6, K.NUMBER, "Combien ?", min_value=0, max_value=10),
    QuestionSpec(7, K.SHORT_TEXT, "Un mot", required=False),
    QuestionSpec(
        8, K.LONG_TEXT, "Pourquoi ?", required=False, show_if_question=1, show_if_option=12
    ),
]
VALID = [
    ("q1", "11"),
    ("q2", "21"),
    ("q2", "23"),
    ("q3-o31", "2"),
    ("q3-o32", "1"),
    ("q3-o33", "3"),
    ("q4", "4"),
    ("q5-o51", "0"),
    ("q5-o52", "6"),
    ("q6", "3,5"),
    ("q7", "vélo"),
    ("q8", "hidden because q1 is not 12"),
]


def check(items: list[tuple[str, str]]) -> tuple[dict[str, object], dict[str, str]]:
    stored, problems = domain.read_answers(QUESTIONS, Form(items))
    errors: dict[str, str] = {}
    for problem in problems:
        errors.setdefault(problem.field, problem.message)
    return stored, errors


def test_valid_answers_are_stored_and_hidden_questions_dropped() -> None:
    stored, errors = check(VALID)
    assert errors == {}
    assert stored == {
        "1": [11],
        "2": [21, 23],
        "3": [32, 31, 33],
        "4": 4,
        "5": {"51": 0, "52": 6},
        "6": 3.5,
        "7": "vélo",
    }
    answers, others = domain.answers_from_stored(stored)
    assert answers[5] == {51: 0, 52: 6} and others == {}


def test_conditional_question_is_asked_when_its_option_is_chosen() -> None:
    items = [(k, v) for k, v in VALID if k != "q1"] + [("q1", "12")]
    stored, errors = check(items)
    assert errors == {} and stored["8"] == "hidden because q1 is not 12"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"q1": None}, "q1", "Answer this question."),
        ({"q1": "99"}, "q1", "This choice is not offered."),  # forged option id
        ({"q1": "abc"}, "q1", "This choice is not offered."),
        ({"q1": "0"}, "q1-other", "Write your other answer."),
        ({"q2": None}, "q2", "Answer this question."),
        ({"q3-o31": "1"}, "q3", "Give each option a different rank, from 1 to {n}."),
        ({"q3-o99": "1"}, "q3", "This choice is not offered."),
        ({"q3-o31": None}, "q3", "Give each option a different rank, from 1 to {n}."),
        ({"q4": "9"}, "q4", "Choose a point on the scale."),
        ({"q5-o52": None}, "q5", "Grade every option."),
        ({"q5-o52": "7"}, "q5", "This choice is not offered."),
        ({"q6": "onze"}, "q6", "Enter a number, like 12 or 3,5."),
        ({"q6": "11"}, "q6", "Enter a number of at most {n}."),
        ({"q6": "nan"}, "q6", "Enter a number, like 12 or 3,5."),
        ({"q7": "x" * 201}, "q7", "Write at most {n} characters."),
    ],
)
def test_every_kind_of_invalid_answer(
    change: dict[str, str | None], field: str, message: str
) -> None:
    items = [(k, v) for k, v in VALID if k not in change]
    items += [(k, v) for k, v in change.items() if v is not None]
    _stored, errors = check(items)
    assert errors.get(field) == message, errors


def test_multiple_choice_bounds_and_other() -> None:
    too_many = [(k, v) for k, v in VALID if k != "q2"] + [("q2", "21"), ("q2", "22"), ("q2", "23")]
    assert check(too_many)[1]["q2"] == "Choose at most {n} answers (you chose {count})."
    other = [(k, v) for k, v in VALID if k != "q1"] + [("q1", "0"), ("q1-other", "à pied")]
    stored, errors = check(other)
    assert errors == {} and stored["1"] == [OTHER] and stored["1-other"] == "à pied"


def test_question_definitions() -> None:
    assert domain.question_problems(QuestionSpec(1, K.SINGLE, "Q", options=(1,)), [])
    bad_condition = QuestionSpec(2, K.SCALE, "Q", show_if_question=1, show_if_option=99)
    assert domain.question_problems(bad_condition, [QUESTIONS[0]])
    good = QuestionSpec(9, K.SCALE, "Q", show_if_question=1, show_if_option=12)
    assert domain.question_problems(good, [QUESTIONS[0]]) == []
    assert domain.question_problems(
        QuestionSpec(3, K.MULTIPLE, "Q", options=(1, 2), min_choices=2, max_choices=1), []
    )


# --- results ------------------------------------------------------------------------------


def test_aggregate_lists_only_approved_free_texts() -> None:
    responses = [
        {"1": [11], "4": 5, "7": "super"},
        {"1": [OTHER], "1-other": "en bus", "4": 3, "7": "<b>nul</b>"},
    ]
    result = domain.aggregate(QUESTIONS, responses, lambda qid, text: text == "super")
    assert result["responses"] == 2
    assert result["questions"]["7"]["texts"] == {"count": 2, "approved": ["super"]}
    assert result["questions"]["1"]["others"] == {"count": 1, "approved": []}
    assert result["questions"]["4"]["mean"] == 4
    assert result == domain.aggregate(QUESTIONS, responses, lambda qid, text: text == "super")
