"""Comments (threads, editing window, votes, deletion), notifications (exactly once), and the
fixed number of SQL queries of the proposal list."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from tortoise import connections, timezone

from participation.accounts.models import User
from participation.comments.models import Comment, CommentVote
from participation.mail import OutboxEmail
from participation.notifications import services as notifications
from participation.notifications.models import Notification
from participation.pagecache import invalidate
from participation.proposals.models import Proposal
from participation.richtext import ALLOW_LIST_VERSION, resanitize, stored_again
from participation.settings import Settings
from tests.conftest import count_queries, create_user, log_in, logged_in, post_form
from tests.participation.proposal_factories import at_proposal, make_proposal, others_proposal
from tests.security.xss import PAYLOADS, all_payloads, injected_markup


async def _comment(
    c: httpx.AsyncClient,
    proposal: Proposal,
    body: str,
    parent: int | None = None,
    stance: str = "neutral",
) -> httpx.Response:
    page = f"/proposals/{proposal.id}"
    data = {"body": body, "stance": stance, **({"parent": str(parent)} if parent else {})}
    return await post_form(c, f"{page}/comments", data, page=page)


async def own_comment(
    client: httpx.AsyncClient, user: User, body: str
) -> tuple[Proposal, str, Comment]:
    """Scenario: `user`, logged in on `client`, commented `body` on their own proposal: the
    proposal, its page and the comment."""
    proposal, page = await at_proposal(client, user)
    await _comment(client, proposal, body)
    return proposal, page, await Comment.get()


async def test_threads_go_three_levels_deep_and_notify_once(
    app: Any, client: httpx.AsyncClient, citizen: User, settings: Settings
) -> None:
    author, proposal, _ = await others_proposal(settings, seen_by=(client, citizen))
    assert (await _comment(client, proposal, "Très bonne idée", stance="for")).status_code == 303
    top = await Comment.get()
    assert top.stance == "for" and top.depth == 0
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as author_client:
        await log_in(author_client, author)
        await _comment(author_client, proposal, "Merci !", parent=top.id)
    reply = await Comment.get(parent_id=top.id)
    await _comment(client, proposal, "Avec plaisir", parent=reply.id)
    deepest = await Comment.get(parent_id=reply.id)
    assert deepest.depth == 2
    response = await _comment(client, proposal, "Trop profond", parent=deepest.id)
    assert response.status_code == 409
    await proposal.refresh_from_db()
    assert proposal.comment_count == 3 == await Comment.all().count()
    # one notification per person per comment: the author hears of the first comment, then of
    # the reply to their own comment (as a reply, not twice); the citizen of the author's reply
    assert await Notification.filter(user_id=author.id, kind="comment").count() == 1
    assert await Notification.filter(user_id=author.id, kind="reply").count() == 1
    assert await Notification.filter(user_id=citizen.id, kind="reply").count() == 1
    assert await Notification.filter(user_id=citizen.id).count() == 1
    assert await OutboxEmail.filter(recipient=citizen.email).count() == 1
    page = (await client.get(f"/proposals/{proposal.id}")).text
    assert page.index("Très bonne idée") < page.index("Merci !") < page.index("Avec plaisir")
    assert "Notifications (1" in page


async def test_recording_an_event_twice_notifies_once(citizen: User, settings: Settings) -> None:
    proposal = await make_proposal(citizen)
    for _ in range(2):
        emails = await notifications.notify(settings, "answer", "answer:test", [citizen], proposal)
    assert emails == []
    assert await Notification.filter(user_id=citizen.id).count() == 1
    assert await OutboxEmail.all().count() == 1


async def test_notification_list_and_unread_count(client: httpx.AsyncClient, citizen: User) -> None:
    proposal = await make_proposal(citizen)
    await Notification.create(
        user_id=citizen.id, kind="answer", event_key="a:1", proposal_id=proposal.id
    )
    await log_in(client, citizen)
    page = (await client.get("/notifications")).text
    assert "Notifications (1" in page and "La mairie a répondu" in page
    assert (
        await post_form(client, "/notifications/read", {}, page="/notifications")
    ).status_code == 303
    assert "Notifications (0" in (await client.get("/notifications")).text
    assert (
        await httpx.AsyncClient(
            transport=client._transport,  # type: ignore[attr-defined]
            base_url="http://testserver",
        ).get("/notifications")
    ).status_code == 303


async def test_comment_editing_window_and_deletion_placeholder(
    client: httpx.AsyncClient, citizen: User, settings: Settings
) -> None:
    proposal, page, comment = await own_comment(client, citizen, "Premier jet")
    edit = f"{page}/comments/{comment.id}/edit"
    assert (
        await post_form(client, edit, {"body": "Version corrigée"}, page=page)
    ).status_code == 303
    await comment.refresh_from_db()
    assert "Version corrigée" in comment.body and comment.edited_at is not None
    assert (await post_form(client, edit, {"body": ""}, page=page)).status_code == 422
    await Comment.filter(id=comment.id).update(created_at=timezone.now() - timedelta(minutes=16))
    assert (await post_form(client, edit, {"body": "Trop tard"}, page=page)).status_code == 403
    # somebody else cannot delete it; the author can, and a placeholder stays
    other = await create_user(settings, "other@example.org")
    async with logged_in(client._transport.app, other) as c:  # type: ignore[attr-defined]
        await _comment(c, proposal, "Je réponds", parent=comment.id)
        r = await post_form(c, f"{page}/comments/{comment.id}/delete", {}, page=page)
        assert r.status_code == 403
    r = await post_form(client, f"{page}/comments/{comment.id}/delete", {}, page=page)
    assert r.status_code == 303
    text = (await client.get(page)).text
    assert "Ce commentaire a été supprimé." in text and "Version corrigée" not in text
    assert "Je réponds" in text
    await proposal.refresh_from_db()
    assert proposal.comment_count == 1


async def test_one_vote_per_person_per_comment(
    client: httpx.AsyncClient, citizen: User, settings: Settings
) -> None:
    proposal, page, comment = await own_comment(client, citizen, "À voter")
    url = f"{page}/comments/{comment.id}/vote"
    for vote in ("up", "up", "down"):
        await post_form(client, url, {"vote": vote}, page=page)
    await comment.refresh_from_db()
    # up, up again (taken back), then down
    assert (comment.upvotes, comment.downvotes) == (0, 1)
    assert await CommentVote.filter(comment_id=comment.id).count() == 1
    assert (await post_form(client, url, {"vote": "sideways"}, page=page)).status_code == 409


# --- a fixed number of queries per list page --------------------------------------------------


async def _count_queries(client: httpx.AsyncClient, url: str) -> int:
    queries, response = await count_queries(client, url)
    assert response.status_code == 200
    return queries


async def test_a_list_page_costs_a_fixed_number_of_queries(
    app: Any, client: httpx.AsyncClient, citizen: User, settings: Settings
) -> None:
    """Read and rendered (the first request after a write, or in random order), and served
    from the list every resident shares (participation/sharedparts.py): as many statements
    with 20 proposals as with 200."""
    others = [await create_user(settings, f"a{i}@example.org") for i in range(5)]
    for i in range(20):
        await make_proposal(others[i % 5], title=f"Proposition de test {i:03d}")
    await log_in(client, citizen)
    urls = ["/proposals", "/proposals?sort=random", "/proposals?sort=supported&q=test&page=1"]
    small = [await _count_queries(client, url) for url in urls]
    small_hits = [await _count_queries(client, url) for url in urls]
    for i in range(20, 200):
        await make_proposal(others[i % 5], title=f"Proposition de test {i:03d}")
    await invalidate(app.state.redis)  # as every write through the site: the shared lists go
    large = [await _count_queries(client, url) for url in urls]
    large_hits = [await _count_queries(client, url) for url in urls]
    assert small == large and small_hits == large_hits, (small, large, small_hits, large_hits)
    assert max(large) <= 8, large
    assert large_hits[0] < large[0] and large_hits[2] < large[2]  # the random order: never shared


async def test_one_reply_form_per_page_asked_for_by_link_or_htmx(
    settings: Settings, client: httpx.AsyncClient, citizen: User
) -> None:
    """The page carries no reply form until one is asked for (issue #23: one form, not one per
    comment): `?reply=<id>` shows it in place, focused and labelled with whom it answers (no
    JavaScript); htmx gets that form alone. A forged id shows none (htmx: 404)."""
    author = await create_user(settings, "autrice@example.org", display_name="Awa")
    proposal, page = await at_proposal(client, author, visitor=citizen)
    await _comment(client, proposal, "Premier avis")
    top = await Comment.get(proposal_id=proposal.id)
    await Comment.filter(id=top.id).update(author_id=author.id)
    await _comment(client, proposal, "Une réponse", parent=top.id)
    reply = await Comment.get(parent_id=top.id)
    await _comment(client, proposal, "La plus profonde", parent=reply.id)
    deepest = await Comment.get(parent_id=reply.id)
    elsewhere = await make_proposal(author, title="Une autre proposition à débattre")
    other = await Comment.create(proposal_id=elsewhere.id, author_id=author.id, body="<p>x</p>")

    plain = (await client.get(page)).text
    assert plain.count('class="comment-form"') == 1  # the new comment's form only
    assert f'href="{page}?reply={top.id}"' in plain and 'aria-label="Répondre à Awa"' in plain
    assert f"?reply={deepest.id}" not in plain  # a reply to a reply to a reply takes none

    asked = (await client.get(f"{page}?reply={top.id}")).text
    assert asked.count('class="comment-form"') == 2
    form = asked[asked.index('<div class="reply">') :]
    assert f'<input type="hidden" name="parent" value="{top.id}">' in form
    assert f'<label for="comment-body-{top.id}">Votre réponse à Awa</label>' in form
    assert f'id="comment-body-{top.id}" name="body" rows="3" required autofocus' in form

    htmx = {"HX-Request": "true"}
    fragment = await client.get(f"{page}?reply={reply.id}", headers=htmx)
    assert fragment.status_code == 200 and fragment.text.lstrip().startswith('<div class="reply">')
    assert "<html" not in fragment.text
    assert f'name="parent" value="{reply.id}"' in fragment.text and "autofocus" in fragment.text

    for forged in (str(deepest.id), str(other.id), "abc", "-1", "9" * 30, "<script>"):
        shown = await client.get(page, params={"reply": forged})
        assert shown.status_code == 200 and shown.text.count('class="comment-form"') == 1
        refused = await client.get(page, params={"reply": forged}, headers=htmx)
        assert refused.status_code == 404


async def test_stored_xss_stays_neutral_as_stored_by_the_site_or_written_by_another_path(
    settings: Settings, client: httpx.AsyncClient, citizen: User
) -> None:
    """Comments and proposals are sanitised once, on write, and shown as stored (issue #23);
    a row that does not say it was (another path, an older allow-list) shows its words only,
    without bleach, and the migration's `resanitize` stores it cleaned, showing its markup."""
    proposal, page = await at_proposal(client, citizen)
    assert (await Proposal.get(id=proposal.id)).sanitized_with == 0  # the factory's raw row
    await _comment(client, proposal, all_payloads("Par le formulaire "))
    posted = await Comment.get(proposal_id=proposal.id)
    assert posted.sanitized_with == ALLOW_LIST_VERSION and "<script" not in posted.body
    raw = "<p>Écrit <em>ailleurs</em></p>" + "".join(PAYLOADS)
    await Comment.create(proposal_id=proposal.id, author_id=citizen.id, body=raw)
    await Proposal.filter(id=proposal.id).update(body=raw, answer_body=raw)
    before = (await client.get(page)).text
    assert not injected_markup(before) and "Écrit ailleurs" in before
    assert "<em>ailleurs</em>" not in before  # words only
    connection = connections.get("default")
    assert await resanitize(connection, "comments_comment", ("body",)) == 1
    assert await resanitize(connection, "proposals_proposal", ("body", "answer_body")) == 1
    again = await Comment.get(proposal_id=proposal.id, id__not=posted.id)
    assert again.sanitized_with == ALLOW_LIST_VERSION and again.body == stored_again(raw)
    assert (await Proposal.get(id=proposal.id)).sanitized_with == ALLOW_LIST_VERSION
    after = (await client.get(page)).text
    assert not injected_markup(after)
    assert "Écrit <em>ailleurs</em>" in after  # its markup, stored cleaned
    assert await resanitize(connection, "comments_comment", ("body",)) == 0  # done once
