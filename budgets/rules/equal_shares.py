"""`equal-shares`: the Method of Equal Shares (Peters & Skowron), exact.

Every voter starts with an equal share `e` of the budget. Round after round, the project that
its supporters can pay at the lowest price per unit of utility (`rho`) is selected; each
supporter pays `min(budget left, rho * utility)`. Utilities are the project's cost (`cost`, the
default) or 1 (`cardinality`). A round where no remaining project can be paid ends the rule.

Completion `add1` (Świecie 2023, Assen 2024, and pabutools' `voter_budget_increment=1`): run
again with `e + 1`, `e + 2`... and keep the last outcome that fits the budget, stopping early
when an outcome leaves no supported project that would still fit.

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
from dataclasses import dataclass, field
from fractions import Fraction

from budgets.election import (
    BELOW_THRESHOLD,
    COMPLETION,
    NO_SUPPORT,
    NOT_AFFORDABLE,
    SELECTED,
    BallotCounts,
    Election,
    ElectionError,
    Outcome,
    ProjectExplanation,
    check,
    scores,
    supported,
    supporter_counts,
    tie_order,
)

ZERO = Fraction(0)
ONE = Fraction(1)

# An affine function of the share e: (a, b) means a + b*e.
Affine = tuple[Fraction, Fraction]


@dataclass
class Step:
    project: int
    price: Fraction  # what each supporter who could pay fully paid
    payers: int


@dataclass
class Run:
    steps: list[Step]
    free: list[int]  # zero-cost projects with support, taken first
    next_share: Fraction | None  # first share worth trying after this one (None: never changes)


@dataclass
class Groups:
    """Voters grouped by identical sets of supported projects."""

    ballots: list[tuple[int, ...]]
    weights: list[int]
    supporters: list[list[int]] = field(default_factory=list)  # per project: group indices
    support: list[int] = field(default_factory=list)  # per project: voters

    @classmethod
    def of(cls, election: Election, eligible: set[int], counts: BallotCounts) -> Groups:
        index = {p.id: i for i, p in enumerate(election.projects)}
        merged: dict[tuple[int, ...], int] = {}
        for (choices, points), voters in counts.items():
            chosen = (index[c] for c in supported(choices, points))
            key = tuple(sorted(c for c in chosen if c in eligible))
            merged[key] = merged.get(key, 0) + voters
        groups = cls(ballots=list(merged), weights=list(merged.values()))
        groups.supporters = [[] for _ in election.projects]
        groups.support = [0] * len(election.projects)
        for g, members in enumerate(groups.ballots):
            for c in members:
                groups.supporters[c].append(g)
                groups.support[c] += groups.weights[g]
        return groups


class _Limit:
    """The smallest share above `e` at which a recorded comparison may change sign."""

    __slots__ = ("e", "at")

    def __init__(self, e: Fraction) -> None:
        self.e = e
        self.at: Fraction | None = None

    def keep(self, value: Fraction, slope: Fraction) -> None:
        """Record a comparison worth `value` at e, changing by `slope` per unit of share."""
        if slope == 0 or self.at == self.e:
            return
        if value == 0:
            self.at = self.e
            return
        if (value > 0) == (slope > 0):
            return
        root = self.e + value / -slope
        if self.at is None or root < self.at:
            self.at = root


def mes_run(
    costs: list[int],
    utilities: list[int],
    groups: Groups,
    candidates: list[int],
    tie_rank: list[int],
    e: Fraction,
    track: bool,
) -> Run:
    """One run of equal shares with share `e` per voter; `track` records the affine limits.

    Voters are in budget classes (integer ids): class k holds `value[k]` at this share, and
    `slope[k]`, `base[k]` give it as `base + slope*e`. Class 0 is the starting share.
    """
    limit = _Limit(e)
    base: list[Fraction] = [ZERO]
    slope: list[Fraction] = [ONE]
    value: list[Fraction] = [e]
    approx: list[float] = [float(e)]  # sorts fast; exact values break equal floats
    class_of = [0] * len(groups.ballots)
    classes: dict[Affine, int] = {(ZERO, ONE): 0}  # identical budgets share a class
    hist: dict[int, dict[int, int]] = {}  # per project: class -> supporters in it
    free: list[int] = []
    alive: list[int] = []
    lower: dict[int, Fraction] = {}  # a lower bound of rho (exact value at e)
    lower_aff: dict[int, Affine] = {}  # the same bound as an affine function of e
    for c in candidates:
        if groups.support[c] == 0:
            continue
        if costs[c] == 0:
            free.append(c)
            continue
        hist[c] = {0: groups.support[c]}
        bound = Fraction(costs[c], groups.support[c] * utilities[c])
        lower[c], lower_aff[c] = bound, (bound, ZERO)
        alive.append(c)
    free.sort(key=lambda c: tie_rank[c])
    steps: list[Step] = []
    while alive:
        alive.sort(key=lambda c: (lower[c], tie_rank[c]))
        best: int | None = None
        best_rho = ZERO
        best_aff: Affine = (ZERO, ZERO)
        best_price = ZERO
        best_price_slope = ZERO
        best_items: list[tuple[float, Fraction, int, int]] = []
        gone: list[int] = []
        rivals: list[Affine] = []
        for position, c in enumerate(alive):
            if best is not None and lower[c] > best_rho:
                if track:
                    rivals.extend(lower_aff[d] for d in alive[position:])
                break
            cost = costs[c]
            items = sorted((approx[k], value[k], w, k) for k, w in hist[c].items())
            total = sum((v * w for _, v, w, _ in items), start=ZERO)
            if total < cost:
                gone.append(c)
                if track:
                    rise = sum((slope[k] * w for _, _, w, k in items), start=ZERO)
                    limit.keep(total - cost, rise)
                continue
            paid = ZERO
            k_left = groups.support[c]
            capped: list[tuple[int, int]] = []
            for _, v, w, k in items:
                if v * k_left >= cost - paid:
                    break
                paid += v * w
                k_left -= w
                capped.append((k, w))
            price = (cost - paid) / k_left
            rho = price / utilities[c]
            if track:
                paid_a = sum((base[k] * w for k, w in capped), start=ZERO)
                paid_b = sum((slope[k] * w for k, w in capped), start=ZERO)
                price_slope = -paid_b / k_left
                rho_aff: Affine = (
                    (cost - paid_a) / k_left / utilities[c],
                    price_slope / utilities[c],
                )
            else:
                price_slope, rho_aff = ZERO, (ZERO, ZERO)
            lower[c], lower_aff[c] = rho, rho_aff
            if best is None or (rho, tie_rank[c]) < (best_rho, tie_rank[best]):
                if best is not None and track:
                    rivals.append(best_aff)
                best, best_rho, best_aff = c, rho, rho_aff
                best_price, best_price_slope, best_items = price, price_slope, items
            elif track:
                rivals.append(rho_aff)
        for c in gone:
            alive.remove(c)
            del hist[c]
        if best is None:
            break
        if track:
            # The price of a rival computed with any guess of who pays fully is a lower
            # bound of its true price (see docs/tally.md), so rivals only need to stay above
            # the winner; the winner's own guess must stay right, as it sets the budgets left.
            for a, b in rivals:
                limit.keep((a + b * e) - best_rho, b - best_aff[1])
            for _, v, _, k in best_items:
                limit.keep(v - best_price, slope[k] - best_price_slope)
        # the winner is paid for: each class of its supporters moves to a new class
        payers = 0
        moved: dict[int, int] = {}
        price_base = best_price - best_price_slope * e
        for _, v, w, k in best_items:
            if v < best_price:
                new_base, new_slope, new_value = ZERO, ZERO, ZERO
                if v > 0:
                    payers += w
            else:
                new_base = base[k] - price_base
                new_slope = slope[k] - best_price_slope
                new_value = v - best_price
                payers += w
            form = (new_base, new_slope)
            known = classes.get(form)
            if known is None:
                known = classes[form] = len(value)
                base.append(new_base)
                slope.append(new_slope)
                value.append(new_value)
                approx.append(float(new_value))
            moved[k] = known
        steps.append(Step(best, best_price, payers))
        alive.remove(best)
        del hist[best]
        weights, ballots = groups.weights, groups.ballots
        for g in groups.supporters[best]:
            old = class_of[g]
            new = moved[old]
            if new == old:
                continue
            class_of[g] = new
            w = weights[g]
            for c in ballots[g]:
                h = hist.get(c)
                if h is None:
                    continue
                count = h[old] - w
                if count:
                    h[old] = count
                else:
                    del h[old]
                h[new] = h.get(new, 0) + w
    return Run(steps=steps, free=free, next_share=limit.at if track else None)


@dataclass(frozen=True)
class EqualShares:
    name: str = "equal-shares"

    def tally(
        self, election: Election, *, utility: str = "cost", completion: str = "add1"
    ) -> Outcome:
        if utility not in ("cost", "cardinality"):
            raise ElectionError(f"unknown utility {utility!r} (cost or cardinality)")
        if completion not in ("add1", "none"):
            raise ElectionError(f"unknown completion {completion!r} (add1 or none)")
        counts = check(election)
        projects = election.projects
        costs = [p.cost for p in projects]
        utilities = costs if utility == "cost" else [1] * len(projects)
        score = scores(election, counts)
        order = tie_order(election, score)
        position = {p.id: i for i, p in enumerate(order)}
        tie_rank = [position[p.id] for p in projects]
        threshold = election.min_project_score_threshold
        eligible = {
            i for i, p in enumerate(projects) if threshold is None or score[p.id] >= threshold
        }
        groups = Groups.of(election, eligible, counts)
        candidates = sorted(eligible)
        budget = election.exact_budget
        voters = len(election.ballots)
        share = budget / voters if voters else ZERO
        add1 = completion == "add1" and voters > 0
        first = mes_run(costs, utilities, groups, candidates, tie_rank, share, add1)
        run, final_share = first, share
        if add1:
            run, final_share = _add1(
                costs, utilities, groups, candidates, tie_rank, share, budget, first
            )
        supporters = supporter_counts(election, counts)
        return _outcome(
            election, self.name, utility, completion, run, first, final_share, score, supporters
        )


def _cost(run: Run, costs: list[int]) -> int:
    return sum(costs[c] for c in run.free) + sum(costs[s.project] for s in run.steps)


def _add1(
    costs: list[int],
    utilities: list[int],
    groups: Groups,
    candidates: list[int],
    tie_rank: list[int],
    share: Fraction,
    budget: Fraction,
    first: Run,
) -> tuple[Run, Fraction]:
    previous: tuple[Run, Fraction] | None = None
    e = share
    backed = [c for c in candidates if groups.support[c] > 0]
    run = first
    while True:
        spent = _cost(run, costs)
        if spent > budget:
            if previous is None:  # cannot happen: the first run always fits
                return run, e
            return previous
        chosen = set(run.free) | {s.project for s in run.steps}
        left = budget - spent
        if all(c in chosen or costs[c] > left for c in backed):
            return run, e
        if run.next_share is None:  # no comparison ever changes: the outcome is final
            return run, e
        previous = (run, e)
        jump = run.next_share - e
        e += max(1, math.ceil(jump))
        run = mes_run(costs, utilities, groups, candidates, tie_rank, e, True)


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
) -> Outcome:
    projects = election.projects
    threshold = election.min_project_score_threshold
    first_chosen = set(first.free) | {s.project for s in first.steps}
    left = election.exact_budget
    decided: dict[int, tuple[int, Step | None, Fraction]] = {}
    for c in run.free:
        decided[c] = (len(decided) + 1, None, left)
    for step in run.steps:
        left -= projects[step.project].cost
        decided[step.project] = (len(decided) + 1, step, left)
    index_of = {p.id: i for i, p in enumerate(projects)}
    explanations = []
    for rank, project in enumerate(tie_order(election, score), start=1):
        index = index_of[project.id]
        if index in decided:
            order, done, after = decided[index]
            explanations.append(
                ProjectExplanation(
                    project_id=project.id,
                    score=score[project.id],
                    rank=rank,
                    selected=True,
                    reason=SELECTED if index in first_chosen else COMPLETION,
                    order=order,
                    price=done.price if done else ZERO,
                    supporters=done.payers if done else supporters[project.id],
                    budget_left=after,
                )
            )
            continue
        if supporters[project.id] == 0:
            reason = NO_SUPPORT
        elif threshold is not None and score[project.id] < threshold:
            reason = BELOW_THRESHOLD
        else:
            reason = NOT_AFFORDABLE
        explanations.append(
            ProjectExplanation(
                project_id=project.id,
                score=score[project.id],
                rank=rank,
                selected=False,
                reason=reason,
                supporters=supporters[project.id],
                budget_left=left,
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
