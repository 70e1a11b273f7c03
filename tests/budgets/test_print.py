"""A budget's printable documents: the blank paper ballot (staff) and the published results,
read back with pypdf; who may download them, and when."""

from __future__ import annotations

import httpx

from budgets import print as printable
from budgets import services
from budgets.jobs import tally_budget
from budgets.models import Budget, Phase, Project
from participation.accounts.models import User
from participation.formatting import format_money
from participation.settings import Settings
from tests.budgets.factories import budget_in_voting, budget_without_key
from tests.budgets.test_results import closed_budget, published_budget
from tests.conftest import log_in
from tests.printing import pdf_pages, pdf_text, printed


def money(amount: int) -> str:
    # "40 000 €" (U+202F, then U+00A0), as the PDF reads back (tests/printing.py)
    return printed(format_money(amount, "EUR", language="fr"))


async def test_the_paper_ballot_has_one_page_per_district_with_every_project_and_its_cost(
    app: object, settings: Settings
) -> None:
    budget, projects = await budget_in_voting()
    pages = pdf_pages(await printable.paper_ballot(budget, "Villebelle"))
    # districts: only Nord, so one section (a page here) for it, with the city-wide projects
    assert len(pages) == 1
    page = pages[0]
    assert "Villebelle" in page and "Nord" in page
    assert "Tick the projects you support." in page or "Cochez les projets" in page
    for project in projects:
        assert project.title in page
        assert money(project.cost) in page
    # the envelopes: 70 000 € for the city, 30 000 € for Nord
    assert money(70_000) in page and money(30_000) in page
    assert "40\u202f000 €" in page  # the French way, spelled out once


async def test_without_districts_the_ballot_is_one_section_and_hides_unfeasible_projects(
    app: object, settings: Settings
) -> None:
    budget, projects = await budget_without_key()
    await Project.filter(budget=budget).update(district_id=None)
    await budget.districts.all().delete()
    await Project.filter(id=projects[0].id).update(feasibility="unfeasible")
    text = pdf_text(await printable.paper_ballot(budget, "Villebelle"))
    assert projects[0].title not in text
    for project in projects[1:]:
        assert project.title in text and money(project.cost) in text
    assert money(100_000) in text


async def test_the_ballot_prints_titles_with_markup_and_accents_as_text(
    app: object, settings: Settings
) -> None:
    budget, projects = await budget_in_voting()
    title = "Œuvre <script>alert(1)</script> & café à l'été"
    await Project.filter(id=projects[0].id).update(title=title)
    assert title in pdf_text(await printable.paper_ballot(budget, "Villebelle"))


async def test_the_results_hold_winners_costs_votes_and_the_rule(
    app: object, settings: Settings
) -> None:
    budget, projects, _ = await published_budget(settings)
    text = pdf_text(await printable.results(budget, "Villebelle"))
    for project in projects.values():
        assert project.title in text
        assert money(project.cost) in text
    assert "4 ballots" in text or "4 bulletins" in text
    # the rule's explanation, and why a project was funded
    assert "the most supported first" in text or "du plus soutenu" in text
    assert "Funded" in text or "Financé" in text


async def _download(client: httpx.AsyncClient, path: str) -> httpx.Response:
    response = await client.get(path)
    if response.status_code == 200:
        assert response.headers["content-type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")
    return response


async def test_only_staff_download_the_blank_ballot(
    client: httpx.AsyncClient, citizen: User, admin: User, settings: Settings
) -> None:
    budget, projects = await budget_in_voting()
    path = f"/admin/budgets/{budget.id}/ballot.pdf"
    anonymous = await _download(client, path)
    assert anonymous.status_code == 303 and "/login" in anonymous.headers["location"]
    await log_in(client, citizen)
    assert (await _download(client, path)).status_code == 403
    await log_in(client, admin)
    response = await _download(client, path)
    assert response.status_code == 200
    assert all(p.title in pdf_text(response.content) for p in projects)
    assert (await _download(client, "/admin/budgets/999999/ballot.pdf")).status_code == 404
    admin_page = await client.get(f"/admin/budgets/{budget.id}")
    assert path in admin_page.text


async def test_the_results_download_only_once_published(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    budget, projects, _ = await closed_budget(settings)
    path = f"/budgets/{budget.id}/results.pdf"
    assert (await client.get(path)).status_code == 404  # counted, not published
    await tally_budget({}, budget.id)
    await services.switch_phase(budget.id, Phase.RESULTS, by_user=None)
    response = await _download(client, path)
    assert response.status_code == 200
    assert all(p.title in pdf_text(response.content) for p in projects.values())
    assert path in (await client.get(f"/budgets/{budget.id}/results")).text
    assert (await client.get("/budgets/999999/results.pdf")).status_code == 404


async def test_staff_get_no_results_pdf_before_publication(
    client: httpx.AsyncClient, admin: User, settings: Settings
) -> None:
    budget, _, _ = await closed_budget(settings)
    await tally_budget({}, budget.id)  # staff may preview the page, not print it
    await log_in(client, admin)
    assert (await client.get(f"/budgets/{budget.id}/results.pdf")).status_code == 404
    assert (await Budget.get(id=budget.id)).phase == Phase.TALLY


async def test_a_long_title_is_cut_in_the_chart_and_whole_in_the_table(
    app: object, settings: Settings
) -> None:
    budget, projects, _ = await published_budget(settings)
    long_title = "Rénovation complète " + "du square " * 12 + "et de ses abords"
    await Project.filter(id=projects["Skatepark"].id).update(title=long_title)
    text = pdf_text(await printable.results(budget, "Villebelle"))
    assert any(long_title[:n].rstrip() + "…" in text for n in range(10, len(long_title)))
    assert long_title in text  # the table wraps it whole
