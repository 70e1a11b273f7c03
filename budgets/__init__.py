"""Participatory budgets.

The tally engine is importable without the web stack (no Tortoise, no Starlette)::

    from budgets import tally
    outcome = tally(election, rule="equal-shares", utility="cost", completion="add1")
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

    from budgets.election import Election, Outcome
    from budgets.rules import Rule

__all__ = ["RULES", "tally"]


def tally(
    election: Election, rule: str = "greedy", *, utility: str = "cost", completion: str = "add1"
) -> Outcome:
    """Tally `election` with `rule` (a name of `RULES`); see docs/tally.md."""
    from budgets.election import ElectionError
    from budgets.rules import RULES

    try:
        strategy = RULES[rule]
    except KeyError:
        known = ", ".join(RULES)
        raise ElectionError(f"unknown rule {rule!r} (known: {known})") from None
    return strategy.tally(election, utility=utility, completion=completion)


def __getattr__(name: str) -> Mapping[str, Rule]:
    if name == "RULES":
        from budgets.rules import RULES

        return RULES
    raise AttributeError(name)
