"""Faults in the background: Redis flushed with jobs queued, a worker interrupted mid-tally, a
job run twice. The work is recorded in the database (participation/outbox.py), so the sweeper
finds it again, and it is done once."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

from redis.asyncio import Redis
from tortoise import timezone
from tortoise.exceptions import DoesNotExist

from budgets import tallying
from budgets.models import TallyResult
from consultations import services as consultation_services
from consultations.models import Phase as ConsultationPhase
from consultations.models import Result
from participation import outbox, queue
from participation.mail import OutboxEmail, dispatch, queue_email, sweep_outbox
from participation.outbox import JobState, OutboxJob, run_outbox_job, sweep_jobs
from participation.settings import Settings
from tests.budgets.test_results import closed_budget
from tests.consultations.factories import consultation_open
from tests.consultations.test_results import answered_by
from tests.participation.test_worker import run_jobs


async def queued_job_ids(redis_url: str) -> list[bytes]:
    redis = Redis.from_url(redis_url)
    try:
        return list(await redis.zrange("arq:queue", 0, -1))
    finally:
        await redis.aclose()


async def flush_redis(redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    await redis.flushdb()
    await redis.aclose()


async def age_everything() -> None:
    """Make every recorded job and e-mail old enough for the sweepers."""
    old = timezone.now() - timedelta(minutes=5)
    await OutboxJob.all().update(created_at=old)
    await OutboxEmail.all().update(created_at=old)


async def test_jobs_queued_when_redis_is_flushed_are_done_once_after_the_sweep(
    app: Any, settings: Settings, redis_url: str
) -> None:
    # a budget enters its tally, a consultation closes, an e-mail is sent: all queued in Redis
    budget, _, _ = await closed_budget(settings)
    consultation, questions = await consultation_open()
    await answered_by(settings, consultation, questions, 2)
    await consultation_services.switch_phase(consultation.id, ConsultationPhase.CLOSED, None)
    email = await queue_email("camille@example.org", "Bonjour", "Perdu puis retrouvé")
    await dispatch(email)
    assert len(await queued_job_ids(redis_url)) == 3

    await flush_redis(redis_url)  # Redis restarted without persistence, or someone flushed it
    assert await queued_job_ids(redis_url) == []
    assert await sweep_jobs({}) == 0  # too recent: the message may still be on its way

    await age_everything()
    assert await sweep_jobs({}) == 2 and await sweep_outbox({}) == 1
    worker = await run_jobs(settings, redis_url)
    assert worker.jobs_failed == 0

    assert {r.rule for r in await TallyResult.filter(budget=budget)} == {"greedy", "equal-shares"}
    assert await Result.filter(consultation=consultation).count() == 1
    await email.refresh_from_db()
    assert email.sent_at is not None and email.attempts == 1
    jobs = await OutboxJob.all().order_by("id")
    assert [(j.name, j.state, j.attempts) for j in jobs] == [
        ("tally_budget", JobState.DONE, 1),
        ("compute_consultation_results", JobState.DONE, 1),
    ]
    # done is done: the next sweep finds nothing
    await age_everything()
    assert await sweep_jobs({}) == 0 and await sweep_outbox({}) == 0


async def test_a_job_recorded_while_redis_is_down_is_run_by_the_sweeper(
    app: Any, settings: Settings, redis_url: str
) -> None:
    budget, _, _ = await closed_budget(settings)
    await flush_redis(redis_url)
    previous = queue.get_pool()
    queue.set_pool(None)  # no Redis at all in this process when the tally is requested
    try:
        from budgets.services import request_tally

        await request_tally(budget.id)
    finally:
        queue.set_pool(previous)
    assert await queued_job_ids(redis_url) == []
    await age_everything()
    assert await sweep_jobs({}) == 2  # the switch's own job and this one
    await run_jobs(settings, redis_url)
    assert await OutboxJob.filter(state=JobState.DONE).count() == 2
    assert await TallyResult.filter(budget=budget).count() == 2


async def test_a_job_run_twice_counts_once(app: Any, settings: Settings) -> None:
    budget, _, _ = await closed_budget(settings)
    await TallyResult.all().delete()  # the trustees' count stored it: as if it had not yet
    job = await OutboxJob.get(name="tally_budget")
    assert await run_outbox_job({}, job.id) == "stored"
    rows = [(r.rule, r.outcome, r.computed_at) for r in await TallyResult.all().order_by("id")]
    # a duplicate message (sweep while the first was still queued) does nothing
    assert await run_outbox_job({}, job.id) == "skipped"
    # even the job function itself, called again, keeps the stored rows as they are
    assert await outbox._job_functions()["tally_budget"]({}, budget.id) == "unchanged"
    again = [(r.rule, r.outcome, r.computed_at) for r in await TallyResult.all().order_by("id")]
    assert rows == again
    await job.refresh_from_db()
    assert job.attempts == 1 and job.done_at is not None


async def test_an_interrupted_tally_leaves_nothing_half_written_and_the_rerun_agrees(
    app: Any, settings: Settings
) -> None:
    """Cancel the job at every await it passes through (as a killed worker would stop it),
    then run it again: each time the results are all there or not at all, and the final ones
    are the engine's."""
    budget, _, _ = await closed_budget(settings)
    job = await OutboxJob.get(name="tally_budget")
    data = await tallying.load_input(budget)
    expected = {
        tallying.slot_of(rule): json.loads(json.dumps(tallying.compute_outcome(data, rule, opts)))
        for rule, opts in tallying.rules_to_compute(budget, None)
    }
    interrupted = 0
    # The in-memory SQLite client cannot be cancelled inside its connection lock (it then
    # hangs: a test artifact, a killed process has no lock left); there the test stops before
    # the write, and PostgreSQL and `make faults` (kill -9) cover the write itself.
    for steps in range(15 if settings.uses_sqlite else 200):
        await TallyResult.all().delete()
        await OutboxJob.filter(id=job.id).update(state=JobState.PENDING, started_at=None)
        task = asyncio.ensure_future(run_outbox_job({}, job.id))
        for _ in range(steps):
            await asyncio.sleep(0)
        if task.done():
            break
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            interrupted += 1
        stored = await TallyResult.filter(budget=budget).count()
        assert stored in (0, 2), f"half-written tally after {steps} steps"
        # pending, to be run again; or done, when the cancel came while the server was marking
        # it done (a worker killed just then): then its results are all there
        state = (await OutboxJob.get(id=job.id)).state
        assert state == JobState.PENDING or (state == JobState.DONE and stored == 2), steps
    assert interrupted >= 3, "the job finished before it could be interrupted"
    # the rerun (the sweeper's) stores the engine's outcome
    await TallyResult.all().delete()
    await OutboxJob.filter(id=job.id).update(state=JobState.PENDING, started_at=None)
    task = asyncio.ensure_future(run_outbox_job({}, job.id))
    await asyncio.sleep(0)
    task.cancel()
    assert await run_outbox_job({}, job.id) == "stored"
    results = {r.rule: json.loads(r.outcome) for r in await TallyResult.filter(budget=budget)}
    assert results == expected


async def test_a_failing_job_is_retried_then_given_up(app: Any, settings: Settings) -> None:
    job = await outbox.record("tally_budget", 999_999)  # no such budget: the job raises
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        try:
            await run_outbox_job({}, job.id)
        except DoesNotExist:
            pass
        await job.refresh_from_db()
        assert job.attempts == attempt and "DoesNotExist" in job.last_error
        # abandoned long enough ago: the sweeper runs it again, until the last attempt
        await OutboxJob.filter(id=job.id).update(started_at=timezone.now() - timedelta(hours=1))
        assert await sweep_jobs({}) == (1 if attempt < outbox.MAX_ATTEMPTS else 0)
    assert job.state == JobState.FAILED


async def test_a_job_of_an_unknown_name_is_not_run(app: Any) -> None:
    job = await outbox.record("drop_every_table")
    assert await run_outbox_job({}, job.id) == "unknown"
    await job.refresh_from_db()
    assert job.state == JobState.FAILED and job.attempts == 0
