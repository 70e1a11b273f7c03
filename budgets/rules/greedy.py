"""`greedy`: by score, highest first, skipping projects that do not fit the remaining budget."""

from __future__ import annotations

from dataclasses import dataclass

from budgets.election import Election, Outcome
from budgets.rules._greedy import greedy_outcome


@dataclass(frozen=True)
class Greedy:
    name: str = "greedy"

    def tally(
        self, election: Election, *, utility: str = "cost", completion: str = "add1"
    ) -> Outcome:
        return greedy_outcome(election, self.name, skip=True, threshold=None)


RULE = Greedy()
