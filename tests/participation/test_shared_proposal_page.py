"""A proposal's page shared by the residents who see it alike (issue #23,
participation/proposals/routes.py `_shared_page`): whoever asked first, each viewer gets the page
rendered for them alone, byte for byte; a request served from the store reads neither the
proposal nor its lists; a write shows at once."""

from __future__ import annotations

from typing import Any

import pytest

from participation.accounts.models import Role, User
from participation.comments.models import Comment
from participation.proposals.models import Amendment, ProposalCoauthor
from participation.richtext import ALLOW_LIST_VERSION
from participation.settings import Settings
from tests.conftest import browser_of, create_user, log_in, logged_queries, post_form
from tests.participation.proposal_factories import add_coauthor, make_proposal
from tests.participation.test_shared_parts import rendered_alone, tokens


@pytest.fixture
async def debate(settings: Settings, app: Any) -> Any:
    """A proposal with a co-author, an invitation, an amendment waiting for the authors and
    comments, and a browser for each kind of viewer the page personalises: its author, its
    co-author, someone invited, a moderator, council staff, a desk officer, a resident who
    supported it, one who commented and voted, one who has not confirmed their address, one who
    did nothing, and a visitor. Each has asked one page already (their "logged in" message)."""
    author = await create_user(settings, "author@example.org", display_name="Claude Auteur")
    proposal = await make_proposal(author, title="Des bancs au square")
    people: dict[str, User | None] = {
        "author": author,
        "coauthor": await create_user(settings, "co@example.org", display_name="Dominique Co"),
        "invited": await create_user(settings, "invited@example.org", display_name="Eve Invitée"),
        "moderator": await create_user(settings, "mod@example.org", Role.MODERATOR),
        "staff": await create_user(settings, "staff@example.org", Role.ADMIN),
        "agent": await create_user(settings, "agent@example.org", Role.AGENT),
        "supporter": await create_user(settings, "sup@example.org", display_name="Sam Soutien"),
        "commenter": await create_user(settings, "com@example.org", display_name="Chloé Avis"),
        "unconfirmed": await create_user(settings, "new@example.org", confirmed=False),
        "plain": await create_user(settings, "plain@example.org", display_name="Paul Rien"),
        "visitor": None,
    }
    await add_coauthor(proposal, people["coauthor"])  # type: ignore[arg-type]
    await ProposalCoauthor.create(proposal_id=proposal.id, email="invited@example.org")
    neighbour = await create_user(settings, "voisin@example.org", display_name="Nour Voisin")
    await Amendment.create(
        proposal_id=proposal.id,
        author_id=neighbour.id,
        base_version=1,
        title=proposal.title,
        body="<p>Des bancs et une fontaine.</p>",
        sanitized_with=ALLOW_LIST_VERSION,
    )
    first = await Comment.create(
        proposal_id=proposal.id,
        author_id=neighbour.id,
        body="<p>Premier avis</p>",
        sanitized_with=ALLOW_LIST_VERSION,
    )
    await Comment.create(
        proposal_id=proposal.id,
        author_id=author.id,
        body="<p>Réponse de l'auteur</p>",
        sanitized_with=ALLOW_LIST_VERSION,
        parent_id=first.id,
        depth=1,
    )
    browsers: dict[str, Any] = {}
    contexts = []
    for name, user in people.items():
        context = browser_of(app)
        contexts.append(context)
        browser = browsers[name] = await context.__aenter__()
        if user is not None:
            await log_in(browser, user)
        await browser.get("/")
    page = f"/proposals/{proposal.id}"
    assert (await post_form(browsers["supporter"], f"{page}/support", {})).status_code == 303
    commenter = browsers["commenter"]
    said = {"body": "Un avis de Chloé", "stance": "against"}
    assert (await post_form(commenter, f"{page}/comments", said)).status_code == 303
    await post_form(commenter, f"{page}/comments/{first.id}/vote", {"vote": "up"})
    yield {"page": page, "browsers": browsers, "proposal": proposal}
    for context in contexts:
        await context.__aexit__(None, None, None)


async def test_every_viewer_gets_the_page_rendered_for_them_alone(app: Any, debate: Any) -> None:
    page, browsers = debate["page"], debate["browsers"]
    order = list(browsers)
    for first in ("plain", "supporter", "commenter", "unconfirmed"):  # who stores the parts
        await browsers[first].get(page)
        shared = {name: (await browsers[name].get(page)).text for name in order}
        again = {name: (await browsers[name].get(page)).text for name in reversed(order)}
        assert app.state.shared_parts
        assert shared == again
        alone = await rendered_alone(app, {name: browsers[name] for name in order}, page)
        for name in order:
            assert shared[name] == alone[name], name
        await post_form(browsers["plain"], f"{page}/comments", {"body": f"Avis {first}"})
    # what each saw is theirs: the author's and staff's forms, the invitation, own links
    assert "Accepter l’invitation" in shared["invited"]
    assert "Accepter l’invitation" not in shared["plain"]
    edit = f'href="{page}/edit"'
    assert edit in shared["author"] and edit in shared["coauthor"] and edit not in shared["plain"]
    assert "Vous soutenez cette proposition." in shared["supporter"]
    assert "Vous soutenez cette proposition." not in shared["plain"]
    assert "Un avis de Chloé" in shared["plain"]
    mine = await Comment.get(body__contains="Chloé")
    assert f"/comments/{mine.id}/delete" in shared["commenter"]
    assert f"/comments/{mine.id}/delete" not in shared["plain"]
    assert 'value="up" aria-pressed="true"' in shared["commenter"]
    assert 'aria-pressed="true"' not in shared["plain"]
    assert 'name="vote"' not in shared["unconfirmed"]
    for name, html in shared.items():  # the header's name: theirs only
        assert ('<span class="visually-hidden">(Paul Rien)</span>' in html) == (name == "plain")
    assert len({frozenset(tokens(html)) for html in shared.values()}) == len(shared)


async def test_a_viewer_served_the_stored_page_reads_only_their_own_state(
    app: Any, debate: Any
) -> None:
    """Once the page is stored, a resident's request runs their session and their own state
    (one statement: support, votes, comments, also when the page shows comments of theirs):
    never the proposal, its co-authors, amendments, history or thread."""
    page, browsers = debate["page"], debate["browsers"]
    await browsers["plain"].get(page)
    # a parameter the page does not read (a campaign's tag) is served the same stored page
    for name, most, address in (
        ("supporter", 2, page),
        ("plain", 2, page),
        ("commenter", 2, page),
        ("plain", 2, f"{page}?utm_source=lettre"),
    ):
        with logged_queries() as statements:
            html = (await browsers[name].get(address)).text
        assert len(statements) <= most, (name, statements)
        own = [s for s in statements if not s.startswith('SELECT "accounts_session"')]
        for table in ("proposals_proposal", "proposals_amendment", "proposals_event"):
            assert not [s for s in own if f'FROM "{table}"' in s], (name, statements)
        assert "Des bancs au square" in html


async def test_writes_show_at_once_on_the_stored_page(app: Any, debate: Any) -> None:
    page, browsers = debate["page"], debate["browsers"]
    plain, supporter = browsers["plain"], browsers["supporter"]
    assert "1 soutien" in (await plain.get(page)).text
    assert (await post_form(plain, f"{page}/support", {})).status_code == 303
    assert "2 soutiens" in (await supporter.get(page)).text
    answer = {"answer": "Le conseil installera trois bancs.", "state": ""}
    assert (await post_form(browsers["staff"], f"{page}/answer", answer)).status_code == 303
    assert "trois bancs" in (await supporter.get(page)).text
    amendment = await Amendment.get(proposal_id=debate["proposal"].id)
    assert "accepté par les auteurs" not in (await plain.get(page)).text
    decide = f"{page}/amendments/{amendment.id}/accept"
    assert (await post_form(browsers["author"], decide, {})).status_code == 303
    assert "accepté par les auteurs" in (await plain.get(page)).text


@pytest.mark.settings(PREMODERATED_CONTENT="comment")
async def test_a_viewer_given_their_own_page_runs_a_few_statements_too(
    app: Any, debate: Any
) -> None:
    """Those who get the page rendered for them alone (the author, a co-author, a moderator,
    staff, a commenter whose comment awaits moderation) run no more statements than the page
    did before it was shared: their own state is read once."""
    page, browsers = debate["page"], debate["browsers"]
    html = (await browsers["commenter"].get(page)).text
    assert "Un avis de Chloé" in html and "En attente de modération" in html
    assert "Un avis de Chloé" not in (await browsers["plain"].get(page)).text
    for name in ("author", "coauthor", "moderator", "staff", "commenter", "plain"):
        await browsers[name].get(page)  # what a process computes once is computed
        with logged_queries() as statements:
            assert (await browsers[name].get(page)).status_code == 200
        assert len(statements) <= 8, (name, statements)
