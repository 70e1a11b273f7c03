"""The nightly retention job deletes technical personal data once its time is up, and only
that (LOG_RETENTION_DAYS, docs/privacy.md)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from tortoise import timezone

from participation import outbox, retention
from participation.accounts.models import EmailChange, PasswordResetToken, User, UserSession
from participation.counter.models import OfflinePerson
from participation.mail import MAX_ATTEMPTS, OutboxEmail
from participation.outbox import JobState, OutboxJob
from participation.worker import cron_jobs
from tests.conftest import make_settings


async def test_what_is_past_its_retention_goes_and_the_rest_stays(
    app: Any, tmp_path: Path, redis_url: str, citizen: User
) -> None:
    settings = make_settings(tmp_path, redis_url, LOG_RETENTION_DAYS="30")
    now = timezone.now()
    days = lambda n: now - timedelta(days=n)  # noqa: E731
    live = await UserSession.create(user=citizen, token_hash="a" * 64, expires_at=days(-1))
    await UserSession.create(user=citizen, token_hash="b" * 64, expires_at=days(1))
    unused = await PasswordResetToken.create(user=citizen, token_hash="c" * 64, expires_at=days(-1))
    await PasswordResetToken.create(user=citizen, token_hash="d" * 64, expires_at=days(1))
    await PasswordResetToken.create(
        user=citizen, token_hash="e" * 64, expires_at=days(-1), used_at=days(0)
    )
    pending = await EmailChange.create(
        user=citizen, token_hash="f" * 64, new_email="n@example.org", expires_at=days(-1)
    )
    for token, used in (("g", None), ("h", days(0))):  # expired; used
        await EmailChange.create(
            user=citizen,
            token_hash=token * 64,
            new_email="n@example.org",
            expires_at=days(1 if used is None else -1),
            used_at=used,
        )
    keep = {
        "recent sent": dict(sent_at=days(29)),
        "old but unsent, still retried": dict(sent_at=None, attempts=1),
    }
    purge = {
        "old sent": dict(sent_at=days(31)),
        "old, given up": dict(sent_at=None, attempts=MAX_ATTEMPTS),
    }
    for subject, values in {**keep, **purge}.items():
        email = await OutboxEmail.create(recipient="camille@example.org", subject=subject, body="")
        await OutboxEmail.filter(id=email.id).update(created_at=days(40), **values)
    old_done, recent_done, old_pending = [await outbox.record("tally_budget", n) for n in (1, 2, 3)]
    await OutboxJob.filter(id=old_done.id).update(state=JobState.DONE, created_at=days(31))
    await OutboxJob.filter(id=recent_done.id).update(state=JobState.DONE, created_at=days(29))
    await OutboxJob.filter(id=old_pending.id).update(created_at=days(31))

    # contact details given at the counter: erased a year after, the person stays
    old_person, recent_person = [
        await User.create(email=f"o{n}@invalid", display_name="X", password_hash="!")
        for n in (1, 2)
    ]
    await OfflinePerson.create(user=old_person, contact="06", consent_at=now)
    await OfflinePerson.create(user=recent_person, contact="07", consent_at=now)
    await OfflinePerson.filter(user=old_person).update(created_at=days(366))

    purged = await retention.purge_expired(settings, now)

    assert purged == {
        "sessions": 1,
        "reset_tokens": 2,
        "email_changes": 2,
        "emails": 2,
        "jobs": 1,
        "offline_contacts": 1,
    }
    assert [c.id for c in await EmailChange.all()] == [pending.id]
    assert [s.id for s in await UserSession.all()] == [live.id]
    assert [t.id for t in await PasswordResetToken.all()] == [unused.id]
    assert {e.subject for e in await OutboxEmail.all()} == set(keep)
    assert {j.id for j in await OutboxJob.all()} == {recent_done.id, old_pending.id}
    contacts = await OfflinePerson.all().order_by("id").values_list("contact", flat=True)
    assert list(contacts) == ["", "07"]
    # a second night finds nothing more
    assert set((await retention.purge_expired(settings, now)).values()) == {0}


def test_the_worker_runs_it_every_night() -> None:
    jobs = {job.name: job for job in cron_jobs()}
    nightly = jobs["cron:purge_expired_data"]
    assert nightly.hour == {3} and nightly.minute == {17}
