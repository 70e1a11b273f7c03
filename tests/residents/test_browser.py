"""Verified residents in a real browser, without JavaScript (issue #19): staff at the desk find a
person by name, open their record and withdraw the verification with a reason; the resident
reads it. Every state of the pages is audited by axe."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect

from participation.accounts.models import Role
from participation.settings import Settings
from tests.browser import seeds
from tests.browser.plugin import Axe, LiveServer, log_in
from tests.budgets.factories import verified
from tests.conftest import TEST_PASSWORD

expect.set_options(timeout=15_000)


async def _seed(settings: Settings) -> None:
    await seeds.someone(settings, "mairie@example.org", Role.ADMIN, "Service démocratie")
    marie = await seeds.someone(settings, "marie@example.org", name="Marie Dupont")
    await verified(settings, marie)
    await seeds.someone(settings, "paul@example.org", name="Paul Martin")


async def test_the_desk_withdraws_a_verification_and_the_resident_reads_why(
    live_server: LiveServer, context_for: Any, axe: Axe
) -> None:
    await live_server.seed(_seed)
    live_server.start()
    staff = await (await context_for(javascript=False)).new_page()
    await log_in(staff, live_server, "mairie@example.org", TEST_PASSWORD)
    await staff.get_by_role("link", name="Administration").click()
    await staff.get_by_role("link", name="Habitants vérifiés").click()
    await axe.check(staff)
    await staff.get_by_label("Nom ou adresse e-mail").fill("dupont")
    await staff.get_by_role("button", name="Rechercher").click()
    await expect(staff.locator("tbody")).to_contain_text("Habitant vérifié")
    await axe.check(staff, "found")
    await staff.get_by_role("link", name="Marie Dupont").click()
    await expect(staff.locator("main")).to_contain_text("Registre de la commune")
    await axe.check(staff)
    await staff.get_by_role("button", name="Retirer la vérification").click()
    await expect(staff.get_by_label("Motif (l’habitant le lit)")).to_have_attribute(
        "aria-invalid", "true"
    )
    await axe.check(staff, "refused")
    await staff.get_by_label("Motif (l’habitant le lit)").fill("Adresse hors de la commune")
    await staff.get_by_role("button", name="Retirer la vérification").click()
    await expect(staff.locator(".flash")).to_contain_text("La vérification est retirée")
    await expect(staff.locator("main")).to_contain_text("Vérification retirée")

    marie = await (await context_for(javascript=False)).new_page()
    await log_in(marie, live_server, "marie@example.org", TEST_PASSWORD)
    await marie.goto(live_server.url + "/account/residency")
    await expect(marie.locator("main")).to_contain_text("Adresse hors de la commune")
    await axe.check(marie, "withdrawn")


async def test_an_agent_records_a_proof_of_address_at_the_desk(
    live_server: LiveServer, context_for: Any, axe: Axe
) -> None:
    """An address outside the town is refused, saying so; then the proof is recorded."""
    await live_server.seed(_seed)
    live_server.start()
    staff = await (await context_for(javascript=False)).new_page()
    await log_in(staff, live_server, "mairie@example.org", TEST_PASSWORD)
    await staff.goto(live_server.url + "/admin/residents?q=paul")
    await staff.get_by_role("link", name="Paul Martin").click()
    await expect(staff.locator("main")).to_contain_text("Non vérifié")
    await staff.get_by_label("Justificatif de domicile vérifié").select_option("rent_receipt")
    await staff.get_by_label("Quartier de l’adresse").select_option("outside")
    await staff.get_by_label("Date de naissance (sur la pièce d’identité)").fill("1990-04-01")
    await staff.get_by_role("button", name="Enregistrer la vérification").click()
    await expect(staff.locator(".error-summary")).to_contain_text("en dehors de la commune")
    await expect(staff.get_by_label("Quartier de l’adresse")).to_have_attribute(
        "aria-invalid", "true"
    )
    await axe.check(staff, "outside the town")
    await staff.get_by_label("Quartier de l’adresse").select_option("Sud")
    await staff.get_by_role("button", name="Enregistrer la vérification").click()
    await expect(staff.locator(".flash")).to_contain_text("cette personne est un habitant vérifié")
    await expect(staff.locator("main")).to_contain_text("Quittance de loyer ou bail, par")
    await axe.check(staff, "recorded")
