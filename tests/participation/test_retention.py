"""The nightly retention job deletes technical personal data once its time is up, and only
that (LOG_RETENTION_DAYS, docs/privacy.md)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from tortoise import timezone

from participation import outbox, retention
from participation.accounts.models import EmailChange, PasswordResetToken, User, UserSession
from participation.counter.models import OfflinePerson
from participation.mail import MAX_ATTEMPTS, OutboxEmail
from participation.outbox import JobState, OutboxJob
from participation.residents.methods import letter
from participation.residents.models import LetterCode, PostalAddress
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
        "pictures": 0,
        "letter_addresses": 0,
        "letter_codes": 0,
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


NOW = timezone.now()


def _days(n: float) -> Any:
    return NOW - timedelta(days=n)


@pytest.mark.parametrize(
    ("saved", "printed", "expires", "erased"),
    [
        (_days(10), None, None, False),  # waiting for the next batch
        (_days(89), None, None, False),
        (_days(90), None, None, True),  # no letter printed within 90 days
        (_days(70), _days(50), _days(-10), False),  # the letter is on its way
        (_days(70), _days(61), _days(1), True),  # its code expired unused
        (_days(70), _days(60), _days(0), True),  # (expiry is inclusive, as the code's check)
        (_days(5), _days(200), _days(140), False),  # saved again after an old letter: waits
    ],
)
def test_an_unused_letter_address_is_erased_when_its_letter_expired_or_never_went(
    saved: Any, printed: Any, expires: Any, erased: bool
) -> None:
    assert letter.address_unused(saved, printed, expires, NOW) is erased


async def test_the_job_erases_unused_letter_addresses_and_expired_codes(
    app: Any, tmp_path: Path, redis_url: str
) -> None:
    settings = make_settings(tmp_path, redis_url)
    now = timezone.now()
    days = lambda n: now - timedelta(days=n)  # noqa: E731
    people = [
        await User.create(email=f"l{n}@example.org", display_name=f"L{n}", password_hash="!")
        for n in range(4)
    ]
    address = {
        "street": "3 rue Haute",
        "postcode": "44000",
        "city": "Villebelle",
        "district": "Nord",
    }
    for person in people:
        await PostalAddress.create(user=person, recipient=person.display_name, **address)
    never_printed, expired, on_its_way, recent = people
    await PostalAddress.filter(user_id__in=[never_printed.id, expired.id, on_its_way.id]).update(
        updated_at=days(100)
    )
    await LetterCode.create(user=expired, code_hash="x", printed_at=days(61), expires_at=days(1))
    await LetterCode.create(
        user=on_its_way, code_hash="y", printed_at=days(5), expires_at=days(-55)
    )

    purged = await retention.purge_expired(settings, now)

    assert (purged["letter_addresses"], purged["letter_codes"]) == (2, 1)
    left = await PostalAddress.all().order_by("user_id").values_list("user_id", flat=True)
    assert list(left) == [on_its_way.id, recent.id]
    assert await LetterCode.all().values_list("user_id", flat=True) == [on_its_way.id]
    assert (await retention.purge_expired(settings, now))["letter_addresses"] == 0
