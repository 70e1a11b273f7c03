"""Consultation background jobs: opening and closing by date, and the results.

Jobs take ids only and are idempotent: results computed twice from the same responses store the
same row (and leave it untouched when nothing changed).
"""

from __future__ import annotations

from typing import Any

from arq import cron
from tortoise import timezone

from consultations import services
from consultations.models import Consultation, Phase, Result
from participation.pagecache import job_changes_pages


@job_changes_pages(bool)  # the consultations it switched
async def apply_consultation_schedule(ctx: dict[str, Any]) -> list[int]:
    """Every minute: open and close the consultations whose date has come."""
    return await services.apply_schedule(timezone.now())


async def compute_consultation_results(ctx: dict[str, Any], consultation_id: int) -> str:
    return await services.compute_results(ctx["settings"], consultation_id)


@job_changes_pages(bool)  # the results it computed again
async def refresh_consultation_results(ctx: dict[str, Any]) -> int:
    """Every 5 minutes: recompute the results of open consultations (shown while open, and the
    run registers new free texts for moderation: they are never written at submission), and
    compute those of closed consultations that have none (a job lost with Redis). Responses of
    anonymous consultations still in clear (stored before issue #16) are sealed first (a scan of
    the responses every 5 minutes, ~0.1 s for 100,000: kept simple rather than remembered, since
    arq gives each job a copy of the worker's context)."""
    await services.seal_clear_responses(ctx["settings"])
    visible = [c.id for c in await Consultation.filter(phase=Phase.OPEN).only("id")]
    closed = [c.id for c in await Consultation.filter(phase=Phase.CLOSED).only("id")]
    done = set(
        await Result.filter(consultation_id__in=list(closed)).values_list(
            "consultation_id", flat=True
        )
    )
    todo = visible + [c for c in closed if c not in done]
    for consultation_id in todo:
        await services.request_results(consultation_id)
    return len(todo)


FUNCTIONS = [compute_consultation_results]
CRON_JOBS = [
    cron(apply_consultation_schedule, second={10}),
    cron(refresh_consultation_results, minute=set(range(2, 60, 5)), second={50}),
]
