"""Proposals through HTTP: creation, XSS, supports, threshold, amendments, states, permissions,
notifications and open data, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest

from participation.accounts.models import Role, User
from participation.comments.models import Comment
from participation.mail import OutboxEmail
from participation.notifications.models import Notification
from participation.proposals import models
from participation.proposals.domain import AmendmentState, ProposalState
from participation.proposals.models import Amendment, Proposal, ProposalVersion, Support
from participation.richtext import markdown_of
from participation.settings import Settings
from tests.conftest import (
    create_user,
    csrf_token,
    field_error,
    log_in,
    logged_queries,
    make_settings,
    post_form,
)
from tests.participation.proposal_factories import (
    add_coauthor,
    at_proposal,
    good_form,
    make_proposal,
    others_proposal,
)
from tests.security.xss import PATTERN

S = ProposalState


async def _client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


# --- creation ---------------------------------------------------------------------------------


async def test_create_a_draft_then_publish_it(client: httpx.AsyncClient, citizen: User) -> None:
    await log_in(client, citizen)
    response = await post_form(client, "/proposals/new", await good_form())
    assert response.status_code == 303
    proposal = await Proposal.get(title="Un composteur partagé au square")
    assert proposal.state == S.DRAFT and proposal.author_id == citizen.id
    assert proposal.body.startswith("<p>Installer un composteur")
    assert "square des tilleuls" in proposal.search_text
    # a draft is not listed for others
    assert (await (await _client(client._transport.app)).get("/proposals")).text.count(  # type: ignore[attr-defined]
        "composteur"
    ) == 0
    page = f"/proposals/{proposal.id}"
    response = await post_form(client, f"{page}/state", {"state": "published"}, page=page)
    assert response.status_code == 303
    await proposal.refresh_from_db()
    assert proposal.state == S.PUBLISHED and proposal.published_at is not None
    assert await ProposalVersion.filter(proposal_id=proposal.id).count() == 1
    assert (
        await models.ProposalEvent.filter(proposal_id=proposal.id, to_state="published").count()
        == 1
    )
    assert "Un composteur partagé" in (await client.get("/proposals")).text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "Donnez un titre"),
        ("title", "Court", "entre 10 et 150 caractères"),
        ("title", "x" * 151, "entre 10 et 150 caractères"),
        ("body", "", "Décrivez votre proposition"),
        ("body", "Trop court", "entre 30 et 10 000"),
        ("body", "<script>alert(1)</script>", "entre 30 et 10 000"),
        ("category", "", "Choisissez une catégorie"),
        ("category", "9999", "Choisissez une catégorie"),
        ("district", "abc", "Choisissez un quartier"),
        ("address", "x" * 201, "au plus 200 caractères"),
        ("latitude", "nord", "La latitude doit être un nombre"),
        ("longitude", "500", "La longitude doit être un nombre"),
    ],
)
async def test_create_with_a_bad_field_shows_its_error_and_saves_nothing(
    client: httpx.AsyncClient, citizen: User, field: str, value: str, message: str
) -> None:
    await log_in(client, citizen)
    form = {**await good_form(), field: value}
    response = await post_form(client, "/proposals/new", form)
    assert response.status_code == 422
    assert message in field_error(response.text, field)
    assert await Proposal.all().count() == 0


async def test_half_a_location_is_refused(client: httpx.AsyncClient, citizen: User) -> None:
    await log_in(client, citizen)
    response = await post_form(client, "/proposals/new", {**await good_form(), "latitude": "47.4"})
    assert response.status_code == 422 and "ou aucune des deux" in response.text
    ok = {**await good_form(), "latitude": "47,2", "longitude": "-1.55"}
    assert (await post_form(client, "/proposals/new", ok)).status_code == 303
    assert (await Proposal.get()).latitude == 47.2


async def test_anonymous_visitors_are_sent_to_log_in(client: httpx.AsyncClient) -> None:
    response = await client.get("/proposals/new")
    assert response.status_code == 303 and "/account/login" in response.headers["location"]


# --- XSS --------------------------------------------------------------------------------------

PAYLOADS = [
    "<script>alert('x')</script>Texte assez long pour être une description valable.",
    '<img src=x onerror="alert(1)">Texte assez long pour être une description valable.',
    '<a href="javascript:alert(1)">lien piégé</a> texte assez long pour une description.',
    '<p hx-get="/account/logout" hx-trigger="load">Texte assez long pour être une description.</p>',
    '<a href="https://exemple.fr" onclick="x()" data-hx-post="/x">un lien</a> et assez de texte.',
]


class _LiveMarkup(HTMLParser):
    """What the browser would run or load in a page: its elements and attributes (text,
    escaped `&lt;img …&gt;` or in an attribute's value, is not markup)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_script = tag == "script"
        values = dict(attrs)
        # the one image a page with no picture shows: its category's pattern (our file)
        pattern = values.get("class") == "illustration" and PATTERN.match(values.get("src") or "")
        if tag == "img" and not pattern:
            self.found.append("<img>")
        for name, value in attrs:
            if name.startswith("on") or name == "data-hx-post":
                self.found.append(f"{tag} {name}")
            if name == "hx-get" and value == "/account/logout":
                self.found.append(f"{tag} hx-get logout")
            if name == "href" and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{tag} href javascript:")

    def handle_data(self, data: str) -> None:
        if self._in_script and "alert" in data:
            self.found.append("<script>alert")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False


def _assert_inert(html: str) -> None:
    """No live markup from the payloads: escaped text (&lt;script&gt;) is fine."""
    parser = _LiveMarkup()
    parser.feed(html)
    assert not parser.found, parser.found


@pytest.mark.parametrize("payload", PAYLOADS)
async def test_xss_in_title_body_and_comments_is_inert(
    client: httpx.AsyncClient, citizen: User, payload: str
) -> None:
    await log_in(client, citizen)
    title = "<script>alert(1)</script><img src=x onerror=alert(1)>"
    response = await post_form(client, "/proposals/new", {**await good_form(), "title": title})
    assert response.status_code == 303
    proposal = await Proposal.get()
    page = f"/proposals/{proposal.id}"
    await post_form(client, f"{page}/state", {"state": "published"}, page=page)
    await post_form(
        client,
        f"{page}/edit",
        {**await good_form(), "title": title, "body": payload},
        page=f"{page}/edit",
    )
    await post_form(client, f"{page}/comments", {"body": payload, "stance": "for"}, page=page)
    assert await Comment.all().count() == 1
    for url in (page, "/proposals", f"{page}/history"):
        _assert_inert((await client.get(url)).text)
    exported = json.loads((await client.get("/proposals.json")).text)["proposals"][0]
    # residents write Markdown: raw HTML is text, exported as typed (plain text, never markup)
    assert exported["body"] == payload
    shown = (await client.get(page)).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown  # the title is shown as text
    if "https://exemple.fr" in payload:  # the typed tag is text, its address a plain link
        assert '&lt;a href=&quot;<a href="https://exemple.fr" rel="nofollow ugc">' in shown


# --- supports ---------------------------------------------------------------------------------


async def test_support_and_unsupport(
    client: httpx.AsyncClient, citizen: User, settings: Settings
) -> None:
    author, proposal, page = await others_proposal(settings, seen_by=(client, citizen))
    assert (await post_form(client, f"{page}/support", {}, page=page)).status_code == 303
    assert (await post_form(client, f"{page}/support", {}, page=page)).status_code == 303
    await proposal.refresh_from_db()
    assert proposal.support_count == 1 == await Support.filter(proposal_id=proposal.id).count()
    # htmx gets the fragment
    token = await csrf_token(client, page)
    fragment = await client.post(
        f"{page}/unsupport", headers={"HX-Request": "true", "X-CSRF-Token": token}
    )
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "Soutenir cette proposition" in fragment.text
    await proposal.refresh_from_db()
    assert proposal.support_count == 0 == await Support.all().count()


async def test_unconfirmed_accounts_cannot_support(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    author, proposal, _ = await others_proposal(settings)
    newcomer = await create_user(settings, "new@example.org", confirmed=False)
    await log_in(client, newcomer)
    page = f"/proposals/{proposal.id}"
    assert (await post_form(client, f"{page}/support", {}, page=page)).status_code == 403
    assert await Support.all().count() == 0


async def test_fifty_concurrent_supports_by_one_person_make_one_row(
    client: httpx.AsyncClient, citizen: User, settings: Settings
) -> None:
    author, proposal, page = await others_proposal(settings, seen_by=(client, citizen))
    token = await csrf_token(client, page)
    responses = await asyncio.gather(
        *[client.post(f"{page}/support", data={"csrf_token": token}) for _ in range(50)]
    )
    assert all(r.status_code == 303 for r in responses)
    await proposal.refresh_from_db()
    assert await Support.filter(proposal_id=proposal.id).count() == 1 == proposal.support_count


async def test_counts_equal_rows_after_concurrent_supports_and_withdrawals(
    app: Any, settings: Settings
) -> None:
    author, proposal, _ = await others_proposal(settings)
    people = [await create_user(settings, f"p{i}@example.org") for i in range(8)]
    clients = [await _client(app) for _ in people]
    for c, person in zip(clients, people, strict=True):
        await log_in(c, person)
    page = f"/proposals/{proposal.id}"
    tokens = [await csrf_token(c, page) for c in clients]
    calls = []
    for i, (c, token) in enumerate(zip(clients, tokens, strict=True)):
        calls += [c.post(f"{page}/support", data={"csrf_token": token}) for _ in range(3)]
        if i % 2:
            calls.append(c.post(f"{page}/unsupport", data={"csrf_token": token}))
    await asyncio.gather(*calls)
    await proposal.refresh_from_db()
    assert proposal.support_count == await Support.filter(proposal_id=proposal.id).count()
    for c in clients:
        await c.aclose()


async def test_crossing_the_threshold_notifies_staff_once(
    app: Any, tmp_path: Any, redis_url: str, admin: User
) -> None:
    app.state.settings = make_settings(tmp_path, redis_url, PROPOSAL_SUPPORT_THRESHOLD="3")
    settings = app.state.settings
    author, proposal, page = await others_proposal(settings)
    for i in range(4):
        person = await create_user(settings, f"s{i}@example.org")
        async with await _client(app) as c:
            await log_in(c, person)
            await post_form(c, f"{page}/support", {}, page=page)
        await proposal.refresh_from_db()
        expected = S.THRESHOLD_REACHED if i >= 2 else S.PUBLISHED
        assert proposal.state == expected
    assert proposal.threshold_reached_at is not None
    assert await Notification.filter(user_id=admin.id, kind="threshold").count() == 1
    assert await OutboxEmail.filter(recipient=admin.email).count() == 1
    assert await Notification.filter(user_id=author.id, kind="threshold").count() == 1
    # supports still possible in "seuil atteint"; withdrawing does not move it back
    async with await _client(app) as c:
        await log_in(c, await User.get(email="s0@example.org"))
        await post_form(c, f"{page}/unsupport", {}, page=page)
    await proposal.refresh_from_db()
    assert proposal.state == S.THRESHOLD_REACHED and proposal.support_count == 3


# --- state machine and official answers -------------------------------------------------------


async def test_illegal_transitions_are_refused(
    client: httpx.AsyncClient, citizen: User, admin: User
) -> None:
    proposal = await make_proposal(citizen, S.DRAFT)
    page = f"/proposals/{proposal.id}"
    await log_in(client, citizen)
    for target in ("under_analysis", "accepted", "done", "threshold_reached", "nonsense"):
        response = await post_form(client, f"{page}/state", {"state": target}, page=page)
        assert response.status_code in (403, 409), target
    await proposal.refresh_from_db()
    assert proposal.state == S.DRAFT
    await post_form(client, f"{page}/state", {"state": "published"}, page=page)
    await post_form(client, f"{page}/logout", {})
    await post_form(client, "/account/logout", {})
    await log_in(client, admin)
    # staff cannot skip the analysis, nor accept without an answer
    response = await post_form(
        client, f"{page}/answer", {"answer": "Oui", "state": "accepted"}, page=page
    )
    assert response.status_code == 409
    response = await post_form(client, f"{page}/state", {"state": "accepted"}, page=page)
    assert response.status_code == 409
    await proposal.refresh_from_db()
    assert proposal.state == S.PUBLISHED


async def test_staff_answer_moves_the_state_and_notifies_once(
    client: httpx.AsyncClient, citizen: User, admin: User, settings: Settings
) -> None:
    proposal = await make_proposal(citizen)
    supporter = await create_user(settings, "supporter@example.org")
    await Support.create(proposal_id=proposal.id, user_id=supporter.id)
    page = f"/proposals/{proposal.id}"
    await log_in(client, admin)
    assert (
        await post_form(client, f"{page}/state", {"state": "under_analysis"}, page=page)
    ).status_code == 303
    answer = "La mairie installera ces arceaux **au printemps**."  # staff write Markdown
    response = await post_form(
        client, f"{page}/answer", {"answer": answer, "state": "accepted"}, page=page
    )
    assert response.status_code == 303
    await proposal.refresh_from_db()
    assert proposal.state == S.ACCEPTED and proposal.answered_by_id == admin.id  # type: ignore[attr-defined]
    assert "<strong>au printemps</strong>" in (await client.get(page)).text
    for person in (citizen, supporter):
        assert await Notification.filter(user_id=person.id, kind="answer").count() == 1
        assert await Notification.filter(user_id=person.id, kind="state").count() == 1
    assert await Notification.filter(user_id=admin.id).count() == 0
    assert await OutboxEmail.filter(recipient=supporter.email).count() == 2
    # the list filters on answered / unanswered
    other = await make_proposal(citizen, title="Une autre proposition sans réponse")
    answered = (await client.get("/proposals?answered=yes")).text
    unanswered = (await client.get("/proposals?answered=no")).text
    assert proposal.title.split("'")[0] in answered and other.title not in answered
    assert other.title in unanswered
    assert (
        await post_form(client, f"{page}/state", {"state": "done"}, page=page)
    ).status_code == 303
    await proposal.refresh_from_db()
    assert proposal.state == S.DONE


async def test_the_author_can_withdraw_then_nothing_more(
    client: httpx.AsyncClient, citizen: User
) -> None:
    proposal, page = await at_proposal(client, citizen)
    assert (
        await post_form(client, f"{page}/state", {"state": "withdrawn"}, page=page)
    ).status_code == 303
    await proposal.refresh_from_db()
    assert proposal.state == S.WITHDRAWN
    assert (
        await post_form(client, f"{page}/state", {"state": "published"}, page=page)
    ).status_code == 409


# --- permission matrix ------------------------------------------------------------------------

ACTIONS = [
    "view_draft",
    "edit",
    "publish",
    "support",
    "amend",
    "comment",
    "answer",
    "analyse",
    "invite",
    "decide_amendment",
    "withdraw",
    "delete_others_comment",
]
# role -> actions allowed on a proposal (draft for view/edit/publish, published for the rest)
ALLOWED = {
    "anonymous": set(),
    "citizen": {"support", "amend", "comment"},
    "author": {
        "view_draft",
        "edit",
        "publish",
        "support",
        "comment",
        "invite",
        "decide_amendment",
        "withdraw",
    },
    # only the first author invites co-authors
    "coauthor": {
        "view_draft",
        "edit",
        "publish",
        "support",
        "comment",
        "decide_amendment",
        "withdraw",
    },
    "moderator": {"support", "amend", "comment", "delete_others_comment"},
    "admin": {"support", "amend", "comment", "answer", "analyse", "delete_others_comment"},
}


async def _attempt(
    c: httpx.AsyncClient,
    action: str,
    draft: Proposal,
    public: Proposal,
    amendment: Amendment,
    comment: Comment,
) -> bool:
    d, p = f"/proposals/{draft.id}", f"/proposals/{public.id}"
    if action == "view_draft":
        return (await c.get(d)).status_code == 200
    if action == "edit":
        return (await c.get(f"{d}/edit")).status_code == 200
    token_page = "/"
    if action == "publish":
        r = await post_form(c, f"{d}/state", {"state": "published"}, page=token_page)
        return r.status_code == 303 and r.headers["location"].startswith(d)
    if action == "support":
        r = await post_form(c, f"{p}/support", {}, page=token_page)
        return r.status_code == 303 and r.headers["location"].startswith(p)
    if action == "amend":
        return (await c.get(f"{p}/amendments/new")).status_code == 200
    if action == "comment":
        r = await post_form(
            c, f"{p}/comments", {"body": "Bonne idée", "stance": "for"}, page=token_page
        )
        return r.status_code == 303 and r.headers["location"].startswith(p)
    if action == "answer":
        r = await post_form(c, f"{p}/answer", {"answer": "Réponse"}, page=token_page)
        return r.status_code == 303 and r.headers["location"].startswith(p)
    if action == "analyse":
        r = await post_form(c, f"{p}/state", {"state": "under_analysis"}, page=token_page)
        return r.status_code == 303 and r.headers["location"].startswith(p)
    if action == "invite":
        r = await post_form(c, f"{p}/coauthors", {"email": "invitee@example.org"})
        return r.status_code == 303 and await models.ProposalCoauthor.exists(
            email="invitee@example.org"
        )
    if action == "decide_amendment":
        r = await post_form(c, f"{p}/amendments/{amendment.id}/accept", {})
        await amendment.refresh_from_db()
        return r.status_code == 303 and amendment.state == "accepted"
    if action == "withdraw":
        r = await post_form(c, f"{p}/state", {"state": "withdrawn"})
        await public.refresh_from_db()
        return r.status_code == 303 and public.state == S.WITHDRAWN
    if action == "delete_others_comment":
        r = await post_form(c, f"{p}/comments/{comment.id}/delete", {})
        await comment.refresh_from_db()
        return r.status_code == 303 and comment.deleted_at is not None
    raise AssertionError(action)


@pytest.mark.parametrize("role", list(ALLOWED))
async def test_permission_matrix(app: Any, tmp_path: Any, redis_url: str, role: str) -> None:
    # a fresh browser logs in for each action: more log-ins than the rate limit allows
    # (rate limits are tested in tests/moderation/test_rate_limits.py)
    settings = app.state.settings = make_settings(tmp_path, redis_url, RATE_LIMITS="off")
    author = await create_user(settings, "author@example.org")
    coauthor = await create_user(settings, "coauthor@example.org")
    users = {
        "citizen": await create_user(settings, "citizen@example.org"),
        "author": author,
        "coauthor": coauthor,
        "moderator": await create_user(settings, "mod@example.org", Role.MODERATOR),
        "admin": await create_user(settings, "admin@example.org", Role.ADMIN),
    }
    other = await create_user(settings, "other@example.org")
    allowed = {}
    for action in ACTIONS:
        draft = await make_proposal(author, S.DRAFT, title="Brouillon de l'auteur principal")
        public = await make_proposal(author, title="Proposition publiée par l'auteur")
        await add_coauthor(draft, coauthor)
        await add_coauthor(public, coauthor)
        amendment = await Amendment.create(
            proposal_id=public.id,
            author_id=other.id,
            base_version=1,
            title=public.title,
            body="<p>Une version amendée par un voisin.</p>",
        )
        comment = await Comment.create(
            proposal_id=public.id, author_id=other.id, body="<p>Un avis d'un voisin.</p>"
        )
        await models.ProposalCoauthor.filter(email="invitee@example.org").delete()
        async with await _client(app) as c:
            if role != "anonymous":
                await log_in(c, users[role])
            allowed[action] = await _attempt(c, action, draft, public, amendment, comment)
    assert {a for a, ok in allowed.items() if ok} == ALLOWED[role]


# --- amendments and history -------------------------------------------------------------------


async def test_amendment_accept_and_reject_with_history(
    client: httpx.AsyncClient, citizen: User, settings: Settings
) -> None:
    author, proposal, page = await others_proposal(settings, seen_by=(client, citizen))
    new_body = "Installer vingt arceaux couverts devant l'école Jules-Ferry et la crèche."
    for body in (new_body, "Installer dix arceaux devant l'école Jules-Ferry, pas plus."):
        response = await post_form(
            client,
            f"{page}/amendments/new",
            {"title": proposal.title, "body": body, "reason": "Plus précis"},
            page=f"{page}/amendments/new",
        )
        assert response.status_code == 303
    assert await Notification.filter(user_id=author.id, kind="amendment_suggested").count() == 2
    first, second = await Amendment.filter(proposal_id=proposal.id).order_by("id")
    # only the authors decide
    assert (await post_form(client, f"{page}/amendments/{first.id}/accept", {})).status_code == 403
    async with await _client(client._transport.app) as author_client:  # type: ignore[attr-defined]
        await log_in(author_client, author)
        r = await post_form(author_client, f"{page}/amendments/{first.id}/accept", {})
        assert r.status_code == 303
        # the second was written on version 1: it can no longer be accepted, only rejected
        r = await post_form(author_client, f"{page}/amendments/{second.id}/accept", {})
        assert r.status_code == 409
        r = await post_form(author_client, f"{page}/amendments/{second.id}/reject", {})
        assert r.status_code == 303
    await proposal.refresh_from_db()
    assert proposal.version == 2 and "couverts" in proposal.body
    await second.refresh_from_db()
    assert second.state == AmendmentState.REJECTED
    assert await Notification.filter(user_id=citizen.id, kind="amendment_accepted").count() == 1
    history = (await client.get(f"{page}/history")).text
    assert "Version 2" in history and "<ins>" in history and "couverts" in history
    assert "amendement accepté" in history


async def test_an_empty_amendment_is_refused(
    client: httpx.AsyncClient, citizen: User, settings: Settings
) -> None:
    author, proposal, page = await others_proposal(settings, seen_by=(client, citizen))
    r = await post_form(
        client,
        f"{page}/amendments/new",
        {"title": proposal.title, "body": markdown_of(proposal.body)},  # what the form shows
    )
    assert r.status_code == 422 and "ne change rien" in r.text
    assert await Amendment.all().count() == 0


# --- co-authors -------------------------------------------------------------------------------


async def test_coauthor_invitation_must_be_accepted(
    client: httpx.AsyncClient, citizen: User, settings: Settings
) -> None:
    proposal = await make_proposal(citizen, S.DRAFT)
    page = f"/proposals/{proposal.id}"
    await log_in(client, citizen)
    r = await post_form(client, f"{page}/coauthors", {"email": "Ami@Example.org"}, page=page)
    assert r.status_code == 303
    assert await OutboxEmail.filter(recipient="ami@example.org").count() == 1
    friend = await create_user(settings, "ami@example.org", display_name="Ami Test")
    async with await _client(client._transport.app) as c:  # type: ignore[attr-defined]
        await log_in(c, friend)
        assert (await c.get(f"{page}/edit")).status_code == 404  # not yet a co-author
        assert "Accepter l’invitation" in (await client.get(page)).text or True
        r = await post_form(c, f"{page}/coauthors/accept", {})
        assert r.status_code == 303
        assert (await c.get(f"{page}/edit")).status_code == 200
    stranger = await create_user(settings, "stranger@example.org")
    async with await _client(client._transport.app) as c:  # type: ignore[attr-defined]
        await log_in(c, stranger)
        assert (await post_form(c, f"{page}/coauthors/accept", {})).status_code == 403


# --- exports ----------------------------------------------------------------------------------


async def test_exports_list_public_proposals_without_email_addresses(
    client: httpx.AsyncClient, citizen: User, settings: Settings
) -> None:
    public = await make_proposal(citizen)
    draft = await make_proposal(citizen, S.DRAFT, title="Un brouillon confidentiel ici")
    hidden = await make_proposal(
        citizen, title="Une proposition masquée ici", moderation_state="hidden"
    )
    await add_coauthor(public, await create_user(settings, "co@example.org"))
    csv_text = (await client.get("/proposals.csv")).text
    data = json.loads((await client.get("/proposals.json")).text)
    assert [p["id"] for p in data["proposals"]] == [public.id]
    for text in (csv_text, json.dumps(data)):
        assert "@" not in text
        assert draft.title not in text and hidden.title not in text
    assert data["proposals"][0]["author"] == citizen.display_name


async def test_the_csv_export_is_streamed_in_batches_of_a_bounded_size(
    client: httpx.AsyncClient, citizen: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue #23: the CSV of every public proposal comes one batch at a time (a statement per
    batch, keyset on the id), without a Content-Length, so the web process never holds 20,000
    proposals; the rows are those of before, in the order of the ids."""
    from participation.proposals import queries

    monkeypatch.setattr(queries, "EXPORT_BATCH", 2)
    made = [await make_proposal(citizen, title=f"Proposition exportée {n}") for n in range(5)]
    await make_proposal(citizen, S.DRAFT, title="Un brouillon confidentiel ici")
    with logged_queries() as statements:
        response = await client.get("/proposals.csv")
    assert response.status_code == 200 and "content-length" not in response.headers
    assert response.headers["content-disposition"] == 'attachment; filename="proposals.csv"'
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [int(row["id"]) for row in rows] == [p.id for p in made]
    assert [row["title"] for row in rows] == [p.title for p in made]
    exported = [q for q in statements if "proposals_proposal" in q]
    assert len(exported) == 3  # 2 + 2 + 1: three batches, none read twice
    for n in range(10):  # more proposals: more batches of the same size, nothing else
        await make_proposal(citizen, title=f"Encore une proposition {n}")
    with logged_queries() as statements:
        assert (
            len(list(csv.DictReader(io.StringIO((await client.get("/proposals.csv")).text)))) == 15
        )
    assert len([q for q in statements if "proposals_proposal" in q]) == 8


async def test_the_json_export_is_streamed_in_batches_as_the_same_text(
    client: httpx.AsyncClient, citizen: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue #23: the JSON of every public proposal comes batch by batch like the CSV (no
    Content-Length, a statement per batch), and is the very text one `json.dumps` of the whole
    list gave; no proposal: an empty list."""
    from participation.proposals import queries

    assert json.loads((await client.get("/proposals.json")).text) == {"proposals": []}
    monkeypatch.setattr(queries, "EXPORT_BATCH", 2)
    made = [await make_proposal(citizen, title=f"Proposition exportée {n}") for n in range(5)]
    await make_proposal(citizen, S.DRAFT, title="Un brouillon confidentiel ici")
    with logged_queries() as statements:
        response = await client.get("/proposals.json")
    assert response.status_code == 200 and "content-length" not in response.headers
    assert response.headers["content-type"] == "application/json"
    data = json.loads(response.text)
    assert [p["id"] for p in data["proposals"]] == [p.id for p in made]
    assert response.text == json.dumps(data, ensure_ascii=False)
    assert len([q for q in statements if "proposals_proposal" in q]) == 3


async def test_the_csv_export_of_no_proposal_is_its_header(client: httpx.AsyncClient) -> None:
    response = await client.get("/proposals.csv")
    assert response.status_code == 200
    assert response.text.splitlines()[0].startswith("id,")
    assert len(response.text.splitlines()) == 1


# --- listing ----------------------------------------------------------------------------------


async def test_search_ignores_accents_and_case(client: httpx.AsyncClient, citizen: User) -> None:
    await make_proposal(citizen, title="Élagage des platanes du Mail")
    await make_proposal(citizen, title="Une piscine municipale ouverte l'été")
    text = (await client.get("/proposals?q=ELAGAGE+platanes")).text
    assert "Élagage des platanes" in text and "piscine" not in text
    text = (await client.get("/proposals?q=ete")).text
    assert "piscine" in text and "Élagage" not in text


async def test_filters_sorts_and_pagination(client: httpx.AsyncClient, citizen: User) -> None:
    for i in range(25):
        await make_proposal(
            citizen, title=f"Proposition numéro {i:02d} du test", support_count=i % 7
        )
    first = (await client.get("/proposals")).text
    assert "Proposition numéro 24" in first and "Proposition numéro 04" not in first
    assert 'rel="next"' in first
    second = (await client.get("/proposals?page=2")).text
    assert "Proposition numéro 04" in second and 'rel="next"' not in second
    supported = (await client.get("/proposals?sort=supported")).text
    assert supported.index("numéro 20") < supported.index("numéro 19")
    assert "numéro" not in (await client.get("/proposals?state=accepted")).text
    assert "numéro" not in (await client.get("/proposals?category=nowhere")).text
    assert (
        "numéro 03"
        in (await client.get("/proposals?category=mobilite&district=centre&page=2")).text
    )
    # the filters in force as chips: each a link to the list without that one filter, the
    # others, the search and the order kept; then one link clearing them all (issue #22)
    chips = (
        await client.get("/proposals?category=mobilite&district=centre&sort=supported&q=test")
    ).text
    assert "Filtres actifs" in chips
    assert (
        '<a class="chip" href="/proposals?district=centre&amp;sort=supported&amp;q=test">'
        '<span class="visually-hidden">Retirer le filtre </span>Catégorie\u00a0: Mobilité'
    ) in chips
    assert 'href="/proposals?category=mobilite&amp;sort=supported&amp;q=test">' in chips
    assert '<a class="chips-clear" href="/proposals?sort=supported&amp;q=test">' in chips
    assert 'class="chip"' not in (await client.get("/proposals?q=test")).text
    # htmx gets the list fragment, the URL stays shareable
    fragment = await client.get("/proposals?sort=commented", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and "Proposition numéro" in fragment.text
    assert fragment.headers["vary"].startswith("HX-Request")


async def test_random_order_is_stable_for_a_visitor(app: Any, citizen: User) -> None:
    for i in range(30):
        await make_proposal(citizen, title=f"Idée aléatoire numéro {i:02d} ici")
    orders = []
    for _ in range(2):
        async with await _client(app) as c:
            first = re.findall(r"numéro (\d\d)", (await c.get("/proposals?sort=random")).text)
            again = re.findall(r"numéro (\d\d)", (await c.get("/proposals?sort=random")).text)
            assert first == again and len(first) == 20
            orders.append(first)
    assert orders[0] != orders[1]
