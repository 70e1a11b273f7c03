"""A budget project's place on the town's map (issue #20): a point typed in the form, refused
outside the town next to its field; the budget's map of projects and a project's small map,
with the places as text for who sees no picture (SQLite and PostgreSQL)."""

from __future__ import annotations

import re

import httpx

from budgets.domain import Phase
from budgets.models import Budget, Project
from participation.accounts.models import User
from tests.budgets.factories import budget_taking_projects
from tests.conftest import field_error, log_in, post_form

PROJECT = {
    "title": "Un verger au bord de la Loire",
    "description": "Planter vingt arbres fruitiers, en accès libre.",
    "cost": "15000",
    "location": "Quai de la Loire",
}


async def test_a_project_point_outside_the_town_is_refused_then_kept_inside(
    client: httpx.AsyncClient, citizen: User
) -> None:
    budget = await budget_taking_projects()
    await log_in(client, citizen)
    url = f"/budgets/{budget.id}/projects/new"
    form = await client.get(url)
    assert 'name="latitude"' in form.text and "data-map-pick" in form.text
    count = await Project.filter(budget=budget).count()
    outside = {**PROJECT, "latitude": "43.3", "longitude": "5.37"}  # Marseille
    bad = await post_form(client, url, outside, page=url)
    assert bad.status_code == 422
    assert "en dehors de la commune" in field_error(bad.text, "latitude")
    half = await post_form(client, url, {**PROJECT, "latitude": "47.2"}, page=url)
    assert half.status_code == 422 and field_error(half.text, "longitude")
    assert await Project.filter(budget=budget).count() == count
    good = await post_form(
        client, url, {**PROJECT, "latitude": "47,21", "longitude": "-1.56"}, page=url
    )
    assert good.status_code == 303
    project = await Project.get(title=PROJECT["title"])
    assert (project.location, project.latitude, project.longitude) == (
        "Quai de la Loire",
        47.21,
        -1.56,
    )


async def test_the_budget_map_draws_placed_projects_and_lists_every_place(
    client: httpx.AsyncClient,
) -> None:
    budget = await budget_taking_projects()
    projects = await Project.filter(budget=budget).order_by("id")
    await Project.filter(id=projects[0].id).update(
        location="Parc des <i>Rives</i>", latitude=47.2, longitude=-1.55
    )
    await Project.filter(id=projects[1].id).update(location="École Jules-Ferry")
    html = (await client.get(f"/budgets/{budget.id}/map")).text
    svg = html[html.index("<svg") : html.index("</svg>")]
    drawn = f'href="/budgets/{budget.id}/projects/{projects[0].id}"'
    assert drawn in svg and f"/projects/{projects[1].id}" not in svg
    items = re.findall(r'<ul class="map-list">(.*?)</ul>', html, re.S)[0]
    assert "Parc des &lt;i&gt;Rives&lt;/i&gt;" in items and "École Jules-Ferry" in items
    assert f"/projects/{projects[2].id}" not in items  # no place: not on the map's page
    page = (await client.get(f"/budgets/{budget.id}/projects/{projects[0].id}")).text
    assert "place-map-small" in page and "Le lieu du projet" in page
    assert f'href="/budgets/{budget.id}/map"' in (await client.get(f"/budgets/{budget.id}")).text


async def test_a_budget_in_preparation_has_no_public_map(client: httpx.AsyncClient) -> None:
    budget = await Budget.create(title="En préparation", total_amount=10, phase=Phase.PREPARATION)
    assert (await client.get(f"/budgets/{budget.id}/map")).status_code == 404
