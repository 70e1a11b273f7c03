"""Equal shares decides on floats first: these elections make floats lie, the outcome must not.

The engine (tally/rules/_mes_run.py) compares prices as floats when their proven error bound
settles the comparison, and exactly otherwise; add1 skips shares by float distances that must
never overshoot. Every case is checked against the one-voter-at-a-time exact reference.
"""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from tally.election import Election, Outcome
from tally.rules.equal_shares import EqualShares
from tests.tally.data import approval_election
from tests.tally.reference import reference_mes, reference_mes_with_share

HUGE = 10**17  # floats cannot tell 10**17 from 10**17 + 1
# both engines of a run (plain Python for small elections, numpy for large ones), forced
ENGINES = [EqualShares(engine="python"), EqualShares(engine="numpy")]


def tally(election: Election, rule: str, *, utility: str, completion: str) -> list[Outcome]:
    """The outcome of each engine; they must be the same."""
    assert rule == "equal-shares"
    outcomes = [
        engine.tally(election, utility=utility, completion=completion) for engine in ENGINES
    ]
    assert outcomes[0] == outcomes[1]
    return outcomes


def test_a_price_lower_by_one_in_ten_to_the_seventeen_wins() -> None:
    # cardinality: project 0 costs 2·10**17 + 2 for two supporters (10**17 + 1 each), project 1
    # costs 10**17 for one. As floats the prices are equal and the tie order (score) would
    # pick 0; exactly, 1 is cheaper and then 0 is out of reach.
    election = approval_election([2 * HUGE + 2, HUGE], [[0, 1], [0]], 2 * HUGE + 2)
    for outcome in tally(election, "equal-shares", utility="cardinality", completion="none"):
        assert outcome.selected == ("1",)
        assert outcome.explanation("1").price == HUGE
        assert list(outcome.selected) == reference_mes(election, "cardinality", "none")


@st.composite
def near_ties(draw: st.DrawFn, scale: int) -> Election:
    """Costs and budget `scale * small + tiny`: at a huge scale, prices differ past floats."""
    count = draw(st.integers(1, 5))
    costs = [
        max(0, scale * draw(st.integers(0, 6)) + draw(st.integers(-2, 2))) for _ in range(count)
    ]
    voters = draw(
        st.lists(st.lists(st.integers(0, count - 1), unique=True, max_size=count), max_size=9)
    )
    # repeated ballots make groups with weights, as in real files
    ballots = [b for b in voters for _ in range(draw(st.integers(1, 3)))]
    budget = scale * draw(st.integers(0, 15)) + draw(st.integers(0, 3))
    return approval_election(costs, ballots, budget)


@settings(max_examples=300, deadline=None)
@given(near_ties(HUGE), st.sampled_from(["cost", "cardinality"]))
@example(approval_election([2 * HUGE + 2, HUGE], [[0, 1], [0]], 2 * HUGE + 2), "cardinality")
def test_near_ties_beyond_float_precision_match_the_reference(
    election: Election, utility: str
) -> None:
    for outcome in tally(election, "equal-shares", utility=utility, completion="none"):
        assert list(outcome.selected) == reference_mes(election, utility, "none")


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([1, 3, 10]).flatmap(near_ties), st.sampled_from(["cost", "cardinality"]))
# add1 jumps from the first share (82/5) past 182/5, where the outcome is still the same
@example(approval_election([34, 51, 2, 37], [[], [], [0, 3, 1, 2], [0, 2], [0, 1]], 82), "cost")
def test_add1_never_skips_a_share_where_the_outcome_changes(
    election: Election, utility: str
) -> None:
    for completion in ("none", "add1"):
        selected, share = reference_mes_with_share(election, utility, completion)
        for outcome in tally(election, "equal-shares", utility=utility, completion=completion):
            assert list(outcome.selected) == selected, completion
            # the run kept is the last one that fits, as when trying every unit (its prices)
            assert outcome.options["share"] == str(share), completion
