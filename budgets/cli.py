"""The budgets' subcommands of the `participation` command (participation/cli.py), declared
without importing them: `tally FILE...` (Pabulib files: budgets/tally_cli.py) and `tally-budget
ID` (the trustees' count of sealed ballots: budgets/tally_budget_cli.py). Nothing else here:
`participation tally` imports this module, and none of the feature's web code (issue #23)."""

from __future__ import annotations

from participation.features import Command

COMMANDS = (
    Command("tally", "tally Pabulib files (greedy, equal shares)", "budgets.tally_cli:configure"),
    Command(
        "tally-budget",
        "open a closed budget's sealed ballots with the trustees' key shares, and count",
        "budgets.tally_budget_cli:configure",
    ),
)
