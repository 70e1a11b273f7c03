"""Background work: an arq job round trip on the embedded and on the real Redis, the heartbeat,
and /healthz (green, and 503 when Redis is down)."""

import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from participation import queue
from participation.mail import OutboxEmail, dispatch, queue_email, sweep_outbox
from participation.redis import EmbeddedRedis
from participation.settings import Settings
from participation.worker import build_worker
from tests.conftest import make_settings
from tests.services import answers

REAL_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(params=["embedded", "real"])
def any_redis_url(request: pytest.FixtureRequest) -> str:
    if request.param == "embedded":
        return str(request.getfixturevalue("embedded_redis").url)
    if not answers(REAL_REDIS_URL, 6379):
        pytest.skip(f"no Redis server answers at {REAL_REDIS_URL}")
    return REAL_REDIS_URL


async def run_jobs(settings: Settings, redis_url: str) -> Any:
    """Run every queued job once, the way `participation worker` does, then stop."""
    worker = build_worker(settings, redis_url, burst=True, handle_signals=False, poll_delay=0.05)
    try:
        await worker.main()
    finally:
        await worker.close()
    return worker


async def test_email_job_round_trip(app: Any, settings: Settings, any_redis_url: str) -> None:
    redis = Redis.from_url(any_redis_url)
    await redis.flushdb()
    previous = queue.get_pool()
    queue.open_pool(any_redis_url)
    try:
        email = await queue_email("camille@example.org", "Bonjour", "Un message de test")
        await dispatch(email)
        worker = await run_jobs(settings, any_redis_url)
    finally:
        await queue.close_pool()
        queue.set_pool(previous)
    await email.refresh_from_db()
    assert email.sent_at is not None and email.attempts == 1
    # cron jobs (phase schedules, sweepers) may run in the same burst: count failures only
    assert worker.jobs_complete >= 1 and worker.jobs_failed == 0
    # the worker's heartbeat is in Redis for /healthz
    assert await redis.get("participation:worker:heartbeat") is not None
    await redis.aclose()


async def test_sweeper_resends_emails_whose_job_was_lost(
    app: Any, settings: Settings, redis_url: str
) -> None:
    from datetime import timedelta

    from tortoise import timezone

    email = await queue_email("camille@example.org", "Bonjour", "Perdu puis retrouvé")
    # the job never reached Redis (flushed, or down at the time)
    await OutboxEmail.filter(id=email.id).update(created_at=timezone.now() - timedelta(minutes=5))
    assert await sweep_outbox({}) == 1
    await run_jobs(settings, redis_url)
    await email.refresh_from_db()
    assert email.sent_at is not None


async def test_an_email_is_sent_once_even_if_its_job_runs_twice(
    app: Any, settings: Settings, redis_url: str
) -> None:
    from participation.mail import send_email

    email = await queue_email("camille@example.org", "Bonjour", "Une seule fois")
    assert await send_email({"settings": settings}, email.id) == "sent"
    assert await send_email({"settings": settings}, email.id) == "skipped"


async def test_healthz_is_green_with_a_worker(
    client: httpx.AsyncClient, settings: Settings, redis_url: str
) -> None:
    before = await client.get("/healthz")
    assert before.status_code == 503 and before.json()["worker"] == "down"
    await run_jobs(settings, redis_url)
    response = await client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["database"] == "ok" and response.json()["redis"] == "ok"


async def test_healthz_when_redis_is_down(tmp_path: Path, redis_url: str) -> None:
    from participation.app import create_app

    server = EmbeddedRedis(tmp_path / "doomed").start()
    settings = make_settings(tmp_path, server.url)
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            server.stop()
            response = await client.get("/healthz")
            assert response.status_code == 503
            assert response.json()["redis"] == "down" and response.json()["database"] == "ok"
            # pages that do not need Redis keep working
            assert (await client.get("/")).status_code == 200
