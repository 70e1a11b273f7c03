"""One run of the Method of Equal Shares at a given share `e`, in plain Python (small elections).

The same run as `_mes_run.mes_run`, decision for decision, with the same proven error bounds
(see that module and docs/tally.md, "How equal shares stays fast and exact"), but on lists and
dicts instead of numpy arrays: on an election of a few thousand voters a project's histogram
has a few dozen groups, and numpy's fixed cost per call is larger than the work. Equal shares
picks this path by size (`equal_shares.SMALL_PAIRS`); the tests run both on the same random
elections and compare them.

A budget class here is a node of a tree: the class its voters came from (`parent`) and the
round in which they paid in full. Its float money is kept; its exact money (`e` minus the exact
prices of the rounds it paid) is computed only when a float comparison is too close to call,
once per class (one `Fraction` subtraction from its parent's).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from fractions import Fraction
from operator import itemgetter, mul

from tally.election import BallotCounts, Project, supported
from tally.rules._mes_shared import EPS, ONE, TINY, ZERO, Run, Step, _keep_rivals, _Limit


@dataclass
class SmallGroups:
    """Voters grouped by identical sets of supported projects, as lists per project."""

    weights: list[int]
    members: list[list[int]]  # per project: group indices
    member_weights: list[list[int]]  # the groups' weights
    support: list[int]  # per project: voters

    @classmethod
    def of(
        cls, counts: BallotCounts, projects: tuple[Project, ...], eligible: set[int]
    ) -> SmallGroups:
        """Straight from the ballot counts: each distinct ballot is a group (two groups with
        the same eligible supported projects are allowed: they always hold the same money)."""
        ballots = [
            choices if points is None else tuple(supported(choices, points))
            for choices, points in counts
        ]
        weights = list(counts.values())
        members: list[list[int]] = [[] for _ in projects]
        # a project's id -> the bound append of its list: no attribute look-up per pair
        add = {p.id: chosen.append for p, chosen in zip(projects, members, strict=True)}
        for group, choices in enumerate(ballots):
            for name in choices:
                add[name](group)
        lists = []
        for c, chosen in enumerate(members):
            if c not in eligible:
                chosen = []
            elif len(set(chosen)) < len(chosen):  # a ballot naming a project twice
                chosen = list(dict.fromkeys(chosen))
            lists.append(chosen)
        member_weights = [_picked(weights, chosen) for chosen in lists]
        return cls(weights, lists, member_weights, list(map(sum, member_weights)))


def _picked(values: list[int], indices: list[int]) -> list[int]:
    """`[values[i] for i in indices]`, by one `itemgetter` call when there are several: a
    third fewer instructions than a look-up per index (issue #23)."""
    if len(indices) > 1:
        return list(itemgetter(*indices)(values))
    return [values[i] for i in indices]


class _Money:
    """The budget classes of one run (class 0: the share; class 1: nothing left)."""

    def __init__(self, e: Fraction, rounds: int, track: bool) -> None:
        self.e = e
        self.e_f = e_f = float(e)
        self.track = track
        self.approx = [e_f, 0.0]  # float money
        self.slope_f = [1.0, 0.0]  # float d money / d e (add1)
        self.parent = [0, 1]
        self.round = [-1, -1]  # the round a class paid in full, coming from its parent
        self.exact: list[Fraction | None] = [e, ZERO]
        self.exact_slope: list[Fraction | None] = [ONE, ZERO]
        self.prices: list[Fraction] = []  # per round, exact
        self.price_slopes: list[Fraction] = []  # per round, d price / d e (add1)
        self.error = (rounds + 4) * EPS * e_f * (1 + EPS) + TINY
        self._slope_scale = 1.0  # 1 + sum of |price slopes|: bounds every slope

    @property
    def slope_error(self) -> float:
        return (len(self.prices) + 4) * EPS * self._slope_scale + TINY

    def value(self, k: int) -> Fraction:
        return self._exact(k, self.exact, self.prices)

    def slope(self, k: int) -> Fraction:
        return self._exact(k, self.exact_slope, self.price_slopes)

    def _exact(self, k: int, known: list[Fraction | None], per_round: list[Fraction]) -> Fraction:
        value = known[k]
        if value is not None:
            return value
        path = []
        while value is None:
            path.append(k)
            k = self.parent[k]
            value = known[k]
        for j in reversed(path):
            value = value - per_round[self.round[j]]
            known[j] = value
        return value

    def total(self, ks: list[int], ws: list[int]) -> tuple[int, int]:
        """Exact sum of weight * money over classes `ks`, as a numerator and a denominator
        (not reduced: integer products instead of one `Fraction` operation per class)."""
        value = self.value
        numerator, denominator = 0, 1
        for k, w in zip(ks, ws, strict=True):
            if k == 1:
                continue
            money = value(k)
            n, d = money.numerator, money.denominator
            if denominator % d == 0:
                numerator += w * n * (denominator // d)
            else:
                numerator, denominator = numerator * d + w * n * denominator, denominator * d
        return numerator, denominator

    def slope_total(self, ks: list[int], ws: list[int]) -> Fraction:
        slope = self.slope
        result = ZERO
        for k, w in zip(ks, ws, strict=True):
            if k != 1:
                result += slope(k) * w
        return result

    def pay(
        self, ks: list[int], capped: list[bool], price: Fraction, price_slope: Fraction
    ) -> dict[int, int]:
        """The winner's classes `ks` pay; returns the new class of each."""
        r = len(self.prices)
        self.prices.append(price)
        self.price_slopes.append(price_slope)
        # n / d: float() of a Fraction, rounded the same, without numbers.Rational's frames
        price_f = price.numerator / price.denominator
        price_slope_f = price_slope.numerator / price_slope.denominator
        self._slope_scale += abs(price_slope_f)
        approx, slope_f, parent, rounds = self.approx, self.slope_f, self.parent, self.round
        new = {}
        for k, cap in zip(ks, capped, strict=True):
            if cap or k == 1:
                new[k] = 1
                continue
            new[k] = len(approx)
            approx.append(approx[k] - price_f)
            slope_f.append(slope_f[k] - price_slope_f)
            parent.append(k)
            rounds.append(r)
        missing = len(approx) - len(self.exact)
        self.exact.extend([None] * missing)
        self.exact_slope.extend([None] * missing)
        return new


class _Histogram:
    """A project's supporters by class, in increasing float money, and the float pass."""

    __slots__ = ("ks", "ws", "money", "split", "paid", "uncapped", "error")

    def __init__(
        self,
        ks: list[int],
        ws: list[int],
        money: list[float],
        split: int,
        paid: float,
        uncapped: int,
        error: float,
    ) -> None:
        self.ks, self.ws, self.money = ks, ws, money
        self.split, self.paid, self.uncapped, self.error = split, paid, uncapped, error


@dataclass
class _Price:
    price: Fraction
    capped: list[bool]  # per histogram class: pays all it has
    capped_slope: Fraction  # sum of weight * slope of money over capped classes (add1 only)
    uncapped: int  # voters paying the full price


def mes_run_small(
    costs: list[int],
    utilities: list[int],
    groups: SmallGroups,
    candidates: list[int],
    tie_rank: list[int],
    e: Fraction,
    track: bool,
) -> Run:
    """One run of equal shares with share `e`; `track` (add1) also measures how far the
    share can grow before any decision of this run may change."""
    money = _Money(e, len(candidates), track)
    limit = _Limit(track)
    class_of = [0] * len(groups.weights)
    approx = money.approx
    members, member_weights, support = groups.members, groups.member_weights, groups.support
    free: list[int] = []
    queue: list[tuple[float, int, int]] = []  # (lower bound, tie rank, project): a heap
    # per project, a line below its price: lower[c] + lower_slope[c] * (share - e)
    lower: dict[int, float] = {}
    lower_slope: dict[int, float] = {}
    for c in candidates:
        if support[c] == 0:
            continue
        if costs[c] == 0:
            free.append(c)
            continue
        # nobody pays more than the price, so the price is at least cost / supporters
        lower[c] = costs[c] / (support[c] * utilities[c]) * (1 - EPS)
        lower_slope[c] = 0.0
        queue.append((lower[c], tie_rank[c], c))
    free.sort(key=lambda c: tie_rank[c])
    heapq.heapify(queue)

    def histogram(c: int) -> _Histogram:
        counts: dict[int, int] = {}
        for g, w in zip(members[c], member_weights[c]):  # noqa: B905 (same length)
            k = class_of[g]
            if k in counts:
                counts[k] += w
            else:
                counts[k] = w
        ks = sorted(counts, key=approx.__getitem__)
        ws = list(map(counts.__getitem__, ks))
        floats = list(map(approx.__getitem__, ks))
        cost = costs[c]
        left = support[c]
        paid = 0.0
        split = -1
        split_paid, split_left = 0.0, 0
        for i, m in enumerate(floats):
            if m * left >= cost - paid:
                split, split_paid, split_left = i, paid, left
                paid += sum(map(mul, ws[i:], floats[i:]))
                break
            paid += ws[i] * m
            left -= ws[i]
        error = support[c] * money.error + (len(ks) + 6) * EPS * (paid + cost)
        if split < 0:  # no class covers the rest: the money may not reach the cost
            return _Histogram(ks, ws, floats, len(ks), paid, 0, error)
        return _Histogram(ks, ws, floats, split, split_paid, split_left, error)

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
                if hist.paid + hist.error < cost or _below(money.total(hist.ks, hist.ws), cost):
                    if not limit.done:
                        _keep_unaffordable(limit, hist, cost, money)
                    continue
                last = len(hist.ks) - 1  # affordable by a hair: the exact pass settles it
                hist.split, hist.uncapped = last, hist.ws[last]
                hist.paid -= hist.ws[last] * hist.money[last]
            # any split gives a price at most the true one (docs/tally.md): a lower bound
            rho_low = (cost - hist.paid - hist.error) / hist.uncapped / utility * (1 - EPS)
            lower[c] = max(rho_low, 0.0)
            if money.track and not limit.done:
                lower_slope[c] = _slope_low(hist, utility, money)
            if best is not None and lower[c] > best_high:
                rivals.append(c)
                continue
            exact = _exact_price(cost, support[c], hist, money)
            if exact is None:
                limit.keep(0.0, 1.0)  # affordable by a hair's breadth: look again at e + 1
                continue
            rho = exact.price / utility
            rho_f = rho.numerator / rho.denominator  # float(rho), rounded the same
            lower[c] = rho_f * (1 - EPS)
            if money.track and not limit.done:  # the line of the exact split
                slope = -exact.capped_slope / exact.uncapped / utility
                exact_lines[c] = (rho, slope)
                exact_slope = float(slope)
                lower_slope[c] = exact_slope - abs(exact_slope) * EPS - TINY
            if best is None or (rho, tie_rank[c]) < (best_rho, tie_rank[best]):
                if best is not None:
                    rivals.append(best)
                best, best_rho, best_price, best_hist = c, rho, exact, hist
                best_high = rho_f * (1 + EPS) + TINY
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
        payers = best_price.uncapped + _with_money(ks, ws, capped, money)
        steps.append(Step(best, best_price.price, payers))
        new = money.pay(ks, capped, best_price.price, price_slope)
        for g in members[best]:
            class_of[g] = new[class_of[g]]
    return Run(steps=steps, free=free, jump=limit.jump())


def _with_money(ks: list[int], ws: list[int], capped: list[bool], money: _Money) -> int:
    """Voters of the capped classes who have some money left (they do pay)."""
    count = 0
    for k, w, cap in zip(ks, ws, capped, strict=True):
        if cap and (money.approx[k] > money.error or money.value(k) > 0):
            count += w
    return count


def _exact_price(cost: int, support: int, hist: _Histogram, money: _Money) -> _Price | None:
    """The exact price (None: the supporters cannot pay the cost), trying the float guess
    `hist.split` first (the classes before it pay all they have), then the plain exact way."""
    ks, ws, floats, split = hist.ks, hist.ws, hist.money, hist.split
    uncapped = support - sum(ws[:split])
    if uncapped > 0:
        numerator, denominator = money.total(ks[:split], ws[:split])  # what they pay
        price = Fraction(cost * denominator - numerator, denominator * uncapped)
        price_f = price.numerator / price.denominator  # float(price), rounded the same
        band = money.error + 2 * EPS * price_f + TINY
        below, above = price_f - band, price_f + band  # surely below / above the price
        # the guess is right when every guessed class has at most the price and every other
        # at least it; floats settle all but the classes whose money is next to the price
        if all(f <= above for f in floats[:split]) and all(f >= below for f in floats[split:]):
            capped = [f < below for f in floats]
            right = True
            for i, f in enumerate(floats):
                if f < below or f > above:
                    continue
                exact = money.value(ks[i])
                if (exact > price) if i < split else (exact < price):
                    right = False
                    break
                capped[i] = exact < price
            if right:
                return _price(price, capped, hist, money)
    # exact order by money, then the first class whose money covers the rest
    values = [money.value(k) for k in ks]
    paid, left = ZERO, support
    capped = [False] * len(ks)
    for i in sorted(range(len(ks)), key=values.__getitem__):
        if values[i] * left >= cost - paid:
            return _price((cost - paid) / left, capped, hist, money)
        paid += values[i] * ws[i]
        left -= ws[i]
        capped[i] = True
    return None


def _below(total: tuple[int, int], cost: int) -> bool:
    return total[0] < cost * total[1]


def _price(price: Fraction, capped: list[bool], hist: _Histogram, money: _Money) -> _Price:
    ks, ws = hist.ks, hist.ws
    slope = ZERO
    if money.track:
        slope = money.slope_total(
            [k for k, cap in zip(ks, capped, strict=True) if cap],
            [w for w, cap in zip(ws, capped, strict=True) if cap],
        )
    uncapped = sum(w for w, cap in zip(ws, capped, strict=True) if not cap)
    return _Price(price=price, capped=capped, capped_slope=slope, uncapped=uncapped)


def _rise(ks: list[int], ws: list[int], money: _Money) -> tuple[float, float]:
    """Float sum of weight * slope of money over classes `ks`, and a bound on its error."""
    slopes = money.slope_f
    rise = magnitude = 0.0
    voters = 0
    for k, w in zip(ks, ws, strict=True):
        rise += w * slopes[k]
        magnitude += w * abs(slopes[k])
        voters += w
    return rise, voters * money.slope_error + (len(ks) + 4) * EPS * magnitude


def _slope_low(hist: _Histogram, utility: int, money: _Money) -> float:
    """A float below the slope (per unit of share) of the price computed with the float split."""
    rise, error = _rise(hist.ks[: hist.split], hist.ws[: hist.split], money)
    return -(rise + error) / hist.uncapped / utility * (1 + EPS) - TINY


def _keep_unaffordable(limit: _Limit, hist: _Histogram, cost: int, money: _Money) -> None:
    """A project out of reach stays so while its supporters' money is below its cost."""
    rise, error = _rise(hist.ks, hist.ws, money)
    limit.keep(cost - hist.paid - hist.error, rise + error)


def _keep_winner(
    limit: _Limit, hist: _Histogram, price: _Price, price_slope: Fraction, money: _Money
) -> None:
    """Which of the winner's supporters pay all they have must stay the same."""
    price_f, price_slope_f = float(price.price), float(price_slope)
    margin = money.error + 2 * EPS * price_f + TINY
    slope_error = money.slope_error
    for k, floats in zip(hist.ks, hist.money, strict=True):
        difference = floats - price_f
        gap = abs(difference) - margin
        below = difference < 0
        if gap <= 0:  # too close for floats
            exact_gap = money.value(k) - price.price
            if exact_gap == 0:
                if money.slope(k) != price_slope:
                    limit.keep(0.0, 1.0)
                    return
                continue  # money and price move together
            gap = abs(float(exact_gap)) * (1 - EPS)
            below = exact_gap < 0
        # money - price changes by `change` per unit of share: it closes the gap when money
        # below the price rises faster than the price, or money above it falls faster
        slope = money.slope_f[k]
        change = slope - price_slope_f
        closing = (change if below else -change) + (
            slope_error + EPS * (abs(slope) + abs(price_slope_f)) + TINY
        )
        if closing > 0:
            limit.keep(gap, closing)
