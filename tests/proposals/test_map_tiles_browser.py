"""The maps over tiles in a real browser (issue #20, docs/maps.md): with a tile server in the
settings (here a local one started by the test, tests/participation/tileserver.py, which
counts the tiles asked), the demo town's proposals map (and its budget projects' map) is
Leaflet's, with a marker per point of the server-drawn map; each marker is the proposal's link
(focus, Enter); the district filter narrows the map as it narrows the list; the report form's
map fills in the coordinates with a click. Without JavaScript the same page is the
server-drawn map and its list (the maps' other test, test_map_browser.py, runs without a tile
server)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.async_api import expect

from budgets.models import Project
from participation import demo
from participation.settings import Settings
from participation.sitesettings.models import SiteSettings
from tests.browser.plugin import Axe, LiveServer
from tests.participation.tileserver import LocalTileServer

expect.set_options(timeout=15_000)


@pytest.fixture
def tile_server() -> Iterator[LocalTileServer]:
    server = LocalTileServer().start()
    yield server
    server.stop()


async def _demo(settings: Settings) -> None:
    await demo.seed(settings)


async def _placed_budget(settings: Settings) -> int:
    """The demo budget with the most projects placed on the map (the done-when's « a map shows
    the demo town's projects »)."""
    placed = await Project.filter(latitude__isnull=False).values_list("budget_id", flat=True)
    return max(set(placed), key=placed.count)


async def _tiled(live_server: LiveServer, tile_server: LocalTileServer) -> str:
    live_server.env["MAP_TILE_URL"] = tile_server.template
    live_server.env["MAP_TILE_ATTRIBUTION"] = "© Tuiles de test"
    await live_server.seed(_demo)

    async def tiles_saved(settings: Settings) -> None:
        # the demo saved the town's settings (its name, its emblem) with the seeding process's
        # tile server, none in the tests: the local one instead, as staff would save it
        await SiteSettings.all().update(
            map_tile_url=tile_server.template, map_tile_attribution="© Tuiles de test"
        )

    await live_server.seed(tiles_saved)
    live_server.start()
    return live_server.url


async def test_the_demo_s_proposals_map_is_leaflet_over_the_tiles(
    live_server: LiveServer, tile_server: LocalTileServer, context_for: Any, axe: Axe
) -> None:
    site = await _tiled(live_server, tile_server)
    page = await (await context_for()).new_page()
    await page.goto(f"{site}/proposals/map")
    await expect(page.locator("h1")).to_have_text("Carte des propositions")
    await expect(page.locator(".leaflet-container")).to_be_visible()
    await expect(page.locator(".place-map svg")).to_have_count(0)  # replaced
    await expect(page.locator(".leaflet-tile-loaded").first).to_be_visible()
    assert tile_server.requests, "no tile came from the local tile server"
    await expect(page.locator(".leaflet-control-attribution")).to_contain_text("© Tuiles de test")
    # a marker for each point the server drew: the list names them first, the others after
    placed = await page.locator(".map-list li:not(:has(.hint))").count()
    markers = page.locator("a.map-marker-dot")
    await expect(markers).to_have_count(placed)
    assert placed > 3
    await axe.check(page, "proposals map over tiles")

    # the list's filters narrow the map: a district's proposals, and only theirs
    await page.locator("summary").filter(has_text="Filtres").click()
    district = page.get_by_label("Quartier")
    options = await district.locator("option").all_inner_texts()
    await district.select_option(label=options[1])
    await page.get_by_role("button", name="Filtrer").click()
    await expect(page).to_have_url(re.compile(r"district="))
    await expect(page.locator(".leaflet-container")).to_be_visible()
    narrowed = await page.locator(".map-list li:not(:has(.hint))").count()
    await expect(markers).to_have_count(narrowed)
    assert narrowed < placed

    # each marker is the proposal's link, reached with the keyboard
    first = markers.first
    href = await first.get_attribute("href")
    name = await first.get_attribute("aria-label")
    assert href and href.startswith("/proposals/") and name
    await first.focus()
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(f"{site}{href}")
    await expect(page.locator("h1")).to_have_text(name)
    # the proposal's own small map is over the tiles too, its point not a link
    await expect(page.locator(".place-map-small .leaflet-container")).to_be_visible()
    await page.go_back()
    await markers.first.click()  # a click opens it as well
    await expect(page).to_have_url(f"{site}{href}")

    # the demo's reports in public space on theirs (issue #24), over the tiles too
    await page.goto(f"{site}/signalements/map")
    await expect(page.locator(".leaflet-container")).to_be_visible()
    reports = await page.locator("ul.map-list > li").count()
    assert reports > 3
    await expect(page.locator("a.map-marker-dot")).to_have_count(reports)
    await axe.check(page, "reports map over tiles")

    # the demo's budget projects on their map, over the tiles too
    budget = await live_server.seed(_placed_budget)
    await page.goto(f"{site}/budgets/{budget}/map")
    await expect(page.locator(".leaflet-container")).to_be_visible()
    placed = await page.locator(".map-list li:not(:has(.hint))").count()
    assert placed > 3
    await expect(page.locator("a.map-marker-dot")).to_have_count(placed)
    await axe.check(page, "projects map over tiles")


async def test_without_javascript_the_map_is_the_server_s_and_its_list(
    live_server: LiveServer, tile_server: LocalTileServer, context_for: Any, axe: Axe
) -> None:
    site = await _tiled(live_server, tile_server)
    page = await (await context_for(javascript=False)).new_page()
    await page.goto(f"{site}/proposals/map")
    await expect(page.locator(".place-map svg a.map-point").first).to_be_visible()
    await expect(page.locator(".leaflet-container")).to_have_count(0)
    await expect(page.locator(".map-list li").first).to_be_visible()
    await axe.check(page, "proposals map over tiles, no JavaScript")
    budget = await live_server.seed(_placed_budget)
    await page.goto(f"{site}/budgets/{budget}/map")
    await expect(page.locator(".place-map svg a.map-point").first).to_be_visible()
    await expect(page.locator(".map-list li").first).to_be_visible()
    await axe.check(page, "projects map, no JavaScript")
    assert tile_server.requests == []  # no script: no tile asked


async def test_a_click_on_the_report_form_s_map_fills_in_the_coordinates(
    live_server: LiveServer, tile_server: LocalTileServer, context_for: Any, axe: Axe
) -> None:
    site = await _tiled(live_server, tile_server)
    page = await (await context_for()).new_page()
    await page.goto(f"{site}/signalements/new")
    pick = page.locator("[data-map-pick]")
    await expect(pick.locator(".leaflet-container")).to_be_visible()
    await expect(pick.locator(".leaflet-tile-loaded").first).to_be_visible()
    await expect(page.get_by_label("Latitude")).to_have_value("")
    await pick.locator(".leaflet-container").click()  # its middle: inside the town
    await expect(page.get_by_label("Latitude")).not_to_have_value("")
    latitude = float(await page.get_by_label("Latitude").input_value())
    longitude = float(await page.get_by_label("Longitude").input_value())
    assert 47.16 < latitude < 47.30 and -1.66 < longitude < -1.46  # inside the town's box
    await expect(pick.locator("path.map-marker-picked")).to_have_count(1)
    await axe.check(page, "report form's map over tiles")
