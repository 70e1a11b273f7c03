"""The daily digest: one e-mail a day per person with the notifications of the kinds they set
to "daily digest" (participation/notifications/preferences.py).

Idempotent: a person's digest of a day is a row UNIQUE on (person, day), written in the same
transaction as the claim of its notifications (a conditional update: a notification goes into
one digest only) and the outbox e-mail. A second run the same day, or two workers at once,
find the row and send nothing; a notification that comes after today's digest waits for
tomorrow's.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from tortoise import timezone
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from participation import formatting, mail
from participation.accounts.models import User
from participation.i18n import gettext
from participation.notifications import services
from participation.notifications.models import Digest, Notification
from participation.notifications.preferences import (
    DIGEST_KIND,
    Channel,
    DigestLine,
    digest_groups,
)
from participation.pagecache import job_changes_pages
from participation.settings import Settings
from participation.urls import url


class _NothingToSend(Exception):
    """Rolls a person's digest back: nothing was waiting (another run took it)."""


def today() -> date:
    """The day of a digest, in the town's time zone."""
    return formatting.local(timezone.now()).date()


async def send_digests(settings: Settings, day: date, now: datetime | None = None) -> int:
    """Write and queue the digest of `day` for everyone with notifications waiting for it
    (created before `now`); returns how many e-mails were queued. Dispatched after commit."""
    cutoff = now or timezone.now()
    waiting = set(
        await Notification.filter(
            delivery=Channel.DIGEST.value, digest_id=None, created_at__lte=cutoff
        ).values_list("user_id", flat=True)
    )
    people = await User.filter(id__in=list(waiting), deleted_at__isnull=True).order_by("id")
    queued: list[mail.OutboxEmail] = []
    for person in people:
        try:
            async with in_transaction():
                email = await _digest_of(settings, person, day, cutoff)
        except (IntegrityError, _NothingToSend):
            continue  # already sent today, or taken by another run
        if email is not None:
            queued.append(email)
    await mail.dispatch_batch(queued)  # over one SMTP connection per batch
    return len(queued)


async def _digest_of(
    settings: Settings, person: User, day: date, cutoff: datetime
) -> mail.OutboxEmail | None:
    digest = await Digest.create(user_id=person.id, day=day)  # UNIQUE: once a day
    claimed = await Notification.filter(
        user_id=person.id, delivery=Channel.DIGEST.value, digest_id=None, created_at__lte=cutoff
    ).update(digest_id=digest.id)
    if not claimed:
        raise _NothingToSend()
    items = (
        await Notification.filter(services._shown(person.id), digest_id=digest.id)
        .select_related("proposal", "comment", "actor")
        .order_by("id")
    )
    if not items:  # all about content hidden since: claimed, but nothing to tell
        return None
    order = [kind for kind, _subject in services.kinds()]
    with services.speaking(person.language or settings.default_language):
        lines = [
            DigestLine(n.kind, n.created_at, services.describe(n), services.link_of(n))
            for n in items
        ]
        parts = []
        for kind, group in digest_groups(lines, order):
            entries = "\n".join(
                f"- {line.text}\n  {settings.base_url}{line.link}" for line in group
            )
            parts.append(f"{gettext(services._messages(kind)[0])}\n{entries}")
        body = gettext(
            "Hello {name},\n\nWhat happened on what you follow on {site}:\n\n{parts}\n\n"
            "Your notifications: {all}\nChoose which e-mails you receive: {preferences}"
        ).format(
            name=person.display_name,
            site=settings.site_name,
            parts="\n\n".join(parts),
            all=settings.base_url + url("notifications:index"),
            preferences=settings.base_url + url("accounts:notifications"),
        )
        subject = gettext("Your daily digest")
    return await mail.queue_email(
        person.email,
        f"[{settings.site_name}] {subject}",
        body,
        unsubscribe=mail.unsubscribe_value(person.id, DIGEST_KIND),
    )


@job_changes_pages(False)  # e-mails only
async def send_daily_digests(ctx: dict[str, Any]) -> int:
    """arq cron, once a day: the day's digests (`send_digests`); a second run sends nothing."""
    return await send_digests(ctx["settings"], today())
