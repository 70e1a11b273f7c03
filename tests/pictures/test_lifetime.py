"""A picture lives as long as what holds it (issue #22). A replaced image is deleted at once,
its old address answering 404; a person's copy of their data lists the images of their
proposals and projects, and deleting their account deletes them (the proposals stay, without
an image); a picture whose proposal, project or meeting was deleted (no page deletes one today:
a budget's projects go with it, an operator may delete a row) is deleted by the nightly
retention job, once an hour old (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from tortoise import timezone

from budgets.models import Project
from meetings.models import Meeting
from participation import retention
from participation.accounts.models import User
from participation.pictures.models import Picture, PictureRendition
from participation.proposals.models import Proposal
from participation.settings import Settings
from tests.budgets.factories import budget_taking_projects
from tests.conftest import TEST_PASSWORD, browser_of, create_user, log_in, post_form
from tests.meetings.factories import meeting_next_week
from tests.participation.proposal_factories import good_form, make_proposal
from tests.pictures.helpers import png, send, stored
from tests.pictures.test_meeting_images import DATA as MEETING
from tests.pictures.test_project_images import PROJECT


async def test_a_meetings_replaced_image_is_deleted(client: httpx.AsyncClient, admin: User) -> None:
    await log_in(client, admin)
    data = {**MEETING, "image_alt": "La salle du conseil"}
    assert (await send(client, "/admin/meetings/new", data, png(500, 300))).status_code == 303
    meeting = await Meeting.get()
    first = await Picture.get(id=meeting.image_id)  # type: ignore[arg-type]
    assert (await client.get(f"/images/{first.key}/400")).status_code == 200
    replaced = await send(client, f"/admin/meetings/{meeting.id}", data, png(600, 300, "green"))
    assert replaced.status_code == 303
    await meeting.refresh_from_db()
    assert meeting.image_id != first.id and await Picture.all().count() == 1
    assert not await PictureRendition.filter(picture_id=first.id).exists()
    assert (await client.get(f"/images/{first.key}/400")).status_code == 404


async def test_a_persons_images_are_in_their_data_and_go_with_their_account(
    app: Any, client: httpx.AsyncClient, settings: Settings, citizen: User
) -> None:
    await log_in(client, citizen)
    form = {**await good_form(), "image_alt": "Un composteur en bois"}
    assert (await send(client, "/proposals/new", form, png(500, 300))).status_code == 303
    budget = await budget_taking_projects()
    project_form = {**PROJECT, "image_alt": "Un nichoir"}
    url = f"/budgets/{budget.id}/projects/new"
    assert (await send(client, url, project_form, png(600, 400))).status_code == 303
    proposal = await Proposal.get(author=citizen)
    project = await Project.get(author=citizen)
    on_proposal = await Picture.get(id=proposal.image_id)  # type: ignore[arg-type]
    on_project = await Picture.get(id=project.image_id)  # type: ignore[arg-type]
    data = (await client.get("/account/data.json")).json()
    assert data["proposal_images"] == [
        {
            "proposal_id": proposal.id,
            "url": f"/images/{on_proposal.key}/500",
            "alt": "Un composteur en bois",
            "width": 500,
            "height": 300,
            "created_at": data["proposal_images"][0]["created_at"],
        }
    ]
    [listed] = data["budgets"]["project_images"]
    assert (listed["project_id"], listed["url"]) == (project.id, f"/images/{on_project.key}/600")
    assert listed["alt"] == "Un nichoir"
    # someone else's image on their own proposal is not theirs
    other = await stored("Le square")
    await make_proposal(await create_user(settings, "other@example.org"), image_id=other.id)
    assert len((await client.get("/account/data.json")).json()["proposal_images"]) == 1

    deleted = await post_form(client, "/account/delete", {"password": TEST_PASSWORD})
    assert deleted.status_code == 303
    await proposal.refresh_from_db()
    await project.refresh_from_db()
    assert proposal.image_id is None and project.image_id is None  # the texts stay
    assert [p.id for p in await Picture.all()] == [other.id]
    async with browser_of(app) as anyone:
        for picture, width in ((on_proposal, 500), (on_project, 600)):
            assert (await anyone.get(f"/images/{picture.key}/{width}")).status_code == 404


async def test_pictures_of_deleted_owners_go_at_night(settings: Settings, citizen: User) -> None:
    held = {kind: await stored(kind) for kind in ("proposal", "project", "meeting", "kept")}
    proposal = await make_proposal(citizen, image_id=held["proposal"].id)
    budget = await budget_taking_projects()
    project = await Project.create(
        budget_id=budget.id,
        title="Nichoirs",
        description="<p>Des nichoirs.</p>",
        cost=10,
        image_id=held["project"].id,
    )
    meeting = await meeting_next_week(image_id=held["meeting"].id)
    kept = await meeting_next_week(image_id=held["kept"].id)
    for row in (proposal, project, meeting):
        await row.delete()  # as a future page, a budget's deletion or an operator would
    now = timezone.now()
    # an hour's grace: a picture whose owner is being written in an upload's transaction
    assert (await retention.purge_expired(settings, now))["pictures"] == 0
    later = now + timedelta(hours=1, minutes=1)
    assert (await retention.purge_expired(settings, later))["pictures"] == 3
    assert [p.id for p in await Picture.all()] == [held["kept"].id]
    assert await PictureRendition.filter(picture_id=held["kept"].id).count() == 2
    await kept.refresh_from_db()
    assert kept.image_id == held["kept"].id
    assert (await retention.purge_expired(settings, later))["pictures"] == 0
