"""The evaluator of a space's budget projects in a real browser, without JavaScript (issue #18):
from the header's « Évaluer des projets », the list of their space's budgets, then a budget's
projects; a project said not feasible without a reason is refused with the field marked, then
saved with it. Every state is audited by axe, at 390 and 1280 px wide."""

from __future__ import annotations

from typing import Any

import pytest
import pytest_asyncio
from playwright.async_api import expect

from budgets.models import Budget, Feasibility, Project
from participation.people.models import SpaceRole
from participation.settings import Settings
from tests.browser import seeds
from tests.browser.plugin import Axe, LiveServer, signed_in
from tests.spaces.factories import space_open_with_a_vote

expect.set_options(timeout=15_000)


async def _seed(settings: Settings) -> None:
    space = await space_open_with_a_vote()
    budget_id = await seeds.budget_in_review("Budget des écoles")
    await Budget.filter(id=budget_id).update(space_id=space.id)
    await Project.filter(budget_id=budget_id).update(feasibility=Feasibility.PENDING)
    eva = await seeds.someone(settings, "eva@example.org", name="Eva Évaluatrice")
    await SpaceRole.create(user=eva, space=space, role="evaluator")


@pytest_asyncio.fixture(loop_scope="session")
async def server(live_server: LiveServer) -> LiveServer:
    await live_server.seed(_seed)
    live_server.start()
    return live_server


@pytest.mark.parametrize("width", [390, 1280])
async def test_an_evaluator_reviews_a_project_of_their_spaces_budget(
    server: LiveServer, context_for: Any, axe: Axe, width: int
) -> None:
    page = await signed_in(
        context_for,
        server,
        "eva@example.org",
        "/",
        javascript=False,
        viewport={"width": width, "height": 900},
    )
    if width < 768:  # a phone's menu is a disclosure, closed
        await page.get_by_text("Menu", exact=True).click()
    await page.get_by_role("link", name="Évaluer des projets").click()
    await expect(page.locator("h1")).to_have_text("Évaluer des projets")
    await expect(page.locator("main")).to_contain_text("2 projets attendent leur évaluation")
    await axe.check(page, f"list {width}")
    await page.get_by_role("link", name="Budget des écoles").click()
    await expect(page.locator("h1")).to_have_text("Budget des écoles")
    await axe.check(page, f"projects {width}")

    project = page.locator("section.review").filter(has_text="Piste cyclable")
    await project.get_by_label("Faisabilité").select_option("unfeasible")
    await project.get_by_role("button", name="Enregistrer l’analyse").click()
    reason = (
        page.locator("section.review")
        .filter(has_text="Piste cyclable")
        .get_by_label("Motif public")
    )
    await expect(reason).to_have_attribute("aria-invalid", "true")
    await expect(page.locator(".error-summary")).to_contain_text("Expliquez publiquement")
    await axe.check(page, f"refused {width}")
    await page.screenshot(path=f"/tmp/evaluation-refused-{width}.png", full_page=True)
    await reason.fill("La rue est trop étroite pour une piste protégée.")
    section = page.locator("section.review").filter(has_text="Piste cyclable")
    await section.get_by_role("button", name="Enregistrer l’analyse").click()
    await expect(page.locator(".flash")).to_contain_text("L’analyse est enregistrée")
    await expect(page.locator("section.review").filter(has_text="Piste cyclable")).to_contain_text(
        "Non réalisable"
    )
    await axe.check(page, f"saved {width}")
    await page.screenshot(path=f"/tmp/evaluation-saved-{width}.png", full_page=True)
