"""Tally rules: one strategy module each, one interface (`Rule`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from tally.election import Election, ElectionError, Outcome
from tally.rules import equal_shares, greedy, greedy_no_skip, greedy_threshold


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


# META.rule values of Pabulib files that this engine tallies the same way
META_RULES = ("greedy", "greedy-no-skip", "greedy-threshold", "equalshares", "equalshares/add1")


class UnknownRule(ElectionError):
    """A file's META.rule that no rule here implements."""

    def __init__(self, declared: str) -> None:
        self.declared = declared
        self.known = ", ".join(META_RULES)
        super().__init__(f"META.rule {declared!r} is not a rule this engine knows ({self.known})")


def rule_of_meta(declared: str) -> tuple[str, str]:
    """The engine rule and equal-shares completion for a Pabulib file's META.rule.

    Case and surrounding spaces do not matter; `equalshares/add1...` (or `equal-shares`) is equal
    shares completed by add1, plain `equalshares` has no completion. A file without META.rule is
    tallied greedily, which is what Pabulib files without the key mean. Any other value raises
    `UnknownRule`, naming it and listing the known ones: a rule is never guessed.
    """
    name = declared.strip().lower()
    if name == "":
        return "greedy", "add1"
    if name in ("greedy", "greedy-no-skip", "greedy-threshold"):
        return name, "add1"
    for prefix in ("equalshares", "equal-shares"):
        if name == prefix or name.startswith(prefix + "/"):
            suffix = name.removeprefix(prefix).removeprefix("/")
            return "equal-shares", "add1" if suffix.startswith("add1") else "none"
    raise UnknownRule(declared.strip())
