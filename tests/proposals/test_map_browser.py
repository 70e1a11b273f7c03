"""The maps in a real browser (issue #20), JavaScript on and off: the proposals', a budget's
projects' and the upcoming meetings' maps are drawn by the server, their points are links
reached with the keyboard, and the list after each map gives every place as text; the small
map of an item's page. Every page is audited by axe (and laid out at 390 and 320 px)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from playwright.async_api import expect
from tortoise import timezone

from budgets.models import Project
from meetings.domain import Format
from meetings.models import Meeting
from participation.accounts.models import Role
from participation.settings import Settings
from tests.browser import seeds
from tests.browser.plugin import Axe, LiveServer
from tests.budgets.factories import budget_in_voting
from tests.participation.proposal_factories import make_proposal

expect.set_options(timeout=15_000)


async def _places(settings: Settings) -> dict[str, int]:
    author = await seeds.someone(settings, "camille@example.org", Role.CITIZEN, "Camille")
    placed = await make_proposal(
        author,
        title="Des bancs sur la place du Marché",
        address="Place du Marché",
        latitude=47.23,
        longitude=-1.56,
    )
    await make_proposal(author, title="Un abri à vélos rue Pasteur", address="8 rue Pasteur")
    budget, projects = await budget_in_voting()
    await Project.filter(id=projects[0].id).update(
        location="Parc des Rives", latitude=47.2, longitude=-1.6
    )
    await Project.filter(id=projects[1].id).update(location="École Jules-Ferry")
    start = timezone.now() + timedelta(days=5)
    meeting = await Meeting.create(
        title="Atelier mobilités",
        format=Format.IN_PERSON,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        address="Salle des fêtes, 2 place de la Mairie",
        latitude=47.25,
        longitude=-1.52,
    )
    return {
        "proposal": placed.id,
        "budget": budget.id,
        "project": projects[0].id,
        "meeting": meeting.id,
    }


async def _follow_point(page: Any, href: str, site: str) -> None:
    point = page.locator(f'svg a[href="{href}"]')
    await expect(point).to_have_count(1)
    await point.focus()
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(f"{site}{href}")


async def test_the_maps_of_proposals_projects_and_meetings(
    live_server: LiveServer, context_for: Any, axe: Axe, javascript: bool
) -> None:
    ids = await live_server.seed(_places)
    live_server.start()
    site = live_server.url
    page = await (await context_for(javascript=javascript)).new_page()

    await page.goto(f"{site}/proposals")
    await page.get_by_role("link", name="Voir les propositions sur une carte").click()
    await expect(page.locator("h1")).to_have_text("Carte des propositions")
    await expect(page.locator(".map-list")).to_contain_text("8 rue Pasteur")
    await axe.check(page, "proposals map")
    await _follow_point(page, f"/proposals/{ids['proposal']}", site)
    await expect(page.locator(".place-map-small")).to_be_visible()
    await expect(page.locator("main")).to_contain_text("Place du Marché")

    await page.goto(f"{site}/budgets/{ids['budget']}")
    await page.get_by_role("link", name="Voir les projets sur une carte").click()
    await expect(page.locator("h1")).to_have_text("Carte des projets")
    await expect(page.locator(".map-list")).to_contain_text("École Jules-Ferry")
    await axe.check(page, "projects map")
    await _follow_point(page, f"/budgets/{ids['budget']}/projects/{ids['project']}", site)
    await expect(page.locator(".place-map-small")).to_be_visible()

    await page.goto(f"{site}/meetings")
    await page.get_by_role("link", name="Voir les prochaines réunions sur une carte").click()
    await expect(page.locator("h1")).to_have_text("Carte des prochaines réunions")
    await axe.check(page, "meetings map")
    await _follow_point(page, f"/meetings/{ids['meeting']}", site)
    await expect(page.locator(".place-map-small")).to_be_visible()
    await axe.check(page, "meeting page with its map")
