"""An address typed in a form becomes its point (issue #20): the pure choice of a place among
the address API's answers, and the forms of a proposal, a meeting, a budget project (new, and
staff's correction), a proposal taken at the counter and a report (its first step) against a
real local stand-in of the API (tests/participation/geocoder.py): found, several to choose
from, outside the town (sent again: the address stays text), the service down (what was typed
kept); the address's error shown with the form's own in one sending (web.Place); an edit that
keeps the address asks nothing; each request to the service is rate-limited. SQLite and
PostgreSQL."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from budgets.models import Project
from meetings.models import Meeting
from participation import geocoding, ratelimit
from participation.accounts.models import User
from participation.counter import services as counter
from participation.geocoding import Candidate, candidates_of, choose
from participation.proposals.models import Proposal
from participation.ratelimit import MINUTE, Limit, RateLimitedAction
from participation.refusals import Problem
from participation.territory import Box
from tests.budgets.factories import budget_taking_projects
from tests.conftest import field_error, log_in, logged_in, post_form
from tests.localserver import closed_port_url
from tests.participation.geocoder import LocalGeocoder
from tests.participation.proposal_factories import good_form
from tests.signalements.factories import pothole_category

TOWN = Box(47.16, -1.66, 47.30, -1.46)  # the default SIGNALEMENTS_TOWN_BOX
PROJECT = {
    "title": "Un verger rue Pasteur",
    "description": "Planter vingt arbres fruitiers, en accès libre.",
    "cost": "15000",
}
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
    found = await geocoding.locate(settings(closed_port_url(), ""), data, TOWN)
    assert found == [Problem(geocoding.UNAVAILABLE, field="address")]
    assert data == {"title": "Un banc", "address": "8 rue Pasteur", "geocoded": "8 rue Pasteur"}
    assert await geocoding.locate(settings(closed_port_url(), ""), data, TOWN) == []  # again
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
    # outside the town: refused next to the field, with the form's own errors at once (one
    # sending, nothing written); sent again as it is, the address stays text
    outside = await send(title="", address="place du Capitole")
    assert outside.status_code == 422
    assert "en dehors de la commune" in field_error(outside.text, "address")
    assert field_error(outside.text, "title")
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


async def test_a_project_and_a_report_are_placed_and_an_edit_asks_only_a_new_address(
    app: Any,
    client: httpx.AsyncClient,
    citizen: User,
    admin: User,
    running_geocoder: LocalGeocoder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    budget = await budget_taking_projects()
    await log_in(client, citizen)
    new = f"/budgets/{budget.id}/projects/new"
    project = {**PROJECT, "location": "8 rue Pasteur"}
    both = await post_form(client, new, {**project, "cost": "", "location": "rue de la gare"}, new)
    assert both.status_code == 422  # the cost's error and the choice of places, at once
    assert field_error(both.text, "cost") and "Plusieurs lieux" in field_error(
        both.text, "location"
    )
    assert (await post_form(client, new, project, new)).status_code == 303
    placed = await Project.get(title=PROJECT["title"])
    assert (placed.location, placed.latitude, placed.longitude) == ("8 rue Pasteur", 47.21, -1.55)
    # staff correct the text: the address kept is not asked again, even without its point
    edit = f"/admin/budgets/{budget.id}/projects/{placed.id}/edit"
    asked = len(running_geocoder.queries)
    async with logged_in(app, admin) as staff:
        fields = {**project, "geocoded": "8 rue Pasteur", "reason": "Orthographe"}
        assert (await post_form(staff, edit, fields, edit)).status_code == 303
        assert len(running_geocoder.queries) == asked  # the same address: no request
        await placed.refresh_from_db()
        assert placed.latitude is None  # the point cleared by staff stays cleared
        moved = {**fields, "location": "rue de la gare 44400"}
        assert (await post_form(staff, edit, moved, edit)).status_code == 303
    assert len(running_geocoder.queries) == asked + 1  # a new address: asked once
    await placed.refresh_from_db()
    assert (placed.latitude, placed.longitude) == (47.18, -1.55)
    # a report's first step (a GET form): the clear best match is its point, as in every form
    category = await pothole_category()
    step = f"/signalements/new?category={category.id}&address=8+rue+Pasteur"
    found = await client.get(step)
    assert found.status_code == 200 and 'name="latitude" value="47.210000"' in found.text
    assert 'name="geocoded" value="8 rue Pasteur"' in found.text
    outside = await client.get("/signalements/new?category=&address=place+du+Capitole")
    assert outside.status_code == 422
    assert field_error(outside.text, "category")
    assert "en dehors de la commune" in field_error(outside.text, "address")
    several = await client.get(f"/signalements/new?category={category.id}&address=rue+de+la+gare")
    assert several.status_code == 422 and 'name="place"' in several.text
    # choices only from the lookup: a link's own are not shown as places
    forged = "&place_options=47.2%2C-1.5%2CAppelez+le+0899+pour+choisir"
    crafted = await client.get(f"/signalements/new?category=&address=place+du+Capitole{forged}")
    assert crafted.status_code == 422 and "0899" not in crafted.text
    # anyone may send that GET: each request to the service counts (address_lookup), here
    # one a minute per address, at one frozen moment
    one = RateLimitedAction("address_lookup", "x", (Limit("address_lookup", "ip", 1, MINUTE),))
    monkeypatch.setitem(ratelimit.actions(), "address_lookup", one)
    app.state.clock = lambda: 4_000_000_000.0
    asked = len(running_geocoder.queries)
    sent = [await client.get(f"{step}+{n}") for n in (1, 2)]
    assert [r.status_code for r in sent] == [422, 422]
    assert len(running_geocoder.queries) == asked + 1  # the second was not asked
    assert "Trop d’adresses" in field_error(sent[1].text, "address")  # the form kept
    assert 'value="8 rue Pasteur 2"' in sent[1].text


async def test_a_proposal_taken_at_the_counter_is_placed_as_a_residents(
    app: Any, client: httpx.AsyncClient, admin: User, running_geocoder: LocalGeocoder
) -> None:
    """The counter's proposal form (issue #20) has the resident's place fields and looks its
    address up the same way: the point found, the choice of places shown with the form's
    other errors in one sending (the channel's too), nothing written meanwhile."""
    person = await counter.record_person(admin, "Mme Durand", "", True)
    page = f"/admin/counter/people/{person.id}"
    await log_in(client, admin)
    shown = (await client.get(page)).text
    for name in ("address", "latitude", "longitude"):
        assert f'name="{name}"' in shown
    assert "data-map-pick" in shown and "js/map-pick.js" in shown
    form = {**(await good_form()), "channel": "paper"}
    several = await post_form(client, f"{page}/proposal",
                              {**form, "title": "", "channel": "", "address": "rue de la gare"},
                              page)  # fmt: skip
    assert several.status_code == 422
    assert "Plusieurs lieux" in field_error(several.text, "address")
    assert field_error(several.text, "title") and field_error(several.text, "channel")
    assert not await Proposal.exists()
    choices = dict(
        re.findall(r'name="place" value="([^"]*)"[^>]*><label[^>]*>([^<]*)<', several.text)
    )
    reze = next(v for v, label in choices.items() if "Rezé" in label)
    assert 'name="geocoded" value="rue de la gare"' in several.text
    chosen = {**form, "address": "rue de la gare", "geocoded": "rue de la gare", "place": reze}
    assert (await post_form(client, f"{page}/proposal", chosen, page)).status_code == 303
    placed = await Proposal.get(address="rue de la gare")
    assert (placed.latitude, placed.longitude, placed.channel) == (47.18, -1.55, "paper")
    assert placed.author_id == person.id
    body = "Un banc à l'ombre devant le numéro 8, pour les personnes qui attendent le bus."
    found = {**form, "title": "Un banc rue Pasteur", "body": body, "address": "8 rue Pasteur"}
    assert (await post_form(client, f"{page}/proposal", found, page)).status_code == 303
    pasteur = await Proposal.get(address="8 rue Pasteur")
    assert (pasteur.latitude, pasteur.longitude) == (47.21, -1.55)
