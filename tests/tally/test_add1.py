"""add1 as the cities ran it: raise every voter's share by one unit at a time and stop only when
the next outcome exceeds the budget (issue #15).

The outcome of equal shares is not monotone in the share: at some share no supported project
still fits, and a later share gives a different, costlier outcome that fits. The completion
must not stop at the first of these (it did). Both engines (plain Python and numpy) are
compared with the plain loop of `tests/tally/reference.py` on elections built around
that pattern.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import example, given, settings
from hypothesis import strategies as st

from tally.election import Election, check
from tally.rules.equal_shares import EqualShares, _groups, _run
from tests.tally.data import approval_election
from tests.tally.reference import reference_mes_with_share

ENGINES = [EqualShares(engine="python"), EqualShares(engine="numpy")]


def _stops_early(election: Election, utility: str) -> bool:
    """Does the old stop ("no supported project still fits") keep another outcome than the
    plain loop? (Runs at share `s` are the plain rule with a budget of `s` per voter.)"""
    costs = {p.id: p.cost for p in election.projects}
    voters = len(election.ballots)

    def run(share: Fraction) -> list[str]:
        total = share * voters
        at = Election(
            projects=election.projects,
            ballots=election.ballots,
            budget=int(total),
            meta={"budget": str(total)},
        )
        return reference_mes_with_share(at, utility, "none")[0]

    supported = {c for b in election.ballots for c in b.choices}
    share = Fraction(election.budget, voters)
    outcome = run(share)
    while True:
        left = election.budget - sum(costs[c] for c in outcome)
        if all(c in outcome or costs[c] > left for c in supported):
            break
        following = run(share + 1)
        if sum(costs[c] for c in following) > election.budget:
            break
        outcome, share = following, share + 1
    return outcome != reference_mes_with_share(election, utility, "add1")[0]


def test_a_share_where_nothing_fits_is_not_the_end() -> None:
    # budget 10, share 5/2: project 0 (8) is out of reach of its 3 supporters (15/2), project 1
    # (4) is paid by 2; then nothing else fits (6 left). At a share of 9/2 project 0 is paid
    # first and fits alone (8); at 11/2 both are paid (12 > 10): the city funds project 0.
    election = approval_election([8, 4], [[0], [], [0, 1], [0, 1]], 10)
    for engine in ENGINES:
        outcome = engine.tally(election, utility="cost", completion="add1")
        assert outcome.selected == ("0",), engine.engine
        assert outcome.cost == 8
        assert outcome.options["share"] == "9/2"
        assert outcome.explanation("0").reason == "completion"
        assert outcome.explanation("1").reason == "not-affordable"
    assert reference_mes_with_share(election, "cost", "add1") == (["0"], Fraction(9, 2))


def test_when_everything_supported_fits_everything_is_selected() -> None:
    # nothing ever exceeds the budget (30 for 10 + 15): the loop is bounded by the share at
    # which nobody runs out of money (25), where both projects are selected
    election = approval_election([10, 15], [[0], [1], []], 30)
    for engine in ENGINES:
        outcome = engine.tally(election, utility="cost", completion="add1")
        assert set(outcome.selected) == {"0", "1"}, engine.engine
        assert outcome.options["share"] == "25"
    assert reference_mes_with_share(election, "cost", "add1") == (["0", "1"], Fraction(25))


@st.composite
def non_monotone(draw: st.DrawFn) -> Election:
    """A big project X and a cheap one Y that cannot both fit (x <= budget < x + y): at a low
    share Y is paid first and X is out of reach; at a higher share X wins and fits alone.
    Voters for X only, for both, for neither, and a few extra projects and ballots around it."""
    x = draw(st.integers(3, 40))
    y = draw(st.integers(1, x - 1))
    budget = draw(st.integers(x, x + y - 1))
    ballots = (
        [[0]] * draw(st.integers(1, 4))
        + [[0, 1]] * draw(st.integers(1, 4))
        + [[1]] * draw(st.integers(0, 1))
        + [[]] * draw(st.integers(0, 4))
    )
    extra = draw(st.lists(st.integers(1, x), max_size=2))
    costs = [x, y, *extra]
    for _ in range(draw(st.integers(0, 3))):
        ballots.append(draw(st.lists(st.integers(0, len(costs) - 1), unique=True, max_size=3)))
    order = draw(st.permutations(range(len(ballots))))
    return approval_election(costs, [ballots[i] for i in order], budget)


@settings(max_examples=300, deadline=None)
@given(non_monotone(), st.sampled_from(["cost", "cardinality"]))
@example(approval_election([8, 4], [[0], [], [0, 1], [0, 1]], 10), "cost")
@example(
    approval_election([3, 11, 2, 4], [[0, 3], [0, 1, 2], [0, 1], [0, 3], [0, 1, 2]], 19), "cost"
)
@example(approval_election([2, 4, 1, 12], [[1, 3], [], [3], [0, 2, 3]], 19), "cardinality")
@example(approval_election([10, 6, 3, 5], [[0, 1, 2], [0, 1, 3]], 20), "cardinality")
def test_add1_is_the_plain_loop_in_both_engines(election: Election, utility: str) -> None:
    selected, share = reference_mes_with_share(election, utility, "add1")
    outcomes = [engine.tally(election, utility=utility, completion="add1") for engine in ENGINES]
    assert outcomes[0] == outcomes[1]
    for outcome in outcomes:
        assert list(outcome.selected) == selected
        assert outcome.options["share"] == str(share)  # the run kept, with its prices
        assert outcome.cost <= election.budget


def test_the_strategy_does_build_non_monotone_elections() -> None:
    # the property above is only worth something if many of its elections need the later
    # shares: the old stop gives another outcome on these
    found = []

    # derandomized: the same 60 elections on every run (random draws found 3 on a CI run)
    @settings(max_examples=60, deadline=None, database=None, derandomize=True)
    @given(non_monotone())
    def collect(election: Election) -> None:
        found.append(_stops_early(election, "cost"))

    collect()
    assert sum(found) >= 5


@st.composite
def tied(draw: st.DrawFn) -> Election:
    """Projects with as many supporters each and nobody capped: their prices per unit of cost
    are 1 / supporters, equal at every share (ties that persist), under a budget that does not
    fund them all, so that add1 runs many shares."""
    per_project = draw(st.integers(1, 3))
    count = draw(st.integers(2, 5))
    costs = [draw(st.integers(1, 12)) for _ in range(count)]
    ballots: list[list[int]] = []
    for c in range(count):
        ballots.extend([[c]] * per_project)
    for _ in range(draw(st.integers(0, 3))):  # a few voters across projects
        ballots.append(draw(st.lists(st.integers(0, count - 1), unique=True, max_size=3)))
    budget = draw(st.integers(1, sum(costs)))
    return approval_election(costs, ballots, budget)


@settings(max_examples=200, deadline=None)
@given(tied(), st.sampled_from(["cost", "cardinality"]))
def test_add1_with_ties_that_persist_is_the_plain_loop(election: Election, utility: str) -> None:
    selected, share = reference_mes_with_share(election, utility, "add1")
    outcomes = [engine.tally(election, utility=utility, completion="add1") for engine in ENGINES]
    assert outcomes[0] == outcomes[1]
    for outcome in outcomes:
        assert list(outcome.selected) == selected
        assert outcome.options["share"] == str(share)


def test_a_tie_that_persists_does_not_stop_the_jump() -> None:
    # A (10) and B (11), two supporters each, both priced 1/2 per unit of cost at any share:
    # A wins on the tie order at every share. C (40), of all four, is out of reach until the
    # share is 10: the run at 6 may jump 4 shares (to 10), not 1 (issue #23: a budget of many
    # projects with few voters each ran add1 one unit at a time, 25 s for 1,500 ballots)
    election = approval_election([10, 11, 40], [[0, 2], [0, 2], [1, 2], [1, 2]], 24)
    counts = check(election)
    for engine in ("python", "numpy"):
        groups = _groups(election, {0, 1, 2}, counts, engine)
        run = _run([10, 11, 40], [10, 11, 40], groups, [0, 1, 2], [0, 1, 2], Fraction(6), True)
        assert [step.project for step in run.steps] == [0, 1]
        assert run.jump == 4
