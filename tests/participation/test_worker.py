"""Background work: an arq job round trip on the embedded and on the real Redis, the heartbeat,
/healthz (green; degraded but 200 when Redis or the worker is down), and a worker that outlives
a Redis that stops and comes back."""

import asyncio
import contextlib
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from arq.connections import create_pool
from redis.asyncio import Redis
from tortoise import Tortoise

from participation import outbox, queue
from participation.mail import OutboxEmail, dispatch, queue_email, sweep_outbox
from participation.pagecache import GENERATION_KEY
from participation.redis import EmbeddedRedis, arq_redis_settings
from participation.settings import Settings
from participation.worker import build_worker, reconnect_delay
from tests import conftest
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
    """Run every queued job once, the way `participation worker` does, then stop. Without the
    cron jobs: they fire by the wall clock (the consultations' results every five minutes), so
    a test that ran at such a minute found one job more than it queued."""
    worker = build_worker(
        settings, redis_url, burst=True, handle_signals=False, poll_delay=0.05, cron_jobs=[]
    )
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
        # an e-mail changes no page: the pages stored for visitors stay
        assert await redis.get(GENERATION_KEY) is None
        await queue.enqueue("compute_indicators")  # figures visitors read
        await run_jobs(settings, any_redis_url)
        assert await redis.get(GENERATION_KEY) == b"1"
    finally:
        await queue.close_pool()
        queue.set_pool(previous)
    await email.refresh_from_db()
    assert email.sent_at is not None and email.attempts == 1
    assert worker.jobs_complete == 1 and worker.jobs_failed == 0
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
    # no worker: said in the body, but the web node keeps serving (no 503 for the worker)
    assert before.status_code == 200
    assert before.json()["worker"] == "down" and before.json()["status"] == "degraded"
    await run_jobs(settings, redis_url)
    response = await client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["database"] == "ok" and response.json()["redis"] == "ok"
    ready = await client.get("/healthz/ready")
    assert ready.json() == {"status": "ok", "database": "ok", "redis": "ok"}
    assert response.json()["worker"] == "ok" and response.json()["status"] == "ok"


async def test_healthz_when_redis_is_down(tmp_path: Path, redis_url: str) -> None:
    from participation.app import create_app

    server = EmbeddedRedis(tmp_path / "doomed").start()
    settings = make_settings(tmp_path, server.url)
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        await Tortoise.generate_schemas()  # the home page reads the open spaces (issue #18)
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            server.stop()
            response = await client.get("/healthz")
            # every web node shares this Redis: pulling them all out would take a site down
            # whose pages work
            assert response.status_code == 200
            assert response.json()["redis"] == "down" and response.json()["database"] == "ok"
            assert response.json()["status"] == "degraded"
            assert response.json()["worker"] == "unknown"  # never seen alive by this app
            # the load balancer's check pulls this node; the supervisor's keeps it running
            ready = await client.get("/healthz/ready")
            assert ready.status_code == 503 and ready.json()["redis"] == "down"
            assert ready.json()["database"] == "ok"
            assert (await client.get("/healthz/live")).status_code == 200
            # pages that do not need Redis keep working
            assert (await client.get("/")).status_code == 200


async def stop(worker: Any, running: asyncio.Future[Any]) -> None:
    """The worker's loop ends first, then its pool closes: a pool closed under a loop still
    unwinding left a Redis pipeline unclosed, whose warning at garbage collection failed a
    later test at random."""
    running.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await running
    await worker.close()


async def until(condition: Callable[[], Awaitable[bool]], what: str) -> None:
    """Wait for a condition, however slow the machine; a minute without it is a failure."""
    for _ in range(1200):
        if await condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"still waiting after a minute for: {what}")


def test_reconnect_delays_grow_to_a_ceiling() -> None:
    assert [reconnect_delay(n, 10) for n in range(7)] == [0.5, 1, 2, 4, 8, 10, 10]
    assert reconnect_delay(10_000, 10) == 10


async def test_the_worker_outlives_redis_and_healthz_says_so(tmp_path: Path) -> None:
    """Redis stops under a running worker: the worker keeps running (it used to exit, and
    `participation run` stopped the site with it), /healthz says Redis is unreachable and the
    worker reconnecting without pulling the web node, and once Redis is back the worker takes
    jobs again."""
    from participation.app import create_app

    server = EmbeddedRedis(tmp_path / "redis").start()
    settings = make_settings(tmp_path, server.url)
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        await conftest._prepare_schema(settings)
        worker = build_worker(
            settings, server.url, handle_signals=False, poll_delay=0.05, reconnect_max_delay=0.5
        )
        running = asyncio.ensure_future(worker.async_run())
        transport = httpx.ASGITransport(app=application)
        client = httpx.AsyncClient(transport=transport, base_url="http://t")

        async def sent(email: OutboxEmail) -> bool:
            await email.refresh_from_db()
            return email.sent_at is not None

        async def health() -> dict[str, Any]:
            response = await client.get("/healthz")
            assert response.status_code == 200, response.text
            return dict(response.json())

        try:
            before = await queue_email("camille@example.org", "Avant", "Avant la panne")
            await dispatch(before)
            await until(lambda: sent(before), "the e-mail sent before the outage")
            await until(
                lambda: health_is(health, worker="ok"), "/healthz to see the worker's heartbeat"
            )

            server.stop()
            await until(lambda: reconnecting(worker), "the worker to see Redis go")
            await until(lambda: tried_again(worker), "the worker to try Redis again")
            assert not running.done(), "the worker stopped with Redis"
            assert await health() == {
                "status": "degraded",
                "database": "ok",
                "redis": "down",
                "worker": "reconnecting",
                "worker_heartbeat_age_seconds": None,
            }
            # an e-mail written during the outage waits in the database
            during = await queue_email("camille@example.org", "Pendant", "Pendant la panne")
            await dispatch(during)

            server.start()
            await until(lambda: back(worker), "the worker to reconnect")
            assert not running.done()
            await dispatch(during)  # what the sweeper does a minute later
            await until(lambda: sent(during), "the e-mail sent after the outage")
            assert (await health())["status"] == "ok"
        finally:
            await client.aclose()
            await stop(worker, running)
            server.stop()


async def test_a_worker_started_before_redis_waits_for_it(
    app: Any, settings: Settings, tmp_path: Path
) -> None:
    server = EmbeddedRedis(tmp_path / "late")  # not started yet: its socket does not exist
    worker = build_worker(
        settings, server.url, handle_signals=False, poll_delay=0.05, reconnect_max_delay=0.5
    )
    running = asyncio.ensure_future(worker.async_run())
    pool = None
    try:
        await until(lambda: tried_again(worker), "the worker to try Redis again")
        assert not running.done(), "the worker stopped for want of Redis"
        server.start()
        await until(lambda: back(worker), "the worker to connect")
        pool = await create_pool(arq_redis_settings(server.url))
        email = await queue_email("camille@example.org", "Bonjour", "Enfin")
        await pool.enqueue_job("send_email", email.id)

        async def sent() -> bool:
            await email.refresh_from_db()
            return email.sent_at is not None

        await until(sent, "the e-mail to be sent")
    finally:
        if pool is not None:
            await pool.aclose()
        await stop(worker, running)
        server.stop()


async def health_is(health: Callable[[], Awaitable[dict[str, Any]]], **expected: str) -> bool:
    body = await health()
    return all(body[key] == value for key, value in expected.items())


async def reconnecting(worker: Any) -> bool:
    return bool(worker.redis_state == "reconnecting")


async def tried_again(worker: Any) -> bool:
    return bool(worker.reconnect_attempts >= 2)


async def back(worker: Any) -> bool:
    return bool(worker.redis_state == "ok")


def test_transient_database_errors_are_told_apart(tmp_path: Path) -> None:
    import sqlite3

    import asyncpg
    from tortoise.exceptions import DoesNotExist, OperationalError

    path = tmp_path / "busy.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x INTEGER)")
    holder.execute("BEGIN IMMEDIATE")  # a second connection holds the write lock
    other = sqlite3.connect(path, timeout=0.01, isolation_level=None)
    try:
        with pytest.raises(sqlite3.OperationalError) as locked:
            other.execute("INSERT INTO t VALUES (1)")
        try:  # the way Tortoise's SQLite client raises it
            raise OperationalError(locked.value)
        except OperationalError as wrapped:
            assert outbox.transient(wrapped)
        assert outbox.transient(locked.value)
    finally:
        other.close()
        holder.close()
    assert outbox.transient(asyncpg.DeadlockDetectedError("deadlock detected"))
    assert outbox.transient(ConnectionResetError())
    assert not outbox.transient(DoesNotExist("no such budget"))
    assert not outbox.transient(sqlite3.OperationalError("no such table: budget"))
    assert not outbox.transient(ValueError("a bug"))
    # retried after 1, 5, 30 s and 2 min; the 5th failure is the last
    assert [outbox.retry_delay(t) for t in range(1, 7)] == [1, 5, 30, 120, None, None]


async def test_a_tally_that_meets_a_locked_sqlite_database_is_retried_soon(
    tmp_path: Path, redis_url: str
) -> None:
    """On SQLite an import held the write lock longer than the busy timeout: the tally job
    failed at once with "database is locked" and waited 15 minutes for the sweeper. Now arq
    runs it again after a second (then 5 s, 30 s, 2 min), and it is done once the lock goes."""
    import sqlite3

    from tortoise import Tortoise

    from budgets.models import TallyResult
    from participation.app import create_app
    from participation.outbox import JobState, OutboxJob
    from tests.budgets.test_results import closed_budget

    path = tmp_path / "busy.sqlite3"
    settings = make_settings(tmp_path, redis_url, DATABASE_URL=f"sqlite://{path}?busy_timeout=50")
    redis = Redis.from_url(redis_url)
    await redis.flushdb()
    await redis.aclose()
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        await Tortoise.generate_schemas()
        budget, _, _ = await closed_budget(settings)  # its tally job is queued
        job = await OutboxJob.get(name="tally_budget", args=f"[{budget.id}]")
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # an import in another process holds the write lock
        # no cron jobs: a sweep firing by the clock while the file is locked would count too
        worker = build_worker(
            settings, redis_url, handle_signals=False, poll_delay=0.05, cron_jobs=[]
        )
        running = asyncio.ensure_future(worker.async_run())

        async def retried() -> bool:
            return bool(worker.jobs_retried >= 1)

        async def stored() -> bool:
            await job.refresh_from_db()
            return job.state == JobState.DONE

        try:
            await until(retried, "the locked job to be retried")
            await job.refresh_from_db()
            assert job.state == JobState.PENDING and worker.jobs_failed == 0
            holder.execute("ROLLBACK")  # the import is over
            await until(stored, "the tally to be stored")
        finally:
            holder.close()
            await stop(worker, running)
        assert await TallyResult.filter(budget=budget).count() == 2


METRICS_TOKEN = "a-long-random-token-for-the-tests-0123456789"


# an SMTP relay that refuses: port 1 of this machine, where nothing listens (a port picked
# free at import could be taken by a test server before this test runs)
@pytest.mark.settings(METRICS_TOKEN=METRICS_TOKEN, SMTP_HOST="127.0.0.1", SMTP_PORT="1")
async def test_the_workers_count_every_jobs_runs_by_outcome_for_metrics(
    app: Any, client: httpx.AsyncClient, settings: Settings, redis_url: str
) -> None:
    """participation_job_runs_total{job, outcome}: counted by the real worker in Redis as each
    job ends, read by /metrics; an e-mail whose server refuses the connection is a failed run,
    an outbox job an ok one."""
    from prometheus_client.parser import text_string_to_metric_families

    async def scraped() -> dict[tuple[str, str], float]:
        response = await client.get(
            "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
        )
        assert response.status_code == 200, response.text
        return {
            (sample.labels["job"], sample.labels["outcome"]): sample.value
            for family in text_string_to_metric_families(response.text)
            for sample in family.samples
            if sample.name == "participation_job_runs_total"
        }

    before = await scraped()
    email = await queue_email("camille@example.org", "Bonjour", "Le serveur ne répond pas")
    job = await outbox.record("compute_indicators")
    previous = queue.get_pool()
    queue.open_pool(redis_url)
    try:
        await dispatch(email)
        await outbox.dispatch(job)
        worker = await run_jobs(settings, redis_url)
    finally:
        await queue.close_pool()
        queue.set_pool(previous)
    assert worker.jobs_failed == 1 and worker.jobs_complete == 1
    after = await scraped()

    def grew(job: str, outcome: str) -> float:
        return after.get((job, outcome), 0) - before.get((job, outcome), 0)

    assert grew("send_email", "failed") == 1 and grew("send_email", "ok") == 0
    assert grew("run_outbox_job", "ok") == 1
