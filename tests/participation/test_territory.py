"""Places on the town's map (issue #20): the pure rules of a point typed in a form (table), the
map drawn by the server, and the proposals' map: the page, its filters, its list without
JavaScript, a point outside the town refused next to its field (SQLite and PostgreSQL)."""

from __future__ import annotations

import re

import httpx
import pytest

from participation.accounts.models import User
from participation.proposals.models import Proposal
from participation.territory import (
    BOTH_OR_NEITHER,
    NOT_A_NUMBER,
    OUTSIDE_TOWN,
    Box,
    Pin,
    demo_spot,
    place_map,
    point_of,
    point_problems,
    town_map,
)
from tests.conftest import field_error, log_in, post_form
from tests.participation.proposal_factories import good_form, make_proposal

TOWN = Box(47.16, -1.66, 47.30, -1.46)  # the default SIGNALEMENTS_TOWN_BOX


@pytest.mark.parametrize(
    ("lat", "lon", "problems"),
    [
        ("", "", {}),
        ("47.2", "-1.55", {}),
        ("47,2", " -1,55 ", {}),  # a comma is a decimal point
        ("47.16", "-1.66", {}),  # the corner is inside
        ("48.85", "2.35", {"latitude": OUTSIDE_TOWN}),  # Paris
        ("-47.2", "-1.55", {"latitude": OUTSIDE_TOWN}),
        ("47.2", "", {"longitude": BOTH_OR_NEITHER}),
        ("", "-1.55", {"latitude": BOTH_OR_NEITHER}),
        ("nord", "-1.55", {"latitude": NOT_A_NUMBER}),
        ("47.2", "inf", {"longitude": NOT_A_NUMBER}),
        ("nan", "nan", {"latitude": NOT_A_NUMBER, "longitude": NOT_A_NUMBER}),
        ("1e999", "-1.55", {"latitude": NOT_A_NUMBER}),
        ("0x2F", "-1.55", {"latitude": NOT_A_NUMBER}),
        ("<script>", "-1.55", {"latitude": NOT_A_NUMBER}),
    ],
)
def test_a_point_is_two_numbers_inside_the_town_or_nothing(
    lat: str, lon: str, problems: dict[str, str]
) -> None:
    assert point_problems(lat, lon, TOWN) == problems
    if not problems and lat:
        assert point_of(lat, lon) == (47.2, -1.55) or point_of(lat, lon) == (47.16, -1.66)


def test_the_map_draws_points_inside_and_lists_the_others() -> None:
    inside = Pin("/a", "A", "1 rue A", 47.2, -1.55)
    no_point = Pin("/b", "B", "2 rue B", None, None)
    moved_out = Pin("/c", "C", "", 48.0, -1.55)  # the box changed since
    m = town_map(TOWN, [inside, no_point, moved_out])
    assert [p for p, _, _ in m.drawn] == [inside]
    assert m.listed == [no_point, moved_out]
    ((_, x, y),) = m.drawn
    assert 0 < x < m.frame.width + 20 and 0 < y < m.frame.height + 20
    assert place_map(TOWN, no_point) is None
    assert place_map(TOWN, inside) is not None


def test_the_demo_spots_are_inside_the_town_and_the_same_each_time() -> None:
    spots = [demo_spot(TOWN, n) for n in range(60)]
    assert all(TOWN.contains(*s) for s in spots)
    assert spots == [demo_spot(TOWN, n) for n in range(60)]
    assert len(set(spots)) == 60


# --- proposals --------------------------------------------------------------------------------


async def test_a_point_outside_the_town_is_refused_next_to_its_field(
    client: httpx.AsyncClient, citizen: User
) -> None:
    await log_in(client, citizen)
    form = {**await good_form(), "latitude": "48.85", "longitude": "2.35"}
    response = await post_form(client, "/proposals/new", form)
    assert response.status_code == 422
    assert "en dehors de la commune" in field_error(response.text, "latitude")
    assert await Proposal.all().count() == 0


async def test_the_map_of_proposals_draws_links_and_lists_addresses(
    client: httpx.AsyncClient, citizen: User
) -> None:
    placed = await make_proposal(
        citizen,
        title="Un banc place du Marché",
        address="Place du Marché",
        latitude=47.2,
        longitude=-1.55,
    )
    listed = await make_proposal(
        citizen, title="Un abri rue des Lilas", address="12 rue des <b>Lilas</b>"
    )
    nowhere = await make_proposal(citizen, title="Une idée sans lieu précis")
    page = await client.get("/proposals/map")
    assert page.status_code == 200
    html = page.text
    # a point per placed proposal, a link to its page inside the SVG
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert f'href="/proposals/{placed.id}"' in svg and f"/proposals/{listed.id}" not in svg
    # the list after the map: every proposal with a place, with its address, escaped
    items = re.findall(r'<ul class="map-list">(.*?)</ul>', html, re.S)[0]
    assert "Place du Marché" in items and "12 rue des &lt;b&gt;Lilas&lt;/b&gt;" in items
    assert f'href="/proposals/{listed.id}"' in items and "absent de la carte" in items
    assert f"/proposals/{nowhere.id}" not in html
    # the list's filters apply: another district, nothing
    other = await client.get("/proposals/map", params={"district": "nulle-part"})
    assert other.status_code == 200 and "Rien à montrer sur la carte" in other.text
    assert (await client.get("/proposals")).text.count('href="/proposals/map"') == 1


async def test_a_proposal_page_shows_its_place_as_a_small_map_and_as_text(
    client: httpx.AsyncClient, citizen: User
) -> None:
    placed = await make_proposal(citizen, address="Place du Marché", latitude=47.2, longitude=-1.55)
    html = (await client.get(f"/proposals/{placed.id}")).text
    assert "place-map-small" in html and "Place du Marché" in html
    assert "Le lieu de la proposition" in html
    text_only = await make_proposal(citizen, title="Une autre idée au centre", address="Mairie")
    html = (await client.get(f"/proposals/{text_only.id}")).text
    assert "place-map-small" not in html and "Mairie" in html
