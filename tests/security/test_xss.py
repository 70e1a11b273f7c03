"""XSS, as the server sends it: the corpus of tests/security/xss.py is submitted through the
real forms into every field that is shown somewhere (proposal titles and bodies, comments,
amendments, official answers, display names, consultation free texts and "other" answers,
budget projects and feasibility reasons by staff, report texts, moderation and block reasons),
then every page that shows them is read: no script, event handler, `hx-*` attribute,
`javascript:` link or foreign element comes from user content, and template syntax stays text.
The same pages are opened in a real browser by tests/browser/test_xss.py."""

from __future__ import annotations

from typing import Any

import pytest

from participation.accounts.models import User
from participation.settings import Settings
from tests.security.world import logged_in_client, seed_world
from tests.security.xss import (
    TEMPLATE_TEXT,
    injected_markup,
    pages_to_check,
    plant,
)

# many submissions in a few seconds: the rate limits are tested in tests/moderation
pytestmark = pytest.mark.settings(RATE_LIMITS="off")


def test_the_checker_finds_what_it_looks_for() -> None:
    # the checker itself, on markup that would run: an empty list below proves nothing otherwise
    for html in [
        "<p><script>x</script></p>",
        '<img src=x onerror="y">',
        '<a href=" JaVa\tscript:alert(1)">a</a>',
        '<div hx-get="/account/logout?__xss" hx-trigger="load"></div>',
        '<p data-hx-on-load="__xss()"></p>',
        "<math><mglyph></mglyph></math>",
    ]:
        assert injected_markup(html), html
    assert injected_markup('<script src="/static/vendor/htmx.min.js"></script>') == []
    assert injected_markup('<a href="https://example.org/__xss">lien</a>') == []
    assert injected_markup('<body hx-headers=\'{"X-CSRF-Token": "abXSSc"}\'>') == []


async def test_no_payload_reaches_a_page_as_markup(app: Any, settings: Settings) -> None:
    world = await seed_world(settings)

    def open_client(user: Any) -> Any:
        return logged_in_client(app, user)

    async def lookup(read: Any) -> Any:
        return await read()

    planted = await plant(open_client, lookup, world)
    found: dict[str, list[str]] = {}
    shown_as_text = 0
    checked = 0
    by_role: dict[str, list[str]] = {}
    async for role, url in pages_to_check(planted):
        by_role.setdefault(role, []).append(url)
    for role, urls in by_role.items():  # one log-in per person
        user = world.user(role) if "@" not in role else await User.get(email=role)
        async with logged_in_client(app, user) as person:
            for url in urls:
                headers = [{}, {"HX-Request": "true"}] if url in planted.fragments else [{}]
                for extra in headers:
                    response = await person.get(url, headers=extra)
                    assert response.status_code == 200, (role, url, response.status_code)
                    checked += 1
                    if problems := injected_markup(response.text):
                        found[f"{role} {url} {extra}"] = problems
                    shown_as_text += TEMPLATE_TEXT in response.text
    assert found == {}
    assert checked >= 25 and shown_as_text >= 10  # the payloads are there, as text
