"""Pure rules: phases, audience, answer validity, show-if, and every result computation."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from consultations import domain
from consultations.domain import OTHER, Form, Person, QuestionSpec
from consultations.models import Audience, Phase, QuestionKind
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


def test_counts_and_percentages() -> None:
    q = QUESTIONS[1]
    result = domain.choice_counts(q, [[21], [21, 22], [23]])
    assert result["answered"] == 3
    assert [(o["id"], o["count"], o["percent"]) for o in result["options"]] == [
        (21, 2, 66.7),
        (22, 1, 33.3),
        (23, 1, 33.3),
    ]


def test_borda_mean_rank_and_condorcet_on_a_known_profile() -> None:
    # 3 voters a>b>c, 2 voters b>c>a, 2 voters c>a>b: a Condorcet cycle, Borda a=8 b=7 c=6
    rankings = [[1, 2, 3]] * 3 + [[2, 3, 1]] * 2 + [[3, 1, 2]] * 2
    result = domain.ranking_results([1, 2, 3], rankings)
    assert [(o["id"], o["borda"]) for o in result["options"]] == [(1, 8), (2, 7), (3, 6)]
    assert result["condorcet_winner"] is None
    assert result["options"][0]["mean_rank"] == pytest.approx(1 + 6 / 7, abs=0.01)
    # add two a>c>b: a beats b 7-4... and c 7-4
    result = domain.ranking_results([1, 2, 3], rankings + [[1, 3, 2]] * 2)
    assert result["condorcet_winner"] == 1


def test_condorcet_winner_can_differ_from_the_borda_winner() -> None:
    # 3: a>b>c, 2: b>c>a: a is the Condorcet winner (3-2 against b and c), b has more Borda points
    result = domain.ranking_results([1, 2, 3], [[1, 2, 3]] * 3 + [[2, 3, 1]] * 2)
    assert result["condorcet_winner"] == 1
    assert result["options"][0]["id"] == 2 and result["options"][0]["borda"] == 7


def test_ranking_matches_pref_voting_on_random_profiles() -> None:
    pytest.importorskip("pref_voting", reason="pref_voting is a dev extra")
    from pref_voting.profiles import Profile

    generator = random.Random(6)
    for _ in range(30):
        m = generator.randint(2, 5)
        options = list(range(m))
        rankings = [generator.sample(options, m) for _ in range(generator.randint(1, 12))]
        result = domain.ranking_results(
            [o + 100 for o in options], [[o + 100 for o in r] for r in rankings]
        )
        profile = Profile(rankings)
        assert {o["id"] - 100: o["borda"] for o in result["options"]} == profile.borda_scores()
        expected = profile.condorcet_winner()
        assert result["condorcet_winner"] == (None if expected is None else expected + 100)


GRADES = len(domain.GRADES)


def dist(*grades: int) -> list[int]:
    counts = [0] * GRADES
    for grade in grades:
        counts[grade] += 1
    return counts


def test_majority_grade_is_the_lower_median() -> None:
    assert domain.majority_grade(dist(0, 1, 2, 4)) == 2  # even: the worse middle grade
    assert domain.majority_grade(dist(0, 1, 6)) == 1
    assert domain.majority_grade([0] * GRADES) is None


def test_majority_judgment_tie_breaks() -> None:
    # same majority grade (Bien): remove one Bien from each and compare again
    a, b = dist(0, 0, 2, 2, 5), dist(1, 2, 2, 2, 5)
    assert domain.majority_grade(a) == domain.majority_grade(b) == 2
    assert domain.compare_majority(a, b) == -1 and domain.compare_majority(b, a) == 1
    # a polarised option loses to a consensual one with the same majority grade
    polarised, consensual = dist(0, 0, 2, 5, 5), dist(1, 2, 2, 2, 5)
    assert domain.compare_majority(consensual, polarised) == -1
    # a perfect tie stays a tie: no winner
    result = domain.majority_results([1, 2], [{1: 2, 2: 2}, {1: 3, 2: 3}])
    assert result["winner"] is None and [o["rank"] for o in result["options"]] == [1, 1]
    # a better majority grade wins whatever the extremes
    result = domain.majority_results(
        [1, 2], [{1: 1, 2: 0}, {1: 1, 2: 0}, {1: 1, 2: 6}, {1: 6, 2: 6}, {1: 1, 2: 6}]
    )
    assert result["winner"] == 1
    assert result["options"][0]["distribution"] == dist(1, 1, 1, 1, 6)


def test_majority_judgment_agrees_with_pref_voting() -> None:
    pytest.importorskip("pref_voting", reason="pref_voting is a dev extra")
    from pref_voting.grade_methods import majority_judgement
    from pref_voting.grade_profiles import GradeProfile

    generator = random.Random(7)
    checked = 0
    for _ in range(40):
        options = [0, 1, 2]
        gradings = [
            {o: generator.choice([1, 2, 3, 4]) for o in options}
            for _ in range(generator.randint(1, 9))
        ]
        result = domain.majority_results(options, gradings)
        # pref_voting grades: higher is better
        profile = GradeProfile(
            [{o: 6 - g for o, g in grading.items()} for grading in gradings], list(range(7))
        )
        winners = majority_judgement(profile)
        # pref_voting breaks ties with the majority gauge (shares above and below the majority
        # grade); we use the full majority value (remove the majority grade and compare again),
        # which refines it: the same winner when the gauge decides, one of its tied ones if not
        if len(winners) == 1:
            assert result["winner"] == winners[0]
            checked += 1
        else:
            assert result["winner"] is None or result["winner"] in winners
    assert checked > 10


def test_number_statistics() -> None:
    stats = domain.number_stats([1, 2, 3, 4, 100])
    assert stats["median"] == 3 and stats["mean"] == 22 and stats["min"] == 1
    assert domain.number_stats([])["mean"] is None


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
