"""Majority judgment questions (consultations/questions/majority.py), without HTTP."""

from __future__ import annotations

import random

import pytest

from consultations.models import QuestionKind
from consultations.questions import Export, Form, QuestionSpec
from consultations.questions.majority import (
    GRADES,
    KIND,
    compare_majority,
    grade_labels,
    majority_grade,
    majority_results,
)

Q = QuestionSpec(5, QuestionKind.MAJORITY, "Jugement", options=(51, 52))


def dist(*grades: int) -> list[int]:
    counts = [0] * len(GRADES)
    for grade in grades:
        counts[grade] += 1
    return counts


def test_majority_grade_is_the_lower_median() -> None:
    assert majority_grade(dist(0, 1, 2, 4)) == 2  # even: the worse middle grade
    assert majority_grade(dist(0, 1, 6)) == 1
    assert majority_grade([0] * len(GRADES)) is None


def test_majority_judgment_tie_breaks() -> None:
    # same majority grade (Bien): remove one Bien from each and compare again
    a, b = dist(0, 0, 2, 2, 5), dist(1, 2, 2, 2, 5)
    assert majority_grade(a) == majority_grade(b) == 2
    assert compare_majority(a, b) == -1 and compare_majority(b, a) == 1
    # a polarised option loses to a consensual one with the same majority grade
    polarised, consensual = dist(0, 0, 2, 5, 5), dist(1, 2, 2, 2, 5)
    assert compare_majority(consensual, polarised) == -1
    # a perfect tie stays a tie: no winner
    result = majority_results([1, 2], [{1: 2, 2: 2}, {1: 3, 2: 3}])
    assert result["winner"] is None and [o["rank"] for o in result["options"]] == [1, 1]
    # a better majority grade wins whatever the extremes
    result = majority_results(
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
        result = majority_results(options, gradings)
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


def test_grades_are_read_checked_and_stored_by_option() -> None:
    value, _other, problems = KIND.parse(Q, Form([("q5-o51", "0"), ("q5-o52", "6")]))
    assert value == {51: 0, 52: 6} and problems == []
    assert KIND.stored(Q, value, {}) == {"5": {"51": 0, "52": 6}}
    assert [p.message for p in KIND.problems(Q, {51: 0}, {})] == ["Grade every option."]
    assert [p.message for p in KIND.problems(Q, {51: 0, 52: 7}, {})] == [
        "This choice is not offered."
    ]
    _value, _other, problems = KIND.parse(Q, Form([("q5-o51", "bien")]))
    assert [p.message for p in problems] == ["This choice is not offered."]


def test_majority_tally_and_exports() -> None:
    tally = KIND.tally(Q)
    column = [{"51": 0, "52": 6}, {"51": 1, "52": 6}, None]
    tally.add(column, [{}, {}, {}])
    item = tally.result(2, None)
    assert item == majority_results([51, 52], [{51: 0, 52: 6}, {51: 1, 52: 6}])
    grades = grade_labels()
    labels = {51: "a", 52: "b"}
    rows = KIND.result_rows(item, Export(Q, labels))
    assert rows[0] == ("a", f"grade:{grades[0]}", 1, 50.0)
    assert ("a", "majority_grade", grades[1], "") in rows and ("b", "rank", 2, "") in rows
    assert KIND.response_cell({"52": 6, "51": 0}, {}, Export(Q, labels)) == (
        f"a: {grades[0]} | b: {grades[6]}"
    )
