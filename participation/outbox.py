"""Durable background jobs: a job is a database row before it is a Redis message.

Redis may restart, be flushed or be down when a job is enqueued; the row is not lost. The flow:

1. `record(name, *args)` inside the transaction that makes the job necessary (a budget entering
   its tally): the row commits or rolls back with the change itself;
2. `dispatch(job)` after commit enqueues `run_outbox_job(job_id)` in arq;
3. `run_outbox_job` runs the feature's job function and marks the row done;
4. `sweep_jobs`, an arq cron, enqueues again every row not done after a delay (never reached
   Redis, lost in a flush, or its worker was killed while running it).

So a job may run twice (a sweep while the first run is still queued, two workers): every job
function behind the outbox must be idempotent (the tally and the consultation results are:
they hash their input and store the same row). E-mails have their own outbox, `mail.py`, on the
same pattern.

A transient database error (SQLite "database is locked" while an import holds the write lock,
a PostgreSQL deadlock, serialization failure, lock timeout or lost connection: `transient()`)
does not wait for the sweeper's 15 minutes: the job asks arq to run it again after
RETRY_DELAYS (1 s, 5 s, 30 s, 2 min), and is failed when its attempts are used up. Any other
error (a bug, a missing row) is not retried so: the row stays pending for the sweeper.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from datetime import timedelta
from enum import StrEnum
from typing import Any

import asyncpg
from arq.worker import Function, Retry
from tortoise import fields, timezone
from tortoise.expressions import F, Q
from tortoise.models import Model
from tortoise.transactions import in_transaction

from participation import features, mail, queue
from participation.audit import audit
from participation.db import database_unreachable
from participation.pagecache import job_changes_pages

logger = logging.getLogger("participation.outbox")

RUNNER = "run_outbox_job"
MAX_ATTEMPTS = 5
# A row never started this long after it was written lost its Redis message.
LOST_AFTER = timedelta(minutes=1)
# A row started this long ago and not done lost its worker (killed, machine restarted): longer
# than the worker's job_timeout (600 s), so a slow tally is not run twice at once.
ABANDONED_AFTER = timedelta(minutes=15)
# Seconds before the 2nd, 3rd ... run of a job that met a transient database error.
RETRY_DELAYS = (1, 5, 30, 120)
# PostgreSQL's "try again": concurrent transactions in each other's way, too many connections
CONTENTION = (
    asyncpg.SerializationError,
    asyncpg.DeadlockDetectedError,
    asyncpg.LockNotAvailableError,
    asyncpg.TooManyConnectionsError,
)
SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")


class JobState(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"  # gave up after MAX_ATTEMPTS; kept for the operator (docs/operations.md)


class OutboxJob(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=60)
    args = fields.TextField(default="[]")  # JSON list of ids
    state = fields.CharEnumField(JobState, max_length=10, default=JobState.PENDING)
    attempts = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    started_at = fields.DatetimeField(null=True)
    done_at = fields.DatetimeField(null=True)
    last_error = fields.TextField(default="")

    class Meta:
        table = "job_outbox"
        indexes = (("state", "created_at"),)

    @property
    def arguments(self) -> list[Any]:
        return list(json.loads(self.args))


async def record(name: str, *args: int | str) -> OutboxJob:
    """Write the job; call inside the caller's transaction, then `dispatch` after commit."""
    return await OutboxJob.create(name=name, args=json.dumps(list(args)))


async def dispatch(job: OutboxJob) -> bool:
    """Enqueue the row's runner; False when Redis is unreachable (the sweeper will retry).

    The arq job id names the attempt, so the same attempt is never queued twice."""
    return await queue.enqueue(RUNNER, job.id, _job_id=f"outbox:{job.id}:{job.attempts}")


async def defer(name: str, *args: int | str) -> OutboxJob:
    """`record` then `dispatch`, for callers that are not inside a transaction."""
    job = await record(name, *args)
    await dispatch(job)
    return job


def job_functions() -> list[Any]:
    """The core's jobs and every feature's (`Feature.jobs`): what the worker runs, and what
    `run_outbox_job` finds a recorded job's function in (participation/worker.py uses it)."""
    return [
        mail.send_email,
        mail.send_emails,
        run_outbox_job,
        *(j for f in features.FEATURES for j in f.jobs),
    ]


def _job_functions() -> dict[str, Callable[..., Awaitable[Any]]]:
    functions: dict[str, Callable[..., Awaitable[Any]]] = {}
    for function in job_functions():
        if isinstance(function, Function):  # declared with arq's func(): name and coroutine
            functions[function.name] = function.coroutine
        else:
            functions[function.__name__] = function
    return functions


def transient(error: BaseException) -> bool:
    """True when `error`, or an error it was raised from, says "try again in a moment": the
    database is busy, in a conflict, or unreachable (not a bug that would fail again)."""
    if database_unreachable(error):
        return True
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, CONTENTION):
            return True
        if isinstance(current, sqlite3.OperationalError) and str(current) in SQLITE_BUSY:
            return True
        seen.add(id(current))
        wrapped = current.args[0] if current.args else None  # Tortoise's OperationalError(exc)
        if isinstance(wrapped, BaseException):
            current = wrapped
        else:
            current = current.__cause__ or current.__context__
    return False


def retry_delay(tries: int) -> int | None:
    """Seconds before running again a job whose `tries`-th run met a transient error; None
    when it has had its retries."""
    if tries > len(RETRY_DELAYS) or tries >= MAX_ATTEMPTS:
        return None
    return RETRY_DELAYS[max(tries, 1) - 1]


async def run_outbox_job(ctx: dict[str, Any], job_id: int) -> str:
    """arq job: run one recorded job and mark it done; a job already done is skipped. A
    transient database error asks arq for another run after a delay (`Retry`)."""
    job = await OutboxJob.get_or_none(id=job_id)
    if job is None or job.state != JobState.PENDING:
        return "skipped"
    function = _job_functions().get(job.name)
    if function is None:  # a job of a removed feature: keep it visible, do not loop on it
        await OutboxJob.filter(id=job_id).update(
            state=JobState.FAILED, last_error=f"no job named {job.name}"
        )
        return "unknown"
    try:
        await OutboxJob.filter(id=job_id).update(
            attempts=F("attempts") + 1, started_at=timezone.now()
        )
        outcome = await function(ctx, *job.arguments)
    except Exception as error:
        # the attempts written on the row, or arq's count when the database refused even that
        tries = max(job.attempts + 1, int(ctx.get("job_try") or 1))
        delay = retry_delay(tries) if transient(error) else None
        await _record_failure(job_id, error, failed=delay is None and tries >= MAX_ATTEMPTS)
        if delay is None:
            raise
        logger.warning(
            "job %s (%s) met a transient database error (%r); run %d again in %d s",
            job_id,
            job.name,
            error,
            tries + 1,
            delay,
        )
        raise Retry(defer=delay) from error
    # only a pending row moves to done: a concurrent run that finished first keeps its time
    await OutboxJob.filter(id=job_id, state=JobState.PENDING).update(
        state=JobState.DONE, done_at=timezone.now(), last_error=""
    )
    return str(outcome)


async def _record_failure(job_id: int, error: BaseException, failed: bool) -> None:
    """Write the error on the row; when the database is still refusing, the log keeps it."""
    try:
        await OutboxJob.filter(id=job_id).update(
            last_error=repr(error)[:2000],
            state=JobState.FAILED if failed else JobState.PENDING,
        )
    except Exception as again:
        if not transient(again):
            raise
        logger.warning("job %s: could not record its error %r (%r)", job_id, error, again)


def stale(now: Any) -> Any:
    """The filter of rows to enqueue again: pending, and lost or abandoned."""
    never_started = Q(started_at=None, created_at__lt=now - LOST_AFTER)
    abandoned = Q(started_at__lt=now - ABANDONED_AFTER)
    return Q(never_started | abandoned, state=JobState.PENDING, attempts__lt=MAX_ATTEMPTS)


@job_changes_pages(False)  # the jobs it enqueues again empty them when they run
async def sweep_jobs(ctx: dict[str, Any]) -> int:
    """arq cron: enqueue again the jobs that Redis lost or whose worker died."""
    pending = await OutboxJob.filter(stale(timezone.now())).order_by("id").limit(500)
    for job in pending:
        if job.started_at is not None:  # the worker died: count the lost run as an attempt
            logger.warning(
                "job %s (%s) was abandoned by its worker; running it again", job.id, job.name
            )
        await dispatch(job)
    return len(pending)


# --- what an operator does with jobs (`participation jobs`, docs/operations.md) ---------------


class JobRefused(Exception):
    """An operator's command on a job that cannot be carried out; the message says why."""


async def jobs_to_look_at(everything: bool = False) -> list[OutboxJob]:
    """Failed jobs, then pending ones (`everything`: done ones too), oldest first."""
    states = list(JobState) if everything else [JobState.FAILED, JobState.PENDING]
    rows = await OutboxJob.filter(state__in=states).order_by("id")
    order = {JobState.FAILED: 0, JobState.PENDING: 1, JobState.DONE: 2}
    return sorted(rows, key=lambda job: order[job.state])


async def _operable(job_id: int) -> OutboxJob:
    job = await OutboxJob.get_or_none(id=job_id)
    if job is None:
        raise JobRefused(f"job {job_id}: no such job")
    if job.state == JobState.DONE:
        raise JobRefused(f"job {job_id} ({job.name}) is done: nothing to do")
    return job


async def retry(job_id: int) -> OutboxJob:
    """Make a failed (or stuck) job pending again with all its attempts: the next sweep, within
    a minute, runs it. Only if it is still in the state it was read in (a worker may be on it)."""
    job = await _operable(job_id)
    async with in_transaction():
        moved = await OutboxJob.filter(id=job_id, state=job.state, attempts=job.attempts).update(
            state=JobState.PENDING, attempts=0, started_at=None, last_error=""
        )
        if not moved:
            raise JobRefused(f"job {job_id} ({job.name}) changed meanwhile: look again")
        await audit(None, "job_retried", "job", job_id, _described(job), "", "participation jobs")
    return job


async def drop(job_id: int) -> OutboxJob:
    """Forget a job that will never succeed (its object was deleted, say); the audit log keeps
    what it was."""
    job = await _operable(job_id)
    async with in_transaction():
        if not await OutboxJob.filter(id=job_id, state=job.state, attempts=job.attempts).delete():
            raise JobRefused(f"job {job_id} ({job.name}) changed meanwhile: look again")
        await audit(None, "job_dropped", "job", job_id, _described(job), "", "participation jobs")
    return job


def _described(job: OutboxJob) -> dict[str, Any]:
    return {
        "name": job.name,
        "args": job.arguments,
        "state": str(job.state),
        "attempts": job.attempts,
        "last_error": job.last_error[:500],
    }
