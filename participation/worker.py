"""The arq worker: gathers every feature's jobs and cron jobs, and beats a heartbeat.

`participation worker` runs it with the Redis of the settings; several workers may run at once
(jobs are idempotent and take ids only).

Redis may go away (restarted, a network cut, the embedded server killed): arq's own worker then
stops with the first failed command, and `participation run` stopped the whole site with it.
`Worker` below waits instead: it pings Redis with a growing delay (0.5 s, doubling, at most
`reconnect_max_delay`), keeps the jobs already running, and takes new jobs again once Redis
answers; its heartbeat is written at once then, for /healthz. Nothing is lost meanwhile: every
job is a database row first (participation/outbox.py, participation/mail.py).
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
import signal
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from arq import cron
from arq.connections import create_pool
from arq.cron import CronJob
from arq.worker import Function, Retry
from arq.worker import Worker as ArqWorker
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from tortoise.context import get_current_context

from participation import features, formatting, mail, outbox, queue, retention
from participation.db import close_database, init_database
from participation.logs import JOB_REQUEST_ID, REQUEST_ID, new_request_id
from participation.notifications import digest
from participation.outbox import job_functions
from participation.pagecache import changed_pages, invalidate, job_changes_pages
from participation.redis import arq_redis_settings
from participation.settings import Settings
from participation.sitesettings import live as site_settings
from participation.worker_status import (
    HEARTBEAT_INTERVAL_SECONDS,
    HEARTBEAT_KEY,
    JOB_CANCELLED,
    JOB_FAILED,
    JOB_OK,
    JOB_RETRIED,
    JOB_RUNS_KEY,
)

logger = logging.getLogger("participation.worker")
Job = TypeVar("Job", bound=Callable[..., Awaitable[Any]])


@job_changes_pages(False)
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


def worker_job(job: Job) -> Job:
    """`job` as the worker runs it: its log lines carry the id of the request that enqueued it
    (or one of its own), and once it ends, when it may have changed public pages (a tally, a
    phase switch: what it declares with `pagecache.job_changes_pages`), web processes drop the
    pages they keep for visitors; even when it fails, since it may have committed part of it.
    Every run is counted by job and outcome (`count_run`: /metrics' participation_job_runs_total),
    the outbox's jobs, e-mails, cron jobs and heartbeats alike."""

    @functools.wraps(job)
    async def run(ctx: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        request_id = kwargs.pop(JOB_REQUEST_ID, "") or "job-" + new_request_id()[:16]
        token = REQUEST_ID.set(request_id)
        result, outcome = None, JOB_FAILED
        try:
            if "settings" in ctx:  # the values saved in the browser, as web processes see them
                ctx["settings"] = await site_settings.for_job(ctx)
            result = await job(ctx, *args, **kwargs)
            outcome = JOB_OK
            return result
        except Retry:
            outcome = JOB_RETRIED
            raise
        except asyncio.CancelledError:  # its timeout, or the worker stopping
            outcome = JOB_CANCELLED
            raise
        finally:
            try:
                await count_run(ctx, job.__name__, outcome)
                if changed_pages(job, result):
                    await invalidate(ctx["redis"])
            finally:
                REQUEST_ID.reset(token)

    return run  # type: ignore[return-value]


async def count_run(ctx: dict[str, Any], name: str, outcome: str) -> None:
    """One more run of the job `name` ended with `outcome` (ok, failed, retry, cancelled), in
    Redis where any web process's /metrics reads it. Redis down: not counted (the job's own
    work is done; its count is what is lost)."""
    if ctx.get("redis") is None:  # a job called by hand, outside a worker
        return
    try:
        await ctx["redis"].hincrby(JOB_RUNS_KEY, f"{name}:{outcome}", 1)
    except (OSError, RedisError) as error:
        logger.warning("the run of %s could not be counted (%s)", name, error)


def _as_worker_job(job: Any) -> Any:
    """A job as declared (a coroutine function, arq's `func()` or `cron()`), run by
    `worker_job`."""
    if isinstance(job, Function | CronJob):
        return dataclasses.replace(job, coroutine=worker_job(job.coroutine))
    return worker_job(job)


async def shutdown(ctx: dict[str, Any]) -> None:
    if ctx.get("owns_queue"):
        queue.set_pool(None)
    if ctx.get("owns_database"):
        await close_database()


def cron_jobs() -> list[Any]:
    every_15_seconds = set(range(0, 60, HEARTBEAT_INTERVAL_SECONDS))
    return [
        cron(heartbeat, second=every_15_seconds, run_at_startup=False),
        cron(mail.sweep_outbox, second={30}),
        cron(outbox.sweep_jobs, second={20}),
        cron(retention.purge_expired_data, hour={3}, minute={17}, second={0}),
        # the daily digests (UTC on the server: 7:07 or 8:07 in Paris); once a day per person
        cron(digest.send_daily_digests, hour={6}, minute={7}, second={0}),
        *(job for feature in features.FEATURES for job in feature.cron),
    ]


# Redis is unreachable (refused, reset, timed out, loading its data after a restart); other Redis
# errors are bugs and still stop the worker.
REDIS_DOWN = (OSError, RedisConnectionError, RedisTimeoutError)
REDIS_OK, REDIS_RECONNECTING = "ok", "reconnecting"


def reconnect_delay(failures: int, max_delay: float) -> float:
    """Seconds to wait before the next try after `failures` failed ones: 0.5, 1, 2, 4 ..."""
    return float(min(max_delay, 0.5 * 2 ** min(failures, 16)))


class Worker(ArqWorker):
    """arq's worker, which outlives Redis: see the module's docstring."""

    def __init__(self, *args: Any, reconnect_max_delay: float = 10.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reconnect_max_delay = reconnect_max_delay
        self.redis_state = REDIS_OK
        self.reconnect_attempts = 0  # failed tries since Redis went away

    async def main(self) -> None:
        while True:
            try:
                if self._pool is None:
                    assert self.redis_settings is not None
                    self._pool = await create_pool(
                        self.redis_settings,
                        job_deserializer=self.job_deserializer,
                        job_serializer=self.job_serializer,
                        default_queue_name=self.queue_name,
                        expires_extra_ms=self.expires_extra_ms,
                    )
                    if self.redis_state == REDIS_RECONNECTING:
                        logger.warning("Redis answers at last; starting")
                    self.redis_state, self.reconnect_attempts = REDIS_OK, 0
                await super().main()  # startup (idempotent), then the polling loop
                return
            except REDIS_DOWN as error:
                if self._pool is None:  # never connected yet: try again later
                    await self._redis_lost(error)
                else:
                    await self.wait_for_redis(error)

    async def _poll_iteration(self) -> None:
        try:
            await super()._poll_iteration()
        except REDIS_DOWN as error:
            await self.wait_for_redis(error)

    async def wait_for_redis(self, error: BaseException) -> None:
        """Return once Redis answers again (at once if it already does: a job that ended
        during the outage reports its failure to record its end only now)."""
        while True:
            try:
                await self.pool.ping()
            except REDIS_DOWN as again:
                await self._redis_lost(again)
                continue
            break
        if self.redis_state == REDIS_RECONNECTING:
            logger.warning(
                "Redis answers again after %d tries; taking jobs again", self.reconnect_attempts
            )
        else:
            logger.warning("a Redis command failed (%s); Redis answers, going on", error)
        self.redis_state, self.reconnect_attempts = REDIS_OK, 0
        if "redis" in self.ctx:  # set by arq once connected
            await heartbeat(self.ctx)  # /healthz sees this worker at once

    async def _redis_lost(self, error: BaseException) -> None:
        if self.redis_state != REDIS_RECONNECTING:
            logger.warning(
                "Redis is unreachable (%s): running jobs go on, new ones wait; reconnecting", error
            )
            self.redis_state = REDIS_RECONNECTING
        else:
            logger.info("Redis still unreachable (%s)", error)
        delay = reconnect_delay(self.reconnect_attempts, self.reconnect_max_delay)
        self.reconnect_attempts += 1
        await asyncio.sleep(delay)

    async def close(self) -> None:
        """Stop, and always close the database and the Redis connections: arq's own close()
        gave up half-way when a job it had just cancelled was still ending (the CancelledError
        came out of it) or when Redis was down at that moment."""
        if not self._handle_signals:
            self.handle_sig(signal.SIGUSR1)
        if self._pool is None:
            return
        await asyncio.gather(*self.tasks.values(), return_exceptions=True)
        try:
            await self.pool.delete(self.health_check_key)
        except REDIS_DOWN as error:
            logger.warning("Redis unreachable while the worker stops (%s)", error)
        try:
            if self.on_shutdown:
                await self.on_shutdown(self.ctx)
        finally:
            await self.pool.aclose(close_connection_pool=True)
            self._pool = None


def build_worker(settings: Settings, redis_url: str, **overrides: Any) -> Worker:
    options: dict[str, Any] = {
        "functions": [_as_worker_job(job) for job in job_functions()],
        "cron_jobs": [_as_worker_job(job) for job in cron_jobs()],
        "on_startup": startup,
        "on_shutdown": shutdown,
        "redis_settings": arq_redis_settings(redis_url),
        "ctx": {"settings": settings},
        "max_jobs": 10,
        "job_timeout": 600,
        "keep_result": 3600,
        "handle_signals": True,
    }
    options.update(overrides)
    return Worker(**options)
