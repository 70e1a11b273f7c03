"""The participatory-budget tally engine: elections, rules (greedy, equal shares), Pabulib files.

Pure and importable without the web stack: it imports neither Tortoise nor Starlette, nor any
feature (tests/tally/test_rules.py, "boundary"); `budgets` stores ballots and calls it::

    from tally import tally
    outcome = tally(election, rule="equal-shares", utility="cost", completion="add1")
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

    from tally.election import Election, Outcome
    from tally.rules import Rule

__all__ = ["RULES", "tally"]


def tally(
    election: Election, rule: str = "greedy", *, utility: str = "cost", completion: str = "add1"
) -> Outcome:
    """Tally `election` with `rule` (a name of `RULES`); see docs/tally.md."""
    from tally._collector import paused
    from tally.election import ElectionError
    from tally.rules import RULES

    try:
        strategy = RULES[rule]
    except KeyError:
        known = ", ".join(RULES)
        raise ElectionError(f"unknown rule {rule!r} (known: {known})") from None
    with paused():  # no cycle is made: the collector would only walk what is alive
        return strategy.tally(election, utility=utility, completion=completion)


def __getattr__(name: str) -> Mapping[str, Rule]:
    if name == "RULES":
        from tally.rules import RULES

        return RULES
    raise AttributeError(name)
