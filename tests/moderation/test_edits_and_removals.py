"""Edits of approved content are moderated again when their type is pre-moderated; withdrawn or
deleted content leaves the queue (its case closed with a system reason, audited)."""

from __future__ import annotations

from typing import Any

from moderation.domain import CLOSED_DELETED, CLOSED_WITHDRAWN
from moderation.models import ModerationCase, Report
from participation.accounts.models import User
from participation.audit import AuditLogEntry
from participation.comments.models import Comment
from participation.contributions import ModerationState
from participation.proposals.domain import ProposalState
from participation.proposals.models import Amendment, ProposalVersion
from tests.conftest import create_user, logged_in, post_form
from tests.moderation import helpers
from tests.moderation.helpers import browser, configure, decide, make_comment, report
from tests.participation.proposal_factories import good_form, others_proposal

MV = ModerationState
NEW_BODY = "Installer un composteur collectif et un banc au square des Tilleuls."


async def test_an_edited_approved_proposal_waits_for_approval_again(
    app: Any, tmp_path: Any, redis_url: str, moderator: User
) -> None:
    settings = configure(app, tmp_path, redis_url, PREMODERATED_CONTENT="proposal")
    author, proposal, page = await others_proposal(
        settings, title="Un composteur partagé au square"
    )
    async with logged_in(app, author) as c:
        data = {**await good_form(), "body": NEW_BODY}
        response = await post_form(c, f"{page}/edit", data, page=f"{page}/edit")
        assert response.status_code == 303
        assert "seuls vous et les modérateurs la voyez" in (await c.get(page)).text
    await proposal.refresh_from_db()
    assert proposal.moderation_state == MV.PENDING
    assert proposal.state == ProposalState.PUBLISHED  # its life cycle is not reset
    async with browser(app) as anonymous:  # neither the old nor the new text is public
        assert (await anonymous.get(page)).status_code == 404
        assert "composteur" not in (await anonymous.get("/proposals")).text
        assert "composteur" not in (await anonymous.get("/proposals.json")).text
    case = await ModerationCase.get(content_type="proposal", content_id=proposal.id)
    assert case.status == "open" and case.kind == "pending"
    async with logged_in(app, moderator) as c:
        assert "un banc au square" in (await c.get("/moderation")).text
        await decide(c, [case.id], "approve", "Conforme.")
    await proposal.refresh_from_db()
    assert proposal.moderation_state == MV.VISIBLE and proposal.version == 2
    assert await ProposalVersion.filter(proposal_id=proposal.id).count() == 2
    assert "un banc au square" in await helpers.public_page(app, page)


async def test_without_premoderation_an_edit_stays_public(
    app: Any, tmp_path: Any, redis_url: str
) -> None:
    settings = configure(app, tmp_path, redis_url, PREMODERATED_CONTENT="comment")
    author, proposal, page = await others_proposal(settings)
    async with logged_in(app, author) as c:
        data = {**await good_form(), "body": NEW_BODY}
        assert (await post_form(c, f"{page}/edit", data)).status_code == 303
    await proposal.refresh_from_db()
    assert proposal.moderation_state == MV.VISIBLE
    assert await ModerationCase.all().count() == 0


async def test_an_accepted_amendment_waits_for_approval_under_premoderation(
    app: Any, tmp_path: Any, redis_url: str
) -> None:
    settings = configure(app, tmp_path, redis_url, PREMODERATED_CONTENT="proposal")
    author, proposal, _ = await others_proposal(settings)
    amendment = await Amendment.create(
        proposal_id=proposal.id,
        author_id=(await create_user(settings, "amender@example.org")).id,
        base_version=1,
        title=proposal.title,
        body="<p>Un texte amendé par un voisin.</p>",
    )
    page = f"/proposals/{proposal.id}"
    async with logged_in(app, author) as c:
        response = await post_form(c, f"{page}/amendments/{amendment.id}/accept", {})
        assert response.status_code == 303
    await proposal.refresh_from_db()
    assert proposal.version == 2 and proposal.moderation_state == MV.PENDING
    assert await ModerationCase.filter(content_id=proposal.id, status="open").exists()


async def test_an_edited_approved_comment_waits_again_and_is_not_counted(
    app: Any, tmp_path: Any, redis_url: str, moderator: User
) -> None:
    author, proposal, _, commenter = await helpers.premoderated_discussion(app, tmp_path, redis_url)
    comment = await make_comment(proposal, commenter, "<p>Bonne idée.</p>")
    page = f"/proposals/{proposal.id}"
    url = f"{page}/comments/{comment.id}/edit"
    async with logged_in(app, commenter) as c:
        data = {"body": "Bonne idée, avec un texte changé après coup."}
        assert (await post_form(c, url, data, page=url)).status_code == 303
    await comment.refresh_from_db()
    await proposal.refresh_from_db()
    assert comment.moderation_state == MV.PENDING and proposal.comment_count == 0
    assert "changé après coup" not in await helpers.public_page(app, page)
    await helpers.approve(app, moderator, "comment", comment.id)
    await proposal.refresh_from_db()
    assert proposal.comment_count == 1 == await Comment.filter(moderation_state=MV.VISIBLE).count()
    assert "changé après coup" in await helpers.public_page(app, page)


async def test_withdrawing_a_reported_proposal_closes_its_case(
    app: Any, settings: Any, moderator: User
) -> None:
    author, proposal, page = await others_proposal(
        settings, title="Une proposition signalée puis retirée"
    )
    async with logged_in(app, await create_user(settings, "reporter@example.org")) as c:
        assert (await report(c, "proposal", proposal.id, "spam")).status_code == 303
    case = await ModerationCase.get(content_type="proposal", content_id=proposal.id)
    assert case.status == "open"
    async with logged_in(app, author) as c:
        response = await post_form(c, f"{page}/state", {"state": "withdrawn"}, page=page)
        assert response.status_code == 303
    await case.refresh_from_db()
    assert case.status == "closed" and case.closed_at is not None
    assert not await Report.filter(resolved_at=None).exists()
    entry = await AuditLogEntry.get(action="case_closed")
    assert (entry.target_type, entry.target_id) == ("proposal", proposal.id)
    assert entry.actor_id == author.id and entry.reason == CLOSED_WITHDRAWN
    async with logged_in(app, moderator) as c:
        assert "signalée puis retirée" not in (await c.get("/moderation")).text


async def test_deleting_a_pending_comment_closes_its_case(
    app: Any, tmp_path: Any, redis_url: str, moderator: User
) -> None:
    settings = configure(app, tmp_path, redis_url, PREMODERATED_CONTENT="comment")
    author, proposal, page = await others_proposal(settings)
    async with logged_in(app, author) as c:
        data = {"body": "Un commentaire regretté aussitôt", "stance": "against"}
        await post_form(c, f"{page}/comments", data, page=page)
        comment = await Comment.get()
        assert await ModerationCase.filter(content_id=comment.id, status="open").exists()
        response = await post_form(c, f"{page}/comments/{comment.id}/delete", {}, page=page)
        assert response.status_code == 303
    case = await ModerationCase.get(content_type="comment", content_id=comment.id)
    assert case.status == "closed"
    entry = await AuditLogEntry.get(action="case_closed")
    assert entry.target_id == comment.id and entry.reason == CLOSED_DELETED
    async with logged_in(app, moderator) as c:
        assert "regretté aussitôt" not in (await c.get("/moderation")).text
    # deleting content with no open case writes nothing to the log
    other = await make_comment(proposal, author, "<p>Un autre avis.</p>")
    async with logged_in(app, author) as c:
        await post_form(c, f"{page}/comments/{other.id}/delete", {}, page=page)
    assert await AuditLogEntry.filter(action="case_closed").count() == 1
