"""The daily digest (issue #20): one e-mail a day per person, with the notifications of the
kinds they set to "daily digest", through the outbox and the real job queue; a second run the
same day sends nothing; its one-click unsubscribe stops the digest."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from participation.mail import OutboxEmail, message_of
from participation.notifications import digest
from participation.notifications import services as notifications
from participation.notifications.models import Digest, Notification, NotificationPreference
from participation.notifications.preferences import Channel
from participation.settings import Settings
from participation.worker import cron_jobs
from tests.conftest import browser_of, create_user
from tests.participation.proposal_factories import make_proposal
from tests.participation.test_outbox import queued_job_ids
from tests.participation.test_worker import run_jobs


async def test_the_digest_is_sent_once_a_day_with_the_kinds_set_to_digest(
    app: Any, settings: Settings, redis_url: str
) -> None:
    assert "cron:send_daily_digests" in {job.name for job in cron_jobs()}
    camille = await create_user(settings, "camille@example.org")
    dominique = await create_user(settings, "dominique@example.org", display_name="Dominique")
    alix = await create_user(settings, "alix@example.org", display_name="Alix")
    await notifications.save_preferences(
        camille.id, {"comment": Channel.DIGEST, "state": Channel.DIGEST, "answer": Channel.NEVER}
    )
    first = await make_proposal(camille, title="Un banc sous le tilleul")
    second = await make_proposal(dominique, title="Des nichoirs au parc")
    emails = []
    emails += await notifications.notify(settings, "comment", "c:1", [camille], first, actor=alix)
    emails += await notifications.notify(
        settings, "comment", "c:2", [dominique], second, actor=alix
    )
    emails += await notifications.notify(
        settings, "state", "s:1", [camille], first, state="published"
    )
    emails += await notifications.notify(settings, "answer", "a:1", [camille], first)
    # at once: only Dominique's (the default); Camille's wait for the digest or go nowhere
    assert [e.recipient for e in emails] == ["dominique@example.org"]
    await OutboxEmail.all().delete()

    day = digest.today()
    assert await digest.send_digests(settings, day) == 1
    (email,) = await OutboxEmail.all()
    assert email.recipient == "camille@example.org"
    assert email.subject.endswith("Votre résumé du jour")
    body = email.body
    # grouped by kind, in the app's order, each line with its link; "never" is left out
    assert body.index("Nouveau commentaire sur votre proposition") < body.index(
        "Une proposition a changé d’état"
    )
    assert "Alix a commenté «\u00a0Un banc sous le tilleul\u00a0»" in body
    assert f"http://testserver/proposals/{first.id}" in body
    assert "a répondu" not in body and "Des nichoirs" not in body
    assert "/account/notifications" in body
    assert email.unsubscribe == f"{camille.id}:digest"
    # one job for the day's batch, sent over one SMTP connection (mail.send_emails)
    assert f"emails:{email.id}-{email.id}:1:0".encode() in await queued_job_ids(redis_url)

    # a second run the same day sends nothing, even for what came since
    await notifications.notify(settings, "comment", "c:3", [camille], first, actor=alix)
    assert await digest.send_digests(settings, day) == 0
    assert await OutboxEmail.all().count() == 1
    assert await Digest.all().count() == 1
    # the next day's carries only the new one
    assert await digest.send_digests(settings, day + timedelta(days=1)) == 1
    newer = await OutboxEmail.filter(id__gt=email.id).get()
    assert "c:3" not in newer.body and newer.body.count("Alix a commenté") == 1
    assert await Notification.filter(delivery="digest", digest_id=None).count() == 0

    # the worker sends it with List-Unsubscribe; its one-click stops every digest kind
    worker = await run_jobs(settings, redis_url)
    assert worker.jobs_failed == 0
    assert await OutboxEmail.filter(sent_at=None).count() == 0
    header = message_of(settings, email)["List-Unsubscribe"].strip("<>")
    async with browser_of(app) as mail_client:
        response = await mail_client.post(
            header.removeprefix("http://testserver"), data={"List-Unsubscribe": "One-Click"}
        )
        assert response.status_code == 303
    stored = dict(
        await NotificationPreference.filter(user_id=camille.id).values_list("kind", "channel")
    )
    assert stored == {"comment": "never", "state": "never", "answer": "never"}


async def test_a_digest_tells_nothing_about_content_hidden_since(
    app: Any, settings: Settings
) -> None:
    camille = await create_user(settings, "camille@example.org")
    alix = await create_user(settings, "alix@example.org", display_name="Alix")
    await notifications.save_preferences(camille.id, {"amendment_suggested": Channel.DIGEST})
    hidden = await make_proposal(alix, title="Texte masqué", moderation_state="hidden")
    await notifications.notify(
        settings, "amendment_suggested", "x:1", [camille], hidden, actor=alix
    )
    assert await digest.send_digests(settings, digest.today()) == 0
    assert not await OutboxEmail.exists()
    # claimed all the same: it never comes back
    assert await Notification.filter(digest_id=None, delivery="digest").count() == 0


async def test_two_digest_runs_at_once_send_one_email(app: Any, settings: Settings) -> None:
    camille = await create_user(settings, "camille@example.org")
    alix = await create_user(settings, "alix@example.org", display_name="Alix")
    await notifications.save_preferences(camille.id, {"comment": Channel.DIGEST})
    proposal = await make_proposal(camille)
    await notifications.notify(settings, "comment", "c:1", [camille], proposal, actor=alix)
    day = digest.today()
    sent = await asyncio.gather(*(digest.send_digests(settings, day) for _ in range(3)))
    assert sorted(sent) == [0, 0, 1]
    assert await OutboxEmail.filter(recipient="camille@example.org").count() == 1
