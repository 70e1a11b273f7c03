"""Scale and number questions (consultations/questions/scale.py, number.py), without HTTP."""

from __future__ import annotations

from consultations.models import QuestionKind, ScaleStyle
from consultations.questions import Export, Form, QuestionSpec
from consultations.questions.number import KIND as NUMBER
from consultations.questions.number import number_stats
from consultations.questions.scale import KIND as SCALE
from consultations.questions.scale import agreement_labels, scale_counts, scale_label

POINTS = QuestionSpec(4, QuestionKind.SCALE, "Note", scale_style=ScaleStyle.AGREEMENT)
HOW_MANY = QuestionSpec(6, QuestionKind.NUMBER, "Combien ?", min_value=0, max_value=10)


def test_number_statistics() -> None:
    stats = number_stats([1, 2, 3, 4, 100])
    assert stats["median"] == 3 and stats["mean"] == 22 and stats["min"] == 1
    assert number_stats([])["mean"] is None


def test_numbers_are_read_the_french_way_and_checked_against_the_bounds() -> None:
    assert NUMBER.parse(HOW_MANY, Form([("q6", "3,5")])) == (3.5, None, [])
    assert NUMBER.parse(HOW_MANY, Form([("q6", "1\u202f000")])) == (1000, None, [])
    for raw in ("onze", "nan", "inf"):
        _value, _other, problems = NUMBER.parse(HOW_MANY, Form([("q6", raw)]))
        assert [p.message for p in problems] == ["Enter a number, like 12 or 3,5."]
    assert [p.values for p in NUMBER.problems(HOW_MANY, 11, {})] == [{"n": 10}]
    assert [p.values for p in NUMBER.problems(HOW_MANY, -1, {})] == [{"n": 0}]
    backwards = QuestionSpec(7, QuestionKind.NUMBER, min_value=5, max_value=1)
    assert [p.field for p in NUMBER.setting_problems(backwards)] == ["max_value"]


def test_number_tally_and_exports() -> None:
    tally = NUMBER.tally(HOW_MANY)
    tally.add([1, None, 3], [{}, {}, {}])
    item = tally.result(2, None)
    assert item == number_stats([1, 3])
    rows = NUMBER.result_rows(item, Export(HOW_MANY))
    assert [r[1] for r in rows] == ["min", "q1", "median", "mean", "q3", "max"]
    assert NUMBER.response_cell(3.5, {}, Export(HOW_MANY)) == "3.5"


def test_scale_points() -> None:
    assert SCALE.parse(POINTS, Form([("q4", "4")])) == (4, None, [])
    _value, _other, problems = SCALE.parse(POINTS, Form([("q4", "quatre")]))
    assert [p.message for p in problems] == ["Choose a point on the scale."]
    assert [p.field for p in SCALE.problems(POINTS, 6, {})] == ["q4"]
    assert SCALE.problems(POINTS, 5, {}) == []


def test_scale_tally_labels_and_exports() -> None:
    tally = SCALE.tally(POINTS)
    tally.add([5, 3, None], [{}, {}, {}])
    item = tally.result(2, None)
    assert item == scale_counts([5, 3]) and item["mean"] == 4
    assert scale_label(POINTS, 1) == agreement_labels()[0]
    numeric = QuestionSpec(8, QuestionKind.SCALE)
    assert scale_label(numeric, 1) == "1"
    rows = SCALE.result_rows(item, Export(POINTS))
    assert rows[-1] == ("", "mean", 4, "") and rows[2] == (agreement_labels()[2], "count", 1, 50.0)
