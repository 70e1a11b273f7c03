"""The staff budget page's projects table (issue #22): a row edited in place with htmx (the row
becomes its form, a save answers the row again, errors come back in the row, 422) or on a page
of its own without JavaScript (then back to the table at the row, with a notice); the locks of
a budget with ballots; the version check between two members of staff."""

from __future__ import annotations

import json

import httpx
import pytest

from budgets.models import Budget, BudgetDistrict, Feasibility, Phase, Project
from participation.accounts.models import Role, User
from participation.audit import AuditLogEntry
from participation.settings import Settings
from tests.budgets.factories import budget_in_voting, budget_with_a_ballot
from tests.conftest import browser_of, create_user, csrf_token, field_error, log_in, post_form

HTMX = {"HX-Request": "true"}


async def _in_review() -> tuple[Budget, list[Project]]:
    budget, projects = await budget_in_voting()
    await Budget.filter(id=budget.id).update(phase=Phase.REVIEW)
    return budget, projects


def _form(project: Project, **changes: str) -> dict[str, str]:
    """The row's form as shown for `project`, with `changes` typed."""
    return {
        "title": project.title,
        "cost": str(project.cost),
        "district_id": str(project.district_id or ""),  # type: ignore[attr-defined]
        "feasibility": project.feasibility.value,
        "feasibility_reason": project.feasibility_reason,
        "adjusted_cost": "",
        "version": str(project.version),
        **changes,
    }


async def _htmx_post(
    client: httpx.AsyncClient, url: str, data: dict[str, str], page: str
) -> httpx.Response:
    token = await csrf_token(client, page)
    return await client.post(url, data={**data, "csrf_token": token}, headers=HTMX)


async def test_the_page_shows_the_projects_as_a_table_with_an_edit_link_per_row(
    client: httpx.AsyncClient, admin: User
) -> None:
    budget, projects = await _in_review()
    await log_in(client, admin)
    page = await client.get(f"/admin/budgets/{budget.id}")
    assert page.status_code == 200
    assert '<table class="stack projects-table">' in page.text
    assert page.text.count("hx-get=") >= len(projects)  # one « Modifier » per row
    edit = f"/admin/budgets/{budget.id}/projects/{projects[3].id}"
    assert f'href="{edit}"' in page.text and 'id="project-' in page.text
    assert "Bancs du parc Nord" in page.text and "Nord" in page.text
    assert (
        'action="/admin/budgets/' not in page.text.split('id="projects"')[1].split("</section>")[0]
    )


async def test_without_javascript_the_row_is_edited_on_its_own_page_then_back_at_the_row(
    client: httpx.AsyncClient, admin: User
) -> None:
    budget, projects = await _in_review()
    north = await BudgetDistrict.get(budget_id=budget.id, name="Nord")
    await log_in(client, admin)
    url = f"/admin/budgets/{budget.id}/projects/{projects[0].id}"
    form = await client.get(url)
    assert form.status_code == 200
    assert '<h1><span id="page-title">Modifier «\xa0Jardin partagé\xa0»</span></h1>' in form.text
    assert 'value="Jardin partagé"' in form.text
    assert 'name="csrf_token" value=""' not in form.text  # a browser's POST carries it
    changed = _form(
        projects[0],
        title="Jardin partagé des Lilas",
        cost="42000",
        district_id=str(north.id),
        adjusted_cost="41000",
    )
    saved = await post_form(client, url, changed, page=url)
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/admin/budgets/{budget.id}#project-{projects[0].id}"
    project = await Project.get(id=projects[0].id)
    assert (project.title, project.cost, project.district_id, project.adjusted_cost) == (  # type: ignore[attr-defined]
        "Jardin partagé des Lilas",
        42000,
        north.id,
        41000,
    )
    assert project.version == 2
    table = await client.get(saved.headers["location"])
    assert "Le projet «\xa0Jardin partagé des Lilas\xa0» est enregistré." in table.text
    [entry] = await AuditLogEntry.filter(action="budget_project_updated")
    assert json.loads(entry.after)["cost"] == 42000 and entry.actor_id == admin.id


async def test_with_htmx_the_row_becomes_its_form_and_a_save_answers_the_row(
    client: httpx.AsyncClient, admin: User
) -> None:
    budget, projects = await _in_review()
    await log_in(client, admin)
    page = f"/admin/budgets/{budget.id}"
    url = f"{page}/projects/{projects[2].id}"
    form = await client.get(url, headers=HTMX)
    assert form.status_code == 200 and form.text.startswith(f'<tr id="project-{projects[2].id}"')
    assert "<html" not in form.text and 'hx-post="' in form.text
    assert form.headers["vary"].startswith("HX-Request")
    assert 'name="csrf_token" value=""' not in form.text
    cancel = await client.get(f"{url}/row", headers=HTMX)
    assert cancel.status_code == 200 and cancel.text.startswith(
        f'<tr id="project-{projects[2].id}"'
    )
    assert "<form" not in cancel.text and "Skatepark" in cancel.text
    saved = await _htmx_post(
        client,
        url,
        _form(projects[2], feasibility="unfeasible", feasibility_reason="Terrain inondable"),
        page,
    )
    assert saved.status_code == 200 and saved.text.startswith("<tr ")
    assert "Non réalisable" in saved.text and "Terrain inondable" in saved.text
    assert "Enregistré" in saved.text and "<form" not in saved.text
    assert (await Project.get(id=projects[2].id)).feasibility == Feasibility.UNFEASIBLE
    # the row's own address without htmx: the table at that row
    plain = await client.get(f"{url}/row")
    assert plain.status_code == 303 and plain.headers["location"].endswith(
        f"#project-{projects[2].id}"
    )


@pytest.mark.parametrize("htmx", [True, False])
async def test_a_bad_cost_is_refused_in_the_row_with_the_field_highlighted_and_nothing_saved(
    client: httpx.AsyncClient, admin: User, htmx: bool
) -> None:
    budget, projects = await _in_review()
    await log_in(client, admin)
    page = f"/admin/budgets/{budget.id}"
    url = f"{page}/projects/{projects[1].id}"
    bad = _form(projects[1], title="Piste cyclable rue Haute", cost="trente mille")
    if htmx:
        refused = await _htmx_post(client, url, bad, page)
        assert refused.text.startswith("<tr ")
    else:
        refused = await post_form(client, url, bad, page=url)
        assert "<title>Erreur – Modifier «\xa0Piste cyclable\xa0»" in refused.text
    assert refused.status_code == 422
    assert "sous forme de nombre entier" in field_error(refused.text, f"cost-{projects[1].id}")
    assert 'value="Piste cyclable rue Haute"' in refused.text  # what was typed stays
    project = await Project.get(id=projects[1].id)
    assert (project.title, project.cost, project.version) == ("Piste cyclable", 30000, 1)

    too_much = await _htmx_post(client, url, _form(projects[1], cost="150000"), page)
    assert too_much.status_code == 422
    assert "dépasse le budget entier" in field_error(too_much.text, f"cost-{projects[1].id}")
    no_reason = await _htmx_post(client, url, _form(projects[1], feasibility="unfeasible"), page)
    assert no_reason.status_code == 422
    assert "Expliquez publiquement" in field_error(no_reason.text, f"reason-{projects[1].id}")


async def test_once_ballots_are_cast_the_row_is_read_only_and_a_change_is_refused(
    client: httpx.AsyncClient, settings: Settings, admin: User, citizen: User
) -> None:
    budget, projects = await budget_with_a_ballot(settings, citizen)
    await log_in(client, admin)
    page = f"/admin/budgets/{budget.id}"
    url = f"{page}/projects/{projects[0].id}"
    form = await client.get(url, headers=HTMX)
    assert "Le vote est ouvert" in form.text
    assert form.text.count("disabled") >= 6 and "Enregistrer" not in form.text
    assert "Corriger le texte" in form.text  # the way that stays open, with a reason
    refused = await _htmx_post(client, url, _form(projects[0], cost="1000"), page)
    assert refused.status_code == 422 and "la faisabilité des projets est figée" in refused.text
    assert (await Project.get(id=projects[0].id)).cost == 40000


async def test_the_second_of_two_staff_saving_the_same_project_is_told_and_nothing_is_lost(
    client: httpx.AsyncClient, settings: Settings, app: object, admin: User
) -> None:
    budget, projects = await _in_review()
    other_admin = await create_user(settings, "urbanisme@example.org", Role.ADMIN)
    page = f"/admin/budgets/{budget.id}"
    url = f"{page}/projects/{projects[4].id}"
    await log_in(client, admin)
    shown = projects[4]  # both open the row at version 1
    async with browser_of(app) as second:
        await log_in(second, other_admin)
        first = await _htmx_post(client, url, _form(shown, cost="6000"), page)
        assert first.status_code == 200
        late = await _htmx_post(second, url, _form(shown, title="Fontaine à boire"), page)
        assert late.status_code == 409
        assert "Quelqu’un d’autre a enregistré ce projet" in late.text
        assert "6\u202f000\xa0€" in late.text  # what the first saved, shown beside
        assert 'value="Fontaine à boire"' in late.text  # what the second typed, kept
        assert 'name="version" value="2"' in late.text  # saving again is now deliberate
        project = await Project.get(id=projects[4].id)
        assert (project.title, project.cost, project.version) == ("Fontaine", 6000, 2)
        again = await _htmx_post(
            second, url, _form(shown, title="Fontaine à boire", cost="6000", version="2"), page
        )
        assert again.status_code == 200
    project = await Project.get(id=projects[4].id)
    assert (project.title, project.cost, project.version) == ("Fontaine à boire", 6000, 3)


async def test_a_project_of_another_budget_is_not_found_and_residents_are_refused(
    client: httpx.AsyncClient, admin: User, citizen: User
) -> None:
    budget, projects = await _in_review()
    other, others = await _in_review()
    await log_in(client, admin)
    forged = f"/admin/budgets/{budget.id}/projects/{others[0].id}"
    assert (await client.get(forged)).status_code == 404
    assert (await client.get(f"{forged}/row", headers=HTMX)).status_code == 404
    page = f"/admin/budgets/{budget.id}"
    posted = await _htmx_post(client, forged, _form(others[0], title="Volé"), page)
    assert posted.status_code == 404
    assert (await Project.get(id=others[0].id)).title == "Jardin partagé"

    await post_form(client, "/account/logout", {})
    await log_in(client, citizen)
    url = f"/admin/budgets/{budget.id}/projects/{projects[0].id}"
    assert (await client.get(url)).status_code == 403
    assert (await client.get(f"{url}/row", headers=HTMX)).status_code == 403
    denied = await post_form(client, url, _form(projects[0], title="Pirate"), page="/")
    assert denied.status_code == 403
    assert (await Project.get(id=projects[0].id)).title == "Jardin partagé"


async def test_once_the_vote_is_open_the_row_is_read_only_even_before_any_ballot(
    client: httpx.AsyncClient, admin: User
) -> None:
    budget, projects = await budget_in_voting()  # the vote open, no ballot yet
    await log_in(client, admin)
    page = f"/admin/budgets/{budget.id}"
    table = await client.get(page)
    assert "Le vote est ouvert\xa0: les coûts, quartiers et avis" in table.text
    url = f"{page}/projects/{projects[1].id}"
    form = await client.get(url, headers=HTMX)
    assert "Le vote est ouvert" in form.text and "Enregistrer" not in form.text
    refused = await _htmx_post(client, url, _form(projects[1], cost="1000"), page)
    assert refused.status_code == 422 and "la faisabilité des projets est figée" in refused.text
    assert (await Project.get(id=projects[1].id)).cost == 30000
