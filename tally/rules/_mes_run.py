"""One run of the Method of Equal Shares at a given share `e`: exact, but float first.

Voters holding the same money form a *budget class*. A voter's money is `e` minus the prices of
the rounds in which they paid in full, or 0 once they paid all they had; so a class is stored
as the set of rounds it paid (a row of 0/1 in a numpy matrix), and exact sums of money over many
classes are one integer matrix product and a few `Fraction` operations per round, whatever the
number of classes.

Decisions (is a project still affordable, which supporters pay all they have, which project has
the lowest price) are first taken on floats with a proven error bound; only a comparison that
the bound cannot settle is redone exactly. So the outcome is the exact rule's. See
docs/tally.md, "How equal shares stays fast and exact".

Error bounds. `EPS = 2**-50` is eight unit roundoffs of a double. A class's float money is `e`
minus at most `rounds` float prices, each rounded once, all at most `e`: it is within
`(rounds + 4) * EPS * e` of the exact money (`_Money.error`); the same holds for the slopes in
`e` used by add1 (`_Money.slope_error`). A float sum of n terms adds at most
`(n + 4) * EPS * (sum of magnitudes)`.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import chain

import numpy as np

from tally.rules._mes_shared import (  # shared with _mes_small (which needs no numpy)
    EPS,
    ONE,
    TINY,
    ZERO,
    Run,
    Step,
    _keep_rivals,
    _Limit,
)


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
        count = len(ballots)
        weights = np.fromiter(ballots.values(), dtype=np.int64, count=count)
        sizes = np.fromiter(map(len, ballots), dtype=np.int64, count=count)
        chosen = np.fromiter(chain.from_iterable(ballots), dtype=np.int64, count=int(sizes.sum()))
        group_of = np.repeat(np.arange(count, dtype=np.int64), sizes)
        # (project, group) pairs sorted by project: each project's groups are one slice
        order = np.argsort(chosen, kind="stable")
        by_project, group_of = chosen[order], group_of[order]
        bounds = np.searchsorted(by_project, np.arange(projects + 1)).tolist()
        voters = weights[group_of].astype(np.float64)  # exact below 2**53
        support = np.bincount(by_project, weights=voters, minlength=projects)
        return cls(
            weights=weights.tolist(),
            members=[group_of[a:b] for a, b in zip(bounds, bounds[1:], strict=False)],
            member_weights=[voters[a:b] for a, b in zip(bounds, bounds[1:], strict=False)],
            support=[int(v) for v in support.tolist()],
        )


@dataclass
class _Price:
    """A project's exact price at this share; `capped` marks the classes (of the histogram)
    with less money than the price: they pay all they have."""

    price: Fraction
    capped: np.ndarray  # bool per histogram class
    capped_slope: Fraction  # sum of weight * slope of money over capped classes (add1 only)
    uncapped: int  # voters paying the full price


class _Money:
    """The budget classes of one run (class 0: the share; class 1: nothing left)."""

    def __init__(self, e: Fraction, rounds: int, track: bool) -> None:
        self.e = e
        self.e_f = float(e)
        self.track = track
        capacity = 64
        self.paid = np.zeros((capacity, max(rounds, 1)), dtype=np.int8)  # class x round
        self.empty = np.zeros(capacity, dtype=bool)  # no money left (paid all they had)
        self.approx = np.zeros(capacity)  # float money
        self.slope_f = np.zeros(capacity)  # float d money / d e (add1)
        self.approx[0], self.slope_f[0], self.empty[1] = self.e_f, 1.0, True
        self.size = 2
        self.prices: list[Fraction] = []  # per round, exact
        self.price_slopes: list[Fraction] = []  # per round, d price / d e (add1)
        self.error = (rounds + 4) * EPS * self.e_f * (1 + EPS) + TINY
        self._slope_scale = 1.0  # 1 + sum of |price slopes|: bounds every slope

    @property
    def slope_error(self) -> float:
        return (len(self.prices) + 4) * EPS * self._slope_scale + TINY

    def value(self, k: int) -> Fraction:
        if self.empty[k]:
            return ZERO
        rounds = np.flatnonzero(self.paid[k, : len(self.prices)]).tolist()
        return self.e - sum((self.prices[r] for r in rounds), start=ZERO)

    def slope(self, k: int) -> Fraction:
        if self.empty[k]:
            return ZERO
        rounds = np.flatnonzero(self.paid[k, : len(self.prices)]).tolist()
        return ONE - sum((self.price_slopes[r] for r in rounds), start=ZERO)

    def total(self, ks: np.ndarray, ws: np.ndarray) -> Fraction:
        """Exact sum of weight * money over classes `ks`."""
        return self._combine(ks, ws, self.e, self.prices)

    def slope_total(self, ks: np.ndarray, ws: np.ndarray) -> Fraction:
        return self._combine(ks, ws, ONE, self.price_slopes)

    def _combine(
        self, ks: np.ndarray, ws: np.ndarray, start: Fraction, per_round: list[Fraction]
    ) -> Fraction:
        keep = ~self.empty[ks]
        ks, weights = ks[keep], ws[keep].astype(np.int64)
        if not len(ks):
            return ZERO
        times = (weights @ self.paid[ks, : len(per_round)].astype(np.int64)).tolist()
        result = start * int(weights.sum())
        for r, count in enumerate(times):
            if count:
                result -= per_round[r] * count
        return result

    def pay(
        self, ks: np.ndarray, capped: np.ndarray, price: Fraction, price_slope: Fraction
    ) -> np.ndarray:
        """The winner's classes `ks` pay; returns the new class of each."""
        r = len(self.prices)
        self.prices.append(price)
        self.price_slopes.append(price_slope)
        price_slope_f = float(price_slope)
        self._slope_scale += abs(price_slope_f)
        payers = ks[~capped & ~self.empty[ks]]
        new = np.ones(len(ks), dtype=np.int64)  # capped: class 1, nothing left
        start, end = self.size, self.size + len(payers)
        self._grow(end)
        new[~capped & ~self.empty[ks]] = np.arange(start, end)
        self.paid[start:end] = self.paid[payers]
        self.paid[start:end, r] = 1
        self.approx[start:end] = self.approx[payers] - float(price)
        self.slope_f[start:end] = self.slope_f[payers] - price_slope_f
        self.size = end
        return new

    def _grow(self, size: int) -> None:
        capacity = len(self.empty)
        if size <= capacity:
            return
        while capacity < size:
            capacity *= 2
        paid = np.zeros((capacity, self.paid.shape[1]), dtype=np.int8)
        paid[: self.size] = self.paid[: self.size]
        self.paid = paid
        for name in ("empty", "approx", "slope_f"):
            old = getattr(self, name)
            grown = np.zeros(capacity, dtype=old.dtype)
            grown[: self.size] = old[: self.size]
            setattr(self, name, grown)


@dataclass
class _Histogram:
    """A project's supporters by class, in increasing float money, and the float pass."""

    ks: np.ndarray
    ws: np.ndarray  # voters per class (float64, exact integers)
    money: np.ndarray  # float money per class
    split: int  # classes before it pay all they have (float guess)
    paid: float  # their float money
    uncapped: int  # voters after the split
    error: float  # bound on the error of `paid` and of the total


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
    money = _Money(e, len(candidates), track)
    limit = _Limit(track)
    class_of = np.zeros(len(groups.weights), dtype=np.int64)
    free: list[int] = []
    queue: list[tuple[float, int, int]] = []  # (lower bound, tie rank, project): a heap
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
        queue.append((lower[c], tie_rank[c], c))
    free.sort(key=lambda c: tie_rank[c])
    heapq.heapify(queue)

    def histogram(c: int) -> _Histogram:
        # numpy calls on small arrays cost more than their work: as few as possible here
        counts = np.bincount(class_of[groups.members[c]], weights=groups.member_weights[c])
        ks = counts.nonzero()[0]
        floats = money.approx[ks]
        order = floats.argsort(kind="stable")
        ks, floats = ks[order], floats[order]
        ws = counts[ks]
        cost, support = costs[c], groups.support[c]
        spent = ws * floats
        paid_until = spent.cumsum()
        paid_before = paid_until - spent
        left_before = support - (ws.cumsum() - ws)
        covers = floats * left_before >= cost - paid_before
        split = int(covers.argmax())
        total = float(paid_until[-1])
        error = support * money.error + (len(ks) + 6) * EPS * (total + cost)
        if not covers[split]:  # no class covers the rest: the money may not reach the cost
            return _Histogram(ks, ws, floats, len(ks), total, 0, error)
        return _Histogram(
            ks, ws, floats, split, float(paid_before[split]), int(left_before[split]), error
        )

    steps: list[Step] = []
    while queue:
        if money.track and limit.done:
            money.track = False  # the next run is at e + 1 whatever happens
        best: int | None = None
        best_rho = ZERO
        best_high = 0.0  # a float above best_rho
        best_price: _Price | None = None
        best_hist: _Histogram | None = None
        rivals: list[int] = []  # projects evaluated this round, still in the race
        # add1: those priced exactly this round, their price per utility and its slope
        exact_lines: dict[int, tuple[Fraction, Fraction]] = {}
        # by increasing lower bound, until the bound is above the best price so far
        while queue and (best is None or queue[0][0] <= best_high):
            c = heapq.heappop(queue)[2]
            cost, utility = costs[c], utilities[c]
            hist = histogram(c)
            if hist.split == len(hist.ks):  # the supporters' money may not reach the cost
                if hist.paid + hist.error < cost or money.total(hist.ks, hist.ws) < cost:
                    if not limit.done:
                        _keep_unaffordable(limit, hist, cost, money)
                    continue
                last = len(hist.ks) - 1  # affordable by a hair: the exact pass settles it
                hist.split, hist.uncapped = last, int(hist.ws[last])
                hist.paid -= float(hist.ws[last] * hist.money[last])
            # any split gives a price at most the true one (docs/tally.md): a lower bound
            rho_low = (cost - hist.paid - hist.error) / hist.uncapped / utility * (1 - EPS)
            lower[c] = max(rho_low, 0.0)
            if money.track and not limit.done:
                lower_slope[c] = _slope_low(hist, utility, money)
            if best is not None and lower[c] > best_high:
                rivals.append(c)
                continue
            exact = _exact_price(cost, groups.support[c], hist, money)
            if exact is None:
                limit.keep(0.0, 1.0)  # affordable by a hair's breadth: look again at e + 1
                continue
            rho = exact.price / utility
            lower[c] = float(rho) * (1 - EPS)
            if money.track and not limit.done:  # the line of the exact split
                slope = -exact.capped_slope / exact.uncapped / utility
                exact_lines[c] = (rho, slope)
                exact_slope = float(slope)
                lower_slope[c] = exact_slope - abs(exact_slope) * EPS - TINY
            if best is None or (rho, tie_rank[c]) < (best_rho, tie_rank[best]):
                if best is not None:
                    rivals.append(best)
                best, best_rho, best_price, best_hist = c, rho, exact, hist
                best_high = float(rho) * (1 + EPS) + TINY
            else:
                rivals.append(c)
        for c in rivals:
            heapq.heappush(queue, (lower[c], tie_rank[c], c))
        if best is None or best_price is None or best_hist is None:
            break
        price_slope = ZERO
        if money.track:
            price_slope = -best_price.capped_slope / best_price.uncapped
            if not limit.done:
                everyone = [c for _, _, c in queue]  # the rivals are back in it
                _keep_rivals(
                    limit,
                    everyone,
                    lower,
                    lower_slope,
                    best_rho,
                    price_slope / utilities[best],
                    exact_lines,
                )
            if not limit.done:
                _keep_winner(limit, best_hist, best_price, price_slope, money)
        ks, ws, capped = best_hist.ks, best_hist.ws, best_price.capped
        payers = int(ws[~capped].sum()) + _with_money(ks[capped], ws[capped], money)
        steps.append(Step(best, best_price.price, payers))
        new = money.pay(ks, capped, best_price.price, price_slope)
        remap = np.arange(money.size, dtype=np.int64)
        remap[ks] = new
        members = groups.members[best]
        class_of[members] = remap[class_of[members]]
    return Run(steps=steps, free=free, jump=limit.jump())


def _with_money(ks: np.ndarray, ws: np.ndarray, money: _Money) -> int:
    """Voters of classes `ks` who have some money left (capped voters who do pay)."""
    if not len(ks):
        return 0
    surely = money.approx[ks] > money.error
    count = int(ws[surely].sum())
    for k, w in zip(ks[~surely].tolist(), ws[~surely].tolist(), strict=True):
        if money.value(k) > 0:
            count += int(w)
    return count


def _exact_price(cost: int, support: int, hist: _Histogram, money: _Money) -> _Price | None:
    """The exact price (None: the supporters cannot pay the cost), trying the float guess
    `hist.split` first (the classes before it pay all they have), then the plain exact way."""
    ks, ws, floats, split = hist.ks, hist.ws, hist.money, hist.split
    uncapped = support - int(ws[:split].sum())
    if uncapped > 0:
        paid = money.total(ks[:split], ws[:split]) if split else ZERO
        price = (cost - paid) / uncapped
        price_f = float(price)
        band = money.error + 2 * EPS * price_f + TINY
        low, high = floats < price_f - band, floats > price_f + band  # surely below / above
        # the guess is right when every guessed class has at most the price and every other
        # at least it; floats settle all but the classes whose money is next to the price
        if not high[:split].any() and not low[split:].any():
            capped = low.copy()
            right = True
            for i in np.flatnonzero(~low & ~high).tolist():
                exact = money.value(int(ks[i]))
                if (exact > price) if i < split else (exact < price):
                    right = False
                    break
                capped[i] = exact < price
            if right:
                return _price(price, capped, hist, money)
    # exact order by money, then the first class whose money covers the rest
    values = [money.value(k) for k in ks.tolist()]
    paid, left = ZERO, support
    capped = np.zeros(len(ks), dtype=bool)
    for i in sorted(range(len(ks)), key=values.__getitem__):
        if values[i] * left >= cost - paid:
            return _price((cost - paid) / left, capped, hist, money)
        paid += values[i] * int(ws[i])
        left -= int(ws[i])
        capped[i] = True
    return None


def _price(price: Fraction, capped: np.ndarray, hist: _Histogram, money: _Money) -> _Price:
    slope = money.slope_total(hist.ks[capped], hist.ws[capped]) if money.track else ZERO
    uncapped = int(hist.ws[~capped].sum())
    return _Price(price=price, capped=capped, capped_slope=slope, uncapped=uncapped)


def _slope_low(hist: _Histogram, utility: int, money: _Money) -> float:
    """A float below the slope (per unit of share) of the price computed with the float split."""
    ks, ws = hist.ks[: hist.split], hist.ws[: hist.split]
    slopes = money.slope_f[ks]
    rise = float(ws @ slopes)
    error = float(ws.sum()) * money.slope_error + (len(ks) + 4) * EPS * float(ws @ np.abs(slopes))
    return -(rise + error) / hist.uncapped / utility * (1 + EPS) - TINY


def _keep_unaffordable(limit: _Limit, hist: _Histogram, cost: int, money: _Money) -> None:
    """A project out of reach stays so while its supporters' money is below its cost."""
    slopes = money.slope_f[hist.ks]
    rise = float(hist.ws @ slopes)
    error = float(hist.ws.sum()) * money.slope_error
    error += (len(hist.ks) + 4) * EPS * float(hist.ws @ np.abs(slopes))
    limit.keep(cost - hist.paid - hist.error, rise + error)


def _keep_winner(
    limit: _Limit, hist: _Histogram, price: _Price, price_slope: Fraction, money: _Money
) -> None:
    """Which of the winner's supporters pay all they have must stay the same."""
    price_f, price_slope_f = float(price.price), float(price_slope)
    difference = hist.money - price_f
    gaps = np.abs(difference) - money.error - 2 * EPS * price_f - TINY
    below = difference < 0
    slopes = money.slope_f[hist.ks]
    # money - price changes by `change` per unit of share: it closes the gap when money
    # below the price rises faster than the price, or money above it falls faster
    change = slopes - price_slope_f
    change_error = money.slope_error + EPS * (np.abs(slopes) + abs(price_slope_f)) + TINY
    for i in np.flatnonzero(gaps <= 0).tolist():  # too close for floats
        exact_gap = money.value(int(hist.ks[i])) - price.price
        if exact_gap == 0:
            if money.slope(int(hist.ks[i])) != price_slope:
                limit.keep(0.0, 1.0)
                return
            gaps[i] = math.inf  # money and price move together
            continue
        gaps[i] = abs(float(exact_gap)) * (1 - EPS)
        below[i] = exact_gap < 0
    closing = np.where(below, change, -change) + change_error
    moving = closing > 0
    if moving.any():
        distances = gaps[moving] / closing[moving]
        i = int(np.argmin(distances))
        limit.keep(float(gaps[moving][i]), float(closing[moving][i]))
