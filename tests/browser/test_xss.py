"""XSS in a real browser: the corpus of tests/security/xss.py, submitted through the real forms
of a running server, then every page that shows it opened in Chromium with JavaScript on.
Nothing may run (no dialog, `window.__xss` stays unset, the session survives the `hx-get`
log-out payload) and no `on*` or `hx-*` attribute from user content reaches the DOM."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from participation.accounts.models import User
from tests.browser.plugin import LiveServer
from tests.conftest import log_in
from tests.security.world import seed_world
from tests.security.xss import ALLOWED_SCRIPTS, pages_to_check, plant

# every element's attributes that would run something and carry the payloads' marker
SMUGGLED = """() => {
  const found = [];
  for (const element of document.querySelectorAll("*")) {
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase();
      const htmx = name.startsWith("hx-") || name.startsWith("data-hx-");
      if (name.startsWith("on") || (htmx && attribute.value.toLowerCase().includes("__xss"))) {
        found.push(element.tagName + " " + name + "=" + attribute.value);
      }
    }
  }
  for (const script of document.querySelectorAll("script")) {
    const ours = OURS;  // our own scripts: tests/security/xss.py ALLOWED_SCRIPTS
    // an address may carry its content's hash (participation/assets.py): /static/v/<hash>/...
    const src = (script.getAttribute("src") || "")
      .replace(/^[/]static[/]v[/][0-9a-f]{16}[/]/, "/static/");
    if (!ours.includes(src)) found.push("SCRIPT");
  }
  return found;
}""".replace("OURS", json.dumps(sorted(ALLOWED_SCRIPTS)))


def _a_few_of_each(urls: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The proposals made for the corpus share their body: two of them are enough here."""
    kept, seen = [], {}
    for role, url in urls:
        shape = re.sub(r"\d+", "N", url)
        seen[shape] = seen.get(shape, 0) + 1
        if seen[shape] <= 2:
            kept.append((role, url))
    return kept


async def test_no_payload_runs_in_the_browser(live_server: LiveServer, browser: Any) -> None:
    live_server.env["RATE_LIMITS"] = "off"  # many submissions in a few seconds
    world = await live_server.seed(seed_world)
    live_server.start()

    @asynccontextmanager
    async def open_client(user: Any) -> AsyncIterator[httpx.AsyncClient]:
        async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as client:
            if user is not None:
                await log_in(client, user)
            yield client

    async def lookup(read: Any) -> Any:
        return await live_server.seed(lambda settings: read())

    planted = await plant(open_client, lookup, world)
    pages = _a_few_of_each([p async for p in pages_to_check(planted)])
    dialogs: list[str] = []
    problems: dict[str, Any] = {}
    for role in dict.fromkeys(role for role, _ in pages):
        user = (
            world.user(role)
            if "@" not in role
            else await live_server.seed(lambda settings, email=role: User.get(email=email))
        )
        context = await browser.new_context(locale="fr-FR")
        context.set_default_timeout(30_000)
        if user is not None:
            async with open_client(user) as client:
                cookies = [
                    {"name": name, "value": value, "url": live_server.url}
                    for name, value in client.cookies.items()
                ]
            await context.add_cookies(cookies)
        page = await context.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        for _, url in (p for p in pages if p[0] == role):
            await page.goto(live_server.url + url)  # waits for "load": onerror/onload ran
            ran = await page.evaluate("() => window.__xss")
            smuggled = await page.evaluate(SMUGGLED)
            if ran or smuggled:
                problems[f"{role} {url}"] = (ran, smuggled)
        if user is not None:  # the hx-get log-out payload did not run: still logged in
            await page.goto(live_server.url + "/account")
            assert page.url.endswith("/account"), (role, page.url)
        await context.close()
    assert dialogs == []
    assert problems == {}
    assert len(pages) >= 15
