"""Properties of the rules on random small elections (hypothesis)."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from tally import RULES, tally
from tally.election import Ballot, Election, Project
from tally.rules import equal_shares


@st.composite
def elections(draw: st.DrawFn) -> Election:
    count = draw(st.integers(1, 6))
    costs = draw(st.lists(st.integers(0, 50), min_size=count, max_size=count))
    projects = tuple(Project(id=str(i), cost=c) for i, c in enumerate(costs))
    ids = [p.id for p in projects]
    ballots = draw(
        st.lists(st.lists(st.sampled_from(ids), unique=True, max_size=count), max_size=10)
    )
    return Election(
        projects=projects,
        ballots=tuple(Ballot(voter_id=str(n), choices=tuple(b)) for n, b in enumerate(ballots)),
        budget=draw(st.integers(0, 120)),
        min_project_score_threshold=draw(st.none() | st.integers(0, 4)),
    )


@settings(max_examples=150, deadline=None)
@given(elections(), st.sampled_from(sorted(RULES)), st.sampled_from(["add1", "none"]))
def test_the_budget_is_never_exceeded(election: Election, rule: str, completion: str) -> None:
    outcome = tally(election, rule, completion=completion)
    assert outcome.cost <= election.budget
    assert len(set(outcome.selected)) == len(outcome.selected)


@settings(max_examples=150, deadline=None)
@given(elections())
def test_greedy_takes_a_project_whenever_it_fits(election: Election) -> None:
    outcome = tally(election, "greedy")
    left = Fraction(election.budget)
    costs = {p.id: p.cost for p in election.projects}
    for item in outcome.explanations:  # in tie order
        if item.supporters == 0:
            assert not item.selected
            continue
        assert item.selected == (costs[item.project_id] <= left)
        if item.selected:
            left -= costs[item.project_id]


@settings(max_examples=150, deadline=None)
@given(elections(), st.sampled_from(["cost", "cardinality"]))
def test_equal_shares_never_charges_a_voter_more_than_their_share(
    election: Election, utility: str
) -> None:
    outcome = tally(election, "equal-shares", utility=utility, completion="none")
    share = Fraction(election.budget, len(election.ballots)) if election.ballots else 0
    spent = dict.fromkeys(range(len(election.ballots)), Fraction(0))
    # each supporter pays the price, or what is left of their share when it is less: so no
    # voter pays more than their share, and the rule is right only if that covers the cost
    for project_id in outcome.selected:
        price = outcome.explanation(project_id).price or Fraction(0)
        for n, ballot in enumerate(election.ballots):
            if project_id in ballot.choices:
                spent[n] += min(price, share - spent[n])
    costs = {p.id: p.cost for p in election.projects}
    assert sum(spent.values()) == sum(costs[i] for i in outcome.selected)


@settings(max_examples=100, deadline=None)
@given(elections(), st.randoms(use_true_random=False), st.sampled_from(sorted(RULES)))
def test_results_do_not_depend_on_the_order_of_ballots(
    election: Election, random, rule: str
) -> None:
    shuffled = list(election.ballots)
    random.shuffle(shuffled)
    other = Election(
        projects=election.projects,
        ballots=tuple(shuffled),
        budget=election.budget,
        min_project_score_threshold=election.min_project_score_threshold,
    )
    assert tally(other, rule).selected == tally(election, rule).selected


def test_equal_shares_module_is_the_registered_rule() -> None:
    assert RULES["equal-shares"] is equal_shares.RULE
