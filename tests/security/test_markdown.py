"""Residents write Markdown (participation/richtext.py, `from_markdown`): what it keeps, that the
XSS corpus of tests/security/xss.py stays neutral through it (the HTML payloads and their
Markdown forms: javascript: links, raw HTML, autolinks, entities), that an older row's HTML
gives back Markdown of the same HTML, and, through the real forms, one test per content kind
(proposal, comment, amendment, budget project): the page shows the formatting, no payload runs,
and the edit form shows the Markdown as typed."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from markupsafe import escape

from budgets.models import Project
from participation.accounts.models import User
from participation.comments.models import Comment
from participation.proposals.models import Amendment, Proposal
from participation.richtext import ALLOW_LIST_VERSION, from_markdown, markdown_of, sanitize
from participation.settings import Settings
from tests.budgets.factories import budget_taking_projects
from tests.conftest import create_user, log_in, logged_in, post_form
from tests.participation.proposal_factories import good_form, make_proposal
from tests.security.xss import MARKDOWN_PAYLOADS, PAYLOADS, injected_markup

LINK = '<a href="https://example.org" rel="nofollow ugc">'


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("**gras** et *italique*", "<p><strong>gras</strong> et <em>italique</em></p>"),
        ("__gras__ et _italique_", "<p><strong>gras</strong> et <em>italique</em></p>"),
        ("- un\n- deux", "<ul>\n<li>un</li>\n<li>deux</li>\n</ul>"),
        ("1. un\n2. deux", "<ol>\n<li>un</li>\n<li>deux</li>\n</ol>"),
        ("> citation", "<blockquote>\n<p>citation</p>\n</blockquote>"),
        ("[le site](https://example.org)", f"<p>{LINK}le site</a></p>"),
        ("<https://example.org>", f"<p>{LINK}https://example.org</a></p>"),
        ("voir https://example.org", f"<p>voir {LINK}https://example.org</a></p>"),
        ("ligne 1\nligne 2\n\nparagraphe", "<p>ligne 1<br>\nligne 2</p>\n<p>paragraphe</p>"),
        # raw HTML is text, as typed
        ("<strong>tapé</strong>", "<p>&lt;strong&gt;tapé&lt;/strong&gt;</p>"),
        # headings, code and rules are off: their marks stay text
        ("# Titre", "<p># Titre</p>"),
        ("    indenté", "<p>indenté</p>"),
        ("`code`", "<p>`code`</p>"),
        ("a\n\n---", "<p>a</p>\n<p>---</p>"),
        # no images: the address stays a link
        ("![photo](https://example.org)", f"<p>!{LINK}photo</a></p>"),
        ("AT&amp;T &copy; 3 < 4", "<p>AT&amp;T © 3 &lt; 4</p>"),
        ("  \n ", ""),
    ],
)
def test_what_markdown_keeps(typed: str, stored: str) -> None:
    assert from_markdown(typed) == stored


@pytest.mark.parametrize("payload", PAYLOADS + MARKDOWN_PAYLOADS)
def test_every_payload_stays_neutral_through_markdown(payload: str) -> None:
    stored = from_markdown(payload)
    assert injected_markup(stored) == []
    # no link but to the web or a mailbox
    assert set(re.findall(r'href="([a-z]+):', stored)) <= {"https", "http", "mailto"}


def _same(html: str) -> str:
    return html.replace("\n", "")


@pytest.mark.parametrize(
    "stored",
    [
        # what residents' plain text and HTML were stored as before (richtext.sanitize)
        sanitize("Première ligne\nseconde ligne\n\nUn autre paragraphe, 3 * 4 = 12."),
        sanitize(
            "<p>Des <strong>arceaux</strong> et <em>des bancs</em> : "
            '<a href="https://example.org/a_b(1)">le plan</a>.</p>'
            "<ul><li>rue_des_écoles</li><li>1. place * [gare]</li></ul>"
            "<blockquote><p>- Citation</p><ol><li>un</li></ol></blockquote>"
        ),
        sanitize("<p># pas un titre</p><p>&lt;b&gt; &amp;amp; \\ `x` _y_ &gt; z</p>"),
        sanitize("<ul><li>un<ul><li>sous</li></ul></li><li>deux<br>suite</li></ul>"),
        sanitize("<ol><li><p>un</p><p>suite</p></li><li><p>deux</p></li></ol>"),
    ]
    + [from_markdown(m) for m in ("**a** *b*\n\n- c\n- d\n\n> e", "1. [f](https://example.org)")],
)
def test_markdown_derived_from_an_older_row_gives_back_its_html(stored: str) -> None:
    assert _same(from_markdown(markdown_of(stored))) == _same(stored)


# --- through the forms, one content kind at a time -------------------------------------------

TYPED = "Un texte assez long pour une proposition, avec du **gras** voulu.\n\n" + "\n\n".join(
    MARKDOWN_PAYLOADS
)


async def _proposal(
    client: httpx.AsyncClient, author: User, settings: Settings
) -> tuple[str, Any, str]:
    response = await post_form(
        client, "/proposals/new", {**await good_form(), "body": TYPED}, page="/proposals/new"
    )
    assert response.status_code == 303
    proposal = await Proposal.get(author_id=author.id)
    return f"/proposals/{proposal.id}", proposal, f"/proposals/{proposal.id}/edit"


async def _comment(
    client: httpx.AsyncClient, author: User, settings: Settings
) -> tuple[str, Any, str]:
    proposal = await make_proposal(author)
    page = f"/proposals/{proposal.id}"
    response = await post_form(
        client, f"{page}/comments", {"body": TYPED, "stance": "for"}, page=page
    )
    assert response.status_code == 303
    comment = await Comment.get(proposal_id=proposal.id)
    return page, comment, f"{page}/comments/{comment.id}/edit"


async def _amendment(
    client: httpx.AsyncClient, author: User, settings: Settings
) -> tuple[str, Any, str]:
    other = await create_user(settings, "autre@example.org")
    proposal = await make_proposal(other)
    page = f"/proposals/{proposal.id}"
    data = {"title": "Un titre amendé", "body": TYPED, "reason": "Plus clair."}
    response = await post_form(client, f"{page}/amendments/new", data, page=page)
    assert response.status_code == 303
    amendment = await Amendment.get(proposal_id=proposal.id)
    page = response.headers["location"]
    # the amendment form starts from the proposal's text: its Markdown when it has one
    await Proposal.filter(id=proposal.id).update(body_source="*le texte tapé*")
    return page, amendment, f"/proposals/{proposal.id}/amendments/new"


async def _project(
    client: httpx.AsyncClient, author: User, settings: Settings
) -> tuple[str, Any, str]:
    budget = await budget_taking_projects()
    url = f"/budgets/{budget.id}/projects/new"
    data = {"title": "Un projet", "description": TYPED, "cost": "1000"}
    response = await post_form(client, url, data, page=url)
    assert response.status_code == 303
    project = await Project.get(budget_id=budget.id, title="Un projet")
    return (
        response.headers["location"],
        project,
        f"/admin/budgets/{budget.id}/projects/{project.id}/edit",
    )


@pytest.mark.parametrize("kind", [_proposal, _comment, _amendment, _project])
async def test_a_resident_writes_markdown(
    app: Any, client: httpx.AsyncClient, citizen: User, admin: User, settings: Settings, kind: Any
) -> None:
    await log_in(client, citizen)
    page, row, edit = await kind(client, citizen, settings)
    source = getattr(row, "body_source", None) or getattr(row, "description_source", "")
    assert source == TYPED.strip()
    assert row.sanitized_with == ALLOW_LIST_VERSION  # stored as shown, without bleach
    if kind is _amendment:  # the proposal's authors read it, to decide
        proposal = await Proposal.get(id=row.proposal_id)
        async with logged_in(app, await User.get(id=proposal.author_id)) as proposal_author:
            shown = (await proposal_author.get(page)).text
    else:
        shown = (await client.get(page)).text
    assert "<strong>gras</strong>" in shown
    assert injected_markup(shown) == []
    if kind is _amendment:
        assert "*le texte tapé*" in (await client.get(edit)).text
        return
    if kind is _project:  # staff correct a project's text
        async with logged_in(app, admin) as staff:
            form = (await staff.get(edit)).text
    else:
        form = (await client.get(edit)).text
    assert str(escape(TYPED.strip())) in form
