"""`greedy`: by score, highest first, skipping projects that do not fit the remaining budget."""

from __future__ import annotations

from tally.rules._greedy import GreedyRule

RULE = GreedyRule("greedy")
