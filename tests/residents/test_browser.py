"""Verified residents in a real browser, without JavaScript (issue #19): staff at the desk find a
person by name, open their record and withdraw the verification with a reason; the resident
reads it. Every state of the pages is audited by axe."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from playwright.async_api import expect
from tortoise import timezone

from participation.accounts.models import Role
from participation.residents import letters
from participation.residents import services as residents
from participation.residents.census import census_key
from participation.residents.methods import letter
from participation.residents.models import LetterCode
from participation.settings import Settings
from tests.browser import seeds
from tests.browser.plugin import Axe, LiveServer, log_in
from tests.budgets.factories import CENSUS, verified
from tests.conftest import TEST_PASSWORD
from tests.residents.test_verification import ADDRESS

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
    """An address outside the town is refused, saying so; in a town with a census file, so is
    a form with neither the register's details nor the box "not on the register"; then the
    proof is recorded."""
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
    # a town with a census file: the register's details or the agent's word (issue #19)
    await expect(staff.locator(".error-summary")).to_contain_text("Saisissez l’identifiant lu")
    await expect(staff.get_by_label("Identifiant au registre")).to_have_attribute(
        "aria-invalid", "true"
    )
    await axe.check(staff, "neither the register nor the box")
    await staff.get_by_label("Cette personne ne figure pas au registre de la commune").check()
    await staff.get_by_role("button", name="Enregistrer la vérification").click()
    await expect(staff.locator(".flash")).to_contain_text("cette personne est un habitant vérifié")
    await expect(staff.locator("main")).to_contain_text("Quittance de loyer ou bail, par")
    await axe.check(staff, "recorded")


CODE = "K7MQ2XPR4W"


async def _seed_letters(settings: Settings) -> None:
    await seeds.someone(settings, "mairie@example.org", Role.ADMIN, "Service démocratie")
    await residents.import_census(settings, CENSUS.encode())  # the districts Nord and Sud
    lea = await seeds.someone(settings, "lea@example.org", name="Léa")
    await letters.save_address(settings, lea, {**ADDRESS, "recipient": "Léa Martin"})
    paul = await seeds.someone(settings, "paul@example.org", name="Paul Martin")
    await letters.save_address(settings, paul, {**ADDRESS, "recipient": "Paul Martin"})
    await LetterCode.create(  # as printed by /admin/residents/letters (test_verification.py)
        user=paul,
        code_hash=letter.code_hash(census_key(settings.secret_key), paul.id, CODE),
        printed_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=letter.CODE_DAYS),
    )


async def test_a_resident_gives_an_address_then_types_the_letters_code(
    live_server: LiveServer, context_for: Any, axe: Axe
) -> None:
    await live_server.seed(_seed_letters)
    live_server.start()
    staff = await (await context_for(javascript=False)).new_page()
    await log_in(staff, live_server, "mairie@example.org", TEST_PASSWORD)
    await staff.goto(live_server.url + "/admin/residents")
    await staff.get_by_role("link", name="Courriers de vérification").click()
    await expect(staff.locator("main")).to_contain_text("1 courrier attend d’être imprimé")
    await axe.check(staff)

    lea = await (await context_for(javascript=False)).new_page()
    await log_in(lea, live_server, "lea@example.org", TEST_PASSWORD)
    await lea.goto(live_server.url + "/account/verification")
    await expect(lea.locator("main")).to_contain_text("Votre adresse est enregistrée")
    await axe.check(lea, "address saved")
    await lea.get_by_text("Modifier mon adresse postale").click()
    await lea.get_by_label("Code postal").fill("440")
    await lea.get_by_role("button", name="Enregistrer mon adresse").click()
    await expect(lea.get_by_label("Code postal")).to_have_attribute("aria-invalid", "true")
    await axe.check(lea, "refused address")

    paul = await (await context_for(javascript=False)).new_page()
    await log_in(paul, live_server, "paul@example.org", TEST_PASSWORD)
    await paul.goto(live_server.url + "/account/verification")
    code = paul.get_by_label("Code du courrier")
    await code.fill("AAAAA AAAAA")
    await paul.get_by_role("button", name="Confirmer le code").click()
    await expect(code).to_have_attribute("aria-invalid", "true")
    await expect(paul.locator(".error-summary")).to_contain_text("Essais restants")
    await axe.check(paul, "wrong code")
    await paul.get_by_label("Code du courrier").fill("k7mq2 xpr4w")
    await paul.get_by_role("button", name="Confirmer le code").click()
    await expect(paul.locator(".flash")).to_contain_text("Vous êtes vérifié comme habitant")
    await expect(paul.locator("main")).to_contain_text("Courrier postal")
    await axe.check(paul, "verified")
