"""`equal-shares`: the Method of Equal Shares (Peters & Skowron), exact.

Every voter starts with an equal share `e` of the budget. Round after round, the project that
its supporters can pay at the lowest price per unit of utility (`rho`) is selected; each
supporter pays `min(budget left, rho * utility)`. Utilities are the project's cost (`cost`, the
default) or 1 (`cardinality`). A round where no remaining project can be paid ends the rule.

Completion `add1` (Świecie 2023, Assen 2024): run again with `e + 1`, `e + 2`... until the
outcome exceeds the budget, and keep the last outcome that fits. No other stop: the outcome is
not monotone in the share, so a share where no supported project still fits may be followed by
a costlier outcome that fits (pabutools' `voter_budget_increment=1` stops there; the cities
did not). Bounded: from a share equal to the cost of every supported project, the outcome is
everything supported and no longer changes.

Exactness: every amount is a `Fraction`. Speed comes from three facts:
- voters with the same set of supported projects always hold the same budget: they are one
  group with a weight;
- a voter's budget only depends on which selected projects they support, so the supporters of
  a project fall into a few budget classes, kept as a histogram per project;
- during `add1` every amount is an affine function `a + b*e` of the share `e` as long as the
  decisions of the run (who pays fully, who pays what is left, which project wins each round,
  which projects are out) keep the sign of each comparison. The run records those comparisons
  as affine functions; the outcome cannot change before the first `e` where one of them
  reaches zero, so the completion jumps there instead of trying every unit in between.
  A comparison that is zero at `e` (a tie) makes the next run start at `e + 1`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from operator import itemgetter
from typing import TYPE_CHECKING

from tally.election import (
    BELOW_THRESHOLD,
    COMPLETION,
    COMPLETIONS,
    NO_SUPPORT,
    NOT_AFFORDABLE,
    SELECTED,
    UTILITIES,
    BallotCounts,
    Election,
    ElectionError,
    Outcome,
    Project,
    ProjectExplanation,
    VoteType,
    check,
    frozen_instance,
    scores,
    supported,
    supporter_counts,
    tie_order,
)
from tally.rules._mes_shared import Run, Step
from tally.rules._mes_small import SmallGroups, mes_run_small

if TYPE_CHECKING:
    from tally.rules._mes_run import Groups

ZERO = Fraction(0)
# Elections with at most this many (distinct ballot, supported project) pairs run in plain
# Python (`_mes_small`), larger ones with numpy (`_mes_run`): below it, numpy's fixed cost per
# call on small arrays is more than the work. Measured crossover on the synthetic ballots of
# bench/tally.py: 20,000 voters (50,000 pairs) 0.072 s Python, 0.064 s numpy; 5,000 voters
# (13,000 pairs) 0.031 s vs 0.042 s. Toulouse 2022 has 6,939 pairs, Wrocław 2015 197.
SMALL_PAIRS = 40_000
# With add1 the run is repeated (a hundred times and more over a big town's envelopes) and
# numpy's fixed cost is paid once per tally: numpy from this size on. Measured (issue #23,
# bigtown-like ballots, add1, CPU at load ~20): 10,000 pairs 1.12-1.29 s Python, 0.90-1.06 s
# numpy; 20,000 pairs 1.15-1.47 s vs 0.65-1.07 s. Toulouse 2022 (6,939 pairs) stays Python.
SMALL_PAIRS_ADD1 = 10_000
ENGINES = ("auto", "python", "numpy")


@dataclass(frozen=True)
class EqualShares:
    name: str = "equal-shares"
    # "auto": chosen by size (SMALL_PAIRS); the tests force "python" or "numpy" to compare them
    engine: str = "auto"

    def tally(
        self, election: Election, *, utility: str = "cost", completion: str = "add1"
    ) -> Outcome:
        if utility not in UTILITIES:
            raise ElectionError(f"unknown utility {utility!r} (cost or cardinality)")
        if completion not in COMPLETIONS:
            raise ElectionError(f"unknown completion {completion!r} (add1 or none)")
        if self.engine not in ENGINES:
            raise ElectionError(f"unknown engine {self.engine!r} (auto, python or numpy)")
        counts = check(election)
        projects = election.projects
        add1 = completion == "add1" and len(election.ballots) > 0
        small = SMALL_PAIRS_ADD1 if add1 else SMALL_PAIRS
        costs = [p.cost for p in projects]
        utilities = costs if utility == "cost" else [1] * len(projects)
        everyone = set(range(len(projects)))
        groups: Groups | SmallGroups | None = None
        # the score is the number of supporters, unless ballots give points (or ranks do)
        points_free = set(map(itemgetter(1), counts)) <= {None} and (
            election.rank_points is None or election.kind != VoteType.ORDINAL
        )
        if points_free:
            # without points the score is the number of supporters: read it off the groups
            groups = _groups(election, everyone, counts, self.engine, small)
            score = {p.id: groups.support[i] for i, p in enumerate(projects)}
        else:
            score = scores(election, counts)
        order = tie_order(election, score)
        position = {p.id: i for i, p in enumerate(order)}
        tie_rank = [position[p.id] for p in projects]
        threshold = election.min_project_score_threshold
        eligible = {
            i for i, p in enumerate(projects) if threshold is None or score[p.id] >= threshold
        }
        if groups is None or eligible != everyone:
            groups = _groups(election, eligible, counts, self.engine, small)
        candidates = sorted(eligible)
        budget = election.exact_budget
        voters = len(election.ballots)
        share = budget / voters if voters else ZERO
        first = _run(costs, utilities, groups, candidates, tie_rank, share, add1)
        run, final_share = first, share
        if add1:
            run, final_share = _add1(
                costs, utilities, groups, candidates, tie_rank, share, budget, first
            )
        # without points, a voter supports exactly the projects they score
        supporters = score if points_free else supporter_counts(election, counts)
        return _outcome(
            election,
            self.name,
            utility,
            completion,
            run,
            first,
            final_share,
            score,
            supporters,
            order,
        )


def _groups(
    election: Election,
    eligible: set[int],
    counts: BallotCounts,
    engine: str,
    small: int = SMALL_PAIRS,
) -> Groups | SmallGroups:
    """Voters with the same eligible supported projects always hold the same money; `small`:
    the most (ballot, project) pairs that the plain Python engine takes (`engine` "auto")."""
    pairs = sum(map(len, map(itemgetter(0), counts)))  # (ballot, project) pairs, at most
    if engine == "python" or (engine == "auto" and pairs <= small):
        return SmallGroups.of(counts, election.projects, eligible)
    # numpy (a third of the tally command's start-up) only for the elections that use it
    from tally.rules._mes_run import Groups

    lookup = {p.id: i for i, p in enumerate(election.projects)}.__getitem__
    everyone = len(eligible) == len(election.projects)
    merged: dict[tuple[int, ...], int] = {}
    get = merged.get
    for (choices, points), voters in counts.items():
        chosen = set(map(lookup, choices if points is None else supported(choices, points)))
        key = tuple(sorted(chosen if everyone else chosen & eligible))
        merged[key] = get(key, 0) + voters
    return Groups.of(merged, len(election.projects))


def _run(
    costs: list[int],
    utilities: list[int],
    groups: Groups | SmallGroups,
    candidates: list[int],
    tie_rank: list[int],
    e: Fraction,
    track: bool,
) -> Run:
    if isinstance(groups, SmallGroups):
        return mes_run_small(costs, utilities, groups, candidates, tie_rank, e, track)
    # imported with `Groups` by `_groups` when the election needed the numpy engine
    from tally.rules._mes_run import mes_run

    return mes_run(costs, utilities, groups, candidates, tie_rank, e, track)


def _cost(run: Run, costs: list[int]) -> int:
    return sum(costs[c] for c in run.free) + sum(costs[s.project] for s in run.steps)


def _add1(
    costs: list[int],
    utilities: list[int],
    groups: Groups | SmallGroups,
    candidates: list[int],
    tie_rank: list[int],
    share: Fraction,
    budget: Fraction,
    first: Run,
) -> tuple[Run, Fraction]:
    """Raise every voter's share by 1, 2, 3... until the outcome exceeds the budget; keep the
    last outcome that fits (and its share).

    There is no other stop: the outcome is not monotone in the share, so a share where no
    supported project still fits may be followed by a costlier outcome that fits. The loop is
    bounded: from `ceiling` (the cost of every supported candidate) on, no voter ever pays all
    they have, every supported candidate is selected, and the outcome no longer changes. The
    jumps of the runs (`Run.jump`) skip only shares where the outcome is the same.
    """
    backed = [c for c in candidates if groups.support[c] > 0]
    ceiling = sum(costs[c] for c in backed)
    # the first share of the sequence share, share + 1... at or above the ceiling
    last = share + max(0, math.ceil(ceiling - share))
    if ceiling <= budget:
        # no outcome can exceed the budget: the last one is everything supported, at `last`
        if last == share:
            return first, share
        return _run(costs, utilities, groups, candidates, tie_rank, last, False), last
    previous: tuple[Run, Fraction] | None = None
    e = share
    run = first
    while True:
        if _cost(run, costs) > budget:
            if previous is None:  # cannot happen: the first run always fits
                return run, e
            last_run, last_e = previous
            if e - last_e > 1:
                # the outcome is the same from last_e to e - 1: keep the run at e - 1, the one
                # that trying every unit would keep (same projects, its own prices and share)
                last_e = e - 1
                last_run = _run(costs, utilities, groups, candidates, tie_rank, last_e, False)
            return last_run, last_e
        if e >= last:  # cannot happen: at `last` everything is selected, over the budget
            return run, e
        previous = (run, e)
        # no recorded comparison: nothing changes before `last`, where the outcome exceeds
        e = last if run.jump is None else min(e + run.jump, last)
        run = _run(costs, utilities, groups, candidates, tie_rank, e, True)


def _outcome(
    election: Election,
    rule: str,
    utility: str,
    completion: str,
    run: Run,
    first: Run,
    share: Fraction,
    score: dict[str, int],
    supporters: dict[str, int],
    ranked: list[Project],
) -> Outcome:
    """The outcome, with one explanation per project in tie order (`ranked`)."""
    projects = election.projects
    threshold = election.min_project_score_threshold
    first_chosen = set(first.free) | {s.project for s in first.steps}
    left = election.exact_budget
    decided: dict[int, tuple[int, Step | None, Fraction]] = {}
    for c in run.free:
        decided[c] = (len(decided) + 1, None, left)
    # what is left after each step: the costs summed as integers, one Fraction per step
    # (subtracting each cost from a Fraction was a third of the outcome's time; issue #23)
    numerator, denominator = left.numerator, left.denominator
    for step in run.steps:
        numerator -= projects[step.project].cost * denominator
        left = Fraction(numerator) if denominator == 1 else Fraction(numerator, denominator)
        decided[step.project] = (len(decided) + 1, step, left)
    index_of = {p.id: i for i, p in enumerate(projects)}
    explanations = []
    for rank, project in enumerate(ranked, start=1):
        index = index_of[project.id]
        chosen = index in decided
        order, done, after = decided.get(index, (None, None, left))
        if chosen:
            reason = SELECTED if index in first_chosen else COMPLETION
        elif supporters[project.id] == 0:
            reason = NO_SUPPORT
        elif threshold is not None and score[project.id] < threshold:
            reason = BELOW_THRESHOLD
        else:
            reason = NOT_AFFORDABLE
        explanations.append(
            frozen_instance(
                ProjectExplanation,
                project_id=project.id,
                score=score[project.id],
                rank=rank,
                selected=chosen,
                reason=reason,
                order=order,
                # a project chosen free (before any step) cost its supporters nothing
                price=done.price if done else (ZERO if chosen else None),
                supporters=done.payers if done else supporters[project.id],
                budget_left=after,
            )
        )
    selected = tuple(projects[c].id for c in sorted(decided, key=lambda c: decided[c][0]))
    return Outcome(
        rule=rule,
        selected=selected,
        explanations=tuple(explanations),
        cost=sum(projects[c].cost for c in decided),
        budget=election.budget,
        voters=len(election.ballots),
        options={"utility": utility, "completion": completion, "share": str(share)},
    )


RULE = EqualShares()
