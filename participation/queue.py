"""The arq pool of this process, opened by the app lifespan or the worker.

Jobs are enqueued after the transaction that they depend on has committed, and take ids only.
"""

from __future__ import annotations

import logging
from typing import Any

from arq.connections import ArqRedis
from redis.exceptions import RedisError

from participation.logs import JOB_REQUEST_ID, REQUEST_ID

logger = logging.getLogger("participation.queue")
_pool: ArqRedis | None = None


def open_pool(redis_url: str) -> ArqRedis:
    """A pool that connects lazily: the web starts even while Redis is briefly down."""
    global _pool
    _pool = ArqRedis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=5)
    return _pool


def set_pool(pool: ArqRedis | None) -> None:
    global _pool
    _pool = pool


def get_pool() -> ArqRedis | None:
    return _pool


async def close_pool() -> None:
    global _pool
    if _pool is not None:
        await _pool.aclose()
        _pool = None


async def enqueue(function: str, *args: Any, **kwargs: Any) -> bool:
    """Enqueue a job; on a Redis failure log it: the work is recorded in the database and a
    sweeper cron job enqueues it again."""
    if _pool is None:
        logger.warning(
            "no job queue in this process; %s will be picked up by the sweeper", function
        )
        return False
    if request_id := REQUEST_ID.get():  # the job's log lines carry it (participation/logs.py)
        kwargs.setdefault(JOB_REQUEST_ID, request_id)
    try:
        await _pool.enqueue_job(function, *args, **kwargs)
    except (OSError, RedisError) as error:
        logger.warning("could not enqueue %s (%s); the sweeper will retry", function, error)
        return False
    return True
