"""Hidden means hidden: for each content type, hidden or pending content appears in no listing,
search, count, export, feed or notification for anyone but its author and the moderators.

The platform has no RSS/Atom feed yet; the JSON export is its machine-readable feed.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from participation.accounts.models import User
from participation.contributions import ModerationState
from participation.notifications import services as notifications
from participation.notifications.models import Notification
from participation.settings import Settings
from tests.conftest import create_user, log_in, logged_in
from tests.moderation.helpers import browser, make_comment, moderated_proposal
from tests.participation.proposal_factories import make_proposal

MV = ModerationState
SECRET = "Zanzibarquoise"


@pytest.fixture(params=[MV.HIDDEN, MV.PENDING], ids=["hidden", "pending"])
def state(request: pytest.FixtureRequest) -> ModerationState:
    """Each test runs for content hidden by a moderator and for content awaiting approval."""
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
async def author(settings: Settings, app: Any) -> User:
    return await create_user(settings, "author@example.org")


async def _fetch(app: Any, url: str) -> str:
    async with browser(app) as c:
        return (await c.get(url)).text


async def _everything_public(app: Any, user: User | None = None) -> str:
    async with browser(app) as c:
        if user is not None:
            await log_in(c, user)
        pages = [
            "/proposals",
            f"/proposals?q={SECRET.lower()}",
            "/proposals?sort=commented",
            "/proposals.csv",
            "/proposals.json",
            "/notifications" if user is not None else "/",
        ]
        return "\n".join([(await c.get(url)).text for url in pages])


async def test_hidden_proposals_appear_nowhere(
    app: Any, settings: Settings, moderator: User, author: User, state: ModerationState
) -> None:
    supporter = await create_user(settings, "supporter@example.org")
    visible = await make_proposal(author, title="Une proposition visible de tous")
    hidden = await moderated_proposal(author, state, f"Proposition {SECRET} masquée")
    await Notification.create(
        user_id=supporter.id, kind="state", event_key="state:test", proposal_id=hidden.id
    )
    for viewer in (None, supporter):
        text = await _everything_public(app, viewer)
        assert SECRET not in text and "visible de tous" in text
    exported = json.loads(await _fetch(app, "/proposals.json"))
    assert [p["id"] for p in exported["proposals"]] == [visible.id]
    assert await notifications.unread_count(supporter.id) == 0
    async with logged_in(app, supporter) as c:
        assert "Notifications (0" in (await c.get("/")).text
        assert (await c.get(f"/proposals/{hidden.id}")).status_code == 404
    for insider in (author, moderator):  # the author and the moderators still see it
        async with logged_in(app, insider) as c:
            assert (await c.get(f"/proposals/{hidden.id}")).status_code == 200
    # open data never carries it, whoever asks
    async with logged_in(app, moderator) as c:
        assert SECRET not in (await c.get("/proposals.csv")).text


async def test_hidden_comments_appear_nowhere(
    app: Any, settings: Settings, moderator: User, author: User, state: ModerationState
) -> None:
    commenter = await create_user(settings, "commenter@example.org")
    proposal = await make_proposal(author, title="Une proposition commentée")
    await make_comment(proposal, commenter, "<p>Un avis visible</p>")
    hidden = await make_comment(proposal, commenter, f"<p>Avis {SECRET}</p>", state=state)
    await Notification.create(
        user_id=author.id,
        kind="comment",
        event_key=f"comment:{hidden.id}",
        proposal_id=proposal.id,
        comment_id=hidden.id,
    )
    page = f"/proposals/{proposal.id}"
    for viewer in (None, author):
        text = await _everything_public(app, viewer)
        assert SECRET not in text
        async with browser(app) as c:
            if viewer is not None:
                await log_in(c, viewer)
            shown = (await c.get(page)).text
            assert SECRET not in shown and "Un avis visible" in shown
    exported = json.loads(await _fetch(app, "/proposals.json"))
    assert exported["proposals"][0]["comment_count"] == 1  # only the visible one counts
    assert "1 commentaire" in await _fetch(app, "/proposals")
    assert await notifications.unread_count(author.id) == 0
    assert await notifications.recent(author.id) == []
    for insider in (commenter, moderator):
        async with logged_in(app, insider) as c:
            assert SECRET in (await c.get(page)).text
