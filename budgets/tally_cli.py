"""`participation tally`: tally Pabulib files from the command line.

participation tally --rule auto FILE...            readable tables (French or English)
participation tally --rule equal-shares --json FILE...   one JSON object per line per file
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import TextIO

from participation.i18n import N_, current_language
from participation.i18n import gettext as _
from tally import tally
from tally.election import COMPLETIONS, UTILITIES, ElectionError, Outcome
from tally.pabulib import PabulibError, PabulibFile, read_with_outcome
from tally.rules import RULES, UnknownRule, rule_of_meta

RULE_CHOICES = (*RULES, "auto")


REASON_LABELS = {
    "selected": N_("selected"),
    "does-not-fit": N_("does not fit the remaining budget"),
    "stopped": N_("not considered: the tally stopped"),
    "below-threshold": N_("below the score threshold"),
    "not-affordable": N_("its supporters cannot pay for it"),
    "completion": N_("selected by the completion"),
    "no-support": N_("no support"),
}


def configure(parser: argparse.ArgumentParser) -> None:
    """`participation tally` (declared in budgets/cli.py)."""
    parser.description = "Tally participatory-budget elections stored as Pabulib .pb files."
    parser.add_argument(
        "--rule",
        choices=RULE_CHOICES,
        default="auto",
        help="the rule; auto (default) uses each file's META.rule",
    )
    parser.add_argument(
        "--utility",
        choices=UTILITIES,
        default="cost",
        help="equal shares: utility of a project to its supporters",
    )
    parser.add_argument(
        "--completion",
        choices=COMPLETIONS,
        default=None,
        help="equal shares: completion (default add1, or the file's rule)",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per line per file")
    parser.add_argument(
        "--strict",
        action="store_true",
        help="refuse a file whose votes name a project twice (by default, as the city counted"
        " them: once, with a warning)",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", type=Path)
    parser.set_defaults(func=run_tally)


def rule_of(file: PabulibFile, wanted: str, completion: str | None) -> tuple[str, str]:
    """The rule and completion to use for `file` (resolving `auto` from META.rule)."""
    if wanted != "auto":
        return wanted, completion or "add1"
    try:
        rule, declared_completion = rule_of_meta(file.rule)
    except UnknownRule as error:
        raise ElectionError(f"{error}; use --rule") from None
    return rule, completion or declared_completion


def run_tally(
    args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    token = current_language.set(_locale_language())
    try:
        return _run(args, out or sys.stdout, err or sys.stderr)
    finally:
        current_language.reset(token)


def _run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    status = 0
    files: list[Path] = list(args.files)
    progress = err.isatty() and len(files) > 1
    started = time.monotonic()
    for number, path in enumerate(files, start=1):
        if progress:
            _progress(err, number - 1, len(files), path, started)
        try:
            file = read_with_outcome(path, strict=getattr(args, "strict", False))
            for msgid, values in file.warnings():
                warning = _("warning: {message}").format(message=_(msgid).format(**values))
                print(f"{path}: {warning}", file=err)
            rule, completion = rule_of(file, args.rule, args.completion)
            outcome = tally(file.election, rule, utility=args.utility, completion=completion)
        except PabulibError as error:
            text = _(error.msgid).format(**error.values) if error.msgid else str(error)
            print(f"{path}: {text}", file=err)
            status = 1
            continue
        except ElectionError as error:
            print(f"{path}: {error}", file=err)
            status = 1
            continue
        if args.json:
            print(json.dumps(_json(path, outcome), ensure_ascii=False), file=out, flush=True)
        else:
            print(render_table(path, file, outcome), file=out, flush=True)
    if progress:
        _progress(err, len(files), len(files), None, started)
        err.write("\n")
    return status


def _json(path: Path, outcome: Outcome) -> dict[str, object]:
    return {
        "file": str(path),
        "rule": outcome.rule,
        "selected": list(outcome.selected),
        "cost": outcome.cost,
        "budget": outcome.budget,
        "voters": outcome.voters,
    }


def _progress(err: TextIO, done: int, total: int, path: Path | None, started: float) -> None:
    width = 30
    filled = width * done // total
    bar = "#" * filled + "-" * (width - filled)
    name = path.name[:40] if path else ""
    err.write(f"\r[{bar}] {done}/{total} {time.monotonic() - started:5.1f}s {name:40}")
    err.flush()


def _locale_language() -> str:
    """French unless the locale says English (LC_ALL, LC_MESSAGES, LANG)."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value:
            english = value in ("C", "POSIX") or value.lower().startswith(("en", "c."))
            return "en" if english else "fr"
    return "fr"


def render_table(path: Path, file: PabulibFile, outcome: Outcome) -> str:
    costs = {p.id: p.cost for p in file.election.projects}
    names = {p.id: p.name for p in file.election.projects}
    lines = [
        f"{path}",
        f"  {_('Rule')}: {outcome.rule}"
        + (
            f" ({', '.join(f'{k}={v}' for k, v in outcome.options.items())})"
            if outcome.options
            else ""
        ),
        f"  {_('Budget')}: {outcome.budget}   {_('Cost of the selected projects')}: "
        f"{outcome.cost}   {_('Voters')}: {outcome.voters}",
        "",
        f"  {_('Rank'):>5} {_('Project'):<14} {_('Score'):>8} {_('Cost'):>10} "
        f"{_('Order'):>6} {_('Price'):>10}  {_('Decision')}",
    ]
    for item in outcome.explanations:
        price = f"{float(item.price):10.2f}" if item.price is not None else " " * 10
        order = str(item.order) if item.order is not None else ""
        label = _(REASON_LABELS.get(item.reason, item.reason))
        mark = "✓" if item.selected else " "
        name = names[item.project_id]
        lines.append(
            f"  {item.rank:>5} {item.project_id[:14]:<14} {item.score:>8} "
            f"{costs[item.project_id]:>10} {order:>6} {price}  {mark} {label}"
            + (f" — {name[:50]}" if name else "")
        )
    return "\n".join(lines) + "\n"
