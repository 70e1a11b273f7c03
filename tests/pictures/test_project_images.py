"""A budget project's image through HTTP (issue #22): a resident submits one with the project,
staff replace or remove it with the text correction; bad input refused on its field (422)
with nothing saved; the budget's page shows it, or the pattern of the project's category."""

from __future__ import annotations

import re

import httpx

from budgets.models import Project
from participation.accounts.models import User
from participation.pictures.models import Picture
from tests.budgets.factories import budget_taking_projects
from tests.conftest import field_error, log_in
from tests.pictures.helpers import png, send

PROJECT = {
    "title": "Des nichoirs au parc",
    "description": "Poser vingt nichoirs dans les arbres du parc de la Loire.",
    "cost": "3000",
    "location": "",
}


async def test_a_resident_submits_a_project_with_an_image(
    client: httpx.AsyncClient, citizen: User
) -> None:
    budget = await budget_taking_projects()
    await log_in(client, citizen)
    url = f"/budgets/{budget.id}/projects/new"
    form = await client.get(url)
    assert 'enctype="multipart/form-data"' in form.text and 'id="image_alt"' in form.text
    missing = await send(client, url, PROJECT, png())
    assert missing.status_code == 422
    assert "Décrivez l’image" in field_error(missing.text, "image_alt")
    assert PROJECT["description"] in missing.text
    bad = await send(client, url, {**PROJECT, "image_alt": "Un nichoir"}, b"GIF89a pas une image")
    assert bad.status_code == 422 and "pas une image" in field_error(bad.text, "image")
    assert not await Project.exists(title=PROJECT["title"]) and not await Picture.exists()
    good = await send(client, url, {**PROJECT, "image_alt": "Un nichoir en bois"}, png(600, 400))
    assert good.status_code == 303, good.text
    project = await Project.get(title=PROJECT["title"])
    picture = await Picture.get(id=project.image_id)  # type: ignore[arg-type]
    assert (picture.width, picture.height, picture.alt) == (600, 400, "Un nichoir en bois")
    page = await client.get(good.headers["location"])
    assert 'alt="Un nichoir en bois"' in page.text
    assert f"/images/{picture.key}/400 400w, /images/{picture.key}/600 600w" in page.text


async def test_staff_replace_and_remove_a_projects_image(
    client: httpx.AsyncClient, citizen: User, admin: User
) -> None:
    budget = await budget_taking_projects()
    await log_in(client, citizen)
    url = f"/budgets/{budget.id}/projects/new"
    await send(client, url, {**PROJECT, "image_alt": "Un nichoir"}, png(500, 500))
    project = await Project.get(title=PROJECT["title"])
    first = await Picture.get(id=project.image_id)  # type: ignore[arg-type]
    edit = f"/admin/budgets/{budget.id}/projects/{project.id}/edit"
    assert (await send(client, edit, {**PROJECT, "reason": "x"}, png())).status_code == 403
    await log_in(client, admin)
    page = await client.get(edit)
    assert f"/images/{first.key}/400" in page.text and 'name="remove_image"' in page.text
    correction = {**PROJECT, "reason": "Photo floue", "image_alt": "Deux nichoirs"}
    replaced = await send(client, edit, correction, png(300, 200, "green"))
    assert replaced.status_code == 303
    await project.refresh_from_db()
    assert project.image_id != first.id and not await Picture.exists(id=first.id)
    removed = await send(client, edit, {**correction, "remove_image": "yes"})
    assert removed.status_code == 303
    await project.refresh_from_db()
    assert project.image_id is None and not await Picture.exists()
    listing = await client.get(f"/budgets/{budget.id}")
    assert (
        len(re.findall(r'<img class="illustration"', listing.text))
        == await Project.filter(budget=budget, moderation_state="visible").count()
    )
