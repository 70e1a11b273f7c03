"""`participation jobs`: the operator lists the jobs that failed, retries one after fixing its
cause, drops one that can never succeed; both written to the audit log."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from participation.cli import main


async def _jobs() -> dict[str, int]:
    """A failed tally, a pending results job, a done one; their ids by name."""
    from participation.db import close_database, init_database
    from participation.outbox import JobState, OutboxJob
    from participation.settings import Settings

    await init_database(Settings.from_env())
    try:
        failed = await OutboxJob.create(
            name="tally_budget",
            args="[7]",
            state=JobState.FAILED,
            attempts=5,
            last_error="Traceback ...\nKeyError: 'project 12'",
        )
        pending = await OutboxJob.create(name="compute_consultation_results", args="[3]")
        done = await OutboxJob.create(name="tally_budget", args="[2]", state=JobState.DONE)
        return {"failed": failed.id, "pending": pending.id, "done": done.id}
    finally:
        await close_database()


async def _state() -> tuple[dict[int, tuple[str, int]], list[tuple[str, str]]]:
    from participation.audit import AuditLogEntry
    from participation.db import close_database, init_database
    from participation.outbox import OutboxJob
    from participation.settings import Settings

    await init_database(Settings.from_env())
    try:
        jobs = {job.id: (str(job.state), job.attempts) for job in await OutboxJob.all()}
        logged = [(e.action, e.before) for e in await AuditLogEntry.all().order_by("id")]
        return jobs, logged
    finally:
        await close_database()


def test_an_operator_lists_retries_and_drops_jobs(
    fresh_installation: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = asyncio.run(_jobs())
    capsys.readouterr()

    assert main(["jobs", "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    rows = [line.split() for line in listed[1:] if not line.strip().startswith("last error")]
    assert [int(row[0]) for row in rows] == [ids["failed"], ids["pending"]]  # failed first
    assert "tally_budget(7)" in listed[1] and "last error: KeyError: 'project 12'" in listed[2]

    assert main(["jobs", "retry", str(ids["failed"])]) == 0
    assert main(["jobs", "drop", str(ids["pending"])]) == 0
    assert main(["jobs", "retry", str(ids["done"]), "999"]) == 1  # refused, said why
    said = capsys.readouterr()
    assert "pending again" in said.out and "dropped" in said.out
    assert f"job {ids['done']} (tally_budget) is done" in said.err
    assert "999: no such job" in said.err

    jobs, logged = asyncio.run(_state())
    assert jobs == {ids["failed"]: ("pending", 0), ids["done"]: ("done", 0)}
    assert [action for action, _ in logged] == ["job_retried", "job_dropped"]
    assert "KeyError" in logged[0][1] and "compute_consultation_results" in logged[1][1]
    assert main(["jobs", "list"]) == 0
    assert "tally_budget(7)" in capsys.readouterr().out  # pending now, run by the next sweep
