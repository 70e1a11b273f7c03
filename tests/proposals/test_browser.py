"""Proposals collections in a real browser, without JavaScript: staff create a collection in a
space (first with a threshold of 0), change it; a resident then proposes (the form says which
collection it goes into, and offers the categories staff ticked) and sees it on the space's
page; staff then move it to another space and delete it. Every page is audited by axe (which
also lays it out at 390 and 320 px), at 390 and 1280 px wide."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import pytest_asyncio
from playwright.async_api import expect
from tortoise import timezone

from participation.accounts.models import Role
from participation.settings import Settings
from participation.spaces.models import Space
from participation.territory import Category
from tests.browser import seeds
from tests.browser.plugin import Axe, LiveServer, signed_in

expect.set_options(timeout=15_000)


async def _seed(settings: Settings) -> None:
    await seeds.someone(settings, "mairie@example.org", Role.ADMIN, "Mairie")
    await seeds.someone(settings, "habitante@example.org", Role.CITIZEN, "Habitante")
    for name, slug in (("Mobilité", "mobilite"), ("Nature en ville", "nature")):
        await Category.create(name=name, slug=slug)
    for title, slug in (("Boîte à idées", "boite-a-idees"), ("Quartier Nord", "quartier-nord")):
        await Space.create(
            title=title, slug=slug, starts_at=timezone.now() - timedelta(days=3), published=True
        )


@pytest_asyncio.fixture(loop_scope="session")
async def server(live_server: LiveServer) -> LiveServer:
    await live_server.seed(_seed)
    live_server.start()
    return live_server


@pytest.mark.parametrize("width", [390, 1280])
async def test_staff_open_a_collection_and_a_resident_proposes_in_it(
    server: LiveServer, context_for: Any, axe: Axe, width: int
) -> None:
    title = f"Idées {width}"
    page = await signed_in(
        context_for,
        server,
        "mairie@example.org",
        "/admin/collections",
        javascript=False,
        viewport={"width": width, "height": 900},
    )
    await axe.check(page)
    await page.get_by_role("link", name="Créer une collection").click()
    await axe.check(page, "new")
    await page.get_by_label("Titre").fill(title)
    await page.get_by_label("Démarche participative").select_option(label="Boîte à idées")
    await page.get_by_label("Soutiens nécessaires à une proposition").fill("0")
    await page.get_by_role("button", name="Créer la collection").click()
    await expect(page.locator(".error-summary")).to_contain_text("Saisissez un nombre entier")
    threshold = page.get_by_label("Soutiens nécessaires à une proposition")
    assert await threshold.get_attribute("aria-invalid") == "true"
    await axe.check(page, "refused")
    await threshold.fill("25")
    await page.get_by_label("Modérée a priori").check()
    await page.get_by_label("Nature en ville").check()  # its categories: this one only
    await page.get_by_role("button", name="Créer la collection").click()
    await expect(page.locator(".flash")).to_contain_text("La collection est créée.")
    await axe.check(page, "edit")
    await page.get_by_label("Les habitants peuvent proposer des amendements").uncheck()
    await page.get_by_role("button", name="Enregistrer").click()
    await expect(page.locator(".flash")).to_contain_text("La collection est enregistrée.")

    resident = await signed_in(
        context_for,
        server,
        "habitante@example.org",
        "/proposals/new",
        javascript=False,
        viewport={"width": width, "height": 900},
    )
    # in the collection (named), or asked for among the open ones (the other width's too)
    await expect(resident.locator("main form")).to_contain_text(title)
    await expect(resident.get_by_label("Catégorie")).to_contain_text("Nature en ville")
    await axe.check(resident, "proposal form")
    await resident.goto(server.url + "/demarches/boite-a-idees")
    await expect(resident.locator("main")).to_contain_text(title)
    await axe.check(resident, "space")

    # staff move it to another space, then delete it (it holds no proposal): each page audited
    await page.get_by_role(
        "link", name="Déplacer vers une autre démarche, avec ses propositions"
    ).click()
    await axe.check(page, "move")
    await page.get_by_label("Nouvelle démarche participative").select_option(label="Quartier Nord")
    await page.get_by_role("button", name="Déplacer la collection").click()
    await expect(page.locator(".flash")).to_contain_text("La collection est déplacée")
    await page.get_by_role("link", name="Supprimer la collection").click()
    await axe.check(page, "delete")
    await page.get_by_role("button", name="Supprimer définitivement la collection").click()
    await expect(page.locator(".flash")).to_contain_text("La collection est supprimée.")
    axe.finish()
