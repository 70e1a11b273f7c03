"""The proposals list's pages by keyset in a browser (issue #23): "Page suivante" then
"Page précédente", with htmx (the list swapped in place, the address pushed) and without
JavaScript (plain links), give the same pages and numbers; the address carries a cursor. A
proposal's thread by pages: htmx adds the later comments in place, a plain link opens them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from playwright.async_api import expect
from tortoise import timezone

from participation.accounts.models import Role
from participation.comments.models import Comment
from participation.comments.queries import THREAD_PAGE
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


async def test_later_comments_are_added_with_htmx_and_a_page_without(
    module_server: LiveServer, context_for: Any
) -> None:
    async def seed(settings: Settings) -> int:
        author = await seeds.someone(settings, "fil@example.org", Role.CITIZEN, "Fil")
        proposal_id = await seeds.published_proposal(
            settings,
            author,
            "Une idée très commentée",
            "<p>Une idée dont on parle beaucoup ici.</p>",
        )
        start = timezone.now() - timedelta(days=1)
        for n in range(1, THREAD_PAGE + 6):
            await Comment.create(
                proposal_id=proposal_id, target_kind="proposal", target_id=proposal_id,
                author_id=author.id, body=f"<p>Avis numéro {n} sur l'idée</p>",
                created_at=start + timedelta(minutes=n),
            )  # fmt: skip
        return proposal_id

    proposal_id = await module_server.seed(seed)
    for javascript in (True, False):
        page = await (await context_for(javascript=javascript)).new_page()
        await page.goto(f"{module_server.url}/proposals/{proposal_id}")
        said = page.locator("#comments li.comment .richtext")
        await expect(said).to_have_count(THREAD_PAGE)
        await mark_document(page)
        await page.get_by_role("link", name="Commentaires suivants").click()
        if javascript:  # the next page added under this one, in place
            await expect(said).to_have_count(THREAD_PAGE + 5)
            await expect(said.last).to_have_text(f"Avis numéro {THREAD_PAGE + 5} sur l'idée")
            await expect(page.get_by_role("link", name="Commentaires suivants")).to_have_count(0)
            assert await same_document(page)
        else:  # the next page, with a link back
            await expect(said).to_have_count(5)
            await expect(said.first).to_have_text(f"Avis numéro {THREAD_PAGE + 1} sur l'idée")
            await page.get_by_role("link", name="Commentaires précédents").click()
            await expect(said).to_have_count(THREAD_PAGE)
