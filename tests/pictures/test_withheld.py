"""An image is served only to who may see what holds it (issue #22): a proposal hidden by a
moderator, awaiting approval, refused, a draft or withdrawn, a project hidden or in a budget
still in preparation: its image answers 404 to everyone else, as its page does, while its
author and staff still see it where they see the page. Every answer is revalidated (`no-cache`
with an ETag), so an image cached before its owner was hidden is asked for again and refused
(SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from budgets.models import Budget, Phase, Project
from meetings.domain import Status
from meetings.models import Meeting
from moderation.models import ModerationCase
from participation.accounts.models import User
from participation.contributions import ModerationState
from participation.proposals.domain import ProposalState
from participation.settings import Settings
from tests.budgets.factories import budget_taking_projects
from tests.conftest import browser_of, create_user, logged_in
from tests.meetings.factories import meeting_next_week
from tests.moderation.helpers import configure, decide, report
from tests.participation.proposal_factories import make_proposal
from tests.pictures.helpers import stored


async def status_as(app: Any, user: User | None, path: str) -> int:
    """The status of `path` in `user`'s own browser (None: a visitor's)."""
    if user is None:
        async with browser_of(app) as visitor:
            return (await visitor.get(path)).status_code
    async with logged_in(app, user) as browser:
        return (await browser.get(path)).status_code


async def test_a_hidden_proposals_image_disappears_for_the_public(
    app: Any, client: httpx.AsyncClient, tmp_path: Any, redis_url: str, moderator: User
) -> None:
    settings = configure(app, tmp_path, redis_url, MODERATION_REPORT_THRESHOLD="1")
    author = await create_user(settings, "author@example.org")
    picture = await stored()
    proposal = await make_proposal(author, image_id=picture.id)
    path = f"/images/{picture.key}/400"
    served = await client.get(path)  # a visitor
    assert served.status_code == 200 and served.headers["content-type"] == "image/webp"
    # the same for every visitor: a shared cache may keep it, but asks again at each use
    assert served.headers["cache-control"] == "public, no-cache"
    etag = served.headers["etag"]
    assert (await client.get(path, headers={"If-None-Match": etag})).status_code == 304
    async with logged_in(app, await create_user(settings, "reporter@example.org")) as c:
        assert (await report(c, "proposal", proposal.id, "offensive")).status_code == 303
    case = await ModerationCase.get(target_kind="proposal", target_id=proposal.id)
    async with logged_in(app, moderator) as c:
        assert (await decide(c, [case.id], "hide", "Propos injurieux.")).status_code == 303
        assert (await c.get(path)).status_code == 200  # moderators still see it, as the page
    assert (await client.get(f"/proposals/{proposal.id}")).status_code == 404
    assert (await client.get(path)).status_code == 404
    # what a browser kept is asked for again: refused, not "not modified"
    assert (await client.get(path, headers={"If-None-Match": etag})).status_code == 404
    assert await status_as(app, await create_user(settings, "other@example.org"), path) == 404
    async with logged_in(app, author) as own:
        mine = await own.get(path)  # the author sees their hidden proposal, and its image
        assert mine.status_code == 200 and mine.headers["cache-control"] == "private, no-cache"


@pytest.mark.parametrize(
    ("state", "moderation"),
    [
        (ProposalState.DRAFT, ModerationState.VISIBLE),
        (ProposalState.WITHDRAWN, ModerationState.VISIBLE),
        (ProposalState.PENDING, ModerationState.PENDING),  # awaiting pre-moderation
        (ProposalState.PUBLISHED, ModerationState.PENDING),  # a new version awaiting it
        (ProposalState.PENDING, ModerationState.HIDDEN),  # refused by pre-moderation
    ],
)
async def test_a_proposal_out_of_sight_keeps_its_image_out_of_sight(
    app: Any, settings: Settings, moderator: User, state: ProposalState, moderation: str
) -> None:
    author = await create_user(settings, "author@example.org")
    picture = await stored()
    proposal = await make_proposal(author, state, image_id=picture.id, moderation_state=moderation)
    path = f"/images/{picture.key}/500"
    page = f"/proposals/{proposal.id}"
    assert await status_as(app, None, page) == 404
    assert await status_as(app, None, path) == 404
    assert await status_as(app, author, path) == 200
    # moderators see what the moderation holds back, not someone's draft or withdrawn text
    seen_by_moderators = await status_as(app, moderator, page)
    assert await status_as(app, moderator, path) == seen_by_moderators


async def test_a_projects_image_follows_its_page(
    app: Any, settings: Settings, citizen: User, moderator: User, admin: User
) -> None:
    budget = await budget_taking_projects()
    picture = await stored()
    project = await Project.create(
        budget_id=budget.id,
        title="Des nichoirs au parc",
        description="<p>Vingt nichoirs.</p>",
        cost=3000,
        author_id=citizen.id,
        image_id=picture.id,
    )
    path = f"/images/{picture.key}/400"
    assert await status_as(app, None, path) == 200
    await Project.filter(id=project.id).update(moderation_state=ModerationState.HIDDEN)
    page = f"/budgets/{budget.id}/projects/{project.id}"
    assert await status_as(app, None, page) == await status_as(app, None, path) == 404
    other = await create_user(settings, "other@example.org")
    assert await status_as(app, other, path) == 404
    assert await status_as(app, citizen, path) == 200  # its author
    assert await status_as(app, moderator, path) == 200
    await Project.filter(id=project.id).update(moderation_state=ModerationState.VISIBLE)
    await Budget.filter(id=budget.id).update(phase=Phase.PREPARATION)  # staff's draft again
    assert await status_as(app, None, page) == await status_as(app, None, path) == 404
    assert await status_as(app, admin, path) == 200


async def test_a_meetings_image_is_public_as_its_page_and_an_unheld_one_is_nobodys(
    app: Any, admin: User
) -> None:
    picture = await stored()
    meeting = await meeting_next_week(image_id=picture.id)
    path = f"/images/{picture.key}/400"
    assert await status_as(app, None, path) == 200
    # a cancelled meeting's page stays public (it says it is cancelled): its image too
    await Meeting.filter(id=meeting.id).update(status=Status.CANCELLED)
    assert await status_as(app, None, f"/meetings/{meeting.id}") == 200
    assert await status_as(app, None, path) == 200
    # a picture that nothing holds (its owner went) is served to nobody, staff included
    loose = await stored()
    for who in (None, admin):
        assert await status_as(app, who, f"/images/{loose.key}/400") == 404
