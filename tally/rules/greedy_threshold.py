"""`greedy-threshold`: greedy over the projects whose score reaches the election's threshold.

Without `min_project_score_threshold` it is plain greedy.
"""

from __future__ import annotations

from tally.rules._greedy import GreedyRule

RULE = GreedyRule("greedy-threshold", use_threshold=True)
