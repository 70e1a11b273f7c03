"""What the two engines of one equal shares run share (`_mes_run` with numpy, `_mes_small` in
plain Python): the error constants, a run's result, and the add1 distance that a run records.
No numpy here: an election small enough for `_mes_small` never imports it (issue #23: numpy's
import was a third of `participation tally`'s start-up). Error bounds: see `_mes_run`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

ZERO = Fraction(0)
ONE = Fraction(1)
EPS = 2.0**-50
TINY = 1e-300  # keeps a bound strict when the value rounds to zero


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


def _keep_rivals(
    limit: _Limit,
    rivals: list[int],
    lower: dict[int, float],
    lower_slope: dict[int, float],
    best_rho: Fraction,
    best_slope: Fraction,
    exact: dict[int, tuple[Fraction, Fraction]],
) -> None:
    """Each rival's lower line must stay above the winner's price per utility.

    `exact`: the rivals priced exactly this round, their price per utility and its slope (the
    line of their exact split, below their price at every share). A rival too close for floats
    is settled with them: at an exact tie (it lost on the tie order) it keeps losing as long
    as its line does not fall below the winner's, so a tie whose two prices move alike (the
    same number of supporters paying in full, none capped: `1 / supporters` each) does not
    end the jump (issue #23: a small budget with many projects had such ties at every share).
    """
    best_high = float(best_rho) * (1 + EPS) + TINY
    best_slope_high = float(best_slope)
    best_slope_high += abs(best_slope_high) * EPS + TINY
    for c in rivals:
        gap = lower[c] - best_high
        if gap <= 0 and c in exact:
            rho, slope = exact[c]
            closing = best_slope - slope  # how fast the winner's price nears the rival's line
            if closing <= 0:
                continue  # never closer: the rival keeps losing (by price or tie order)
            exact_gap = rho - best_rho
            if exact_gap == 0:
                limit.keep(0.0, 1.0)
            else:  # both rounded once to a double: far inside the margin of `keep`
                limit.keep(float(exact_gap), float(closing))
        else:
            limit.keep(gap, best_slope_high - lower_slope[c])
        if limit.done:
            return
