"""Meeting background job: the reminder the day before.

Idempotent: each meeting is reminded once per start date (services.send_reminder claims the
meeting's row with a conditional UPDATE), however often the cron runs and however many workers
run it at once. A meeting moved to another day is reminded again for its new date.
"""

from __future__ import annotations

from typing import Any

from arq import cron

from meetings import queries, services
from participation.pagecache import job_changes_pages


@job_changes_pages(False)  # e-mails only
async def send_reminders(ctx: dict[str, Any]) -> int:
    """Remind the people holding a seat at meetings starting within a day; returns how many
    people were reminded. Also moves the waiting lists up where seats are free without an event
    that did it (seats freed by a deleted account: meetings/privacy.py)."""
    for meeting_id in await queries.free_seats_and_waiting():
        await services.fill_seats(ctx["settings"], meeting_id)
    reminded = 0
    for meeting_id in await queries.reminders_due():
        reminded += await services.send_reminder(ctx["settings"], meeting_id)
    return reminded


FUNCTIONS: list[Any] = []
CRON_JOBS = [cron(send_reminders, minute=set(range(7, 60, 15)), second={40})]
