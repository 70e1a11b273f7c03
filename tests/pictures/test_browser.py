"""A proposal with an image in a real browser, without JavaScript, at 390 and 1280 px: the
resident chooses a file but forgets its text alternative (422, the field marked, the file to
choose again), then saves; the proposal's page shows the image loaded (never a broken box),
the list shows it beside the card and the pattern of the category for a proposal without one.
Every state is audited by axe (which also lays the page out at 390 and 320 px)."""

from __future__ import annotations

import io
from typing import Any

import pytest
import pytest_asyncio
from PIL import Image, ImageDraw
from playwright.async_api import expect

from participation.settings import Settings
from tests.browser import seeds
from tests.browser.plugin import Axe, LiveServer, signed_in
from tests.participation.proposal_factories import make_territory

expect.set_options(timeout=15_000)


async def _seed(settings: Settings) -> None:
    author = await seeds.someone(settings, "habitante@example.org", name="Camille")
    await make_territory()
    await seeds.published_proposal(settings, author, "Des bancs place du marché")


@pytest_asyncio.fixture(loop_scope="session")
async def server(live_server: LiveServer) -> LiveServer:
    await live_server.seed(_seed)
    live_server.start()
    return live_server


def _drawing() -> dict[str, Any]:
    image = Image.new("RGB", (1600, 900), "#cde7f0")
    ImageDraw.Draw(image).ellipse((500, 200, 1100, 800), fill="#2f7d5b")
    out = io.BytesIO()
    image.save(out, "PNG")
    return {"name": "composteur.png", "mimeType": "image/png", "buffer": out.getvalue()}


@pytest.mark.parametrize("width", [390, 1280])
async def test_a_resident_adds_an_image_to_a_proposal(
    server: LiveServer, context_for: Any, axe: Axe, width: int
) -> None:
    page = await signed_in(
        context_for,
        server,
        "habitante@example.org",
        "/proposals/new",
        javascript=False,
        viewport={"width": width, "height": 900},
    )
    title = f"Un composteur partagé au square ({width})"
    await page.get_by_label("Titre").fill(title)
    await page.get_by_label("Description").fill("Installer un composteur au square des Tilleuls.")
    await page.get_by_label("Catégorie").select_option(label="Mobilité")
    await page.get_by_label("Quartier").select_option(label="Centre-ville")
    await page.get_by_label("Fichier de l’image").set_input_files(_drawing())
    await page.get_by_role("button", name="Enregistrer le brouillon").click()
    await expect(page.locator(".error-summary")).to_contain_text("Décrivez l’image")
    alt = page.get_by_label("Alternative textuelle de l’image")
    assert await alt.get_attribute("aria-invalid") == "true"
    await expect(page.locator("#image-hint")).to_contain_text("choisissez-le à nouveau")
    await expect(page.get_by_label("Titre")).to_have_value(title)  # what was typed is kept
    await axe.check(page, "image refused")
    await alt.fill("Un composteur en bois sous les arbres")
    await page.get_by_label("Fichier de l’image").set_input_files(_drawing())
    await page.get_by_role("button", name="Enregistrer le brouillon").click()
    await expect(page.locator(".flash")).to_be_visible()
    image = page.get_by_role("img", name="Un composteur en bois sous les arbres")
    await expect(image).to_be_visible()
    await expect(image).to_have_js_property("complete", True)
    assert await image.evaluate("i => i.naturalWidth > 0")  # loaded, not broken
    assert await image.get_attribute("loading") == "eager"
    await axe.check(page, "proposal with an image")
    async with page.expect_navigation():  # published before the list is asked
        await page.get_by_role("button", name="Publier").click()
    await page.goto(f"{server.url}/proposals")
    card = page.locator("li.proposal-item", has_text=title)
    thumbnail = card.get_by_role("img", name="Un composteur en bois sous les arbres")
    assert await thumbnail.get_attribute("loading") == "lazy"
    other = page.locator("li.proposal-item", has_text="Des bancs place du marché")
    pattern = other.locator("img.illustration")
    await expect(pattern).to_have_count(1)
    await pattern.scroll_into_view_if_needed()
    await expect(pattern).to_have_js_property("complete", True)
    assert await pattern.evaluate("i => i.naturalWidth > 0")  # drawn, never a broken box
    assert await pattern.get_attribute("alt") == ""  # decorative
    await axe.check(page, "list with an image and a pattern")
    box = await other.locator(".visual").bounding_box()
    assert box is not None and box["width"] > 50 and box["height"] > 30
