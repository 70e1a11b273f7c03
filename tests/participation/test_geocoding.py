"""An address typed in a form becomes its point (issue #20): the pure choice of a place among
the address API's answers, and a proposal's and a meeting's forms against a real local
stand-in of the API (tests/participation/geocoder.py): found, several to choose from, outside
the town (sent again: the address stays text), the service down (what was typed kept).
SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from meetings.models import Meeting
from participation import geocoding
from participation.accounts.models import User
from participation.geocoding import Candidate, candidates_of, choose
from participation.proposals.models import Proposal
from participation.refusals import Refused
from participation.territory import Box
from tests.conftest import field_error, log_in, logged_in, post_form
from tests.localserver import closed_port_url
from tests.participation.geocoder import LocalGeocoder
from tests.participation.proposal_factories import good_form

TOWN = Box(47.16, -1.66, 47.30, -1.46)  # the default SIGNALEMENTS_TOWN_BOX
MEETING = {
    "title": "Conseil de quartier",
    "format": "in-person",
    "starts_at": "2031-05-04T18:30",
    "ends_at": "2031-05-04T20:00",
}


def test_the_place_of_an_address_is_the_clear_best_inside_the_town() -> None:
    payload = {
        "type": "FeatureCollection",
        "features": [
            {"geometry": {"coordinates": [-1.55, 47.21]},
             "properties": {"label": "8 Rue Pasteur 44000 Nantes", "score": 0.92,
                            "citycode": "44109"}},
            {"geometry": {"coordinates": ["nan", 47.2]},
             "properties": {"label": "NaN", "score": 1}},
            {"geometry": None, "properties": {"label": "sans point"}},
            {"properties": {"label": "rien"}},
            "pas un objet",
        ],
    }  # fmt: skip
    pasteur = Candidate("8 Rue Pasteur 44000 Nantes", 47.21, -1.55, 0.92, "44109")
    assert candidates_of(payload) == [pasteur]
    assert candidates_of({"features": "non"}) == candidates_of([]) == []
    gare = Candidate("Rue de la Gare 44000 Nantes", 47.22, -1.54, 0.61, "44109")
    reze = Candidate("Rue de la Gare 44400 Rezé", 47.18, -1.55, 0.60, "44143")
    toulouse = Candidate("1 Place du Capitole 31000 Toulouse", 43.6, 1.44, 0.95, "31555")
    assert choose([], TOWN) == geocoding.NOT_FOUND
    assert choose([toulouse], TOWN) == geocoding.OUTSIDE
    assert choose([toulouse, pasteur, gare], TOWN) == pasteur  # good and clearly ahead
    assert choose([reze, gare], TOWN) == [gare, reze]  # close: the person chooses
    assert choose([gare, dataclasses.replace(gare, score=0.5)], TOWN) == gare  # one label
    assert choose([reze, gare], TOWN, citycode="44143") == reze  # the town's commune only
    assert choose([reze], TOWN, citycode="44109") == geocoding.OUTSIDE
    assert geocoding.chosen_point(gare.value) == ("47.220000", "-1.540000")
    assert geocoding.chosen_point("47.2,nord") is None and geocoding.chosen_point("1,2,3") is None


async def test_the_address_service_down_keeps_what_was_typed() -> None:
    settings = dataclasses.make_dataclass("S", ["geocoder_url", "geocoder_citycode"])
    data = {"title": "Un banc", "address": "8 rue Pasteur"}
    with pytest.raises(Refused) as refused:
        await geocoding.place_typed(settings(closed_port_url(), ""), data, TOWN)
    assert [(p.field, p.message) for p in refused.value.problems] == [
        ("address", geocoding.UNAVAILABLE)
    ]
    assert data == {"title": "Un banc", "address": "8 rue Pasteur", "geocoded": "8 rue Pasteur"}
    await geocoding.place_typed(settings(closed_port_url(), ""), data, TOWN)  # sent again
    assert "latitude" not in data  # saved as text, not asked twice


@pytest.fixture(scope="session")
def running_geocoder() -> Iterator[LocalGeocoder]:
    server = LocalGeocoder().start()
    yield server
    server.stop()


@pytest.fixture
def settings(settings: Any, running_geocoder: LocalGeocoder) -> Any:
    running_geocoder.queries.clear()
    return dataclasses.replace(settings, geocoder_url=running_geocoder.url)


async def test_an_address_typed_becomes_its_point_without_javascript(
    app: Any, client: httpx.AsyncClient, citizen: User, admin: User, running_geocoder: LocalGeocoder
) -> None:
    await log_in(client, citizen)
    form = await good_form()

    async def send(**fields: str) -> httpx.Response:
        body = {"body": f"{form['body']} ({fields['address']})"}  # a text not published yet
        return await post_form(
            client, "/proposals/new", {**form, **body, **fields}, "/proposals/new"
        )

    assert (await send(address="8 rue Pasteur")).status_code == 303
    found = await Proposal.get(address="8 rue Pasteur")
    assert (found.latitude, found.longitude) == (47.21, -1.55)
    assert running_geocoder.queries[0] == {"q": "8 rue Pasteur", "limit": "5"}
    # several places match: the form comes back with them to choose from
    several = await send(title="Un abri vélo rue de la Gare", address="rue de la gare")
    assert several.status_code == 422
    assert "Plusieurs lieux" in field_error(several.text, "address")
    choices = dict(
        re.findall(r'name="place" value="([^"]*)"[^>]*><label[^>]*>([^<]*)<', several.text)
    )
    assert list(choices.values())[:2] == [
        "Rue de la Gare 44000 Nantes",
        "Rue de la Gare 44400 Rezé",
    ]
    reze = next(v for v, label in choices.items() if "Rezé" in label)
    assert 'name="geocoded" value="rue de la gare"' in several.text
    sent = await send(title="Un abri vélo rue de la Gare", address="rue de la gare",
                      geocoded="rue de la gare", place=reze)  # fmt: skip
    assert sent.status_code == 303
    chosen = await Proposal.get(address="rue de la gare")
    assert (chosen.latitude, chosen.longitude) == (47.18, -1.55)
    # outside the town: refused next to the field; sent again as it is, the address stays text
    outside = await send(title="Un banc au Capitole", address="place du Capitole")
    assert outside.status_code == 422
    assert "en dehors de la commune" in field_error(outside.text, "address")
    assert await Proposal.filter(address="place du Capitole").count() == 0
    again = await send(title="Un banc au Capitole", address="place du Capitole",
                       geocoded="place du Capitole")  # fmt: skip
    assert again.status_code == 303
    kept = await Proposal.get(address="place du Capitole")
    assert kept.latitude is None and len(running_geocoder.queries) == 3
    # a meeting's form (its address field its own, the point fields alone) does the same
    async with logged_in(app, admin) as staff:
        meeting = {**MEETING, "address": "rue de la gare"}
        several = await post_form(staff, "/admin/meetings/new", meeting, "/admin/meetings/new")
        assert several.status_code == 422 and f'value="{reze}"' in several.text
        meeting.update(geocoded="rue de la gare", place=reze)
        assert (await post_form(staff, "/admin/meetings/new", meeting)).status_code == 303
    placed = await Meeting.get(title=MEETING["title"])
    assert (placed.latitude, placed.longitude) == (47.18, -1.55)
