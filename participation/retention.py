"""The nightly retention job: personal data that only served a technical purpose is deleted
once its time is up (durées de conservation, docs/privacy.md).

- sessions past their expiry, password-reset tokens and e-mail changes (the new address asked
  on the account page) used or expired: at once;
- e-mails of the outbox (address and text) sent or given up, and finished background jobs:
  after LOG_RETENTION_DAYS;
- the contact details of a person without an account, given to an agent at the counter
  (participation/counter): a year after they were recorded (`CONTACT_DAYS`);
- the postal address given for a verification letter that was never used: when the letter's
  code expired unused, or when no letter was printed to it within 90 days; the letters' codes
  past their expiry (participation/residents/letters.py, `letter.address_unused`);
- images that nothing holds any more (participation/pictures: their owner was deleted).

IP addresses are never stored in the database (only in Redis rate-limit counters, which expire
within the hour), so there is nothing of them to purge here.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tortoise import timezone
from tortoise.expressions import Q

from participation import mail
from participation.accounts.models import EmailChange, PasswordResetToken, UserSession
from participation.counter.domain import CONTACT_DAYS
from participation.counter.models import OfflinePerson
from participation.outbox import JobState, OutboxJob
from participation.pagecache import job_changes_pages
from participation.pictures import services as pictures
from participation.residents import letters
from participation.settings import Settings

PICTURE_GRACE = timedelta(hours=1)


async def purge_expired(settings: Settings, now: datetime) -> dict[str, int]:
    """Delete what is past its retention; returns how many rows of each kind went."""
    cutoff = now - timedelta(days=settings.log_retention_days)
    purged = {
        "sessions": await UserSession.filter(expires_at__lt=now).delete(),
        "reset_tokens": await PasswordResetToken.filter(
            Q(expires_at__lt=now) | Q(used_at__not_isnull=True)
        ).delete(),
        "email_changes": await EmailChange.filter(
            Q(expires_at__lt=now) | Q(used_at__not_isnull=True)
        ).delete(),
        "emails": await mail.OutboxEmail.filter(
            Q(sent_at__lt=cutoff)
            | Q(sent_at=None, attempts__gte=mail.MAX_ATTEMPTS, created_at__lt=cutoff)
        ).delete(),
        "jobs": await OutboxJob.filter(
            state__in=[JobState.DONE, JobState.FAILED], created_at__lt=cutoff
        ).delete(),
        "offline_contacts": await OfflinePerson.filter(
            created_at__lt=now - timedelta(days=CONTACT_DAYS)
        )
        .exclude(contact="")
        .update(contact=""),
        # images whose proposal, project or meeting was deleted (by any path: the foreign key
        # only sets the owner's column to NULL); an hour old at least, so never an upload's
        # picture whose owner is still being written
        "pictures": await pictures.sweep(now - PICTURE_GRACE),
    }
    return purged | await letters.purge_unused(now)


@job_changes_pages(False)  # technical data no page shows
async def purge_expired_data(ctx: dict[str, Any]) -> dict[str, int]:
    """arq cron, every night."""
    return await purge_expired(ctx["settings"], timezone.now())
