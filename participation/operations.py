"""Operators' commands (docs/operations.md): `participation jobs list|retry|drop`,
`participation backup FILE`, `participation restore FILE` (participation/backup.py).

Background jobs are rows of `job_outbox` (participation/outbox.py); one that kept failing stays
there, `failed`, with its last error. After fixing the cause, `retry` makes it pending again
(the next sweep, within a minute, runs it); `drop` forgets one that can never succeed. Both are
written to the audit log.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from participation import backup, outbox
from participation.db import close_database, init_database
from participation.formatting import format_datetime
from participation.settings import Settings


def configure_jobs(parser: argparse.ArgumentParser) -> None:
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="list|retry|drop")
    listing = verbs.add_parser("list", help="failed jobs, then pending ones")
    listing.add_argument("--all", action="store_true", help="done ones too")
    listing.set_defaults(func=list_jobs)
    for verb, function, what in (
        ("retry", retry_jobs, "make failed jobs pending again (run within a minute)"),
        ("drop", drop_jobs, "forget jobs that can never succeed (kept in the audit log)"),
    ):
        command = verbs.add_parser(verb, help=what)
        command.add_argument("ids", nargs="+", type=int, metavar="ID")
        command.set_defaults(func=function)


def configure_backup(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, metavar="FILE")
    parser.set_defaults(func=backup_database)


def configure_restore(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, metavar="FILE")
    parser.set_defaults(func=restore_database)


def backup_database(args: argparse.Namespace) -> int:
    return _refused_or_done(backup.backup, args.file, f"Backed up into {args.file}.")


def restore_database(args: argparse.Namespace) -> int:
    done = (
        f"Restored from {args.file}; run `participation migrate` if it came from an older release."
    )
    return _refused_or_done(backup.restore, args.file, done)


def _refused_or_done(command: Callable[[Settings, Path], None], file: Path, done: str) -> int:
    try:
        command(Settings.from_env(), file)
    except backup.BackupRefused as refused:
        print(refused, file=sys.stderr)
        return 1
    print(done)
    return 0


def list_jobs(args: argparse.Namespace) -> int:
    rows = _with_database(lambda: outbox.jobs_to_look_at(everything=args.all))
    if not rows:
        print("No job failed or waits.")
        return 0
    print(f"{'id':>6}  {'state':<8} {'tries':>5}  {'created (UTC)':<16}  job")
    for job in rows:
        created = format_datetime(job.created_at, "en") if job.created_at else ""
        error = job.last_error.strip().splitlines()[-1][:100] if job.last_error.strip() else ""
        arguments = ", ".join(str(a) for a in job.arguments)
        print(
            f"{job.id:>6}  {job.state:<8} {job.attempts:>5}  {created:<16}  {job.name}({arguments})"
        )
        if error:
            print(f"{'':>6}  last error: {error}")
    return 0


def retry_jobs(args: argparse.Namespace) -> int:
    return _each(args.ids, outbox.retry, "pending again; the next sweep runs it")


def drop_jobs(args: argparse.Namespace) -> int:
    return _each(args.ids, outbox.drop, "dropped")


def _each(ids: list[int], command: Any, done: str) -> int:
    async def run() -> int:
        status = 0
        for job_id in ids:
            try:
                job = await command(job_id)
            except outbox.JobRefused as refused:
                print(refused, file=sys.stderr)
                status = 1
            else:
                print(f"job {job.id} ({job.name}): {done}")
        return status

    return _with_database(run)


def _with_database(work: Callable[[], Awaitable[Any]]) -> Any:
    async def run() -> Any:
        await init_database(Settings.from_env())
        try:
            return await work()
        finally:
            await close_database()

    return asyncio.run(run())
