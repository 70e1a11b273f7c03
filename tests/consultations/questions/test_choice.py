"""Single and multiple choice questions (consultations/questions/_choice.py), without HTTP."""

from __future__ import annotations

import random

from consultations.models import QuestionKind
from consultations.questions import OTHER, Export, Form, QuestionSpec
from consultations.questions._choice import choice_counts
from consultations.questions.multiple import KIND as MULTIPLE
from consultations.questions.single import KIND as SINGLE

K = QuestionKind
ONE = QuestionSpec(1, K.SINGLE, "Venez-vous ?", options=(11, 12), allow_other=True)
SEVERAL = QuestionSpec(2, K.MULTIPLE, "Quoi ?", options=(21, 22, 23), min_choices=1, max_choices=2)
SEVERAL_OTHER = QuestionSpec(3, K.MULTIPLE, "Et ?", options=(31, 32), allow_other=True)


def test_counts_and_percentages() -> None:
    result = choice_counts(SEVERAL, [[21], [21, 22], [23]])
    assert result["answered"] == 3
    assert [(o["id"], o["count"], o["percent"]) for o in result["options"]] == [
        (21, 2, 66.7),
        (22, 1, 33.3),
        (23, 1, 33.3),
    ]


def test_single_choice_reads_the_first_option_only() -> None:
    value, other, problems = SINGLE.parse(ONE, Form([("q1", "12"), ("q1", "11")]))
    assert (value, other, problems) == ([12], None, [])
    assert SINGLE.parse(ONE, Form([("q1", " ")])) == (None, None, [])
    _value, _other, problems = SINGLE.parse(ONE, Form([("q1", "onze")]))
    assert [p.message for p in problems] == ["This choice is not offered."]


def test_a_text_in_the_other_field_ticks_other_for_multiple_choice_only() -> None:
    value, other, _ = MULTIPLE.parse(SEVERAL_OTHER, Form([("q3", "31"), ("q3-other", " vélo ")]))
    assert value == [31, OTHER] and other == "vélo"
    value, other, _ = SINGLE.parse(ONE, Form([("q1", "11"), ("q1-other", "vélo")]))
    assert value == [11] and other is None


def test_choice_problems() -> None:
    assert [p.field for p in SINGLE.problems(ONE, [99], {})] == ["q1"]
    assert [p.field for p in SINGLE.problems(ONE, [OTHER], {1: " "})] == ["q1-other"]
    too_long = SINGLE.problems(ONE, [OTHER], {1: "x" * 201})
    assert [(p.message, p.values) for p in too_long] == [
        ("Write at most {n} characters.", {"n": 200})
    ]
    assert SINGLE.problems(ONE, [OTHER], {1: "x" * 200}) == []


def test_multiple_choice_bounds() -> None:
    assert [p.message for p in MULTIPLE.problems(SEVERAL, [21, 22, 23], {})] == [
        "Choose at most {n} answers (you chose {count})."
    ]
    assert MULTIPLE.problems(SEVERAL, [21, 22], {}) == []
    at_least_two = QuestionSpec(4, K.MULTIPLE, options=(1, 2, 3), min_choices=2, max_choices=1)
    assert [p.message for p in MULTIPLE.problems(at_least_two, [1], {})] == [
        "Choose at least {n} answers (you chose {count})."
    ]
    assert [p.field for p in MULTIPLE.setting_problems(at_least_two)] == ["max_choices"]
    assert [p.field for p in SINGLE.setting_problems(QuestionSpec(5, K.SINGLE, options=(1,)))] == [
        "options"
    ]


def test_choice_storage_tally_and_exports() -> None:
    assert SINGLE.stored(ONE, [OTHER], {1: " à pied "}) == {"1": [0], "1-other": "à pied"}
    tally = SINGLE.tally(ONE)
    batch = [{"1": [11]}, {"1": [OTHER], "1-other": "à pied"}, {}]
    tally.add([r.get("1") for r in batch], batch)
    item = tally.result(2, lambda qid, text: True)
    assert [(o["id"], o["count"]) for o in item["options"]] == [(11, 1), (12, 0), (OTHER, 1)]
    assert item["others"] == {"count": 1, "approved": ["à pied"]}
    labels = {11: "Oui", 12: "Non", OTHER: "Autre"}
    assert SINGLE.result_rows(item, Export(ONE, labels))[0] == ("Oui", "count", 1, 50.0)
    stored = {"1": [OTHER], "1-other": "à pied"}
    assert (
        SINGLE.response_cell([11, OTHER], stored, Export(ONE, labels, lambda t: True))
        == "Oui | à pied"
    )
    assert SINGLE.response_cell([OTHER], stored, Export(ONE, labels)) == "Autre"


def test_choice_samples_are_offered_options() -> None:
    rng = random.Random(1)
    assert [v for _n, v in SINGLE.sample("q1", [11, 12], rng)] in (["11"], ["12"])
    chosen = MULTIPLE.sample("q2", [21, 22, 23], rng)
    assert 1 <= len(chosen) <= 2 and {n for n, _v in chosen} == {"q2"}
