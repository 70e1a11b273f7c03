"""The part of a signed-in page every resident sees alike, rendered once and shared
(participation/sharedparts.py, issue #23): nobody gets another resident's state, token, own
links or unpublished content through it, every write that changes it empties it, and a page
built from it is the page rendered for the viewer alone."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest

from participation.accounts.models import Role, User
from participation.comments.models import Comment
from participation.contributions import ModerationState
from participation.proposals.domain import ProposalState
from participation.settings import Settings
from tests.conftest import browser_of, create_user, log_in, post_form, session_csrf_token
from tests.participation.proposal_factories import make_proposal

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


async def resident(settings: Settings, app: Any, email: str, name: str) -> tuple[User, Any]:
    user = await create_user(settings, email, display_name=name)
    client = browser_of(app)
    browser = await client.__aenter__()
    await log_in(browser, user)
    return user, (client, browser)


@pytest.fixture
async def town(settings: Settings, app: Any) -> Any:
    """Alice and Bob, two residents each in their own browser, a moderator, and a
    proposal by a third resident with one comment of theirs."""
    author = await create_user(settings, "author@example.org", display_name="Claude Auteur")
    proposal = await make_proposal(author, title="Des bancs au square")
    first = await Comment.create(
        proposal_id=proposal.id, author_id=author.id, body="<p>Premier avis</p>", stance="for"
    )
    alice, (a_ctx, a) = await resident(settings, app, "alice@example.org", "Alice Martin")
    bob, (b_ctx, b) = await resident(settings, app, "bob@example.org", "Bob Durand")
    moderator = await create_user(settings, "mod@example.org", Role.MODERATOR, display_name="Modo")
    _, (m_ctx, m) = await resident(settings, app, "mod2@example.org", "Modo Deux")
    await User.filter(email="mod2@example.org").update(role=Role.MODERATOR)
    yield {
        "proposal": proposal,
        "page": f"/proposals/{proposal.id}",
        "first": first,
        "alice": (alice, a),
        "bob": (bob, b),
        "moderator": (moderator, m),
    }
    for ctx in (a_ctx, b_ctx, m_ctx):
        await ctx.__aexit__(None, None, None)


def tokens(html: str) -> set[str]:
    return set(TOKEN.findall(html))


def cache_off(app: Any) -> None:
    """The same app with the caches off (PAGE_CACHE_SECONDS=0): every page rendered alone."""
    app.state.settings = dataclasses.replace(app.state.settings, page_cache_seconds=0)


async def rendered_alone(app: Any, browsers: dict[str, Any], page: str) -> dict[str, str]:
    """`page` as each browser gets it with the caches off (every page rendered alone, as before
    shared parts), in the dict's order; the caches are back on afterwards."""
    settings_on = app.state.settings
    cache_off(app)
    try:
        return {name: (await browser.get(page)).text for name, browser in browsers.items()}
    finally:
        app.state.settings = settings_on


async def test_each_resident_gets_their_own_state_on_the_shared_thread(app: Any, town: Any) -> None:
    page, first = town["page"], town["first"]
    alice, a = town["alice"]
    bob, b = town["bob"]
    assert (await b.get(page)).status_code == 200  # Bob's view first: the thread stored
    response = await post_form(a, f"{page}/comments", {"body": "Avis d'Alice", "stance": "for"})
    assert response.status_code == 303
    mine = await Comment.get(author_id=alice.id)
    await post_form(a, f"{page}/comments/{first.id}/vote", {"vote": "up"})
    bob_page, alice_page = (await b.get(page)).text, (await a.get(page)).text
    assert app.state.shared_parts  # both were built from the shared thread
    # tokens: each their own, never the other's
    assert tokens(bob_page) == {session_csrf_token(b)}
    assert tokens(alice_page) == {session_csrf_token(a)}
    # Alice's comment: her links on her page, a report link on Bob's
    own_links = (f"/comments/{mine.id}/edit", f"/comments/{mine.id}/delete")
    assert all(link in alice_page for link in own_links)
    assert not any(link in bob_page for link in own_links)
    assert f"/report/comment/{mine.id}" in bob_page
    assert f"/report/comment/{mine.id}" not in alice_page
    assert f"/comments/{first.id}/delete" not in alice_page + bob_page  # nobody's but the author's
    # her vote: pressed for her only
    assert 'value="up" aria-pressed="true"' in alice_page
    assert 'aria-pressed="true"' not in bob_page
    assert "Bob Durand" in bob_page and "Bob Durand" not in alice_page  # the header's name


async def test_a_page_from_the_shared_thread_is_the_page_rendered_alone(
    app: Any, town: Any
) -> None:
    page, first = town["page"], town["first"]
    _, a = town["alice"]
    _, b = town["bob"]
    await post_form(a, f"{page}/comments", {"body": "Avis d'Alice", "stance": "against"})
    await post_form(a, f"{page}/comments/{first.id}/vote", {"vote": "down"})
    await post_form(b, f"{page}/comments", {"body": "Réponse de Bob", "stance": "for"})
    shared = [(await c.get(page)).text for c in (a, b, a, b)]
    assert app.state.shared_parts
    cache_off(app)
    alone = [(await c.get(page)).text for c in (a, b)]
    assert shared == alone * 2


@pytest.mark.settings(PREMODERATED_CONTENT="comment")
async def test_a_pending_comment_never_reaches_another_resident(app: Any, town: Any) -> None:
    page = town["page"]
    _, a = town["alice"]
    _, b = town["bob"]
    _, m = town["moderator"]
    assert "Premier avis" in (await b.get(page)).text
    body = {"body": "Un avis en attente signé Alice", "stance": "for"}
    assert (await post_form(a, f"{page}/comments", body)).status_code == 303
    for viewer in (a, m):  # she sees her pending comment, the moderator too
        html = (await viewer.get(page)).text
        assert "attente signé Alice" in html and "En attente de modération" in html
    bob_page = (await b.get(page)).text
    assert "signé Alice" not in bob_page and "En attente de modération" not in bob_page
    assert "Premier avis" in bob_page
    assert "/delete" not in bob_page  # the moderator's delete buttons stayed theirs


async def test_writes_empty_the_shared_thread(app: Any, town: Any) -> None:
    page = town["page"]
    _, a = town["alice"]
    _, b = town["bob"]
    _, m = town["moderator"]
    assert "Avis signé Alice" not in (await b.get(page)).text
    await post_form(a, f"{page}/comments", {"body": "Avis signé Alice", "stance": "for"})
    comment = await Comment.filter(body__contains="Alice").first()
    assert comment is not None
    assert "Avis signé Alice" in (await b.get(page)).text  # a new comment
    edit = {"body": "Avis corrigé", "stance": "for"}
    assert (await post_form(a, f"{page}/comments/{comment.id}/edit", edit)).status_code == 303
    assert "Avis corrigé" in (await b.get(page)).text  # the same comments, one changed
    await post_form(a, f"{page}/comments/{town['first'].id}/vote", {"vote": "up"})
    assert "1 utile, 0 pas utile" in (await b.get(page)).text  # a vote's count
    assert (await post_form(m, f"{page}/comments/{comment.id}/delete", {})).status_code == 303
    html = (await b.get(page)).text
    assert "Avis corrigé" not in html and "Ce commentaire a été supprimé." in html


async def test_the_shared_list_shows_each_resident_their_own_support(
    settings: Settings, app: Any, town: Any
) -> None:
    _, a = town["alice"]
    alice, _ = town["alice"]
    _, b = town["bob"]
    await make_proposal(alice, ProposalState.DRAFT, title="Le brouillon secret d'Alice")
    assert "1 soutien" not in (await b.get("/proposals")).text
    assert (await post_form(a, f"{town['page']}/support", {})).status_code == 303
    bob_list, alice_list = (await b.get("/proposals")).text, (await a.get("/proposals")).text
    assert app.state.shared_parts
    assert "Vous la soutenez" in alice_list and "Vous la soutenez" not in bob_list
    assert "1 soutien" in bob_list  # the support emptied the shared cards
    assert "brouillon secret" not in bob_list
    htmx = {"HX-Request": "true"}
    fragment = (await b.get("/proposals?page=1", headers=htmx)).text
    assert "Des bancs au square" in fragment and "Vous la soutenez" not in fragment
    assert "Vous la soutenez" in (await a.get("/proposals?page=1", headers=htmx)).text
    shared = [(await c.get("/proposals")).text for c in (a, b)]
    cache_off(app)
    assert shared == [(await c.get("/proposals")).text for c in (a, b)]


async def test_a_page_for_several_residents_at_once_stays_theirs(app: Any, town: Any) -> None:
    """Many requests interleaved (a lock per part, one rendering): each answer is its own."""
    import asyncio

    page = town["page"]
    _, a = town["alice"]
    _, b = town["bob"]
    await post_form(a, f"{page}/comments", {"body": "Avis d'Alice", "stance": "for"})
    for client in (a, b):  # each session has its token (concurrent first visits would race)
        await client.get("/")
    answers = await asyncio.gather(*(c.get(page) for c in (a, b) * 5))
    for client, answer in zip((a, b) * 5, answers, strict=True):
        assert tokens(answer.text) == {session_csrf_token(client)}
        assert ("/edit" in answer.text) == (client is a)


async def test_the_home_page_body_is_shared_and_emptied_by_a_write(app: Any, town: Any) -> None:
    """The home page's body is the same for every resident: read and rendered once per write;
    each gets their own header and token, and a write shows at once."""
    _, a = town["alice"]
    _, b = town["bob"]
    before = (await b.get("/")).text
    assert "1 personne a participé" in before  # the proposal's author
    assert app.state.shared_parts
    await post_form(a, f"{town['page']}/comments", {"body": "Avis signé Alice", "stance": "for"})
    after = (await b.get("/")).text
    assert "2 personnes ont participé" in after
    assert tokens(after) == {session_csrf_token(b)} and "Bob Durand" in after
    alice_home = (await a.get("/")).text
    assert "Alice Martin" in alice_home and "Bob Durand" not in alice_home
    shared = [(await c.get("/")).text for c in (a, b)]
    cache_off(app)
    assert shared == [(await c.get("/")).text for c in (a, b)]


async def test_a_proposal_awaiting_moderation_never_reaches_another_residents_list(
    app: Any, town: Any
) -> None:
    """Its author sees it in the list (an edit awaiting approval); nobody else, whoever asked
    the list first."""
    alice, a = town["alice"]
    _, b = town["bob"]
    mine = await make_proposal(alice, title="Un composteur au square")
    await type(mine).filter(id=mine.id).update(moderation_state=ModerationState.PENDING)
    assert "Un composteur au square" in (await a.get("/proposals")).text
    bob_list = (await b.get("/proposals")).text
    assert "Des bancs au square" in bob_list and "Un composteur" not in bob_list
    assert "Un composteur au square" in (await a.get("/proposals")).text


async def test_a_resident_served_the_stored_thread_reads_none_of_its_rows(
    app: Any, town: Any
) -> None:
    """Once a resident's request stored the thread, another's reads only their own state: no
    statement reads the thread's comments with their authors; their page is the same as the
    one rendered for them alone, on each page of the thread."""
    from participation.comments.queries import THREAD_PAGE
    from tests.conftest import logged_queries

    proposal, page = town["proposal"], town["page"]
    alice, a = town["alice"]
    _, b = town["bob"]
    author_id = town["first"].author_id
    for i in range(THREAD_PAGE + 2):  # two pages of comments
        await Comment.create(proposal_id=proposal.id, author_id=author_id, body=f"<p>Avis {i}</p>")
    await post_form(a, f"{page}/comments", {"body": "Avis d'Alice", "stance": "for"})
    first_page = (await b.get(page)).text
    later = re.search(r'href="([^"]*comments_after=\d+)#comments"', first_page)
    assert later is not None
    second = later.group(1).replace("&amp;", "&")
    await b.get(second)
    with logged_queries() as statements:
        alice_pages = [(await a.get(address)).text for address in (page, second)]
    thread = 'SELECT "comments_comment".'  # the thread's rows, with their authors
    reads = [s for s in statements if s.startswith(thread) and 'JOIN "accounts_user"' in s]
    assert reads == [], reads  # the thread's rows with their authors: read for Bob only
    assert "/edit" in alice_pages[1] and "Avis d'Alice" in alice_pages[1]
    cache_off(app)
    assert alice_pages == [(await a.get(address)).text for address in (page, second)]


@pytest.mark.settings(PREMODERATED_CONTENT="comment")
async def test_a_residents_pending_comment_on_another_page_keeps_theirs_apart(
    app: Any, town: Any
) -> None:
    """Alice's comment awaiting moderation is hers alone, wherever in the thread: the page she
    gets is the one rendered for her, and Bob, asking after her, never sees it."""
    page = town["page"]
    _, a = town["alice"]
    _, b = town["bob"]
    await b.get(page)
    await post_form(a, f"{page}/comments", {"body": "En attente signé Alice", "stance": "for"})
    alice_page = (await a.get(page)).text
    assert "En attente signé Alice" in alice_page
    assert "En attente signé Alice" not in (await b.get(page)).text
    cache_off(app)
    assert alice_page == (await a.get(page)).text


async def test_a_list_in_random_order_stays_each_residents_own(app: Any, town: Any) -> None:
    """Random order follows each session's shuffle, its links carry that shuffle's cursors:
    never shared (nobody else would be served it), each page the one rendered alone."""
    author = await User.get(email="author@example.org")
    for n in range(25):  # more than a page: the list links to the next one
        await make_proposal(author, title=f"Proposition numéro {n}")
    _, a = town["alice"]
    _, b = town["bob"]
    pages = [(await c.get("/proposals?sort=random")).text for c in (a, b, a)]
    assert all("after=" in page for page in pages)  # a link to the next page, by cursor
    assert not any("list" in key for key in getattr(app.state, "shared_parts", {}))
    await a.get("/proposals")  # the same list in its usual order: shared
    assert any("list" in key for key in app.state.shared_parts)
    cache_off(app)
    assert pages[2] == (await a.get("/proposals?sort=random")).text  # (the first had a flash)


HTMX = {"HX-Request": "true"}


def list_keys(app: Any) -> list[Any]:
    return [key for key in getattr(app.state, "shared_parts", {}) if "list" in key]


async def listed_town(settings: Settings, app: Any, town: Any) -> dict[str, Any]:
    """Over a page of public proposals in two categories; Alice's draft (Mobilité), a
    proposal awaiting moderation (only moderators see it in the list), Alice's and Bob's
    supports on different proposals, a desk officer (a role that sees what residents see)."""
    from participation.proposals.models import Proposal
    from participation.territory import Category

    alice, a = town["alice"]
    _, b = town["bob"]
    author = await User.get(email="author@example.org")
    schools = await Category.create(name="Écoles", slug="ecoles")
    made = [
        await make_proposal(author, title=f"Proposition numéro {n}", category_id=schools.id)
        for n in range(22)
    ]
    await make_proposal(alice, ProposalState.DRAFT, title="Le brouillon secret d'Alice")
    pending = await make_proposal(author, title="Une proposition en attente")
    await Proposal.filter(id=pending.id).update(moderation_state=ModerationState.PENDING)
    assert (await post_form(a, f"{town['page']}/support", {})).status_code == 303
    assert (await post_form(b, f"/proposals/{made[-1].id}/support", {})).status_code == 303
    agent, (g_ctx, g) = await resident(settings, app, "agent@example.org", "Gaston Guichet")
    await User.filter(id=agent.id).update(role=Role.AGENT)
    for client in (a, b, g, town["moderator"][1]):
        await client.get("/")  # each session's first page, with its "logged in" message
    return {"agent": g, "agent_ctx": g_ctx, "made": made}


async def test_the_shared_list_is_each_residents_own_list(
    settings: Settings, app: Any, town: Any
) -> None:
    """Residents differing in supports, drafts and roles, on the list's addresses (filters,
    order, search, a later page by its cursor; the whole page and the list alone for htmx),
    whoever asks first: each page built from a shared list is the page rendered for that
    viewer alone, byte for byte; nobody gets another's support, draft or token, nor what
    awaits moderation."""
    listed = await listed_town(settings, app, town)
    _, a = town["alice"]
    _, b = town["bob"]
    _, m = town["moderator"]
    g = listed["agent"]
    later = re.search(r'href="/proposals\?([^"]*after=[^"]*)"', (await b.get("/proposals")).text)
    assert later is not None
    addresses = [
        "/proposals",
        "/proposals?category=ecoles",  # Alice's draft is not in it: her list is everyone's
        "/proposals?category=mobilite",  # it is in this one
        "/proposals?sort=supported&state=published",
        "/proposals?q=num%C3%A9ro",
        "/proposals?" + later.group(1).replace("&amp;", "&"),
    ]
    viewers = [b, a, m, g]

    async def every_page() -> list[str]:
        pages = []
        for i, address in enumerate(addresses):
            turn = viewers[i % 4 :] + viewers[: i % 4]  # each of them first on some address
            for client in turn:
                pages.append((await client.get(address)).text)
                pages.append((await client.get(address, headers=HTMX)).text)
        return pages

    shared = await every_page()
    assert list_keys(app)
    cache_off(app)
    assert shared == await every_page()
    # what each saw, once more in plain words
    bob_list = (await b.get("/proposals")).text
    alice_list = (await a.get("/proposals")).text
    moderator_list = (await m.get("/proposals")).text
    assert "brouillon secret" in alice_list and "brouillon secret" not in bob_list
    assert "en attente" in moderator_list
    assert "en attente" not in alice_list + bob_list + (await g.get("/proposals")).text
    assert tokens(bob_list) == {session_csrf_token(b)}
    # Bob supports the newest, on the first page; Alice the oldest, on the next one
    assert bob_list.count("Vous la soutenez") == 1 and "Vous la soutenez" not in alice_list
    await listed["agent_ctx"].__aexit__(None, None, None)


async def test_a_resident_served_the_stored_list_reads_none_of_its_rows(
    settings: Settings, app: Any, town: Any
) -> None:
    """Once a resident's request stored a list, another's reads only their own state: the
    session, then in one statement whether they have a proposal of their own that others do not
    see and their supports among the proposals kept with the part; only if they have one,
    whether this list would show it (one EXISTS). Addresses meaning the same list share it (the
    order, page and unknown parameters written or not, in any order); others never do. With a
    draft of theirs in the list, theirs is read and rendered alone."""
    from tests.conftest import logged_queries

    listed = await listed_town(settings, app, town)
    _, a = town["alice"]
    _, b = town["bob"]
    await b.get("/proposals?category=ecoles")
    await b.get("/proposals")
    assert len(list_keys(app)) == 2
    same = "/proposals?utm_source=lettre&page=1&sort=recent&category=ecoles&q=+"
    with logged_queries() as statements:
        alice_page = (await a.get(same)).text
    rows = [s for s in statements if 'FROM "proposals_proposal"' in s and "SELECT 1" not in s]
    assert rows == [], rows  # neither the list's ids nor its proposals
    assert not [s for s in statements if "territory_category" in s.split(" WHERE")[0]]
    # the session, her own state (a draft, her supports), the EXISTS (her draft is not in
    # this list): nothing else
    assert len(statements) == 3, statements
    with logged_queries() as statements:
        bob_page = (await b.get(same)).text
    assert len(statements) == 2, statements  # no proposal of his own: no EXISTS
    assert "Vous la soutenez" in bob_page
    assert len(list_keys(app)) == 2  # the same part as Bob's
    assert "Proposition numéro 21" in alice_page and "brouillon secret" not in alice_page
    await a.get("/proposals?category=ecoles&page=2")  # another page: its own part
    await a.get("/proposals?category=ecoles&sort=supported")  # another order
    assert len(list_keys(app)) == 4
    with logged_queries() as statements:
        alice_list = (await a.get("/proposals")).text  # her draft is in it: hers alone
    assert "brouillon secret" in alice_list
    assert [s for s in statements if 'FROM "proposals_proposal"' in s and "SELECT 1" not in s]
    cache_off(app)
    assert alice_page == (await a.get(same)).text
    await listed["agent_ctx"].__aexit__(None, None, None)


async def test_residents_who_may_and_may_not_comment_each_get_their_thread(
    settings: Settings, app: Any, town: Any
) -> None:
    """The thread's part is kept per whether the viewer may comment (its key): a resident who
    has not confirmed their e-mail address gets no vote buttons nor "Reply" links, whoever
    asked the thread first; a verified resident gets them; each page the one rendered alone."""
    page = town["page"]
    _, b = town["bob"]
    carol = await create_user(settings, "carol@example.org", confirmed=False, display_name="Carol")
    client = browser_of(app)
    c = await client.__aenter__()
    await log_in(c, carol)
    await c.get("/")  # her "logged in" message
    await b.get("/")
    settings_on = app.state.settings

    async def pages(first: Any, then: Any) -> None:
        shared = [(await viewer.get(page)).text for viewer in (first, then)]
        assert app.state.shared_parts
        carol_page, bob_page = shared if first is c else shared[::-1]
        assert "?reply=" not in carol_page and 'name="vote"' not in carol_page
        assert "?reply=" in bob_page and 'name="vote"' in bob_page
        cache_off(app)
        assert shared == [(await viewer.get(page)).text for viewer in (first, then)]
        app.state.settings = settings_on

    await pages(c, b)  # Carol's thread stored first
    await post_form(b, f"{page}/comments", {"body": "Avis de Bob", "stance": "for"})  # a write
    await pages(b, c)  # Bob's first
    await client.__aexit__(None, None, None)
