"""The layout around every page rendered once for everyone alike and filled per request (issue
#23, participation/layout.py): each kind of viewer gets, on each page, byte for byte the page
rendered with the layout for them alone (the caches off), their own token, name, count and
current page, and nobody else's."""

from __future__ import annotations

from typing import Any

import pytest
from tortoise.exceptions import OperationalError

from consultations.models import Audience
from participation.accounts.models import Role
from participation.notifications.services import Kind, notify_users
from participation.settings import Settings
from tests.conftest import browser_of, create_user, log_in
from tests.consultations.factories import consultation_open
from tests.participation.proposal_factories import make_proposal
from tests.participation.test_shared_parts import cache_off, tokens

ODD_NAME = """<b>"Zoé" & 'Jo'</b> <script>x</script>"""


async def test_every_viewer_gets_the_layout_rendered_for_them_alone(
    settings: Settings, app: Any
) -> None:
    viewers: dict[str, Any] = {
        "resident": await create_user(settings, "resident@example.org"),
        "unread": await create_user(settings, "unread@example.org", display_name="Lou Unread"),
        "moderator": await create_user(settings, "mod@example.org", Role.MODERATOR),
        "staff": await create_user(settings, "staff@example.org", Role.ADMIN),
        "agent": await create_user(settings, "agent@example.org", Role.AGENT),
        "odd": await create_user(settings, "odd@example.org", display_name=ODD_NAME),
    }
    for n in range(3):
        await notify_users(
            settings,
            Kind.FOLLOWUP_STATUS,
            f"followup:7:status:{n}",
            [viewers["unread"].id, viewers["odd"].id],
            "The commitment “{title}” is now: {status}.",
            "/followup/7",
            title="Rénover le stade",
            status="In progress",
            translated=("status",),
        )
    proposal = await make_proposal(viewers["resident"])
    consultation, _ = await consultation_open(Audience.SIGNED_IN)
    pages = [
        "/",
        "/proposals",
        f"/proposals/{proposal.id}",
        f"/consultations/{consultation.id}",
        f"/consultations/{consultation.id}/answer",
        "/notifications",
        "/account",
        "/moderation",
        "/admin",
    ]
    browsers, contexts = {"signed out": None}, []
    for name, user in viewers.items():
        context = browser_of(app)
        contexts.append(context)
        browsers[name] = browser = await context.__aenter__()
        await log_in(browser, user)
        await browser.get("/")  # their "logged in" message
    visitor_context = browser_of(app)
    browsers["signed out"] = await visitor_context.__aenter__()
    contexts.append(visitor_context)
    settings_on = app.state.settings
    shared: dict[tuple[str, str], str] = {}
    for page in pages:
        for name, browser in browsers.items():
            response = await browser.get(page)
            shared[name, page] = f"{response.status_code}\n{response.text}"
    assert app.state.layouts  # kept
    cache_off(app)
    for page in pages:
        for name, browser in browsers.items():
            response = await browser.get(page)
            assert f"{response.status_code}\n{response.text}" == shared[name, page], (name, page)
    app.state.settings = settings_on
    home = {name: shared[name, "/"] for name in browsers}
    # the odd name escaped as the template escapes it, in nobody else's header
    assert "(&lt;b&gt;&#34;Zoé&#34; &amp; &#39;Jo&#39;&lt;/b&gt; &lt;script&gt;x" in home["odd"]
    assert not [n for n in browsers if n != "odd" and "Zoé" in home[n]]
    assert "Notifications (3<span" in home["unread"] and "Notifications (0<span" in home["resident"]
    assert "Lou Unread" not in home["resident"] + home["moderator"] + home["staff"]
    assert 'href="/notifications" aria-current="page"' in shared["resident", "/notifications"]
    assert 'aria-current="page"' not in home["resident"]
    assert 'href="/account" aria-current="page"' in shared["staff", "/account"]
    assert "/moderation" in home["moderator"] and "/moderation" not in home["resident"]
    assert 'href="/admin"' in home["staff"] and 'href="/admin"' not in home["moderator"]
    assert "Se connecter" in home["signed out"] and "Se connecter" not in home["resident"]
    assert 'name="next" value="/proposals"' in shared["unread", "/proposals"]
    # each browser its own token, in the header's two places and in the page's forms
    signed_in = [n for n in browsers if n != "signed out"]
    assert len({frozenset(tokens(home[n])) for n in signed_in}) == len(signed_in)
    for n in signed_in:
        assert len(tokens(home[n])) == 1
    for context in contexts:
        await context.__aexit__(None, None, None)


async def test_a_hole_marker_written_by_a_person_stays_their_text(
    settings: Settings, app: Any
) -> None:
    """A display name cannot carry another person's token into a page: the layout's holes are
    filled once, after the shared rendering, so a marker in a name is the name's text."""
    from participation.holes import hole

    marker = str(hole("csrf"))
    try:
        person = await create_user(settings, "x@example.org", display_name=f"a{marker}b")
    except OperationalError:  # PostgreSQL stores no NUL character: no name holds a marker
        pytest.skip("this database refuses the NUL character a marker holds")
    async with browser_of(app) as browser:
        await log_in(browser, person)
        await browser.get("/")  # their "logged in" message
        html = (await browser.get("/")).text
        settings_on = app.state.settings
        cache_off(app)
        alone = (await browser.get("/")).text
        app.state.settings = settings_on
    assert html == alone
    assert f"(a{marker}b)</span>" in html
