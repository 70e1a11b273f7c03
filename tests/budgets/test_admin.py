"""Council staff run a budget: create it, phases by date and by hand, projects and their
feasibility review, the resident register, locked rules."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from budgets import services
from budgets.jobs import apply_phase_schedule
from budgets.models import Budget, Feasibility, Phase, PhaseSwitch, Project
from participation.accounts.models import User
from participation.residents import services as residents
from participation.residents.models import CensusEntry
from participation.settings import Settings
from tests.budgets.factories import (
    CENSUS,
    budget_in_preparation_due_to_vote,
    budget_in_voting,
    budget_taking_projects,
    budget_with_a_ballot,
    verified,
)
from tests.conftest import log_in, post_form

BUDGET_FORM = {
    "title": "Budget participatif 2027",
    "description": "**Vos idées**<script>x</script>",
    "total_amount": "200000",
    "districts": "Nord: 50000\nSud: 40000",
    "categories": "Nature\nSport",
    "ballot_kind": "knapsack",
    "winner_rule": "equal-shares",
    "min_choices": "1",
    "max_choices": "",
    "min_spent_percent": "0",
    "points_total": "10",
    "points_per_project": "5",
    "ranking_length": "3",
    "minimum_age": "16",
    "submission_opens_at": "2027-01-10T09:00",
    "review_opens_at": "2027-02-10T09:00",
    "voting_opens_at": "2027-03-10T09:00",
    "voting_closes_at": "2027-04-10T18:00",
}


async def test_staff_create_a_budget(client: httpx.AsyncClient, admin: User) -> None:
    await log_in(client, admin)
    response = await post_form(client, "/admin/budgets/new", BUDGET_FORM, page="/admin/budgets/new")
    assert response.status_code == 303
    budget = await Budget.get(title="Budget participatif 2027")
    # staff write Markdown: the bold kept, the typed tag shown as text
    assert budget.description == "<p><strong>Vos idées</strong>&lt;script&gt;x&lt;/script&gt;</p>"
    assert (
        budget.voting_closes_at is not None and budget.voting_closes_at.hour == 16
    )  # 18:00 in Paris, summer time
    assert sorted(d.name for d in await budget.districts.all()) == ["Nord", "Sud"]
    assert budget.phase == Phase.PREPARATION


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "Indiquez un titre"),
        ("total_amount", "beaucoup", "nombre entier"),
        ("districts", "Nord: 150000\nSud: 100000", "plus que le total"),
        ("districts", "Nord cinquante mille", "un quartier par ligne"),
        ("voting_opens_at", "2027-05-01T09:00", "doivent se suivre dans l’ordre"),
        ("max_choices", "0", "au moins égal au minimum"),
    ],
)
async def test_bad_budget_forms_say_what_to_fix(
    client: httpx.AsyncClient, admin: User, field: str, value: str, message: str
) -> None:
    await log_in(client, admin)
    response = await post_form(
        client, "/admin/budgets/new", {**BUDGET_FORM, field: value}, page="/admin/budgets/new"
    )
    assert response.status_code == 422 and message in response.text
    assert await Budget.all().count() == 0


@pytest.mark.parametrize("url", ["/admin/budgets/new", "/admin/residents/census"])
async def test_staff_pages_are_for_staff(
    client: httpx.AsyncClient, citizen: User, url: str
) -> None:
    assert (await client.get(url)).status_code == 303  # anonymous: log in first
    await log_in(client, citizen)
    assert (await client.get(url)).status_code == 403
    response = await post_form(client, url, BUDGET_FORM)
    assert response.status_code == 403
    assert await Budget.all().count() == 0


async def test_phases_switch_at_their_dates_and_are_logged(app: Any) -> None:
    budget = await budget_in_preparation_due_to_vote()
    assert await apply_phase_schedule({}) == [budget.id]
    await budget.refresh_from_db()
    assert budget.phase == Phase.VOTING
    assert await apply_phase_schedule({}) == []  # nothing more to do
    switch = await PhaseSwitch.filter(budget=budget).order_by("-id").first()
    assert switch is not None and switch.by_user_id is None  # type: ignore[attr-defined]
    assert (switch.from_phase, switch.to_phase) == (Phase.PREPARATION, Phase.VOTING)


async def test_staff_switch_phases_by_hand(client: httpx.AsyncClient, admin: User) -> None:
    budget, _ = await budget_in_voting()
    await log_in(client, admin)
    page = f"/admin/budgets/{budget.id}"
    response = await post_form(client, f"{page}/phase", {"phase": "review"}, page=page)
    assert response.status_code == 303
    await budget.refresh_from_db()
    assert budget.phase == Phase.REVIEW
    switch = await PhaseSwitch.filter(budget=budget).order_by("-id").first()
    assert switch is not None and switch.by_user_id == admin.id  # type: ignore[attr-defined]
    # results only from the tally phase
    await post_form(client, f"{page}/phase", {"phase": "results"}, page=page)
    await budget.refresh_from_db()
    assert budget.phase == Phase.REVIEW
    assert (
        await post_form(client, f"{page}/phase", {"phase": "party"}, page=page)
    ).status_code == 400


async def test_residents_submit_projects_during_submission(
    client: httpx.AsyncClient, citizen: User
) -> None:
    budget = await budget_taking_projects()
    await log_in(client, citizen)
    url = f"/budgets/{budget.id}/projects/new"
    foreign = await Budget.create(title="Autre", total_amount=10, phase=Phase.SUBMISSION)
    foreign_district = await services.BudgetDistrict.create(budget=foreign, name="X", amount=5)
    bad = await post_form(
        client,
        url,
        {
            "title": "",
            "description": " \n\n ",
            "cost": "douze",
            "district_id": str(foreign_district.id),
        },
        page=url,
    )
    assert bad.status_code == 422
    for field in ("title", "description", "cost", "district_id"):
        assert f'id="{field}-error"' in bad.text, field
    count = await Project.filter(budget=budget).count()
    good = await post_form(
        client,
        url,
        {
            "title": "Des arbres rue <b>Haute</b>",
            "description": '<p onclick="x()">Planter [20](javascript:alert(1)) **arbres**',
            "cost": "15000",
            "district_id": "",
            "category_id": "",
        },
        page=url,
    )
    assert good.status_code == 303
    assert await Project.filter(budget=budget).count() == count + 1
    project = await Project.filter(budget=budget).order_by("-id").first()
    assert project is not None and project.feasibility == Feasibility.PENDING
    # Markdown: the typed tag is text, the javascript: link no link, the bold kept
    assert project.description == (
        "<p>&lt;p onclick=&quot;x()&quot;&gt;Planter [20](javascript:alert(1)) "
        "<strong>arbres</strong></p>"
    )
    shown = await client.get(good.headers["location"])
    assert "Des arbres rue &lt;b&gt;Haute&lt;/b&gt;" in shown.text

    await Budget.filter(id=budget.id).update(phase=Phase.REVIEW)
    late = await post_form(
        client, url, {"title": "Trop tard", "description": "x", "cost": "1"}, page=url
    )
    assert late.status_code == 422 and "pendant la phase de dépôt" in late.text


async def test_feasibility_review_decides_what_reaches_the_ballot(
    client: httpx.AsyncClient, settings: Settings, admin: User, citizen: User
) -> None:
    budget, projects = await budget_in_voting()
    await Budget.filter(id=budget.id).update(phase=Phase.REVIEW)
    await log_in(client, admin)
    page = f"/admin/budgets/{budget.id}"
    url = f"{page}/projects/{projects[2].id}"
    row = {"title": "Skatepark", "cost": "50000", "feasibility": "unfeasible", "version": "1"}
    no_reason = await post_form(client, url, {**row, "feasibility_reason": ""}, page=page)
    assert no_reason.status_code == 422 and "Expliquez publiquement" in no_reason.text
    ok = await post_form(client, url, {**row, "feasibility_reason": "Terrain inondable"}, page=page)
    assert ok.status_code == 303
    adjusted = await post_form(
        client,
        f"{page}/projects/{projects[0].id}",
        {
            "title": "Jardin partagé",
            "cost": "40000",
            "feasibility": "feasible",
            "adjusted_cost": "45000",
            "version": "1",
        },
        page=page,
    )
    assert adjusted.status_code == 303
    await services.switch_phase(budget.id, Phase.VOTING, by_user=None)

    await post_form(client, "/account/logout", {})
    await verified(settings, citizen)
    await log_in(client, citizen)
    ballot = await client.get(f"/budgets/{budget.id}/ballot")
    assert "Skatepark" not in ballot.text  # not feasible: not on the ballot
    assert "45\u202f000\xa0€" in ballot.text  # the adjusted cost is the one voted on
    public = await client.get(f"/budgets/{budget.id}/projects/{projects[2].id}")
    assert "Terrain inondable" in public.text


async def test_rules_are_locked_once_a_ballot_exists(
    client: httpx.AsyncClient, settings: Settings, admin: User, citizen: User
) -> None:
    budget, projects = await budget_with_a_ballot(settings, citizen)
    await log_in(client, admin)
    url = f"/admin/budgets/{budget.id}/edit"
    form = await client.get(url)
    assert form.status_code == 200
    values = {
        **BUDGET_FORM,
        "title": budget.title,
        "total_amount": "100000",
        "districts": "Nord: 30000",
        "ballot_kind": "cumulative",
        "winner_rule": "greedy",
        "minimum_age": "0",
        "submission_opens_at": "",
        "review_opens_at": "",
        "voting_opens_at": "",
        "voting_closes_at": "",
    }
    refused = await post_form(client, url, values, page=url)
    assert refused.status_code == 422 and "verrouillées" in refused.text
    await budget.refresh_from_db()
    assert budget.ballot_kind.value == "approval"


async def test_census_import_over_http(client: httpx.AsyncClient, admin: User) -> None:
    await log_in(client, admin)
    page = await client.get("/admin/residents/census")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    bad = await client.post(
        "/admin/residents/census",
        data={"csrf_token": token},
        files={
            "file": (
                "census.csv",
                b"identifiant;date_naissance;code_postal\nX;1990-13-45;44000\nY;1990-01-01;1\n",
            )
        },
    )
    assert bad.status_code == 422 and "Ligne 2" in bad.text
    assert await CensusEntry.all().count() == 0  # all or nothing
    ok = await client.post(
        "/admin/residents/census",
        data={"csrf_token": token},
        files={"file": ("census.csv", CENSUS.encode())},
    )
    assert ok.status_code == 303
    assert await CensusEntry.all().count() == 4
    again = await client.post(
        "/admin/residents/census",
        data={"csrf_token": token},
        files={"file": ("census.csv", CENSUS.encode())},
    )
    assert again.status_code == 303 and await CensusEntry.all().count() == 4


async def test_checking_a_paper_ballot_records_nothing(
    client: httpx.AsyncClient, settings: Settings, admin: User
) -> None:
    """The desk's "Check my ballot" button (and htmx updating the meter as boxes are ticked)
    shows the total; only "Record the paper ballot" records it."""
    from budgets.models import Ballot, SealedBallot
    from tests.conftest import csrf_token

    budget, projects = await budget_in_voting()
    await residents.import_census(settings, CENSUS.encode())
    await log_in(client, admin)
    desk = f"/admin/budgets/{budget.id}/paper-ballot"
    identity = {"identifier": "VB-004", "birth_date": "1975-01-30", "postcode": "44000"}
    assert (await post_form(client, desk, identity, page=desk)).status_code == 303
    page = f"{desk}/choices"
    data = {"project": [str(projects[0].id), str(projects[1].id)], "action": "preview"}
    checked = await post_form(client, page, data, page=page)
    assert checked.status_code == 303  # POST, redirect, GET: going back resends nothing
    checked = await client.get(checked.headers["location"])
    assert "2 projets choisis" in checked.text and re.search(r"70\s000\s€ sur", checked.text)
    assert "VB-004" not in checked.text  # the choices screen never shows who the resident is
    token = await csrf_token(client, page)
    meter = await client.post(
        page, data={**data, "csrf_token": token}, headers={"HX-Request": "true"}
    )
    assert meter.status_code == 200 and 'id="meter"' in meter.text
    assert "<html" not in meter.text  # the meter alone, swapped in place
    assert await Ballot.filter(budget=budget).count() == 0
    assert await SealedBallot.filter(budget=budget).count() == 0
