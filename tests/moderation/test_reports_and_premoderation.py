"""Reports, the auto-hide threshold, pre-moderation per content type, decisions with reasons,
the author's notification and their one review request; through HTTP on the real database."""

from __future__ import annotations

from typing import Any

import httpx

from moderation.models import ModerationCase, ModerationDecision, Report
from participation.accounts.models import User
from participation.audit import AuditLogEntry
from participation.comments.models import Comment
from participation.contributions import ModerationState
from participation.mail import OutboxEmail
from participation.notifications.models import Notification
from participation.proposals.domain import ProposalState
from participation.proposals.models import ProposalVersion
from participation.settings import Settings
from tests.conftest import create_user, log_in, logged_in, post_form
from tests.moderation import helpers
from tests.moderation.helpers import browser, configure, decide, make_comment, report
from tests.participation.proposal_factories import make_proposal, others_proposal

MV = ModerationState


async def test_reports_hide_a_comment_at_the_threshold(
    app: Any, tmp_path: Any, redis_url: str, moderator: User
) -> None:
    settings = configure(app, tmp_path, redis_url, MODERATION_REPORT_THRESHOLD="2")
    author = await create_user(settings, "author@example.org", display_name="Auteur")
    proposal = await make_proposal(author)
    comment = await make_comment(proposal, author, "<p>Texte injurieux à signaler</p>")
    page = f"/proposals/{proposal.id}"
    reporters = [await create_user(settings, f"r{i}@example.org") for i in range(2)]

    async with logged_in(app, reporters[0]) as first:
        form = await first.get(f"/moderation/report/comment/{comment.id}")
        assert form.status_code == 200 and "Texte injurieux" in form.text
        response = await report(first, "comment", comment.id, "offensive", "Insulte")
        assert response.status_code == 303
        await comment.refresh_from_db()
        assert comment.moderation_state == MV.VISIBLE  # one report: still visible
        # reporting twice is refused, and counts once
        again = await report(first, "comment", comment.id, "spam")
        assert again.status_code == 409 and "déjà signalé" in again.text
    assert await Report.filter(target_id=comment.id).count() == 1

    async with logged_in(app, reporters[1]) as second:
        assert (await report(second, "comment", comment.id, "spam")).status_code == 303
        await comment.refresh_from_db()
        assert comment.moderation_state == MV.HIDDEN
        assert "Texte injurieux" not in (await second.get(page)).text
    await proposal.refresh_from_db()
    assert proposal.comment_count == 0  # hidden content is not counted
    assert "Texte injurieux" not in await helpers.public_page(app, page)
    async with browser(app) as c:
        await log_in(c, author)  # the author still sees it, marked
        text = (await c.get(page)).text
        assert "Texte injurieux" in text and "Non visible du public" in text
    async with logged_in(app, moderator) as c:
        queue = (await c.get("/moderation")).text
        assert "Texte injurieux" in queue and "Insulte" in queue
        assert "offensant ou haineux" in queue and "spam ou publicité" in queue
    entry = await AuditLogEntry.get(action="auto_hide")
    assert entry.actor_id is None and entry.target_id == comment.id


async def test_reporting_needs_an_account_and_not_ones_own_content(
    client: httpx.AsyncClient, citizen: User, settings: Settings
) -> None:
    proposal = await make_proposal(citizen)
    response = await client.get(f"/moderation/report/proposal/{proposal.id}")
    assert response.status_code == 303 and "/account/login" in response.headers["location"]
    await log_in(client, citizen)
    response = await report(client, "proposal", proposal.id)
    assert response.status_code == 403
    other = await make_proposal(await create_user(settings, "other@example.org"))
    response = await report(client, "proposal", other.id, "other", "")
    assert response.status_code == 422 and "Dites en quelques mots" in response.text
    assert (await report(client, "nothing", other.id)).status_code == 404
    assert await Report.all().count() == 0


async def test_premoderated_proposal_waits_for_approval(
    app: Any, tmp_path: Any, redis_url: str, moderator: User
) -> None:
    settings = configure(app, tmp_path, redis_url, PREMODERATED_CONTENT="proposal")
    author, draft, page = await others_proposal(
        settings, ProposalState.DRAFT, title="Une piste cyclable rue Haute"
    )
    async with logged_in(app, author) as c:
        # "pending" asked for by hand: refused (it would skip the audience rule and the case)
        forged = await post_form(c, f"{page}/state", {"state": "pending"}, page=page)
        assert forged.status_code == 409 and "qu’une fois publiée" in forged.text
        await draft.refresh_from_db()
        assert draft.state == ProposalState.DRAFT
        response = await post_form(c, f"{page}/state", {"state": "published"}, page=page)
        assert response.status_code == 303
        shown = (await c.get(page)).text
        assert "seuls vous et les modérateurs la voyez" in shown
    await draft.refresh_from_db()
    assert draft.state == ProposalState.PENDING and draft.moderation_state == MV.PENDING
    async with browser(app) as anonymous:
        assert "piste cyclable" not in (await anonymous.get("/proposals")).text
        assert (await anonymous.get(page)).status_code == 404
    case = await ModerationCase.get(target_kind="proposal", target_id=draft.id)
    async with logged_in(app, moderator) as c:
        assert "piste cyclable" in (await c.get("/moderation")).text
        assert (await c.get(page)).status_code == 200  # moderators see it
        response = await decide(c, [case.id], "approve", "Conforme à la charte.")
        assert response.status_code == 303
    await draft.refresh_from_db()
    assert draft.state == ProposalState.PUBLISHED and draft.moderation_state == MV.VISIBLE
    assert draft.published_at is not None
    assert await ProposalVersion.filter(proposal_id=draft.id).count() == 1
    async with browser(app) as anonymous:
        assert "piste cyclable" in (await anonymous.get("/proposals")).text
    notification = await Notification.get(user_id=author.id, kind="moderation")
    assert notification.proposal_id == draft.id  # type: ignore[attr-defined]
    email = await OutboxEmail.filter(recipient=author.email).order_by("-id").first()
    assert email is not None and "Conforme à la charte." in email.body


async def test_without_premoderation_publishing_is_immediate(
    client: httpx.AsyncClient, citizen: User
) -> None:
    draft = await make_proposal(citizen, ProposalState.DRAFT)
    page = f"/proposals/{draft.id}"
    await log_in(client, citizen)
    await post_form(client, f"{page}/state", {"state": "published"}, page=page)
    await draft.refresh_from_db()
    assert draft.state == ProposalState.PUBLISHED and draft.moderation_state == MV.VISIBLE
    assert await ModerationCase.all().count() == 0


async def test_premoderated_comments_are_counted_and_announced_once_approved(
    app: Any, tmp_path: Any, redis_url: str, moderator: User
) -> None:
    author, proposal, page, commenter = await helpers.premoderated_discussion(
        app, tmp_path, redis_url
    )
    async with logged_in(app, commenter) as c:
        data = {"body": "Un avis en attente de relecture", "stance": "for"}
        assert (await post_form(c, f"{page}/comments", data, page=page)).status_code == 303
        assert "En attente de modération" in (await c.get(page)).text
    comment = await Comment.get()
    assert comment.moderation_state == MV.PENDING
    await proposal.refresh_from_db()
    assert proposal.comment_count == 0
    assert await Notification.filter(user_id=author.id).count() == 0
    assert "en attente de relecture" not in await helpers.public_page(app, page)
    await helpers.approve(app, moderator, "comment", comment.id)
    await proposal.refresh_from_db()
    assert proposal.comment_count == 1
    assert await Notification.filter(user_id=author.id, kind="comment").count() == 1
    assert "en attente de relecture" in await helpers.public_page(app, page)


async def test_rejection_reason_and_a_single_review_request(
    app: Any, tmp_path: Any, redis_url: str, moderator: User
) -> None:
    settings = configure(app, tmp_path, redis_url, PREMODERATED_CONTENT="comment")
    author = await create_user(settings, "author@example.org")
    proposal = await make_proposal(await create_user(settings, "owner@example.org"))
    page = f"/proposals/{proposal.id}"
    async with logged_in(app, author) as c:
        data = {"body": "Un texte qui sera rejeté", "stance": "against"}
        await post_form(c, f"{page}/comments", data, page=page)
    comment = await Comment.get()
    case = await ModerationCase.get(target_id=comment.id)
    async with logged_in(app, moderator) as c:
        assert (await decide(c, [case.id], "reject", "Hors sujet.")).status_code == 303
    await comment.refresh_from_db()
    assert comment.moderation_state == MV.HIDDEN
    decision = await ModerationDecision.get()
    assert decision.reason == "Hors sujet." and decision.author_id == author.id
    async with logged_in(app, author) as c:
        notifications = (await c.get("/notifications")).text
        assert "/moderation/mine" in notifications
        mine = (await c.get("/moderation/mine")).text
        assert "Hors sujet." in mine and "Demander un réexamen" in mine
        url = f"/moderation/decisions/{decision.id}/review"
        too_long = await post_form(c, url, {"text": "x" * 1001})  # 422, nothing asked yet
        assert too_long.status_code == 422
        assert f'aria-describedby="review-{decision.id}-error"' in too_long.text
        assert "1 000 caractères" in too_long.text and "x" * 1001 in too_long.text
        assert (await ModerationCase.get(id=case.id)).status == "closed"
        response = await post_form(c, url, {"text": "Je parlais bien du projet."})
        assert response.status_code == 303
        assert (await post_form(c, url, {"text": "Encore ?"})).status_code == 403
    await case.refresh_from_db()
    assert case.status == "open" and case.kind == "review"
    async with logged_in(app, moderator) as c:
        assert "réexamen demandé" in (await c.get("/moderation?kind=review")).text
        await decide(c, [case.id], "approve", "Après relecture, c'est pertinent.")
    await comment.refresh_from_db()
    assert comment.moderation_state == MV.VISIBLE
    other = await create_user(settings, "other@example.org")
    async with logged_in(app, other) as c:  # nobody else may ask for the review
        assert (await post_form(c, url, {"text": ""})).status_code == 403
    assert await AuditLogEntry.filter(action="review_requested").count() == 1


async def test_co_authors_cannot_report_their_own_proposal(
    client: httpx.AsyncClient, citizen: User, settings: Settings
) -> None:
    from tests.participation.proposal_factories import add_coauthor

    proposal = await make_proposal(await create_user(settings, "author@example.org"))
    await add_coauthor(proposal, citizen)
    await log_in(client, citizen)
    assert (await report(client, "proposal", proposal.id)).status_code == 403
    assert await Report.all().count() == 0
