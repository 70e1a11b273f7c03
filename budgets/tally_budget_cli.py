"""`participation tally-budget ID`: the trustees' count of a budget's sealed ballots (declared
in budgets/cli.py)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from budgets.ballot_box import open_ballots
from budgets.models import Budget
from participation.db import close_database, init_database
from participation.i18n import gettext
from participation.refusals import Refused
from participation.settings import Settings


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("budget_id", type=int, metavar="BUDGET_ID")
    parser.set_defaults(func=tally_sealed_budget)


def read_shares(threshold: int, interactive: bool) -> list[str]:
    """The trustees' key shares: typed one by one without echo on a terminal (never as
    arguments: they would stay in the shell history), or one per line on stdin."""
    if not interactive:
        return [line.strip() for line in sys.stdin if line.strip()]
    shares: list[str] = []
    while True:
        prompt = f"Key share {len(shares) + 1} of {threshold} (empty to stop): "
        text = getpass.getpass(prompt).strip()
        if not text:
            return shares
        shares.append(text)
        if len(shares) >= threshold:
            return shares


def tally_sealed_budget(args: argparse.Namespace) -> int:
    settings = Settings.from_env()

    async def run() -> int:
        await init_database(settings)
        try:
            budget = await Budget.get_or_none(id=args.budget_id)
            if budget is None:
                print(f"No budget {args.budget_id}.", file=sys.stderr)
                return 2
            shares = read_shares(budget.ballot_key_threshold or 1, sys.stdin.isatty())
            try:
                count = await open_ballots(budget.id, shares)
            except Refused as refused:
                for problem in refused.problems:
                    print(gettext(problem.message).format(**problem.values), file=sys.stderr)
                return 1
            print(f"{count} ballots opened and counted for budget {budget.id}.")
            return 0
        finally:
            await close_database()

    return asyncio.run(run())
