"""Images sent with a form are rate-limited (the core's action `image_upload`, issue #22), as
every form is: its checks first, then the count, which takes only an image that would be saved
(a form sent back for a field costs nothing). Decoding an image being the costliest thing a
form asks, a full limit (the image's, or a new proposal's own) refuses the file before it is
decoded (429, nothing saved). The proposal form, a budget project's and staff's meeting form
(SQLite and PostgreSQL)."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from budgets.models import Project
from meetings.models import Meeting
from participation import ratelimit
from participation.accounts.models import User
from participation.pictures import web as pictures_web
from participation.pictures.models import Picture
from participation.proposals.models import Proposal
from tests.budgets.factories import budget_taking_projects
from tests.conftest import log_in
from tests.participation.proposal_factories import good_form
from tests.pictures.helpers import png, send
from tests.pictures.test_meeting_images import DATA as MEETING
from tests.pictures.test_project_images import PROJECT


def counted(app: Any, action: str, user: User) -> Any:
    """How many attempts of `action` the person's limit holds now."""
    return app.state.redis.zcard(ratelimit.limit_key(ratelimit.LIMITS[action][0], str(user.id)))


async def fill(app: Any, action: str, user: User) -> None:
    """The person's limit of `action` full, as after that many saved attempts just now."""
    limit = ratelimit.LIMITS[action][0]
    assert limit.per == "user"
    key = ratelimit.limit_key(limit, str(user.id))
    now = getattr(app.state, "clock", time.time)()
    await app.state.redis.zadd(key, {f"earlier-{n}": now for n in range(limit.limit)})


@pytest.fixture
def no_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any decoding of an image fails the test: the limit must refuse before it."""

    def decoded(*_: object) -> None:
        raise AssertionError("the image was decoded")

    monkeypatch.setattr(pictures_web, "image_change", decoded)


async def test_an_image_counts_only_once_its_proposal_would_be_saved(
    app: Any, client: httpx.AsyncClient, citizen: User
) -> None:
    await log_in(client, citizen)
    form = {**await good_form(), "image_alt": "Un composteur"}
    refused = await send(client, "/proposals/new", {**form, "title": ""}, png(500, 300))
    assert refused.status_code == 422  # a field was wrong: nothing saved, nothing counted
    assert await counted(app, "image_upload", citizen) == 0
    assert await counted(app, "post", citizen) == 0
    saved = await send(client, "/proposals/new", form, png(500, 300))
    assert saved.status_code == 303, saved.text
    assert await counted(app, "image_upload", citizen) == 1
    assert await counted(app, "post", citizen) == 1


@pytest.mark.parametrize("action", ["post", "image_upload"])
async def test_a_full_limit_refuses_a_proposals_image_before_decoding_it(
    app: Any, client: httpx.AsyncClient, citizen: User, no_decoding: None, action: str
) -> None:
    await log_in(client, citizen)
    await fill(app, action, citizen)
    form = {**await good_form(), "image_alt": "Un composteur"}
    refused = await send(client, "/proposals/new", form, png(500, 300))
    assert refused.status_code == 429 and "retry-after" in refused.headers
    assert not await Proposal.exists() and not await Picture.exists()


async def test_a_budget_projects_images_are_limited(
    app: Any, client: httpx.AsyncClient, citizen: User
) -> None:
    budget = await budget_taking_projects()
    await log_in(client, citizen)
    url = f"/budgets/{budget.id}/projects/new"
    data = {**PROJECT, "image_alt": "Un nichoir"}
    wrong = await send(client, url, {**data, "title": ""}, png(500, 300))
    assert wrong.status_code == 422 and await counted(app, "image_upload", citizen) == 0
    saved = await send(client, url, data, png(500, 300))
    assert saved.status_code == 303 and await counted(app, "image_upload", citizen) == 1
    await fill(app, "image_upload", citizen)
    again = {**data, "title": "Des nichoirs au square"}
    refused = await send(client, url, again, png(500, 300))
    assert refused.status_code == 429
    assert await Project.filter(title=again["title"]).count() == 0
    assert await Picture.all().count() == 1
    # a project without an image is no upload: not limited by it
    without = {**again, "image_alt": ""}
    assert (await send(client, url, without)).status_code == 303


async def test_staff_meeting_images_are_limited(
    app: Any, client: httpx.AsyncClient, admin: User
) -> None:
    await log_in(client, admin)
    data = {**MEETING, "image_alt": "La salle du conseil"}
    wrong = await send(client, "/admin/meetings/new", {**data, "title": ""}, png(500, 300))
    assert wrong.status_code == 422 and await counted(app, "image_upload", admin) == 0
    saved = await send(client, "/admin/meetings/new", data, png(500, 300))
    assert saved.status_code == 303 and await counted(app, "image_upload", admin) == 1
    meeting = await Meeting.get()
    await fill(app, "image_upload", admin)
    edited = await send(client, f"/admin/meetings/{meeting.id}", data, png(600, 300))
    assert edited.status_code == 429
    await meeting.refresh_from_db()
    assert (await Picture.get(id=meeting.image_id)).width == 500  # type: ignore[arg-type]
