"""A long thread by pages (issue #23): a proposal's top-level comments 30 at a time, each with
its replies, by keyset; plain links to the earlier and later pages; a comment's address
(`?comment=`, where posting, a reply link or a notification lands) opens the page holding it."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import httpx
from tortoise import timezone

from participation.accounts.models import User
from participation.comments.models import Comment
from participation.comments.queries import THREAD_PAGE
from participation.settings import Settings
from tests.conftest import count_queries, post_form
from tests.participation.proposal_factories import others_proposal

TOPS = 2 * THREAD_PAGE + 5  # three pages: 30, 30 and 5 top-level comments


def _said(text: str) -> list[str]:
    return re.findall(r"Avis (\d+(?:\.\d+)*) sur le projet", html.unescape(text))


def _link(text: str, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)"[^\n]*? rel="{rel}">Commentaires', text)
    return html.unescape(found.group(1)).split("#")[0] if found else None


async def _thread(author: User, proposal_id: int) -> dict[str, int]:
    """TOPS top-level comments "Avis n", under every fifth a reply "Avis n.1" and under that
    one "Avis n.1.1": their ids by name."""
    start, ids = timezone.now() - timedelta(days=1), {}
    for n in range(1, TOPS + 1):
        at = start + timedelta(minutes=n)
        top = await Comment.create(
            proposal_id=proposal_id, target_kind="proposal", target_id=proposal_id,
            author_id=author.id, body=f"<p>Avis {n} sur le projet</p>", created_at=at,
        )  # fmt: skip
        ids[str(n)] = top.id
        if n % 5 == 0:  # replies written later than the next top-level comments
            parent = top
            for name, depth in ((f"{n}.1", 1), (f"{n}.1.1", 2)):
                parent = await Comment.create(
                    proposal_id=proposal_id, target_kind="proposal", target_id=proposal_id,
                    author_id=author.id, parent_id=parent.id, depth=depth,
                    body=f"<p>Avis {name} sur le projet</p>", created_at=at + timedelta(hours=2),
                )  # fmt: skip
                ids[name] = parent.id
    return ids


def _expected(first: int, last: int) -> list[str]:
    said = []
    for n in range(first, last + 1):
        said += [str(n)] + ([f"{n}.1", f"{n}.1.1"] if n % 5 == 0 else [])
    return said


async def test_the_thread_comes_by_pages_with_their_replies_there_and_back(
    client: httpx.AsyncClient, citizen: User, settings: Settings
) -> None:
    author, proposal, page = await others_proposal(settings)
    await _thread(author, proposal.id)
    first = await client.get(page)
    assert _said(first.text) == _expected(1, 30) and _link(first.text, "prev") is None
    later = _link(first.text, "next")
    assert later is not None and "Commentaires suivants" in first.text
    second = (await client.get(later)).text
    assert _said(second) == _expected(31, 60)
    third_address = _link(second, "next")
    assert third_address is not None
    third = (await client.get(third_address)).text
    assert _said(third) == _expected(61, 65) and _link(third, "next") is None
    earlier = _link(third, "prev")
    assert earlier is not None and "Commentaires précédents" in third
    assert _said((await client.get(earlier)).text) == _expected(31, 60)
    back = _link(second, "prev")
    assert back is not None and _said((await client.get(back)).text) == _expected(1, 30)
    for made_up in ("comments_after=abc", "comments_before=-1", "comment=99999999", "comment=x"):
        response = await client.get(f"{page}?{made_up}")
        assert response.status_code == 200 and _said(response.text)[:1] == ["1"], made_up


async def test_a_comments_address_opens_its_page_and_posting_lands_there(
    client: httpx.AsyncClient, citizen: User, settings: Settings
) -> None:
    author, proposal, page = await others_proposal(settings, seen_by=(client, citizen))
    ids = await _thread(author, proposal.id)
    # a reply two deep under top-level comment 45: the page starting at 45
    deep = (await client.get(f"{page}?comment={ids['45.1.1']}")).text
    assert _said(deep)[:3] == ["45", "45.1", "45.1.1"] and _link(deep, "prev") is not None
    # on the first page: the first page as it opens
    assert _said((await client.get(f"{page}?comment={ids['10.1']}")).text) == _expected(1, 30)
    # the reply link without JavaScript opens the page with the comment and its reply form
    asked = (await client.get(f"{page}?reply={ids['50']}")).text
    assert "Avis 50 sur le projet" in asked
    assert f'<input type="hidden" name="parent" value="{ids["50"]}">' in asked
    # a reply posted to comment 50: the redirect opens the page that shows it
    data = {"body": "Une réponse tardive à l'avis cinquante", "stance": "for", "parent": ids["50"]}
    response = await post_form(client, f"{page}/comments", data, page=page)
    assert response.status_code == 303
    reply = await Comment.get(body__contains="tardive")
    assert response.headers["location"] == f"{page}?comment={reply.id}#comment-{reply.id}"
    landed = (await client.get(response.headers["location"].split("#")[0])).text
    assert f'id="comment-{reply.id}"' in landed and "Une réponse tardive" in landed


async def test_a_page_of_a_long_thread_costs_what_a_short_one_does(
    client: httpx.AsyncClient, citizen: User, settings: Settings
) -> None:
    author, proposal, page = await others_proposal(settings, seen_by=(client, citizen))
    await _thread(author, proposal.id)
    counted, first = await count_queries(client, page)
    deeper, _ = await count_queries(client, _link(first.text, "next") or "")
    assert deeper == counted <= 8
