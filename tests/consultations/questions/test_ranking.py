"""Ranking questions (consultations/questions/ranking.py), without HTTP."""

from __future__ import annotations

import random

import pytest

from consultations.models import QuestionKind
from consultations.questions import Export, Form, QuestionSpec
from consultations.questions.ranking import KIND as RANKING
from consultations.questions.ranking import ranking_results

Q = QuestionSpec(3, QuestionKind.RANKING, "Ordre", options=(31, 32, 33))


def test_borda_mean_rank_and_condorcet_on_a_known_profile() -> None:
    # 3 voters a>b>c, 2 voters b>c>a, 2 voters c>a>b: a Condorcet cycle, Borda a=8 b=7 c=6
    rankings = [[1, 2, 3]] * 3 + [[2, 3, 1]] * 2 + [[3, 1, 2]] * 2
    result = ranking_results([1, 2, 3], rankings)
    assert [(o["id"], o["borda"]) for o in result["options"]] == [(1, 8), (2, 7), (3, 6)]
    assert result["condorcet_winner"] is None
    assert result["options"][0]["mean_rank"] == pytest.approx(1 + 6 / 7, abs=0.01)
    # add two a>c>b: a beats b 7-4... and c 7-4
    result = ranking_results([1, 2, 3], rankings + [[1, 3, 2]] * 2)
    assert result["condorcet_winner"] == 1


def test_condorcet_winner_can_differ_from_the_borda_winner() -> None:
    # 3: a>b>c, 2: b>c>a: a is the Condorcet winner (3-2 against b and c), b has more Borda points
    result = ranking_results([1, 2, 3], [[1, 2, 3]] * 3 + [[2, 3, 1]] * 2)
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
        result = ranking_results(
            [o + 100 for o in options], [[o + 100 for o in r] for r in rankings]
        )
        profile = Profile(rankings)
        assert {o["id"] - 100: o["borda"] for o in result["options"]} == profile.borda_scores()
        expected = profile.condorcet_winner()
        assert result["condorcet_winner"] == (None if expected is None else expected + 100)


def test_ranks_become_the_options_best_first() -> None:
    form = Form([("q3-o31", "2"), ("q3-o32", "1"), ("q3-o33", "3")])
    assert RANKING.parse(Q, form) == ([32, 31, 33], None, [])
    assert RANKING.parse(Q, Form([])) == (None, None, [])
    value, _other, problems = RANKING.parse(Q, Form([("q3-o31", "1"), ("q3-o32", "1")]))
    assert value == [] and [p.values for p in problems] == [{"n": 3}]
    _value, _other, problems = RANKING.parse(Q, Form([("q3-o99", "1")]))  # a forged option
    assert [p.message for p in problems] == ["This choice is not offered."]
    assert [p.field for p in RANKING.problems(Q, [31, 32], {})] == ["q3"]
    assert RANKING.problems(Q, [33, 31, 32], {}) == []


def test_ranking_tally_and_exports() -> None:
    tally = RANKING.tally(Q)
    column = [[31, 32, 33], [31, 33, 32], None]
    tally.add(column, [{}, {}, {}])
    item = tally.result(2, None)
    assert item == ranking_results([31, 32, 33], [[31, 32, 33], [31, 33, 32]])
    labels = {31: "a", 32: "b", 33: "c"}
    rows = RANKING.result_rows(item, Export(Q, labels))
    assert rows[0] == ("a", "borda", 4, "") and rows[-1] == ("a", "condorcet_winner", "", "")
    assert RANKING.response_cell([32, 31, 33], {}, Export(Q, labels)) == "b > a > c"
    sample = RANKING.sample("q3", [31, 32, 33], random.Random(2))
    assert sorted(v for _n, v in sample) == ["1", "2", "3"]
