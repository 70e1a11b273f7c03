"""`greedy-threshold`: greedy over the projects whose score reaches the election's threshold.

Without `min_project_score_threshold` it is plain greedy.
"""

from __future__ import annotations

from dataclasses import dataclass

from budgets.election import Election, Outcome
from budgets.rules._greedy import greedy_outcome


@dataclass(frozen=True)
class GreedyThreshold:
    name: str = "greedy-threshold"

    def tally(
        self, election: Election, *, utility: str = "cost", completion: str = "add1"
    ) -> Outcome:
        threshold = election.min_project_score_threshold
        return greedy_outcome(election, self.name, skip=True, threshold=threshold)


RULE = GreedyThreshold()
