"""Indicators background job: recompute and store every process's figures.

Requested every 10 minutes by a cron job and on demand (the dashboard's button), always under
one fixed job id, so one run at a time; idempotent: the same data gives the same content.
"""

from __future__ import annotations

from typing import Any

from arq import cron
from arq.worker import func

from indicators import services
from participation import queue
from participation.pagecache import job_changes_pages

JOB_ID = "compute-indicators"


async def compute_indicators(ctx: dict[str, Any]) -> int:
    return await services.compute_all()


async def request_indicators() -> bool:
    """Enqueue a run; while one is queued or running, arq refuses the same job id, so two runs
    never write at once."""
    return await queue.enqueue("compute_indicators", _job_id=JOB_ID)


@job_changes_pages(False)  # compute_indicators, which it enqueues, does
async def schedule_indicators(ctx: dict[str, Any]) -> bool:
    """Every 10 minutes: ask for a run (through the same job id as the dashboard's button)."""
    return await request_indicators()


# no kept result: the fixed job id would otherwise refuse a new run for an hour
FUNCTIONS = [func(compute_indicators, keep_result=0)]
CRON_JOBS = [cron(schedule_indicators, minute=set(range(1, 60, 10)), second={20})]
