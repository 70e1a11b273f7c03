"""Participatory spaces in a real browser: staff create a space with an image (first with its
end before its start), add the vote to its timeline, and a visitor sees it on the home page with
the vote's deadline, then its page with the current step highlighted. Every page is audited by
axe (which also lays it out at 390 and 320 px), at 390 and 1280 px wide."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
import pytest_asyncio
from PIL import Image
from playwright.async_api import expect
from tortoise import timezone

from participation import formatting
from participation.accounts.models import Role
from participation.settings import Settings
from tests.browser import seeds
from tests.browser.plugin import Axe, LiveServer, signed_in

expect.set_options(timeout=15_000)


async def _seed(settings: Settings) -> None:
    await seeds.someone(settings, "mairie@example.org", Role.ADMIN, "Mairie")


@pytest_asyncio.fixture(loop_scope="session")
async def server(live_server: LiveServer) -> LiveServer:
    await live_server.seed(_seed)
    live_server.start()
    return live_server


def _drawing() -> dict[str, Any]:
    out = io.BytesIO()
    Image.new("RGB", (1600, 900), "teal").save(out, "PNG")
    return {"name": "kiosque.png", "mimeType": "image/png", "buffer": out.getvalue()}


@pytest.mark.parametrize("width", [390, 1280])
async def test_staff_create_a_space_and_a_visitor_sees_it_on_the_home_page(
    server: LiveServer, context_for: Any, axe: Axe, width: int
) -> None:
    now = timezone.now()
    page = await signed_in(
        context_for,
        server,
        "mairie@example.org",
        "/admin/spaces",
        javascript=False,
        viewport={"width": width, "height": 900},
    )
    await axe.check(page)
    await page.get_by_role("link", name="Créer une démarche").click()
    await axe.check(page, "new")
    await page.get_by_label("Titre").fill("Budget participatif 2027")
    await page.get_by_label("Résumé").fill("Votez pour les projets de vos quartiers.")
    await page.get_by_label("Fichier de l’image").set_input_files(_drawing())
    await page.get_by_label("Alternative textuelle de l’image").fill("Un kiosque dessiné")
    await page.get_by_label("Ouverture").fill(formatting.input_value(now - timedelta(days=30)))
    await page.get_by_label("Clôture").fill(formatting.input_value(now - timedelta(days=31)))
    await page.get_by_label("Publiée (visible du public)").check()
    await page.get_by_role("button", name="Créer la démarche").click()
    await expect(page.locator(".error-summary")).to_contain_text(
        "La fin doit venir après le début."
    )
    closes = page.get_by_label("Clôture")
    assert await closes.get_attribute("aria-invalid") == "true"
    await axe.check(page, "refused")
    await closes.fill(formatting.input_value(now + timedelta(days=60)))
    await page.get_by_label("Fichier de l’image").set_input_files(_drawing())  # chosen again
    await page.get_by_role("button", name="Créer la démarche").click()
    await expect(page.locator(".flash")).to_contain_text("La démarche est créée.")
    await axe.check(page, "edit")

    await page.get_by_role("link", name="Ajouter une étape").click()
    await axe.check(page, "new step")
    deadline = (now + timedelta(days=10)).replace(second=0, microsecond=0)
    await page.get_by_label("Titre de l’étape").fill("Vote")
    await page.get_by_label("Début").fill(formatting.input_value(now - timedelta(days=2)))
    await page.get_by_label("Fin").fill(formatting.input_value(deadline))
    await page.get_by_role("button", name="Enregistrer l’étape").click()
    await expect(page.locator(".flash")).to_contain_text("L’étape est enregistrée.")
    await page.get_by_role("link", name="Vote", exact=True).click()
    await axe.check(page, "step")

    visitor = await (await context_for(viewport={"width": width, "height": 900})).new_page()
    await visitor.goto(server.url + "/")
    sentence = f"Vote jusqu’au {formatting.format_deadline(deadline, 'fr')}"
    await expect(visitor.locator("main")).to_contain_text(sentence)
    await axe.check(visitor, "home")
    await visitor.get_by_role("link", name="Budget participatif 2027").click()
    # the image's renditions (participation/pictures), its box held before it arrives
    image = visitor.locator("main .visual-page img.picture")
    await expect(image).to_have_attribute("alt", "Un kiosque dessiné")
    assert " 400w" in (await image.get_attribute("srcset") or "")
    assert await image.get_attribute("width") and await image.get_attribute("height")
    assert await image.evaluate("i => i.decode().then(() => i.naturalWidth)") > 0  # served
    await expect(visitor.locator("[aria-current='step']")).to_contain_text("Vote")
    await axe.check(visitor, "space")
    await visitor.get_by_role("link", name="Démarches participatives").first.click()
    await expect(visitor.locator("#spaces-open + ul")).to_contain_text("Budget participatif 2027")
    await axe.check(visitor, "list")
    axe.finish()
