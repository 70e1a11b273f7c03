"""No page of the route list scrolls sideways on a 320 px phone (WCAG 1.4.10 reflow; issue #22):
neither the page itself (`scrollWidth <= innerWidth`) nor a box inside it, such as a table that
scrolls in its own box. Every GET page of the app is loaded at 320 px, signed in as an
administrator (who reaches the staff pages as well as the public ones), with the test world
(`tests/security/world.py`: every route's ids, budgets and consultations in every phase) and
the demo town (full queues, results and registers) in one database. The failure lists every
offending page with what sticks out.

The same walk checks touch targets (WCAG 2.2 2.5.8, AA): every control is at least 24 x 24 CSS
px or has that much room around it (axe-core's `target-size` rule, which leaves out links inside
a sentence); the failure lists every offending page with its targets.

Tables wider than a phone stack: each row a card (`table.stack`, static/css/app.css), and stay
a table for assistive technologies (Chromium's accessibility tree, and axe at 320 px)."""

from __future__ import annotations

from typing import Any

import pytest_asyncio

from participation import demo
from participation.app import create_app
from participation.settings import Settings
from tests.browser.pages import exempt
from tests.browser.plugin import AXE_SOURCE, Axe, LiveServer
from tests.conftest import TEST_PASSWORD
from tests.security.world import World, app_routes, seed_world, urls_in_every_phase

PHONE = {"width": 320, "height": 800}
# Pages whose table appears only with a query (a search's results).
WITH_QUERY = ["/admin/residents?q=a", "/admin/people?q=a"]
# Where the page, or a box inside it, scrolls sideways: what sticks out, for the message.
SCROLLING = """() => {
    const width = window.innerWidth, page = document.documentElement.scrollWidth;
    const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
        + Array.from(el.classList).map(c => '.' + c).join('')
        + ' (' + el.scrollWidth + ' px in ' + el.clientWidth + ')';
    const boxes = Array.from(document.body.querySelectorAll('*')).filter(el => {
        const overflow = getComputedStyle(el).overflowX;
        return (overflow === 'auto' || overflow === 'scroll')
            && el.scrollWidth > el.clientWidth + 1;
    }).map(name);
    const out = el => el.getBoundingClientRect().right > width + 1;
    const wide = Array.from(document.body.querySelectorAll('*')).filter(out)
        .filter(el => !Array.from(el.children).some(out))
        .slice(0, 3).map(name);
    return {page, width, boxes, wide};
}"""


# axe-core's WCAG 2.2 target-size rule alone: the selectors of the targets that are too small
SMALL_TARGETS = """() => axe.run(document, {runOnly: {type: 'rule', values: ['target-size']},
    resultTypes: ['violations']}).then(result => result.violations.flatMap(
        v => v.nodes.map(n => n.target.join(' '))))"""


async def administrator(context_for: Any, server: LiveServer) -> Any:
    """A 320 px page signed in as the world's administrator, who accepts the demo town's
    conditions of use first (the demo publishes a new version of them)."""
    page = await (await context_for(viewport=PHONE)).new_page()
    await page.goto(f"{server.url}/account/login")
    await page.get_by_label("Adresse e-mail").fill("admin@example.org")
    await page.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    await page.get_by_role("button", name="Se connecter").click()
    await page.wait_for_load_state()
    if "/account/conditions" in page.url:
        await page.get_by_label("J’accepte les conditions d’utilisation").check()
        await page.get_by_role("button", name="Continuer").click()
        await page.wait_for_load_state()
    assert "/account/login" not in page.url and "/conditions" not in page.url, page.url
    return page


async def _town(settings: Settings) -> World:
    world = await seed_world(settings)
    await demo.seed(settings)
    return world


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def world(module_server: LiveServer) -> World:
    return await module_server.seed(_town)  # type: ignore[no-any-return]


def page_urls(world: World) -> list[str]:
    """Every GET page of the app (not the downloads, feeds and images of `exempt()`), once per
    phase of the budget or consultation it names, and the searches of `WITH_QUERY`."""
    app = create_app(Settings.from_env({"ENVIRONMENT": "test", "SECRET_KEY": "reflow"}))
    skipped = exempt()
    urls: list[str] = []
    for endpoint in app_routes(app):
        if endpoint.method != "GET" or endpoint.route.name in skipped:
            continue
        for _phase, url in urls_in_every_phase(endpoint, world):
            if url not in urls:
                urls.append(url)
    return urls + WITH_QUERY


async def test_no_page_scrolls_sideways_at_320_px_and_targets_are_24_px(
    module_server: LiveServer, world: World, context_for: Any
) -> None:
    site = module_server.url
    page = await administrator(context_for, module_server)
    urls = page_urls(world)
    assert len(urls) > 100, urls  # the walk reached the route list
    axe_source = AXE_SOURCE.read_text() if AXE_SOURCE.exists() else None
    offending, small = [], []
    for url in urls:
        response = await page.goto(site + url)
        assert response is not None, url
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue
        found = await page.evaluate(SCROLLING)
        if found["page"] > found["width"]:
            offending.append(
                f"{url} ({response.status}): the page is {found['page']} px wide; "
                f"sticking out: {', '.join(found['wide'])}"
            )
        elif found["boxes"]:
            offending.append(
                f"{url} ({response.status}): scrolls sideways inside {', '.join(found['boxes'])}"
            )
        if axe_source is not None:
            await page.evaluate(axe_source)
            if targets := await page.evaluate(SMALL_TARGETS):
                small.append(f"{url}: {', '.join(targets[:6])}")
    assert not offending, (
        f"{len(offending)} of {len(urls)} pages scroll sideways at 320 px:\n" + "\n".join(offending)
    )
    assert not small, (
        f"{len(small)} of {len(urls)} pages have touch targets under 24 x 24 px with too little "
        "room around them (WCAG 2.2 2.5.8):\n" + "\n".join(small)
    )


async def test_a_stacked_table_is_still_a_table_for_assistive_technologies(
    module_server: LiveServer, world: World, context_for: Any, axe: Axe
) -> None:
    site = module_server.url
    page = await administrator(context_for, module_server)
    cdp = await page.context.new_cdp_session(page)
    for url, roles in [
        ("/admin/people?q=a", {"table", "row", "columnheader", "cell"}),
        ("/admin/signalements", {"table", "row", "columnheader", "rowheader", "cell"}),
    ]:
        await page.goto(site + url)
        table = page.locator("table.stack").first
        # stacked: one card a row, the header row hidden from sight only
        assert await table.evaluate("t => getComputedStyle(t.tBodies[0].rows[0]).display") == (
            "block"
        )
        box = await table.locator("td[data-label]").first.bounding_box()
        assert box is not None and box["width"] <= PHONE["width"]
        tree = await cdp.send("Accessibility.getFullAXTree")
        found = {node.get("role", {}).get("value") for node in tree["nodes"]}
        assert roles <= found, (url, roles - found)
        await axe.check(page, "320 px, stacked table")
    await page.set_viewport_size({"width": 1280, "height": 800})
    await page.goto(site + "/admin/signalements")
    row = page.locator("table.stack tbody tr").first
    assert await row.evaluate("r => getComputedStyle(r).display") == "table-row"  # a desktop table
    axe.finish()
