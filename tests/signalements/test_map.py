"""The map of reports: a server-drawn SVG of the town's box (SIGNALEMENTS_TOWN_BOX), a point per
public report, each a link; the list after it is its text alternative. A private report's
position is never drawn; no tiles, no JavaScript."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from participation.contributions import ModerationState
from signalements import domain
from signalements.domain import Box, MapPoint, State
from tests.signalements.factories import HERE, open_report, pothole_category

TOWN = Box(47.16, -1.66, 47.30, -1.46)


def test_the_frame_keeps_the_town_s_shape_and_inverts() -> None:
    f = domain.frame(TOWN)
    assert f.width == 800
    # 0.14° of latitude against 0.20° of longitude shrunk by cos(47.23°) ≈ 0.679
    assert f.height == pytest.approx(800 * 0.14 / (0.2 * 0.6791), rel=1e-3)
    m = domain.MAP_MARGIN
    assert f.point(TOWN.north, TOWN.west) == (m, m)
    assert f.point(TOWN.south, TOWN.east) == (m + 800, pytest.approx(m + f.height, abs=0.1))
    lat, lon = f.position(*f.point(*HERE))
    assert (lat, lon) == (pytest.approx(HERE[0], abs=1e-4), pytest.approx(HERE[1], abs=1e-4))
    km, units = f.scale()
    assert km == 2 and 0 < units < 800 / 5 + 1  # 15 km wide: a 2 km bar
    assert f.view_box == f"0 0 820 {f.height + 2 * m:g}"


def test_private_and_unplaced_reports_are_never_drawn() -> None:
    points = [
        MapPoint(1, 47.2, -1.55, False, State.RECEIVED),
        MapPoint(2, 47.2, -1.55, True, State.RECEIVED),  # private: address hidden
        MapPoint(3, None, None, False, State.TAKEN),  # no coordinates
        MapPoint(4, 48.85, 2.35, False, State.TAKEN),  # outside a box changed since
    ]
    drawn, left_out = domain.mappable(points, TOWN)
    assert [p.id for p in drawn] == [1] and left_out == 3


def _points(page: str) -> set[int]:
    svg = page[page.index("<svg viewBox") : page.index("</svg>")]
    return {int(n) for n in re.findall(r'<a href="/signalements/(\d+)"', svg)}


async def test_the_map_page_draws_public_reports_as_links(
    client: httpx.AsyncClient, app: Any
) -> None:
    road = await pothole_category()
    lights = await pothole_category(name="Éclairage")
    shown = await open_report(road)
    closed = await open_report(lights, lat=47.25, lon=-1.50, state=State.RESOLVED)
    private = await open_report(road, lat=47.2011, lon=-1.5011, private=True)
    pending = await open_report(road, moderation_state=ModerationState.PENDING)
    unplaced = await open_report(road, lat=None, lon=None)
    page = await client.get("/signalements/map")
    assert page.status_code == 200
    assert "Carte des signalements" in page.text
    assert _points(page.text) == {shown.id, closed.id}
    assert 'class="map-open"' in page.text and 'class="map-closed"' in page.text
    assert f"<title>N°\u00a0{shown.id} · Voirie · Reçu</title>" in page.text  # its name
    # the list (text alternative) holds the same reports, nothing of the private one
    listed = page.text[page.text.index('id="map-list"') :]
    assert f"/signalements/{shown.id}" in listed and f"/signalements/{private.id}" not in listed
    assert "47.2011" not in page.text and "-1.5011" not in page.text
    # each point carries its coordinates, for the map over tiles (static/js/place-map.js)
    assert f'href="/signalements/{closed.id}"' in page.text
    assert 'data-lat="47.25" data-lon="-1.5"' in page.text
    for hidden in (private, pending, unplaced):
        assert f'/signalements/{hidden.id}"' not in page.text
    # the list's filters apply
    filtered = await client.get("/signalements/map", params={"category": str(lights.id)})
    assert _points(filtered.text) == {closed.id}
    empty = await client.get("/signalements/map", params={"state": "rejected"})
    assert _points(empty.text) == set() and "Aucun signalement à placer" in empty.text


async def test_the_report_form_offers_a_map_to_click_only_as_an_aid(
    client: httpx.AsyncClient, app: Any
) -> None:
    await pothole_category()
    page = (await client.get("/signalements/new")).text
    # hidden until the script shows it; the coordinate fields stay
    assert re.search(r"<div class=\"map-pick\" data-map-pick[^>]* hidden>", page)
    assert 'id="latitude"' in page and 'id="longitude"' in page
    assert "/static/js/map-pick.js" in page


async def test_the_map_s_points_escape_names_and_addresses(
    client: httpx.AsyncClient, app: Any
) -> None:
    # the points' markup is written by signalements.routes._map, not by the templates
    road = await pothole_category(name='<script>alert("nom")</script>')
    report = await open_report(road, address='<img src=x onerror="alert(1)">', state=State.TAKEN)
    page = (await client.get("/signalements/map")).text
    assert _points(page) == {report.id}
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;nom&#34;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page
