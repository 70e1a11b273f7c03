"""The `participation` command.

participation run             web + worker + embedded Redis for a laptop (what `make run` does)
participation serve           the web server (production: one per host, WEB_CONCURRENCY procs)
participation worker          the arq worker (production: any number)
participation migrate         apply the database migrations
participation makemigrations  write migrations for model changes (developers)
participation demo            load the demo town (idempotent; refused in production)
participation jobs list       background jobs that failed or wait; `jobs retry|drop ID...`
participation backup FILE     copy the database into FILE; `participation restore FILE`
participation createadmin     create or promote a council staff account
participation tally FILE...   tally Pabulib files (see `participation tally --help`)
participation tally-budget ID open a budget's sealed ballots with the trustees' key shares
                              (asked one by one, hidden; or one per line on stdin) and count
"""

# Every subcommand is a `Command` (participation/features.py): a name, its help and where its
# code is. The core's are listed here, a feature's in its package's `cli.py`; only the module
# of the command that runs is imported, and no feature's manifest (issue #23: `participation
# tally` spent a second of CPU importing every feature's routes and templates, the core's
# worker and demo, before reading its file). Keep this module's imports light.

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from participation import features
from participation.features import Command
from participation.settings import ConfigurationError

COMMANDS = (
    Command(
        "run", "web + worker + embedded Redis, for a laptop", "participation.commands:configure_run"
    ),
    Command("serve", "the web server", "participation.commands:configure_serve"),
    Command("worker", "the background worker", "participation.commands:configure_worker"),
    Command("migrate", "apply database migrations", "participation.commands:configure_migrate"),
    Command(
        "makemigrations",
        "write migrations (developers)",
        "participation.commands:configure_makemigrations",
    ),
    Command(
        "answers-key",
        "print a new random ANSWERS_KEY (docs/configuration.md)",
        "participation.commands:configure_answers_key",
    ),
    Command(
        "secret-key",
        "print a new random SECRET_KEY (docs/configuration.md)",
        "participation.commands:configure_secret_key",
    ),
    Command("demo", "load the demo town (idempotent)", "participation.commands:configure_demo"),
    Command(
        "createadmin",
        "create or promote a staff account",
        "participation.commands:configure_createadmin",
    ),
    Command(
        "backup",
        "copy the whole database into a new FILE",
        "participation.operations:configure_backup",
    ),
    Command(
        "restore",
        "restore FILE into a new, empty database",
        "participation.operations:configure_restore",
    ),
    Command(
        "jobs",
        "background jobs that failed or wait: list, retry, drop",
        "participation.operations:configure_jobs",
    ),
)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    # the command is the first word that is not an option (the top parser has only --help)
    chosen = next((word for word in arguments if not word.startswith("-")), "")
    parser = build_parser(only=chosen)
    args = parser.parse_args(arguments)
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except ConfigurationError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2


def all_commands() -> tuple[Command, ...]:
    """The core's commands, then each installed feature's (`<package>/cli.py`), in the order
    of `features.INSTALLED`; no manifest is imported."""
    found = list(COMMANDS)
    for package in features.INSTALLED:
        found.extend(features.commands_of(package))
    names = [command.name for command in found]
    if len(set(names)) != len(names):
        raise ValueError(f"two commands share a name: {names}")
    return tuple(found)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The `participation` parser: every command listed with its help. `only` names the one
    command whose own parser is built (its module imported); None builds them all."""
    parser = argparse.ArgumentParser(
        prog="participation",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    subparsers = parser.add_subparsers(metavar="COMMAND")
    for command in all_commands():
        subparser = subparsers.add_parser(command.name, help=command.help)
        if only is None or command.name == only:
            configure(command)(subparser)
    return parser


def configure(command: Command) -> Callable[[argparse.ArgumentParser], None]:
    """The function named by `command.configure` ("module:function"), its module imported."""
    module, _, name = command.configure.partition(":")
    function: Callable[[argparse.ArgumentParser], None] = getattr(
        importlib.import_module(module), name
    )
    return function


if __name__ == "__main__":
    sys.exit(main())
