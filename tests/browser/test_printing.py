"""Printing in Chromium. Staff print a budget's blank paper ballot from its Administration page
(the PDF, read back with pypdf, has every project and its cost). The print stylesheet
(static/css/app.css, `@media print`): a budget page and a proposal page printed (Chromium's own
PDF) keep their content and lose the menu, the language switch, the footer's links, forms and
buttons; an external link's address is printed after it. JavaScript off: printing needs none."""

from __future__ import annotations

import re
from typing import Any

import pytest_asyncio

from participation.accounts.models import Role
from participation.formatting import format_money
from participation.settings import Settings
from tests.browser import seeds
from tests.browser.plugin import LiveServer, signed_in
from tests.budgets.factories import budget_in_voting
from tests.printing import pdf_text, printed

LINK = "https://www.service-public.fr/particuliers"


async def _seed(settings: Settings) -> dict[str, int]:
    await seeds.someone(settings, "mairie@example.org", Role.ADMIN, "Mairie")
    budget, _ = await budget_in_voting()
    author = await seeds.someone(settings, "camille@example.org", name="Camille")
    proposal = await seeds.published_proposal(
        settings,
        author,
        "Des arceaux à vélo devant l'école",
        f"Voir [le guide des démarches]({LINK}) pour les vélos.",  # Markdown, as residents type
    )
    return {"budget": budget.id, "proposal": proposal}


@pytest_asyncio.fixture(loop_scope="session")
async def town(live_server: LiveServer) -> dict[str, int]:
    ids = await live_server.seed(_seed)
    live_server.start()
    return dict(ids)


async def _printed(context_for: Any, url: str) -> tuple[Any, str]:
    context = await context_for(javascript=False)
    page = await context.new_page()
    await page.goto(url)
    await page.emulate_media(media="print")
    return page, pdf_text(await page.pdf(format="A4"))


async def _hidden(page: Any, selector: str) -> bool:
    return bool(
        await page.locator(selector).evaluate_all(
            "nodes => nodes.every(n => getComputedStyle(n).display === 'none')"
        )
    )


async def test_a_budget_page_prints_its_projects_without_menu_or_buttons(
    live_server: LiveServer, town: dict[str, int], context_for: Any
) -> None:
    page, text = await _printed(context_for, f"{live_server.url}/budgets/{town['budget']}")
    assert "Budget participatif 2026" in text
    for title in ("Jardin partagé", "Piste cyclable", "Skatepark", "Fontaine"):
        assert title in text
    for screen_only in ("Se connecter", "Changer", "Aller au contenu", "Filtrer"):
        assert screen_only not in text
    for selector in (".main-nav", ".language-switch", ".site-footer nav", "form", ".button"):
        assert await _hidden(page, selector), selector
    assert await page.locator(".site-name").is_visible()


async def test_a_proposal_page_prints_its_text_and_external_addresses(
    live_server: LiveServer, town: dict[str, int], context_for: Any
) -> None:
    page, text = await _printed(context_for, f"{live_server.url}/proposals/{town['proposal']}")
    assert "Des arceaux à vélo devant" in text
    assert "le guide des démarches" in text
    assert LINK in text.replace(" ", "")  # the address, printed after the link (may wrap)
    assert "Se connecter" not in text and "Changer" not in text
    after = await page.locator(f'main a[href="{LINK}"]').evaluate(
        "a => getComputedStyle(a, '::after').content"
    )
    assert LINK in after
    internal = await page.locator("main a[href^='/']").first.evaluate(
        "a => getComputedStyle(a, '::after').content"
    )
    assert internal in ("none", "normal", "")


async def test_staff_print_the_blank_paper_ballot_from_the_budgets_page(
    live_server: LiveServer, town: dict[str, int], context_for: Any
) -> None:
    page = await signed_in(
        context_for, live_server, "mairie@example.org", f"/admin/budgets/{town['budget']}"
    )
    link = page.get_by_role("link", name="Imprimer le bulletin papier vierge (PDF)")
    response = await page.request.get(live_server.url + await link.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = pdf_text(await response.body())
    projects = {
        "Jardin partagé": 40_000,
        "Piste cyclable": 30_000,
        "Skatepark": 50_000,
        "Bancs du parc Nord": 20_000,
        "Fontaine": 5_000,
    }
    for title, cost in projects.items():
        assert title in text and printed(format_money(cost, "EUR", language="fr")) in text
    assert "Cochez les projets que vous soutenez." in text  # the rule, in French


async def _voter(settings: Settings) -> dict[str, int]:
    budget, _ = await seeds.voter_at_budget(settings, "votante@example.org")
    return {"budget": budget.id}


async def test_the_receipt_prints_the_whole_address_of_the_check_page(
    live_server: LiveServer, town: dict[str, int], context_for: Any
) -> None:
    budget = (await live_server.seed(_voter))["budget"]
    page = await signed_in(
        context_for,
        live_server,
        "votante@example.org",
        f"/budgets/{budget}/ballot",
        javascript=False,
    )
    await page.get_by_label(re.compile("Jardin partagé")).check()
    await page.get_by_role("button", name="Voter").click()
    await page.wait_for_url(re.compile(r".*/ballot/receipt$"))
    link = page.get_by_role("link", name="Vérifier mon bulletin")
    address = await link.get_attribute("href")
    assert (
        address
        and address.startswith("http")
        and address.endswith(f"/budgets/{budget}/receipt-check")
    )
    await page.emulate_media(media="print")
    text = pdf_text(await page.pdf(format="A4"))
    assert re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", text)  # the code itself
    assert address in text.replace(" ", "")  # the check page's address, in full on paper
