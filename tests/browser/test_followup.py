"""Follow-up in a real browser: a resident filters the public list (htmx swaps the list in
place and pushes the URL; without JavaScript the same form is a plain GET, tested in
tests/followup), and staff abandon a commitment, first forgetting the reason."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect

from followup.models import Commitment
from participation.accounts.models import Role
from participation.settings import Settings
from tests.browser.plugin import LiveServer, log_in
from tests.conftest import TEST_PASSWORD, create_user

expect.set_options(timeout=15_000)


async def _seed(settings: Settings) -> int:
    await create_user(settings, "mairie@example.org", Role.ADMIN)
    await Commitment.create(
        target_kind="proposal", target_id=1, title="Jardin partagé", status="done", progress=100
    )
    kiosk = await Commitment.create(
        target_kind="budget_project",
        target_id=2,
        title="Kiosque à musique",
        progress=30,
        status="in-progress",
    )
    return kiosk.id


async def test_filter_the_list_and_abandon_a_commitment(
    live_server: LiveServer, context_for: Any
) -> None:
    kiosk = await live_server.seed(_seed)
    live_server.start()
    page = await (await context_for()).new_page()

    await page.goto(f"{live_server.url}/followup")
    await page.evaluate("window.notReloaded = true")
    await page.get_by_label("Statut").select_option(label="Réalisé")
    await page.get_by_role("button", name="Afficher").click()
    listing = page.locator("#commitments")
    await expect(listing).to_contain_text("Jardin partagé")
    await expect(listing).not_to_contain_text("Kiosque à musique")
    await expect(page).to_have_url(f"{live_server.url}/followup?status=done&kind=&district=")
    assert await page.evaluate("window.notReloaded") is True  # swapped in place by htmx

    await log_in(page, live_server, "mairie@example.org", TEST_PASSWORD)
    await page.goto(f"{live_server.url}/admin/followup/{kiosk}")
    await page.get_by_label("Statut").select_option(label="Abandonné")
    await page.get_by_role("button", name="Enregistrer le statut").click()
    await expect(page.locator(".error-summary")).to_contain_text(
        "Dites pourquoi l’engagement est abandonné."
    )
    reason = page.get_by_label("Motif ou note")
    assert await reason.get_attribute("aria-invalid") == "true"
    await reason.fill("Le devis a triplé.")
    await page.get_by_role("button", name="Enregistrer le statut").click()
    await expect(page.locator(".flash")).to_contain_text("Enregistré")

    await page.goto(f"{live_server.url}/followup/{kiosk}")
    await expect(page.locator("main")).to_contain_text("Abandonné")
    await expect(page.locator("main")).to_contain_text("Le devis a triplé.")
