"""Settings from the browser in a real browser, JavaScript on and off (issue #18): an
administrator reaches them from the Administration page, a colour too light is refused (the
field says why), then the town's name, colour and thresholds are saved and the header shows the
name at once. Every state of the page is audited by axe."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from playwright.async_api import expect
from tortoise import timezone

from participation.accounts.models import Role
from participation.accounts.services import token_hash
from participation.people.models import StaffInvitation
from participation.settings import Settings
from tests.browser import seeds
from tests.browser.plugin import Axe, LiveServer, log_in
from tests.conftest import TEST_PASSWORD
from tests.spaces.factories import space_open_with_a_vote

expect.set_options(timeout=15_000)


async def _seed(settings: Settings) -> None:
    await seeds.someone(settings, "mairie@example.org", Role.ADMIN, "Service démocratie")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
async def test_an_administrator_changes_the_town_settings(
    live_server: LiveServer, context_for: Any, axe: Axe, javascript: bool
) -> None:
    await live_server.seed(_seed)
    live_server.start()
    staff = await (await context_for(javascript=javascript)).new_page()
    await log_in(staff, live_server, "mairie@example.org", TEST_PASSWORD)
    await staff.get_by_role("link", name="Administration").click()
    await staff.get_by_role("link", name="Paramètres du site").click()
    await expect(staff.get_by_role("heading", level=1)).to_have_text("Paramètres du site")
    await axe.check(staff)

    colour = staff.get_by_label("Couleur principale")
    await colour.fill("#ffcc00")
    await staff.get_by_role("button", name="Enregistrer les paramètres").click()
    await expect(staff.locator(".error-summary")).to_contain_text("Cette couleur est trop claire")
    await expect(colour).to_have_attribute("aria-invalid", "true")
    await axe.check(staff, "refused")

    await staff.get_by_label("Nom du site").fill("Ville de Villebelle")
    await colour.fill("#18753c")
    await staff.get_by_label("Soutiens nécessaires à une proposition").fill("2")
    await staff.get_by_label("Propositions", exact=True).check()
    await staff.get_by_role("button", name="Enregistrer les paramètres").click()
    await expect(staff.locator(".flash")).to_contain_text("Les paramètres sont enregistrés")
    await expect(staff.locator(".site-name")).to_have_text("Ville de Villebelle")
    await expect(staff.get_by_label("Propositions", exact=True)).to_be_checked()
    await axe.check(staff, "saved")
    # the town's colour in dark mode: its lightened variant (/site/theme.css), AA too
    await staff.emulate_media(color_scheme="dark")
    await axe.check(staff, "saved, dark")


INVITATION = "une-invitation-de-test"


async def _seed_people(settings: Settings) -> None:
    await seeds.someone(settings, "mairie@example.org", Role.ADMIN, "Service démocratie")
    await seeds.someone(settings, "marie@example.org", name="Marie Dupont")
    await seeds.someone(settings, "lea@example.org", name="Léa")
    await (
        StaffInvitation.create(  # as e-mailed by /admin/people (tests/participation/test_people.py)
            token_hash=token_hash(INVITATION),
            email="lea@example.org",
            role="admin",
            invited_by_name="Service démocratie",
            expires_at=timezone.now() + timedelta(days=7),
        )
    )


async def test_an_administrator_makes_a_resident_moderator(
    live_server: LiveServer, context_for: Any, axe: Axe
) -> None:
    """Without JavaScript (the forms are plain): search, open, change the role; the last
    administrator is refused their own step down."""
    await live_server.seed(_seed_people)
    live_server.start()
    staff = await (await context_for(javascript=False)).new_page()
    await log_in(staff, live_server, "mairie@example.org", TEST_PASSWORD)
    await staff.get_by_role("link", name="Administration").click()
    await staff.get_by_role("link", name="Personnes et rôles").click()
    await axe.check(staff)
    await staff.get_by_label("Nom ou adresse e-mail").fill("dupont")
    await staff.get_by_role("button", name="Rechercher").click()
    await staff.get_by_role("link", name="Marie Dupont").click()
    await axe.check(staff)
    await staff.get_by_label("Modératrice ou modérateur").check()
    await staff.get_by_role("button", name="Changer le rôle").click()
    await expect(staff.locator(".flash")).to_contain_text("Le rôle est changé")
    await staff.get_by_role("link", name="Retour aux personnes").click()
    await staff.get_by_role("link", name="Service démocratie", exact=True).click()
    await staff.get_by_label("Habitante ou habitant").check()
    await staff.get_by_role("button", name="Changer le rôle").click()
    await expect(staff.locator(".error-summary")).to_contain_text("seul administrateur")
    await axe.check(staff, "refused")
    await staff.get_by_role("link", name="Retour aux personnes").click()
    address = staff.get_by_role("textbox", name="Adresse e-mail")
    await address.fill("pas une adresse")
    await staff.get_by_role("button", name="Envoyer l’invitation").click()
    await expect(address).to_have_attribute("aria-invalid", "true")
    await axe.check(staff, "invitation refused")

    # an invited person accepts, signed in with the invited address
    lea = await (await context_for(javascript=False)).new_page()
    await log_in(lea, live_server, "lea@example.org", TEST_PASSWORD)
    await lea.goto(live_server.url + f"/account/invitation/{INVITATION}")
    await expect(lea.locator("main")).to_contain_text("Service démocratie invite lea@example.org")
    await axe.check(lea)
    await lea.get_by_role("button", name="Accepter l’invitation").click()
    await expect(lea.locator(".flash")).to_contain_text("Bienvenue dans l’équipe")
    await expect(lea.get_by_role("link", name="Administration")).to_be_visible()


async def _seed_space_and_people(settings: Settings) -> None:
    await _seed_people(settings)
    await space_open_with_a_vote()


async def test_an_administrator_blocks_a_person_and_makes_them_moderator_of_a_space(
    live_server: LiveServer, context_for: Any, axe: Axe
) -> None:
    """Without JavaScript, on the person's page: a block without reason is refused (the fields
    say why), then a block, an unblock; then the moderation of one space, with which the person
    opens the moderation queue. Each state audited by axe."""
    await live_server.seed(_seed_space_and_people)
    live_server.start()
    staff = await (await context_for(javascript=False)).new_page()
    await log_in(staff, live_server, "mairie@example.org", TEST_PASSWORD)
    await staff.goto(live_server.url + "/admin/people?q=dupont")
    await staff.get_by_role("link", name="Marie Dupont").click()
    await staff.get_by_role("button", name="Bloquer ce compte").click()
    await expect(staff.locator(".error-summary")).to_contain_text("Choisissez la durée")
    await expect(staff.get_by_label("Durée")).to_have_attribute("aria-invalid", "true")
    await axe.check(staff, "block refused")
    await staff.get_by_label("Durée").select_option(label="une semaine")
    await staff.get_by_label("Motif (conservé dans l’historique et le journal d’audit)").fill(
        "Messages insultants répétés"
    )
    await staff.get_by_role("button", name="Bloquer ce compte").click()
    await expect(staff.locator(".flash")).to_contain_text("Le compte est bloqué.")
    await axe.check(staff, "blocked")
    await staff.get_by_label("Motif du déblocage").fill("Excuses présentées")
    await staff.get_by_role("button", name="Débloquer").click()
    await expect(staff.locator(".flash")).to_contain_text("Le compte est débloqué.")
    await staff.get_by_label("Lui confier la modération de la démarche").select_option(
        label="Budget participatif 2027"
    )
    await staff.get_by_role("button", name="Attribuer le rôle").click()
    await expect(staff.locator(".flash")).to_contain_text("Budget participatif 2027")
    await expect(staff.locator("main")).to_contain_text("Modération de la démarche")
    await axe.check(staff, "space moderator")

    marie = await (await context_for(javascript=False)).new_page()
    await log_in(marie, live_server, "marie@example.org", TEST_PASSWORD)
    await marie.goto(live_server.url + "/moderation")
    await expect(marie.locator("h1")).to_contain_text("Modération")
    await axe.check(marie, "space moderator's queue")
