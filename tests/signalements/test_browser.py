"""Signalements in a real browser, JavaScript on and off: a visitor reports a pothole with a
photo without an account and follows it by its link; a second visitor nearby gets the duplicate
suggestion and follows instead; staff assign, plan and resolve with an "after" photo; both are
notified; the public figures move. Every page is audited by axe (and laid out at phone
widths)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest_asyncio
from playwright.async_api import expect

from indicators import services as indicator_services
from participation.accounts.models import Role
from participation.settings import Settings
from signalements.models import Category
from tests.browser import seeds
from tests.browser.plugin import Axe, LiveServer, emails_to, link_in, signed_in
from tests.signalements.factories import HERE, jpeg_with_gps, open_report

expect.set_options(timeout=15_000)


async def _seed(settings: Settings) -> int:
    await seeds.someone(settings, "mairie@example.org", Role.ADMIN, "Mairie")
    await seeds.someone(settings, "camille@example.org", name="Camille")
    category = await Category.create(name="Voirie", icon="road", service="Voirie", sla_days=15)
    return category.id


@pytest_asyncio.fixture(loop_scope="session")
async def category(live_server: LiveServer) -> int:
    category_id = await live_server.seed(_seed)
    live_server.start()
    return int(category_id)


async def _report(page: Any, site: str, photo: Path | None, email: str) -> None:
    await page.goto(f"{site}/signalements/new")
    await page.get_by_label("Catégorie").select_option(label="Voirie")
    await page.get_by_label("Adresse ou repère").fill("12 rue de la Loire")
    await page.get_by_label("Latitude").fill(str(HERE[0]))
    await page.get_by_label("Longitude").fill(str(HERE[1]))
    await page.get_by_role("button", name="Suivant").click()


async def test_a_visitor_reports_a_pothole_a_neighbour_follows_staff_resolve_it(
    live_server: LiveServer,
    category: int,
    context_for: Any,
    axe: Axe,
    javascript: bool,
    tmp_path: Path,
) -> None:
    site = live_server.url
    photo = tmp_path / "trou.jpg"
    photo.write_bytes(jpeg_with_gps((800, 600)))
    visitor = await (await context_for(javascript=javascript)).new_page()
    await visitor.goto(f"{site}/signalements")
    await axe.check(visitor)
    await visitor.locator("main").get_by_role("link", name="Signaler un problème").click()
    await axe.check(visitor, "step 1")
    # a point outside the town first: refused, field highlighted
    await visitor.get_by_label("Catégorie").select_option(label="Voirie")
    await visitor.get_by_label("Adresse ou repère").fill("12 rue de la Loire")
    await visitor.get_by_label("Latitude").fill("48.8566")
    await visitor.get_by_label("Longitude").fill("2.3522")
    await visitor.get_by_role("button", name="Suivant").click()
    await expect(visitor.locator(".error-summary")).to_contain_text("en dehors de la commune")
    assert await visitor.get_by_label("Latitude").get_attribute("aria-invalid") == "true"
    await axe.check(visitor, "outside the town")
    await _report(visitor, site, photo, "")
    await axe.check(visitor, "step 2")
    await visitor.get_by_label("Description").fill("Nid-de-poule profond devant la boulangerie.")
    await visitor.get_by_label("Photos (facultatives, trois au plus)").set_input_files(str(photo))
    await visitor.get_by_label("Adresse électronique pour le suivi (facultative)").fill(
        "camille.visiteuse@example.org"
    )
    await visitor.get_by_role("button", name="Envoyer le signalement").click()
    await expect(visitor.locator("h1")).to_contain_text("Votre signalement est reçu")
    await axe.check(visitor, "sent")
    tracking = await visitor.locator(".tracking-link").inner_text()
    await visitor.goto(tracking)
    await expect(visitor.locator("main")).to_contain_text("12 rue de la Loire")
    await expect(visitor.locator("img.report-photo")).to_have_count(1)
    await axe.check(visitor, "tracking")
    mail = await emails_to(live_server, "camille.visiteuse@example.org")
    assert link_in(mail[0].body, "/signalements/track") == tracking

    # a neighbour, a few metres away: the suggestion, and "Moi aussi" instead of a new report
    neighbour = await (await context_for(javascript=javascript)).new_page()
    await _report(neighbour, site, None, "")
    await expect(neighbour.locator("main")).to_contain_text("Déjà signalé tout près")
    await axe.check(neighbour, "duplicate suggested")
    await neighbour.get_by_label("Votre adresse électronique, pour être prévenu").fill(
        "voisin@example.org"
    )
    await neighbour.get_by_role("button", name="Moi aussi : suivre ce signalement").click()
    await expect(neighbour.locator(".flash")).to_contain_text("vous suivez ce signalement")
    await axe.check(neighbour, "detail")
    report_url = neighbour.url

    # staff: the queue, assign, plan, resolve with an "after" photo
    staff = await signed_in(
        context_for, live_server, "mairie@example.org", "/admin/signalements", javascript=javascript
    )
    await axe.check(staff)
    await staff.get_by_label("Sélectionner le signalement").first.check()
    await staff.get_by_label("Attribuer les signalements sélectionnés à").select_option(
        label="Mairie"
    )
    await staff.get_by_role("button", name="Attribuer", exact=True).click()
    await expect(staff.locator(".flash")).to_contain_text("1 signalement attribué.")
    await staff.get_by_role("link", name="N° 1").click()
    await axe.check(staff, "report")
    await staff.get_by_label("Planifié").check()
    await staff.get_by_label("Message public").fill("Rebouchage prévu mardi prochain.")
    await staff.get_by_role("button", name="Changer l’état").click()
    await expect(staff.locator(".flash")).to_contain_text("2 personnes prévenues.")
    await staff.get_by_label("Résolu").check()
    await staff.get_by_label("Message public").fill("Le trou est rebouché.")
    await staff.get_by_label("Photo « après » (facultative)").set_input_files(str(photo))
    await staff.get_by_role("button", name="Changer l’état").click()
    await expect(staff.locator(".flash")).to_contain_text("Résolu")
    await staff.goto(f"{site}/admin/signalements/categories")
    await axe.check(staff, "categories")
    await staff.get_by_role("link", name="Voirie").click()
    await axe.check(staff, "category")

    # both are told; the public page and figures move
    for address in ("camille.visiteuse@example.org", "voisin@example.org"):
        subjects = [e.subject for e in await emails_to(live_server, address)]
        assert sum("Un signalement que vous suivez a changé" in s for s in subjects) == 2, subjects
    await neighbour.goto(report_url)
    await expect(neighbour.locator("main")).to_contain_text("Le trou est rebouché.")
    await expect(neighbour.locator("img.report-photo")).to_have_count(2)
    await neighbour.goto(f"{site}/signalements/figures")
    await expect(neighbour.locator("tbody tr").first).to_contain_text("100")
    await axe.check(neighbour, "figures")


async def test_a_resident_sees_their_reports(
    live_server: LiveServer, category: int, context_for: Any, axe: Axe
) -> None:
    page = await signed_in(
        context_for, live_server, "camille@example.org", "/signalements/mine", javascript=False
    )
    await expect(page.locator("main")).to_contain_text("Vous n’avez encore aucun signalement.")
    await axe.check(page)


async def test_staff_write_a_response_template_and_use_it(
    live_server: LiveServer, category: int, context_for: Any, axe: Axe, javascript: bool
) -> None:
    """The template prefills the public message: a GET form and a full page without
    JavaScript, the message field swapped in place with htmx."""

    async def a_report(settings: Settings) -> int:
        found = await Category.get(id=category)
        return (await open_report(found, address="3 place de la Mairie")).id

    report_id = await live_server.seed(a_report)
    title = f"Transmis ({'htmx' if javascript else 'sans JS'})"
    staff = await signed_in(
        context_for,
        live_server,
        "mairie@example.org",
        "/admin/signalements/templates",
        javascript=javascript,
    )
    await axe.check(staff, "templates")
    await staff.get_by_role("button", name="Ajouter").click()  # empty: refused
    await expect(staff.locator(".error-summary")).to_contain_text("Donnez au modèle un titre")
    await axe.check(staff, "templates refused")
    await staff.get_by_label("Catégorie").select_option(label="Voirie")
    await staff.get_by_label("Titre (ce que les agents choisissent)").fill(title)
    await staff.get_by_label("Message public qu’il préremplit").fill(
        "Votre signalement est transmis au service voirie."
    )
    await staff.get_by_role("button", name="Ajouter").click()
    await expect(staff.locator(".flash")).to_contain_text("Le modèle de réponse est ajouté.")
    await staff.get_by_role("link", name=title).click()
    await axe.check(staff, "template")
    await staff.goto(f"{live_server.url}/admin/signalements/{report_id}")
    await staff.get_by_label("Modèle de réponse").select_option(label=title)
    await staff.get_by_role("button", name="Utiliser ce modèle").click()
    await expect(staff.get_by_label("Message public")).to_have_value(
        "Votre signalement est transmis au service voirie."
    )
    await axe.check(staff, "template used")
    await staff.get_by_label("Pris en charge").check()
    await staff.get_by_role("button", name="Changer l’état").click()
    await expect(staff.locator(".flash")).to_contain_text("Pris en charge")


async def test_the_indicators_dashboard_shows_the_signalements_section(
    live_server: LiveServer, category: int, context_for: Any, axe: Axe
) -> None:
    async def compute(settings: Settings) -> None:
        await indicator_services.compute_all()

    await live_server.seed(compute)
    staff = await signed_in(
        context_for, live_server, "mairie@example.org", "/admin/indicators", javascript=False
    )
    await expect(staff.locator("#section-signalements")).to_have_text(
        "Signalements dans l’espace public"
    )
    await expect(staff.locator("main")).to_contain_text("Signalements par quartier")
    await axe.check(staff, "signalements section")


async def test_the_map_of_reports_and_the_map_to_click_on_the_form(
    live_server: LiveServer, category: int, context_for: Any, axe: Axe, javascript: bool
) -> None:
    """The map is drawn by the server: its points are links, reached with the keyboard, with
    or without JavaScript. The form's map to click only appears with JavaScript, and only
    fills in the coordinate fields."""

    async def a_report(settings: Settings) -> int:
        found = await Category.get(id=category)
        return (await open_report(found, lat=47.24, lon=-1.52, address="8 rue Pasteur")).id

    report_id = await live_server.seed(a_report)
    page = await (await context_for(javascript=javascript)).new_page()
    await page.goto(f"{live_server.url}/signalements")
    await page.get_by_role("link", name="Carte des signalements").click()
    await expect(page.locator("h1")).to_have_text("Carte des signalements")
    point = page.locator(f'svg a[href="/signalements/{report_id}"]')
    await expect(point).to_have_count(1)
    await axe.check(page, "map")
    await point.focus()
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(f"{live_server.url}/signalements/{report_id}")

    await page.goto(f"{live_server.url}/signalements/new")
    pick = page.locator("[data-map-pick]")
    if not javascript:
        await expect(pick).to_be_hidden()
        return
    await expect(pick).to_be_visible()
    await pick.locator("svg").click()  # its middle
    await expect(page.get_by_label("Latitude")).not_to_have_value("")
    latitude = float(await page.get_by_label("Latitude").input_value())
    longitude = float(await page.get_by_label("Longitude").input_value())
    assert 47.16 < latitude < 47.30 and -1.66 < longitude < -1.46  # inside the town's box
    await axe.check(page, "map to click")
