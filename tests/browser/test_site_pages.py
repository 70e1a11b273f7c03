"""Content pages in a real browser, JavaScript on and off (issue #18): staff edit the legal
notice (refused empty first), a visitor reads it from the footer of the home page; two tabs
edit the same page and the second is told; new conditions of use are accepted at the next
sign-in (refused unticked first). Every page is audited by axe (and laid out at phone
widths)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import expect

from participation.accounts.models import Role
from participation.settings import Settings
from tests.browser import seeds
from tests.browser.conftest import Axe, LiveServer, log_in
from tests.conftest import TEST_PASSWORD

expect.set_options(timeout=15_000)
NOTICE = "Ville de Villebelle-sur-Loire, hôtel de ville, 1 place de la Mairie."


async def _seed(settings: Settings) -> None:
    await seeds.someone(settings, "mairie@example.org", Role.ADMIN, "Service démocratie")
    await seeds.someone(settings, "camille@example.org", name="Camille")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
async def test_staff_edit_a_page_that_visitors_read_from_the_footer(
    live_server: LiveServer, context_for: Any, axe: Axe, javascript: bool
) -> None:
    await live_server.seed(_seed)
    live_server.start()
    site = live_server.url
    staff = await (await context_for(javascript=javascript)).new_page()
    await log_in(staff, live_server, "mairie@example.org", TEST_PASSWORD)

    # --- staff: the list, then the legal notice, refused empty, then published
    await staff.get_by_role("link", name="Administration").click()
    for link in ("Pages d’information", "Modifier\u00a0: Mentions légales"):
        await staff.get_by_role("link", name=link).click()
        await axe.check(staff)
    await staff.get_by_label("Texte en français").fill("  ")
    await staff.get_by_role("button", name="Publier une nouvelle version").click()
    await expect(staff.locator(".error-summary")).to_contain_text("Écrivez le texte de la page")
    await expect(staff.get_by_label("Texte en français")).to_have_attribute("aria-invalid", "true")
    await axe.check(staff, "refused")
    await staff.get_by_label("Texte en français").fill(f"<h2>Éditeur du site</h2><p>{NOTICE}</p>")
    await staff.get_by_role("button", name="Publier une nouvelle version").click()
    await expect(staff.locator(".flash")).to_contain_text("La version 2 est publiée.")
    await staff.get_by_role("link", name="Historique").first.click()
    await expect(staff.locator("main")).to_contain_text("Service démocratie")
    await axe.check(staff)
    await staff.get_by_role("link", name="Lire la version 1").click()
    await expect(staff.locator("main")).to_contain_text("Directeur ou directrice de la publication")
    await axe.check(staff)

    # --- a visitor: the footer of the home page leads to each page
    visitor = await (await context_for(javascript=javascript)).new_page()
    await visitor.goto(site + "/")
    await visitor.get_by_role("contentinfo").get_by_role("link", name="Mentions légales").click()
    await expect(visitor.get_by_role("heading", level=1)).to_have_text("Mentions légales")
    await expect(visitor.locator("main")).to_contain_text(NOTICE)
    await axe.check(visitor)
    for name, heading in (
        ("Accessibilité\u00a0: non conforme", "Accessibilité"),
        ("Données personnelles", "Données personnelles"),
        ("Conditions d’utilisation", "Conditions d’utilisation"),
        ("Comment participer", "Comment participer"),
    ):
        await visitor.get_by_role("contentinfo").get_by_role("link", name=name).click()
        await expect(visitor.get_by_role("heading", level=1)).to_have_text(heading)
        await axe.check(visitor)

    # --- two tabs edit the conditions of use: the second save is told about the first
    first, second = staff, await staff.context.new_page()
    for tab in (first, second):
        await tab.goto(site + "/admin/pages/conditions-utilisation")
    await first.get_by_label("Texte en français").fill("<p>Conditions, version de la mairie.</p>")
    await first.get_by_role("button", name="Publier une nouvelle version").click()
    await expect(first.locator(".flash")).to_contain_text("La version 2 est publiée.")
    await second.get_by_label("Texte en français").fill("<p>Conditions, autre version.</p>")
    await second.get_by_role("button", name="Publier une nouvelle version").click()
    await expect(second.locator(".error-summary")).to_contain_text("a publié la version 2")
    await expect(second.get_by_label("Texte en français")).to_have_value(
        "<p>Conditions, autre version.</p>"
    )
    await expect(second.locator(".their-version")).to_contain_text("version de la mairie")
    await axe.check(second, "conflict")

    # --- a resident who accepted version 1 is asked to accept version 2 at sign-in
    camille = await (await context_for(javascript=javascript)).new_page()
    await log_in(
        camille, live_server, "camille@example.org", TEST_PASSWORD, "/account/conditions?next=%2F"
    )
    await expect(camille.locator("main")).to_contain_text("ont changé (version 2)")
    await axe.check(camille)
    await camille.get_by_role("button", name="Continuer").click()
    await expect(camille.get_by_label("J’accepte les conditions d’utilisation")).to_have_attribute(
        "aria-invalid", "true"
    )
    await axe.check(camille, "refused")
    await camille.get_by_label("J’accepte les conditions d’utilisation").check()
    await camille.get_by_role("button", name="Continuer").click()
    await expect(camille.locator(".flash")).to_contain_text("vous avez accepté les conditions")
    assert camille.url == site + "/"
