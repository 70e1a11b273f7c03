"""Budget background jobs: phase switches by date, the tally, and its sweeper.

Jobs take ids only and are idempotent: a tally run twice stores the same result.
"""

from __future__ import annotations

from typing import Any

from arq import cron
from tortoise import timezone

from budgets import services
from budgets.ballot_box import open_with_held_shares
from budgets.models import Budget, Phase, TallyResult
from budgets.tallying import tally_and_store
from participation.outbox import JobState, OutboxJob
from participation.pagecache import job_changes_pages


@job_changes_pages(bool)  # the budgets it switched
async def apply_phase_schedule(ctx: dict[str, Any]) -> list[int]:
    """Every minute: switch the budgets whose phase date has come."""
    return await services.apply_phase_schedule(timezone.now())


async def tally_budget(ctx: dict[str, Any], budget_id: int) -> str:
    return await tally_and_store(budget_id)


@job_changes_pages(bool)  # the tallies it ran again
async def sweep_tallies(ctx: dict[str, Any]) -> int:
    """Re-enqueue the tally of budgets in the tally phase that have no result and no pending
    tally job (a pending one is the outbox's to run again: `outbox.sweep_jobs`)."""
    queued = {
        job.arguments[0]
        for job in await OutboxJob.filter(name=services.TALLY_JOB, state=JobState.PENDING)
    }
    waiting = [
        budget.id
        for budget in await Budget.filter(phase=Phase.TALLY).only(
            "id", "ballot_public_key", "ballots_opened_at"
        )
        if budget.id not in queued
        # sealed ballots wait for the trustees (open_budget_ballots counts them once opened)
        and (budget.ballot_public_key is None or budget.ballots_opened_at is not None)
    ]
    done = {
        result.budget_id
        for result in await TallyResult.filter(budget_id__in=waiting, is_official=False).only(
            "budget_id"
        )
    }
    missing = [budget_id for budget_id in waiting if budget_id not in done]
    for budget_id in missing:
        await services.request_tally(budget_id)
    return len(missing)


async def open_budget_ballots(ctx: dict[str, Any], budget_id: int) -> str:
    """Open a budget's sealed ballots with the trustees' shares held in Redis, count them, and
    delete the shares (budgets/ballot_box.py)."""
    return await open_with_held_shares(ctx["redis"], budget_id)


FUNCTIONS = [tally_budget, open_budget_ballots]
CRON_JOBS = [
    cron(apply_phase_schedule, second={5}),
    cron(sweep_tallies, minute=set(range(0, 60, 5)), second={40}),
]
