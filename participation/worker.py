"""The arq worker: gathers every feature's jobs and cron jobs, and beats a heartbeat.

`participation worker` runs it with the Redis of the settings; several workers may run at once
(jobs are idempotent and take ids only).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from arq import cron
from arq.worker import Worker
from tortoise.context import get_current_context

from participation import formatting, mail, outbox, queue, retention
from participation.db import close_database, init_database
from participation.redis import arq_redis_settings
from participation.settings import Settings
from participation.worker_status import HEARTBEAT_INTERVAL_SECONDS, HEARTBEAT_KEY

logger = logging.getLogger("participation.worker")


async def heartbeat(ctx: dict[str, Any]) -> str:
    now = datetime.now(UTC).isoformat()
    await ctx["redis"].set(HEARTBEAT_KEY, now, ex=HEARTBEAT_INTERVAL_SECONDS * 20)
    return now


async def startup(ctx: dict[str, Any]) -> None:
    ctx.setdefault("settings", Settings.from_env())
    formatting.use_time_zone(ctx["settings"].time_zone)  # dates in e-mails: the town's time
    if get_current_context() is None:  # a test may run the worker inside its own database
        await init_database(ctx["settings"])
        ctx["owns_database"] = True
    if queue.get_pool() is None:  # jobs may enqueue follow-up jobs through the worker's pool
        queue.set_pool(ctx["redis"])
        ctx["owns_queue"] = True
    await heartbeat(ctx)


async def after_job(ctx: dict[str, Any]) -> None:
    """A job may have changed public pages (a tally, a phase switch): web processes drop the
    pages they keep for visitors (participation/pagecache.py)."""
    from participation.pagecache import invalidate

    await invalidate(ctx["redis"])


async def shutdown(ctx: dict[str, Any]) -> None:
    if ctx.get("owns_queue"):
        queue.set_pool(None)
    if ctx.get("owns_database"):
        await close_database()


def _feature_jobs() -> list[Any]:
    """The `jobs.py` module of every feature: each lists its FUNCTIONS and CRON_JOBS."""
    from budgets import jobs as budget_jobs
    from consultations import jobs as consultation_jobs
    from followup import jobs as followup_jobs
    from indicators import jobs as indicator_jobs

    return [budget_jobs, consultation_jobs, indicator_jobs, followup_jobs]


def job_functions() -> list[Any]:
    """Every feature's jobs; each feature lists its own in its `jobs.py`."""
    features = [f for jobs in _feature_jobs() for f in jobs.FUNCTIONS]
    return [mail.send_email, outbox.run_outbox_job, *features]


def cron_jobs() -> list[Any]:
    every_15_seconds = set(range(0, 60, HEARTBEAT_INTERVAL_SECONDS))
    return [
        cron(heartbeat, second=every_15_seconds, run_at_startup=False),
        cron(mail.sweep_outbox, second={30}),
        cron(outbox.sweep_jobs, second={20}),
        cron(retention.purge_expired_data, hour={3}, minute={17}, second={0}),
        *(job for jobs in _feature_jobs() for job in jobs.CRON_JOBS),
    ]


def build_worker(settings: Settings, redis_url: str, **overrides: Any) -> Worker:
    options: dict[str, Any] = {
        "functions": job_functions(),
        "cron_jobs": cron_jobs(),
        "on_startup": startup,
        "on_shutdown": shutdown,
        "after_job_end": after_job,
        "redis_settings": arq_redis_settings(redis_url),
        "ctx": {"settings": settings},
        "max_jobs": 10,
        "job_timeout": 600,
        "keep_result": 3600,
        "handle_signals": True,
    }
    options.update(overrides)
    return Worker(**options)
