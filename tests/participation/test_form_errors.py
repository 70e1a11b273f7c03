"""Every form of proposals, comments, amendments, official answers and co-author invitations
answers bad input with 422: the form again, the message next to its field (aria-describedby,
aria-invalid), what was typed kept, and nothing saved. Redirects come only after success."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import httpx

from participation.accounts.models import Role, User
from participation.comments.models import Comment
from participation.proposals.models import Amendment, Proposal, ProposalCoauthor
from participation.richtext import markdown_of
from participation.settings import Settings
from tests.conftest import create_user, field_error, log_in, post_form
from tests.moderation.helpers import make_comment
from tests.participation.proposal_factories import at_proposal, good_form, make_proposal


async def test_new_and_edited_proposals(client: httpx.AsyncClient, citizen: User) -> None:
    await log_in(client, citizen)
    data = {**await good_form(), "title": ""}
    response = await post_form(client, "/proposals/new", data, page="/proposals/new")
    assert response.status_code == 422
    assert "Donnez un titre" in field_error(response.text, "title")
    assert "Installer un composteur collectif" in response.text  # the body typed is kept
    assert await Proposal.all().count() == 0
    proposal = await make_proposal(citizen)
    url = f"/proposals/{proposal.id}/edit"
    response = await post_form(client, url, {**data, "title": "Court"}, page=url)
    assert response.status_code == 422
    assert "entre 10 et 150" in field_error(response.text, "title")
    await proposal.refresh_from_db()
    assert proposal.title == "Des arceaux à vélo devant l'école" and proposal.version == 1


async def test_comment_and_reply(client: httpx.AsyncClient, citizen: User) -> None:
    proposal, page = await at_proposal(client, citizen)
    response = await post_form(client, f"{page}/comments", {"body": "  ", "stance": "sideways"})
    assert response.status_code == 422
    assert (
        field_error(response.text, "comment-body-new") == "Erreur\u00a0: Écrivez votre commentaire."
    )
    assert "Choisissez pour, contre ou neutre." in field_error(response.text, "comment-stance-new")
    parent = await make_comment(proposal, citizen, "<p>Premier avis.</p>")
    data = {"body": " \n\n ", "stance": "for", "parent": str(parent.id)}
    response = await post_form(client, f"{page}/comments", data, page=page)
    assert response.status_code == 422
    assert "Écrivez votre commentaire." in field_error(response.text, f"comment-body-{parent.id}")
    # the reply form shows in place, labelled with whom it answers
    assert re.search(r'<div class="reply">\s*<form', response.text)
    assert f'<label for="comment-body-{parent.id}">Votre réponse à ' in response.text
    data = {"body": "x" * 5001, "stance": "against"}
    response = await post_form(client, f"{page}/comments", data, page=page)
    assert response.status_code == 422 and "x" * 5001 in response.text
    assert 'value="against" checked' in response.text
    assert await Comment.all().count() == 1  # only the factory's


async def test_comment_edit(client: httpx.AsyncClient, citizen: User) -> None:
    proposal = await make_proposal(citizen)
    comment = await make_comment(proposal, citizen, "<p>Mon avis d'origine.</p>")
    url = f"/proposals/{proposal.id}/comments/{comment.id}/edit"
    await log_in(client, citizen)
    response = await post_form(client, url, {"body": ""}, page=url)
    assert response.status_code == 422
    assert "Écrivez votre commentaire." in response.text
    await comment.refresh_from_db()
    assert comment.body == "<p>Mon avis d'origine.</p>" and comment.edited_at is None


async def test_amendment(client: httpx.AsyncClient, citizen: User, settings: Settings) -> None:
    proposal = await make_proposal(await create_user(settings, "author@example.org"))
    url = f"/proposals/{proposal.id}/amendments/new"
    await log_in(client, citizen)
    # the form starts from the proposal's text, as Markdown (an older row: derived from its HTML)
    unchanged = {"title": proposal.title, "body": markdown_of(proposal.body), "reason": ""}
    response = await post_form(client, url, unchanged, page=url)
    assert response.status_code == 422 and "L’amendement ne change rien." in response.text
    response = await post_form(client, url, {**unchanged, "title": ""}, page=url)
    assert response.status_code == 422
    assert "Donnez un titre" in field_error(response.text, "title")
    assert await Amendment.all().count() == 0


async def test_official_answer(app: Any, client: httpx.AsyncClient, settings: Settings) -> None:
    staff = await create_user(settings, "staff@example.org", Role.ADMIN)
    proposal = await make_proposal(await create_user(settings, "author@example.org"))
    page = f"/proposals/{proposal.id}"
    await log_in(client, staff)
    data = {"answer": "  \n  ", "state": ""}
    response = await post_form(client, f"{page}/answer", data, page=page)
    assert response.status_code == 422
    assert "Rédigez la réponse officielle." in field_error(response.text, "answer-text")
    await proposal.refresh_from_db()
    assert proposal.answered_at is None and proposal.answer_body == ""
    # staff write Markdown: HTML typed is shown as typed, escaped, never run
    data = {"answer": "<script></script><img src=x onerror=alert(1)>", "state": ""}
    assert (await post_form(client, f"{page}/answer", data, page=page)).status_code == 303
    shown = (await client.get(page)).text
    assert "<img src=x" not in shown
    assert "&lt;img src=x onerror=alert(1)&gt;" in shown


async def test_coauthor_invitation(client: httpx.AsyncClient, citizen: User) -> None:
    proposal, page = await at_proposal(client, citizen)
    for email, message in (
        ("pas-une-adresse", "Indiquez une adresse e-mail valide"),
        (citizen.email, "Vous êtes déjà l’auteur de cette proposition."),
    ):
        response = await post_form(client, f"{page}/coauthors", {"email": email}, page=page)
        assert response.status_code == 422
        assert message in field_error(response.text, "coauthor-email")
        assert f'value="{email}"' in response.text
    assert await ProposalCoauthor.all().count() == 0


async def test_an_action_refused_to_htmx_answers_its_message_alone(
    client: httpx.AsyncClient, citizen: User
) -> None:
    """A refused action (DomainError, 409) is the error page; to htmx, which swaps 409
    (base.html's htmx-config), the message alone, for the element the request targets."""
    proposal = await make_proposal(citizen)
    await log_in(client, citizen)
    page = f"/proposals/{proposal.id}"
    url = f"{page}/state"
    response = await post_form(client, url, {"state": "bogus"}, page=page)
    assert response.status_code == 409 and "<html" in response.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', (await client.get(page)).text)
    assert token
    htmx = await client.post(
        url,
        data={"state": "bogus", "csrf_token": token.group(1)},
        headers={"HX-Request": "true"},
    )
    assert htmx.status_code == 409 and "<html" not in htmx.text
    assert htmx.text.strip() == (
        '<p class="flash flash-error" role="alert">Ce changement d’état n’est pas possible.</p>'
    )
    assert htmx.headers["vary"].startswith("HX-Request")


async def test_htmx_swaps_the_refusals_that_carry_their_form_and_no_other_error(
    client: httpx.AsyncClient,
) -> None:
    """base.html's htmx-config, read as htmx 2 reads it (the first entry whose `code`, a
    regular expression, is found in the status): one mechanism for every form htmx sends."""
    page = (await client.get("/")).text
    meta = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", page)
    assert meta
    config = json.loads(html.unescape(meta.group(1)))
    assert config["allowEval"] is False and config["allowScriptTags"] is False

    def handling(status: int) -> dict[str, Any]:
        entries = config["responseHandling"]
        return next(e for e in entries if re.search(e["code"], str(status)))

    for status in (200, 303, 409, 422):
        assert handling(status)["swap"] is True, status
        assert not handling(status).get("error"), status
    for status in (204, 400, 403, 404, 413, 429, 500, 503):
        assert handling(status)["swap"] is False, status
