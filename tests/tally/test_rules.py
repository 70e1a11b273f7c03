"""The tally rules on small elections whose outcome is worked out by hand."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from tally import RULES, pabulib, tally
from tally.election import Ballot, Election, ElectionError, Project, VoteType
from tests.tally.reference import reference_mes


def election(
    costs: dict[str, int],
    ballots: list[list[str]],
    budget: int,
    kind: VoteType = VoteType.APPROVAL,
    points: list[list[int]] | None = None,
    threshold: int | None = None,
) -> Election:
    return Election(
        projects=tuple(Project(id=i, cost=c) for i, c in costs.items()),
        ballots=tuple(
            Ballot(
                voter_id=str(n),
                choices=tuple(b),
                points=tuple(points[n]) if points is not None else None,
            )
            for n, b in enumerate(ballots)
        ),
        budget=budget,
        kind=kind,
        min_project_score_threshold=threshold,
    )


def test_the_rules_are_registered() -> None:
    assert set(RULES) == {"greedy", "greedy-no-skip", "greedy-threshold", "equal-shares"}


def test_unknown_rule_is_a_clear_error() -> None:
    with pytest.raises(ElectionError, match="unknown rule"):
        tally(election({"a": 1}, [["a"]], 1), "majority")


def test_greedy_skips_what_does_not_fit() -> None:
    e = election({"a": 60, "b": 50, "c": 30}, [["a", "b", "c"], ["a", "b"], ["a"]], 100)
    outcome = tally(e, "greedy")
    assert outcome.selected == ("a", "c")
    assert outcome.cost == 90 and outcome.budget == 100 and outcome.voters == 3
    b = outcome.explanation("b")
    assert (b.reason, b.rank, b.score, b.selected) == ("does-not-fit", 2, 2, False)
    assert outcome.explanation("a").order == 1 and outcome.explanation("c").order == 2
    assert outcome.explanation("c").budget_left == Fraction(10)


def test_greedy_no_skip_stops_at_the_first_that_does_not_fit() -> None:
    e = election({"a": 60, "b": 50, "c": 30}, [["a", "b", "c"], ["a", "b"], ["a"]], 100)
    outcome = tally(e, "greedy-no-skip")
    assert outcome.selected == ("a",)
    assert outcome.explanation("b").reason == "does-not-fit"
    assert outcome.explanation("c").reason == "stopped"


def test_greedy_threshold_ignores_projects_below_it() -> None:
    e = election(
        {"a": 60, "b": 50, "c": 30}, [["a", "b"], ["a", "b"], ["a", "c"]], 100, threshold=2
    )
    outcome = tally(e, "greedy-threshold")
    assert outcome.selected == ("a",)
    assert outcome.explanation("c").reason == "below-threshold"
    assert tally(e, "greedy").selected == ("a", "c")  # plain greedy has no threshold


def test_exact_fit_at_the_budget_boundary() -> None:
    e = election({"a": 40, "b": 60, "c": 1}, [["a", "b", "c"], ["a", "b"]], 100)
    assert tally(e, "greedy").selected == ("a", "b")
    assert tally(e, "greedy").cost == 100


def test_ties_higher_score_then_lower_cost_then_numeric_id() -> None:
    e = election({"10": 5, "9": 5, "2": 3, "1": 3}, [["10", "9", "2", "1"]], 100)
    order = [x.project_id for x in tally(e, "greedy").explanations]
    assert order == ["1", "2", "9", "10"]  # equal scores; cost 3 first; ids as numbers


def test_ties_with_text_ids_compare_as_text() -> None:
    e = election({"b10": 5, "b9": 5}, [["b10", "b9"]], 5)
    assert tally(e, "greedy").selected == ("b10",)


def test_projects_without_support_are_never_selected() -> None:
    e = election({"a": 10, "z": 0}, [["a"]], 100)
    outcome = tally(e, "greedy")
    assert outcome.selected == ("a",)
    assert outcome.explanation("z").reason == "no-support"


def test_cumulative_scores_add_points() -> None:
    e = election(
        {"a": 50, "b": 50}, [["a", "b"], ["b"]], 50, VoteType.CUMULATIVE, points=[[5, 1], [3]]
    )
    outcome = tally(e, "greedy")
    assert outcome.selected == ("a",)
    assert outcome.explanation("a").score == 5 and outcome.explanation("b").score == 4


def test_ordinal_counts_every_ranked_project() -> None:
    e = election({"a": 50, "b": 50}, [["a", "b"], ["b", "a"], ["b"]], 50, VoteType.ORDINAL)
    assert tally(e, "greedy").selected == ("b",)


def test_equal_shares_example() -> None:
    # 4 voters, budget 120, share 30 each. b (60, 2 voters) costs 30 each; a (90, 3 voters)
    # costs 30 each too but rho = 30/90 < 30/60, so a first; then b's voters have 0 and 30.
    e = election({"a": 90, "b": 60, "c": 30}, [["a", "b"], ["a", "b"], ["a"], ["c"]], 120)
    outcome = tally(e, "equal-shares", completion="none")
    assert outcome.selected == ("a", "c")
    assert outcome.explanation("a").price == 30 and outcome.explanation("a").supporters == 3
    assert outcome.explanation("b").reason == "not-affordable"
    assert outcome.options["utility"] == "cost"


def test_equal_shares_cardinality_prefers_cheap_projects() -> None:
    e = election({"a": 90, "b": 30}, [["a", "b"], ["a", "b"], ["a"]], 90)
    assert tally(e, "equal-shares", utility="cardinality", completion="none").selected == ("b",)
    assert tally(e, "equal-shares", completion="none").selected == ("a",)


def test_equal_shares_capped_voters_pay_what_they_have() -> None:
    # cardinality: c (rho 5) before a (rho 6); voter 0 spends 5 on c, keeps 5;
    # then a (12) is paid 5 by voter 0 (all they have) and 7 by voter 1
    e = election({"c": 5, "a": 12}, [["c", "a"], ["a"]], 20)
    outcome = tally(e, "equal-shares", utility="cardinality", completion="none")
    assert outcome.selected == ("c", "a")
    assert outcome.explanation("a").price == 7 and outcome.explanation("a").supporters == 2


def test_add1_raises_the_share_until_the_budget_is_reached() -> None:
    e = election({"a": 60, "b": 50}, [["a"], ["a"], ["b"], ["b"]], 110)
    # share 27.5: neither a (30 each) nor b (25 each) first? b costs 25 each: affordable.
    plain = tally(e, "equal-shares", completion="none")
    assert plain.selected == ("b",)
    completed = tally(e, "equal-shares")
    assert set(completed.selected) == {"a", "b"} and completed.cost == 110
    assert completed.explanation("a").reason == "completion"


@pytest.mark.parametrize("seed", range(60))
@pytest.mark.parametrize("utility", ["cost", "cardinality"])
def test_equal_shares_matches_the_reference(seed: int, utility: str) -> None:
    rng = random.Random(seed)
    projects = {
        str(i): rng.choice([0, 1, 2, 3, 5, 8, 10, 20, 40]) for i in range(rng.randint(1, 7))
    }
    ballots = [
        rng.sample(sorted(projects), rng.randint(0, len(projects)))
        for _ in range(rng.randint(1, 12))
    ]
    budget = rng.randint(0, 60)
    e = election(projects, ballots, budget)
    for completion in ("none", "add1"):
        outcome = tally(e, "equal-shares", utility=utility, completion=completion)
        assert list(outcome.selected) == reference_mes(e, utility, completion), completion
        assert outcome.cost <= budget


def test_wrong_options_are_clear_errors() -> None:
    e = election({"a": 1}, [["a"]], 1)
    with pytest.raises(ElectionError, match="utility"):
        tally(e, "equal-shares", utility="happiness")
    with pytest.raises(ElectionError, match="completion"):
        tally(e, "equal-shares", completion="add2")
    with pytest.raises(ElectionError, match="unknown project"):
        tally(election({"a": 1}, [["b"]], 1), "greedy")


def test_empty_election() -> None:
    e = election({"a": 1}, [], 10)
    for rule in RULES:
        assert tally(e, rule).selected == ()


def test_the_engine_imports_without_the_web_stack() -> None:
    """The engine boundary: `tally` and every module of it load neither Tortoise nor Starlette,
    no feature (budgets...), and of the core only the pure CSV writer and the open licence's
    constants it writes (`participation` itself is a docstring and a version)."""
    import subprocess
    import sys

    code = (
        "import sys, pkgutil, importlib, tally, tally.rules; tally.RULES; "
        "[importlib.import_module(m.name) for p in (tally, tally.rules) "
        "for m in pkgutil.iter_modules(p.__path__, p.__name__ + '.')]; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('tortoise', 'starlette', 'jinja2', 'redis', 'arq', 'participation', 'budgets', "
        "'consultations', 'moderation', 'indicators', 'followup')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == (
        "['participation', 'participation.licence', 'participation.spreadsheet']"
    ), result.stderr


def test_projects_and_explanations_are_whole_dataclass_instances() -> None:
    """Built without their `__init__` (issue #23): every field set, in order, equal to what the
    constructor gives."""
    from dataclasses import fields, replace

    election = pabulib.loads(
        "META\nkey;value\nbudget;100\nPROJECTS\nproject_id;cost;name\n1;60;Parc\n2;50;x\n"
        "3;30;y\nVOTES\nvoter_id;vote\na;1,2\nb;1,3\nc;3\n"
    )
    built = list(election.projects)
    for rule in ("greedy", "equal-shares"):
        built += tally(election, rule).explanations
    for item in built:
        # what frozen_instance assumes of the class: no __post_init__ to skip, a __dict__
        assert not hasattr(type(item), "__post_init__") and "__slots__" not in vars(type(item))
        assert list(vars(item)) == [f.name for f in fields(item)]
        assert replace(item) == item and hash(replace(item)) == hash(item)
