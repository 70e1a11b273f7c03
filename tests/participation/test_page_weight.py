"""What a resident's page weighs on first load (issue #22): its HTML, the stylesheets and the
scripts it links, uncompressed (as `participation serve` sends them; the issue's strictest
reading), under 100 kB on the demo town, for the pages bench/lighthouse.py measures (the
home, a proposal, the ballot, a budget's results, a consultation) and the proposals' list.
Images and fonts aside. Not timed: bytes only. What keeps it there: participation/assets.py
(stylesheets without comments, staff.css and htmx only where used) and the patterns drawn for
what has no image served as files (participation/pictures/illustration.py)."""

from __future__ import annotations

import re
from typing import Any

import httpx

from participation import demo
from participation.demo import DEMO_ACCOUNTS
from participation.settings import Settings
from tests.conftest import browser_of, post_form

BUDGET = 100_000
LINKED = re.compile(r'<link rel="stylesheet" href="([^"]+)"|<script src="([^"]+)"', re.IGNORECASE)


async def weight(client: httpx.AsyncClient, path: str) -> dict[str, int]:
    """Bytes of the page at `path` and of each stylesheet and script it links."""
    page = await client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    sizes = {path: len(page.content)}
    for css, js in LINKED.findall(page.text):
        linked = await client.get((css or js).replace("&amp;", "&"))
        assert linked.status_code == 200, css or js
        sizes[css or js] = len(linked.content)
    return sizes


def first(html: str, pattern: str) -> str:
    found = re.search(f'href="({pattern})"', html)
    assert found is not None, pattern
    return found.group(1)


async def test_a_residents_page_weighs_less_than_100_kb(app: Any, settings: Settings) -> None:
    await demo.seed(settings)
    email, _name, _role, password = DEMO_ACCOUNTS[0]  # the resident
    async with browser_of(app) as visitor, browser_of(app) as resident:
        signed = await post_form(resident, "/account/login", {"email": email, "password": password})
        assert signed.status_code == 303
        budgets = re.findall(r'href="(/budgets/\d+)"', (await visitor.get("/budgets")).text)
        pages = {
            "home": "/",
            "proposals": "/proposals",
            "proposal": first((await visitor.get("/proposals")).text, r"/proposals/\d+"),
            "consultation": first(
                (await visitor.get("/consultations")).text, r"/consultations/\d+"
            ),
        }
        for budget in budgets:
            html = (await visitor.get(budget)).text
            if "results" not in pages and re.search(r"/budgets/\d+/results", html):
                pages["results"] = first(html, r"/budgets/\d+/results")
        assert "results" in pages, "no demo budget links its results"
        ballot = next(
            first(html, r"/budgets/\d+/ballot")
            for html in [(await resident.get(b)).text for b in budgets]
            if re.search(r"/budgets/\d+/ballot", html)
        )
        measured = {name: await weight(visitor, path) for name, path in pages.items()}
        measured["ballot"] = await weight(resident, ballot)
        # signed in, the proposal's page offers its support and reply forms (htmx)
        measured["proposal, signed in"] = await weight(resident, pages["proposal"])
    for name, sizes in measured.items():
        print(name, sum(sizes.values()), sizes)
    staff = [name for name, sizes in measured.items() if any("staff.css" in f for f in sizes)]
    assert staff == [], "a resident's page links the staff stylesheet"
    heavy = {name: sum(s.values()) for name, s in measured.items() if sum(s.values()) >= BUDGET}
    assert not heavy, heavy
