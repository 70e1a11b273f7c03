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
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from enum import StrEnum
from typing import Any

from tortoise import fields, timezone
from tortoise.expressions import F
from tortoise.models import Model

from participation import queue

logger = logging.getLogger("participation.outbox")

RUNNER = "run_outbox_job"
MAX_ATTEMPTS = 5
# A row never started this long after it was written lost its Redis message.
LOST_AFTER = timedelta(minutes=1)
# A row started this long ago and not done lost its worker (killed, machine restarted): longer
# than the worker's job_timeout (600 s), so a slow tally is not run twice at once.
ABANDONED_AFTER = timedelta(minutes=15)


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


def _job_functions() -> dict[str, Callable[..., Awaitable[Any]]]:
    from participation.worker import job_functions

    return {function.__name__: function for function in job_functions()}


async def run_outbox_job(ctx: dict[str, Any], job_id: int) -> str:
    """arq job: run one recorded job and mark it done; a job already done is skipped."""
    job = await OutboxJob.get_or_none(id=job_id)
    if job is None or job.state != JobState.PENDING:
        return "skipped"
    function = _job_functions().get(job.name)
    if function is None:  # a job of a removed feature: keep it visible, do not loop on it
        await OutboxJob.filter(id=job_id).update(
            state=JobState.FAILED, last_error=f"no job named {job.name}"
        )
        return "unknown"
    await OutboxJob.filter(id=job_id).update(attempts=F("attempts") + 1, started_at=timezone.now())
    try:
        outcome = await function(ctx, *job.arguments)
    except Exception as error:
        await job.refresh_from_db()
        failed = job.attempts >= MAX_ATTEMPTS
        await OutboxJob.filter(id=job_id).update(
            last_error=repr(error)[:2000],
            state=JobState.FAILED if failed else JobState.PENDING,
        )
        raise
    # only a pending row moves to done: a concurrent run that finished first keeps its time
    await OutboxJob.filter(id=job_id, state=JobState.PENDING).update(
        state=JobState.DONE, done_at=timezone.now(), last_error=""
    )
    return str(outcome)


def stale(now: Any) -> Any:
    """The filter of rows to enqueue again: pending, and lost or abandoned."""
    from tortoise.expressions import Q

    never_started = Q(started_at=None, created_at__lt=now - LOST_AFTER)
    abandoned = Q(started_at__lt=now - ABANDONED_AFTER)
    return Q(never_started | abandoned, state=JobState.PENDING, attempts__lt=MAX_ATTEMPTS)


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
