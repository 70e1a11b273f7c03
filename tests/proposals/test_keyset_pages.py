"""The proposals list by keyset (issue #23): "next" and "previous" carry the sort key of a row,
so a deep page is one index range; every order walks each proposal once, ties included; an old
`?page=N` address still answers; a cursor made up is ignored, never a 500."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx

from participation.accounts.models import User
from tests.participation.proposal_factories import make_proposal

COUNT = 47  # three pages of 20: two full, one of 7


def _numbers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"Idée numéro (\d\d) du test", text)]


def _link(text: str, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)" hx-get="[^"]+" [^>]*rel="{rel}"', text)
    return html.unescape(found.group(1)) if found else None


async def _walk(client: httpx.AsyncClient, first: str) -> tuple[list[list[int]], list[str]]:
    """Every page from `first` by its "next" links, then back by "previous": the numbers of
    each page going forward, and the pages' texts coming back must match them."""
    pages, addresses, address = [], [], first
    while address:
        response = await client.get(address)
        assert response.status_code == 200, address
        pages.append(_numbers(response.text))
        addresses.append(address)
        assert f"Page {len(pages)}<" in response.text  # the number users see
        address = _link(response.text, "next")
    back = _link((await client.get(addresses[-1])).text, "prev")
    for n in range(len(pages) - 2, -1, -1):
        assert back is not None
        text = (await client.get(back)).text
        assert _numbers(text) == pages[n], (n, back)
        back = _link(text, "prev")
    assert back is None  # the first page has no "previous"
    return pages, addresses


async def test_each_order_walks_every_proposal_once_ties_included(
    client: httpx.AsyncClient, citizen: User
) -> None:
    for i in range(COUNT):  # supports and comments tied by sevens, so the id breaks ties
        await make_proposal(
            citizen,
            title=f"Idée numéro {i:02d} du test",
            support_count=i % 7,
            comment_count=(i * 3) % 5,
        )
    ids = list(range(COUNT))  # proposal n's id is n + 1
    expected = {
        "": sorted(ids, reverse=True),
        "?sort=supported": sorted(ids, key=lambda i: (i % 7, i), reverse=True),
        "?sort=commented": sorted(ids, key=lambda i: ((i * 3) % 5, i), reverse=True),
    }
    for query, order in expected.items():
        pages, addresses = await _walk(client, f"/proposals{query}")
        assert [len(p) for p in pages] == [20, 20, 7]
        assert sum(pages, []) == order, query
        assert "after=" in addresses[1] and "page=2" in addresses[1]
        # the old address of a page still answers, with the same proposals
        old = await client.get(f"/proposals{query}{'&' if query else '?'}page=2")
        assert _numbers(old.text) == pages[1]
    # random: the visitor's shuffle, each proposal once, the same again
    pages, _ = await _walk(client, "/proposals?sort=random")
    assert sorted(sum(pages, [])) == ids and [len(p) for p in pages] == [20, 20, 7]
    again, _ = await _walk(client, "/proposals?sort=random")
    assert again == pages


async def test_a_page_by_cursor_keeps_the_filters_and_a_made_up_cursor_is_ignored(
    client: httpx.AsyncClient, citizen: User
) -> None:
    for i in range(COUNT):
        await make_proposal(citizen, title=f"Idée numéro {i:02d} du test", support_count=i % 3)
    first = (await client.get("/proposals?q=idee&category=mobilite&sort=supported")).text
    following = _link(first, "next")
    assert following is not None and "q=idee" in following and "category=mobilite" in following
    assert "sort=supported" in following and "page=2" in following
    # a link to another order or filter starts from the first page: no cursor carried
    chips = re.findall(r'class="chip" href="([^"]+)"', (await client.get(following)).text)
    assert chips and not any("after" in c for c in chips)
    for made_up in ("after=abc", "after=1.2.3", "before=-4", "after=" + "9" * 60, "page=99999"):
        response = await client.get(f"/proposals?sort=supported&{made_up}")
        assert response.status_code == 200, made_up
    assert _numbers((await client.get("/proposals?after=zz")).text)[0] == COUNT - 1
    assert _numbers((await client.get("/proposals?page=999")).text) == []  # past the end


async def test_a_previous_page_that_reaches_the_start_shows_the_first_page(
    client: httpx.AsyncClient, citizen: User, app: Any
) -> None:
    for i in range(25):
        await make_proposal(citizen, title=f"Idée numéro {i:02d} du test")
    # page 3 as the link says, but only 3 proposals before the cursor: the first page, whole
    text = (await client.get("/proposals?before=22&page=3")).text
    assert _numbers(text) == list(range(24, 4, -1)) and "Page 1<" in text
    assert _link(text, "prev") is None
