"""Follow-up background job: every funded project, accepted proposal and published
consultation decision gets its commitment ("upcoming") without waiting for staff to click.

Idempotent: a source already followed is left alone (UNIQUE per source).
"""

from __future__ import annotations

from typing import Any

from arq import cron

from followup import queries, services
from participation.pagecache import job_changes_pages


@job_changes_pages(bool)  # the commitments it created
async def follow_new_sources(ctx: dict[str, Any]) -> int:
    """Create the commitments that are missing; returns how many were created."""
    created = 0
    for candidate in await queries.candidates():
        await services.create_commitment(candidate["kind"], candidate["id"])
        created += 1
    return created


FUNCTIONS: list[Any] = []
CRON_JOBS = [cron(follow_new_sources, minute=set(range(3, 60, 10)), second={30})]
