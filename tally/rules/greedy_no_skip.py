"""`greedy-no-skip`: by score, highest first, stopping at the first project that does not fit."""

from __future__ import annotations

from tally.rules._greedy import GreedyRule

RULE = GreedyRule("greedy-no-skip", skip=False)
