"""The proposals list's pages by keyset in a browser (issue #23): "Page suivante" then
"Page précédente", with htmx (the list swapped in place, the address pushed) and without
JavaScript (plain links), give the same pages and numbers; the address carries a cursor."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect

from participation.accounts.models import Role
from participation.settings import Settings
from tests.browser import seeds
from tests.browser.plugin import LiveServer, mark_document, same_document

expect.set_options(timeout=15_000)


async def test_next_and_previous_pages_with_and_without_javascript(
    module_server: LiveServer, context_for: Any
) -> None:
    async def seed(settings: Settings) -> None:
        author = await seeds.someone(settings, "pages@example.org", Role.CITIZEN, "Paule")
        for n in range(45):
            await seeds.published_proposal(
                settings,
                author,
                f"Idée de quartier numéro {n:02d}",
                f"<p>Le texte de l'idée de quartier numéro {n}, assez long.</p>",
            )

    await module_server.seed(seed)
    for javascript in (True, False):
        page = await (await context_for(javascript=javascript)).new_page()
        await page.goto(module_server.url + "/proposals")
        items = page.locator("ol.proposal-list > li h2")
        await expect(items.first).to_have_text("Idée de quartier numéro 44")
        await mark_document(page)
        await page.get_by_role("link", name="Page suivante").click()
        await expect(page).to_have_url(f"{module_server.url}/proposals?page=2&after=26")
        await expect(items.first).to_have_text("Idée de quartier numéro 24")
        await expect(page.get_by_text("Page 2", exact=True)).to_be_visible()
        await page.get_by_role("link", name="Page suivante").click()
        await expect(items).to_have_count(5)
        await expect(page.get_by_role("link", name="Page suivante")).to_have_count(0)
        await page.get_by_role("link", name="Page précédente").click()
        await expect(page).to_have_url(f"{module_server.url}/proposals?page=2&before=5")
        await expect(items.first).to_have_text("Idée de quartier numéro 24")
        await expect(items).to_have_count(20)
        await page.get_by_role("link", name="Page précédente").click()
        await expect(page).to_have_url(f"{module_server.url}/proposals")
        await expect(items.first).to_have_text("Idée de quartier numéro 44")
        assert await same_document(page) is javascript  # htmx swapped the list in place
