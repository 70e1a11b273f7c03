"""Public meetings in a real browser, JavaScript on and off: a resident registers for the last
seat and gets a code, a second resident joins the waiting list, the first cancels, and the
second is moved up and notified (in the site and by e-mail). Staff plan a meeting, first with
an end before its start. Every page is audited by axe (and laid out at phone widths)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest_asyncio
from playwright.async_api import expect
from tortoise import timezone

from meetings.domain import Format
from meetings.models import Meeting
from participation.accounts.models import Role
from participation.settings import Settings
from tests.browser import seeds
from tests.browser.conftest import Axe, LiveServer, emails_to, signed_in

expect.set_options(timeout=15_000)


async def _seed(settings: Settings) -> int:
    await seeds.someone(settings, "mairie@example.org", Role.ADMIN, "Mairie")
    await seeds.someone(settings, "camille@example.org", name="Camille")
    await seeds.someone(settings, "dominique@example.org", name="Dominique")
    start = timezone.now() + timedelta(days=5)
    meeting = await Meeting.create(
        title="Réunion publique\u00a0: le parc des Saules",
        description="<p>Aménagement du parc, avec les habitants.</p>",
        format=Format.HYBRID,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        address="Salle des fêtes, 1 place de la Mairie",
        accessibility="Accès de plain-pied, boucle magnétique.",
        online_url="https://visio.example.org/saules",
        capacity=1,
    )
    return meeting.id


@pytest_asyncio.fixture(loop_scope="session")
async def meeting(live_server: LiveServer) -> int:
    """The id of the meeting of `_seed`, its server started."""
    meeting_id = await live_server.seed(_seed)
    live_server.start()
    return int(meeting_id)


async def test_a_freed_seat_goes_to_the_first_on_the_waiting_list(
    live_server: LiveServer, meeting: int, context_for: Any, axe: Axe, javascript: bool
) -> None:
    site = live_server.url
    camille = await signed_in(
        context_for, live_server, "camille@example.org", "/meetings", javascript=javascript
    )
    await axe.check(camille)
    await camille.get_by_role("link", name="le parc des Saules").click()
    await expect(camille.locator("main")).to_contain_text("Accès de plain-pied")
    await expect(camille.locator("main")).not_to_contain_text("visio.example.org")
    await axe.check(camille, "not registered")
    await camille.get_by_role("button", name="M’inscrire").click()
    await expect(camille.locator(".flash")).to_contain_text("Votre code d’inscription")
    await expect(camille.locator(".code")).to_be_visible()
    await axe.check(camille, "registered")

    dominique = await signed_in(
        context_for,
        live_server,
        "dominique@example.org",
        f"/meetings/{meeting}",
        javascript=javascript,
    )
    await dominique.get_by_role("button", name="Rejoindre la liste d’attente").click()
    await expect(dominique.locator("main")).to_contain_text("en liste d’attente, en position 1")
    await axe.check(dominique, "waiting")

    await camille.get_by_role("button", name="Annuler mon inscription").click()
    await expect(camille.locator(".flash")).to_contain_text("Votre inscription est annulée.")
    await expect(camille.get_by_role("button", name="M’inscrire")).not_to_be_visible()

    await dominique.reload()
    await expect(dominique.locator("main")).to_contain_text("Vous êtes inscrit ou inscrite.")
    await dominique.goto(f"{site}/notifications")
    await expect(dominique.locator("main")).to_contain_text("Une place s’est libérée")
    await (
        dominique.locator("main").get_by_role("link", name="Une place s’est libérée").first.click()
    )
    await expect(dominique).to_have_url(f"{site}/meetings/{meeting}")
    sent = [e.subject for e in await emails_to(live_server, "dominique@example.org")]
    assert any("Une place s’est libérée pour vous" in subject for subject in sent), sent


async def test_staff_plan_a_meeting_and_fix_its_end(
    live_server: LiveServer, meeting: int, context_for: Any, axe: Axe
) -> None:
    site = live_server.url
    page = await signed_in(
        context_for, live_server, "mairie@example.org", "/admin/meetings", javascript=False
    )
    await axe.check(page)
    await page.get_by_role("link", name="Prévoir une réunion").click()
    await axe.check(page, "new")
    await page.get_by_label("Titre").fill("Conseil de quartier Nord")
    await page.get_by_label("Sur place", exact=True).check()
    await page.get_by_label("Début").fill("2031-05-04T18:30")
    await page.get_by_label("Fin").fill("2031-05-04T17:00")
    await page.get_by_label("Adresse").fill("École Jules-Ferry, préau")
    await page.get_by_role("button", name="Publier la réunion").click()
    await expect(page.locator(".error-summary")).to_contain_text(
        "La fin doit venir après le début."
    )
    end = page.get_by_label("Fin")
    assert await end.get_attribute("aria-invalid") == "true"
    await axe.check(page, "refused")
    await end.fill("2031-05-04T20:00")
    await page.get_by_role("button", name="Publier la réunion").click()
    await expect(page.locator(".flash")).to_contain_text("La réunion est publiée.")
    await axe.check(page, "edit")
    await page.goto(f"{site}/admin/meetings/{meeting}")
    await expect(page.locator("main")).to_contain_text("Inscriptions et présences")
