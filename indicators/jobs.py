"""Indicators background job: recompute and store every process's figures.

Runs every 10 minutes and on demand (the dashboard's button); one at a time (a fixed job id),
idempotent: the same data gives the same stored content.
"""

from __future__ import annotations

from typing import Any

from arq import cron
from arq.worker import func

from indicators import services
from participation import queue

JOB_ID = "compute-indicators"


async def compute_indicators(ctx: dict[str, Any]) -> int:
    return await services.compute_all()


async def request_indicators() -> bool:
    return await queue.enqueue("compute_indicators", _job_id=JOB_ID)


# no kept result: the fixed job id would otherwise refuse a new run for an hour
FUNCTIONS = [func(compute_indicators, keep_result=0)]
CRON_JOBS = [cron(compute_indicators, minute=set(range(1, 60, 10)), second={20})]
