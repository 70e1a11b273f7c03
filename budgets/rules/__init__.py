"""Tally rules: one strategy module each, one interface (`Rule`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from budgets.election import Election, Outcome
from budgets.rules import equal_shares, greedy, greedy_no_skip, greedy_threshold


class Rule(Protocol):
    """A tally rule: `tally(election, utility=..., completion=...) -> Outcome`.

    Rules that have no use for an option ignore it (greedy rules ignore both).
    """

    name: str

    def tally(self, election: Election, *, utility: str, completion: str) -> Outcome: ...


RULES: Mapping[str, Rule] = {
    module.RULE.name: module.RULE
    for module in (greedy, greedy_no_skip, greedy_threshold, equal_shares)
}
