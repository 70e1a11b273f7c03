"""`greedy-no-skip`: by score, highest first, stopping at the first project that does not fit."""

from __future__ import annotations

from dataclasses import dataclass

from budgets.election import Election, Outcome
from budgets.rules._greedy import greedy_outcome


@dataclass(frozen=True)
class GreedyNoSkip:
    name: str = "greedy-no-skip"

    def tally(
        self, election: Election, *, utility: str = "cost", completion: str = "add1"
    ) -> Outcome:
        return greedy_outcome(election, self.name, skip=False, threshold=None)


RULE = GreedyNoSkip()
