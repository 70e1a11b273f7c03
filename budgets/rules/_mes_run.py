"""One run of the Method of Equal Shares at a given share `e`: exact, but float first.

Every amount of money is kept exactly (`Fraction`) per *budget class* (voters holding the same
money). Decisions (is a project still affordable, which supporters pay all they have, which
project has the lowest price) are first taken on floats with a proven error bound; only a
comparison that the bound cannot settle is redone with the exact values. So the outcome is the
exact rule's, and the `Fraction` work per round is the winner's classes only. See
docs/tally.md, "How equal shares stays fast and exact".

Floats used here are always `float(exact value)` (correctly rounded, relative error at most
2**-53), combined in sums of at most n terms; `EPS = 2**-50` is eight unit roundoffs, and the
bounds below multiply it by (terms + 4), which covers the rounding of each sum, product and
division with room to spare.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

ZERO = Fraction(0)
ONE = Fraction(1)
EPS = 2.0**-50


@dataclass
class Step:
    project: int
    price: Fraction  # what each supporter who could pay fully paid
    payers: int


@dataclass
class Run:
    steps: list[Step]
    free: list[int]  # zero-cost projects with support, taken first
    # add1: whole units of share that can be skipped (the outcome is the same at e + 1 ...
    # e + jump - 1); None when no decision of the run depends on e
    jump: int | None


@dataclass
class Groups:
    """Voters grouped by identical sets of supported projects, as numpy arrays per project."""

    weights: list[int]
    members: list[np.ndarray] = field(default_factory=list)  # per project: group indices
    member_weights: list[np.ndarray] = field(default_factory=list)  # the groups' weights
    support: list[int] = field(default_factory=list)  # per project: voters

    @classmethod
    def of(cls, ballots: dict[tuple[int, ...], int], projects: int) -> Groups:
        """`ballots`: the sorted project indices of a ballot -> voters who cast it."""
        weights = list(ballots.values())
        per_project: list[list[int]] = [[] for _ in range(projects)]
        for g, members in enumerate(ballots):
            for c in members:
                per_project[c].append(g)
        weight_array = np.asarray(weights, dtype=np.int64)
        groups = cls(weights=weights)
        for indices in per_project:
            index_array = np.asarray(indices, dtype=np.int64)
            groups.members.append(index_array)
            chosen = weight_array[index_array]
            groups.member_weights.append(chosen.astype(np.float64))  # exact below 2**53
            groups.support.append(int(chosen.sum()))
        return groups


class _Limit:
    """The smallest distance (in units of share) to a point where a decision may change.

    Every recorded distance is a lower bound of the true one, so the completion never skips a
    share where the outcome differs. Distances of 1 or less all mean "try e + 1": once one is
    recorded, nothing else needs computing (`done`).
    """

    __slots__ = ("distance", "track")

    def __init__(self, track: bool) -> None:
        self.track = track
        self.distance: float | None = None

    @property
    def done(self) -> bool:
        return not self.track or (self.distance is not None and self.distance <= 1)

    def keep(self, gap: float, closing: float) -> None:
        """A comparison at least `gap` > 0 now, shrinking by at most `closing` per unit."""
        if gap <= 0:
            distance = 0.0
        elif closing <= 0:
            return
        else:
            distance = gap / closing * (1 - EPS)
            if not math.isfinite(distance):
                return
        if self.distance is None or distance < self.distance:
            self.distance = distance

    def jump(self) -> int | None:
        if not self.track or self.distance is None:
            return None
        return max(1, math.ceil(self.distance))


@dataclass
class _Price:
    """A project's price at this share, exactly: `price`, paid fully by classes not in `capped`."""

    price: Fraction
    capped: set[int]  # classes with less money than the price: they pay all they have
    capped_slope: Fraction  # sum of weight * slope over capped classes (add1 only)
    uncapped: int  # voters paying the full price


class _Classes:
    """Budget classes: exact money at e, and (for add1) as `base + slope * e`."""

    def __init__(self, e: Fraction, track: bool) -> None:
        self.track = track
        self.value: list[Fraction] = [e]
        self.approx: list[float] = [float(e)]
        self.base: list[Fraction] = [ZERO]
        self.slope: list[Fraction] = [ONE]
        self.slope_f: list[float] = [1.0]
        self.index: dict[object, int] = {(ZERO, ONE) if track else (e.numerator, e.denominator): 0}

    def stop_tracking(self) -> None:
        """The next run is at e + 1 whatever happens: stop following money as forms in e."""
        self.track = False
        self.index = {}  # keyed by value from now on (never mix the two kinds of key)

    def add(self, value: Fraction, base: Fraction, slope: Fraction) -> int:
        # a tuple of ints hashes much faster than a Fraction
        key: object = (base, slope) if self.track else (value.numerator, value.denominator)
        known = self.index.get(key)
        if known is None:
            known = self.index[key] = len(self.value)
            self.value.append(value)
            self.approx.append(float(value))
            self.base.append(base)
            self.slope.append(slope)
            self.slope_f.append(float(slope))
        return known


def mes_run(
    costs: list[int],
    utilities: list[int],
    groups: Groups,
    candidates: list[int],
    tie_rank: list[int],
    e: Fraction,
    track: bool,
) -> Run:
    """One run of equal shares with share `e`; `track` (add1) also measures how far the
    share can grow before any decision of this run may change."""
    classes = _Classes(e, track)
    approx, value, slope_f = classes.approx, classes.value, classes.slope_f
    limit = _Limit(track)
    class_of = np.zeros(len(groups.weights), dtype=np.int64)
    free: list[int] = []
    alive: list[int] = []
    # per project, a line below its price: lower[c] + lower_slope[c] * (share - e)
    lower: dict[int, float] = {}
    lower_slope: dict[int, float] = {}
    for c in candidates:
        if groups.support[c] == 0:
            continue
        if costs[c] == 0:
            free.append(c)
            continue
        # nobody pays more than the price, so the price is at least cost / supporters
        lower[c] = costs[c] / (groups.support[c] * utilities[c]) * (1 - EPS)
        lower_slope[c] = 0.0
        alive.append(c)
    free.sort(key=lambda c: tie_rank[c])

    def histogram(c: int) -> list[tuple[int, int]]:
        """The classes of c's supporters with their voters, by increasing money."""
        counts = np.bincount(class_of[groups.members[c]], weights=groups.member_weights[c])
        present = np.flatnonzero(counts)
        items = zip(present.tolist(), counts[present].astype(np.int64).tolist(), strict=True)
        return sorted(items, key=lambda item: approx[item[0]])

    steps: list[Step] = []
    while alive:
        if classes.track and limit.done:
            classes.stop_tracking()
        alive.sort(key=lambda c: (lower[c], tie_rank[c]))
        best: int | None = None
        best_rho = ZERO
        best_high = 0.0  # float above best_rho
        best_price: _Price | None = None
        best_items: list[tuple[int, int]] = []
        gone: list[int] = []
        rivals: list[int] = []
        for position, c in enumerate(alive):
            if best is not None and lower[c] > best_high:
                rivals.extend(alive[position:])
                break
            cost, support, utility = costs[c], groups.support[c], utilities[c]
            items = histogram(c)
            # float pass: who pays all they have (a prefix by money), and the price
            paid, left, split = 0.0, support, len(items)
            for position_in, (k, w) in enumerate(items):
                if approx[k] * left >= cost - paid:
                    split = position_in
                    break
                paid += approx[k] * w
                left -= w
            error = (split + 4) * EPS * (paid + cost)
            if split == len(items):  # the supporters' money (paid) may not reach the cost
                if paid + error < cost or _exact_total(items, value) < cost:
                    gone.append(c)
                    if not limit.done:
                        _keep_unaffordable(limit, items, cost - paid - error, slope_f)
                    continue
                split = len(items) - 1  # affordable, barely: let the exact pass settle it
                paid -= approx[items[-1][0]] * items[-1][1]
                left += items[-1][1]
            # any prefix gives a price at most the true one (docs/tally.md): a lower bound
            rho_low = (cost - paid - error) / left / utility * (1 - EPS)
            lower[c] = max(rho_low, 0.0)
            if classes.track and not limit.done:
                lower_slope[c] = _slope_low(items[:split], left, utility, slope_f)
            if best is not None and lower[c] > best_high:
                rivals.append(c)
                continue
            exact = _exact_price(cost, support, items, split, classes)
            if exact is None:
                gone.append(c)
                limit.keep(0.0, 1.0)  # affordable by a hair's breadth: look again at e + 1
                continue
            rho = exact.price / utility
            lower[c] = float(rho) * (1 - EPS)
            if classes.track and not limit.done:  # the line of the exact split (see lower_slope)
                exact_slope = float(-exact.capped_slope / exact.uncapped / utility)
                lower_slope[c] = exact_slope - abs(exact_slope) * EPS - 1e-300
            if best is None or (rho, tie_rank[c]) < (best_rho, tie_rank[best]):
                if best is not None:
                    rivals.append(best)
                best, best_rho, best_price, best_items = c, rho, exact, items
                best_high = float(rho) * (1 + EPS) + 1e-300
            else:
                rivals.append(c)
        for c in gone:
            alive.remove(c)
        if best is None or best_price is None:
            break
        price = best_price.price
        price_slope = ZERO
        if classes.track:
            price_slope = -best_price.capped_slope / best_price.uncapped
            if not limit.done:
                _keep_rivals(
                    limit, rivals, lower, lower_slope, best_rho, price_slope, costs, utilities[best]
                )
            if not limit.done:
                _keep_winner(limit, best_items, best_price, price_slope, classes)
        # the winner is paid for: each class of its supporters moves to a new class
        payers = 0
        moved: dict[int, int] = {}
        price_base = price - price_slope * e
        for k, w in best_items:
            if k in best_price.capped:
                new = classes.add(ZERO, ZERO, ZERO)
                if value[k] > 0:
                    payers += w
            else:
                new = classes.add(
                    value[k] - price,
                    classes.base[k] - price_base if classes.track else ZERO,
                    classes.slope[k] - price_slope if classes.track else ZERO,
                )
                payers += w
            if new != k:
                moved[k] = new
        steps.append(Step(best, price, payers))
        alive.remove(best)
        if moved:
            remap = np.arange(len(value), dtype=np.int64)
            remap[list(moved)] = list(moved.values())
            members = groups.members[best]
            class_of[members] = remap[class_of[members]]
    return Run(steps=steps, free=free, jump=limit.jump())


def _exact_total(items: list[tuple[int, int]], value: list[Fraction]) -> Fraction:
    return sum((value[k] * w for k, w in items), start=ZERO)


def _exact_price(
    cost: int, support: int, items: list[tuple[int, int]], split: int, classes: _Classes
) -> _Price | None:
    """The exact price (None: the supporters cannot pay the cost), trying the float pass's
    guess `split` first (the classes before it pay all they have), then the plain exact
    computation."""
    value, approx = classes.value, classes.approx
    guess = items[:split]
    uncapped = support - sum(w for _, w in guess)
    if uncapped > 0:
        price = (cost - _exact_total(guess, value)) / uncapped
        high, low = float(price) * (1 + EPS), float(price) * (1 - EPS)
        # the guess is right when every guessed class has at most the price and every other
        # at least it; floats settle all but the classes whose money is next to the price
        right = all(approx[k] < low or value[k] <= price for k, _ in guess) and all(
            approx[k] > high or value[k] >= price for k, _ in items[split:]
        )
        if right:
            capped = {k for k, _ in guess if approx[k] < low or value[k] < price}
            return _price(price, capped, items, classes)
    # exact order by money, then the first class whose money covers the rest
    ordered = sorted(items, key=lambda item: value[item[0]])
    paid, left = ZERO, support
    capped = set()
    for k, w in ordered:
        if value[k] * left >= cost - paid:
            return _price((cost - paid) / left, capped, items, classes)
        paid += value[k] * w
        left -= w
        capped.add(k)
    return None


def _price(
    price: Fraction, capped: set[int], items: list[tuple[int, int]], classes: _Classes
) -> _Price:
    slope = ZERO
    if classes.track:
        slope = sum((classes.slope[k] * w for k, w in items if k in capped), start=ZERO)
    uncapped = sum(w for k, w in items if k not in capped)
    return _Price(price=price, capped=capped, capped_slope=slope, uncapped=uncapped)


def _slope_low(
    capped: list[tuple[int, int]], uncapped: int, utility: int, slope_f: list[float]
) -> float:
    """A float below the slope (per unit of share) of the price computed with `capped`."""
    rise = sum(slope_f[k] * w for k, w in capped)
    spread = sum(abs(slope_f[k]) * w for k, w in capped)
    return -(rise + (len(capped) + 4) * EPS * spread) / uncapped / utility * (1 + EPS) - 1e-300


def _keep_unaffordable(
    limit: _Limit, items: list[tuple[int, int]], shortfall: float, slope_f: list[float]
) -> None:
    """A project out of reach stays so while its supporters' money is below its cost."""
    rise = sum(slope_f[k] * w for k, w in items)
    spread = sum(abs(slope_f[k]) * w for k, w in items)
    limit.keep(shortfall, rise + (len(items) + 4) * EPS * spread)


def _keep_rivals(
    limit: _Limit,
    rivals: list[int],
    lower: dict[int, float],
    lower_slope: dict[int, float],
    best_rho: Fraction,
    price_slope: Fraction,
    costs: list[int],
    utility: int,
) -> None:
    """Each rival's lower line must stay above the winner's price per utility."""
    best_high = float(best_rho) * (1 + EPS)
    best_slope_high = float(price_slope / utility)
    best_slope_high += abs(best_slope_high) * EPS + 1e-300
    for c in rivals:
        limit.keep(lower[c] - best_high, best_slope_high - lower_slope[c])
        if limit.done:
            return


def _keep_winner(
    limit: _Limit,
    items: list[tuple[int, int]],
    price: _Price,
    price_slope: Fraction,
    classes: _Classes,
) -> None:
    """Which of the winner's supporters pay all they have must stay the same."""
    exact_price = price.price
    price_f = float(exact_price)
    price_slope_f = float(price_slope)
    for k, _ in items:
        money = classes.approx[k]
        gap = abs(money - price_f) * (1 - EPS) - EPS * (money + price_f)
        if gap <= 0:  # too close for floats
            exact_gap = classes.value[k] - exact_price
            if exact_gap == 0:
                if classes.slope[k] != price_slope:
                    limit.keep(0.0, 1.0)
                continue
            gap = abs(float(exact_gap)) * (1 - EPS)
            below = exact_gap < 0
        else:
            below = money < price_f
        # money - price changes by `change` per unit of share: it closes the gap when money
        # below the price rises faster than the price, or money above it falls faster
        change = classes.slope_f[k] - price_slope_f
        error = EPS * (abs(classes.slope_f[k]) + abs(price_slope_f)) + 1e-300
        limit.keep(gap, (change if below else -change) + error)
        if limit.done:
            return
