"""An address typed in a form, turned into a point on the town's map (issue #20): the French
national address API (Base Adresse Nationale, `GET {GEOCODER_URL}/search/?q=…&limit=5`, a
GeoJSON FeatureCollection whose features have `properties.label`, `score`, `citycode` and
`geometry.coordinates` [longitude, latitude]), asked by the server when the form is sent: no
JavaScript. docs/maps.md.

`candidates_of` (the answer read) and `choose` (the best place inside the town) are pure;
`search` is the one HTTP call; `locate` fills a form's point from its address and returns
the address field's problem, which the shared form machinery (`web.form_page`'s `place`,
`web.saved_with_place`) shows together with the form's own.
A lookup is asked once per address typed: the form then carries `geocoded` (the address looked
up), so that sending it again as it is keeps the address as text, without a point. A lookup
that fails never loses what was typed and never blocks the form."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from participation.i18n import N_
from participation.refusals import Problem
from participation.territory import Box, coordinate

TIMEOUT_SECONDS = 3.0  # a form waits no longer for the address service
LIMIT = 5  # candidates asked for, and offered at most
# the best candidate is taken at once when it is good and clearly ahead of the next one
# (the API's score is between 0 and 1)
CLEAR_SCORE = 0.7
CLEAR_LEAD = 0.1
MIN_QUERY = 3  # the API refuses shorter queries (400)
MAX_QUERY = 200

NOT_FOUND = N_(
    "This address was not found in the town. Correct it, give the point below, or send the "
    "form again to keep the address without a point on the map."
)
OUTSIDE = N_(
    "This address is outside the town. Correct it, give the point below, or send the form "
    "again to keep the address without a point on the map."
)
SEVERAL = N_("Several places match this address: choose one below.")
NOT_ASKED = N_(
    "Too many addresses were looked up from here in a short time, so this one was not placed "
    "on the map. Give the point below, or send the form again to keep the address without a "
    "point."
)
UNAVAILABLE = N_(
    "The address service did not answer, so the address was not placed on the map. Give the "
    "point below, or send the form again to keep the address without a point."
)


@dataclass(frozen=True)
class Candidate:
    """A place the address API suggests."""

    label: str
    latitude: float
    longitude: float
    score: float
    citycode: str = ""

    @property
    def value(self) -> str:
        """The form's value for this choice: `latitude,longitude`."""
        return f"{self.latitude:.6f},{self.longitude:.6f}"


class NotAsked(Exception):
    """`asking` (see `locate`) does not let this request go to the service now (a rate
    limit): the address is left as typed, as when the service does not answer."""


class Unavailable(Exception):
    """The address service is down, slow, or answered something else than its format."""


def candidates_of(payload: Any) -> list[Candidate]:
    """The places of an API answer (a GeoJSON FeatureCollection); a feature that is not a
    point with finite coordinates and a label is left out."""
    found: list[Candidate] = []
    features = payload.get("features") if isinstance(payload, dict) else None
    for feature in features if isinstance(features, list) else []:
        try:
            properties = feature["properties"]
            lon, lat = (float(c) for c in feature["geometry"]["coordinates"][:2])
            label = str(properties["label"]).strip()
            score = float(properties.get("score", 0))
        except (KeyError, TypeError, ValueError):
            continue
        if label and all(math.isfinite(v) for v in (lat, lon, score)):
            citycode = str(properties.get("citycode") or "")
            found.append(Candidate(label[:MAX_QUERY], lat, lon, score, citycode))
    return found


def choose(
    candidates: list[Candidate], town: Box, citycode: str = ""
) -> Candidate | list[Candidate] | str:
    """The place of an address: the one candidate inside the town (and in its commune, when
    `citycode` is set) that is clearly the best; several (best first, one per label) when the
    person must choose; or a message key: none found (`NOT_FOUND`), none inside (`OUTSIDE`)."""
    if not candidates:
        return NOT_FOUND
    inside = sorted(
        (
            c
            for c in candidates
            if town.contains(c.latitude, c.longitude) and (not citycode or c.citycode == citycode)
        ),
        key=lambda c: -c.score,
    )
    if not inside:
        return OUTSIDE
    best = inside[0]
    if len(inside) == 1 or (
        best.score >= CLEAR_SCORE and best.score - inside[1].score >= CLEAR_LEAD
    ):
        return best
    labels: set[str] = set()
    offered = []
    for c in inside:
        if c.label.casefold() not in labels:
            labels.add(c.label.casefold())
            offered.append(c)
    return offered[:LIMIT] if len(offered) > 1 else best


async def search(base_url: str, query: str, citycode: str = "") -> list[Candidate]:
    """The API's candidates for `query`; `Unavailable` when it does not answer in time, or not
    in its format."""
    params = {"q": query[:MAX_QUERY], "limit": str(LIMIT)}
    if citycode:
        params["citycode"] = citycode
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as client:
            response = await client.get(base_url.rstrip("/") + "/search/", params=params)
        response.raise_for_status()
        payload = response.json()
    except (httpx.HTTPError, ValueError) as failed:
        raise Unavailable() from failed
    if not isinstance(payload, dict) or not isinstance(payload.get("features"), list):
        raise Unavailable()
    return candidates_of(payload)


def chosen_point(value: str) -> tuple[str, str] | None:
    """The point of a choice sent back (`latitude,longitude`), as typed fields; None if it
    is not two numbers (the service then checks it is inside the town, as a typed point)."""
    parts = value.split(",")
    if len(parts) != 2 or not all(isinstance(coordinate(p), float) for p in parts):
        return None
    return parts[0].strip(), parts[1].strip()


async def locate(
    settings: Any,
    data: dict[str, str],
    town: Box,
    address: str = "address",
    asking: Callable[[], Awaitable[None]] | None = None,
) -> list[Problem]:
    """Fills `data`'s latitude and longitude from its address field, before the form's
    checks read it; the form as it will be shown again is `data` itself, so that what this
    adds (`geocoded`, the candidates) comes back with it. Nothing to do when a point is typed
    or chosen (`place`), without an address, when the setting GEOCODER_URL is empty, or when
    this address was already looked up (sent again: it stays text). Returns the address
    field's problem, never raises: the address not found in the town, several places that
    match (the form then offers them: `place_options`), or the service that does not answer.
    `asking` runs just before the request to the service (the rate limit: it raises
    `NotAsked` to keep the request from the service, the form then shown again as typed).
    A form's route does not call this itself: `web.form_page(..., place=web.Place(...))` or
    `web.saved_with_place` do, so that the form's own checks run in the same pass."""
    # the choices shown come from this lookup only: a link or form carrying its own would put
    # any text on the town's page as "places"
    data.pop("place_options", None)
    typed = " ".join(data.get(address, "").split())
    chosen = chosen_point(data.get("place", ""))
    if chosen and not (data.get("latitude", "").strip() or data.get("longitude", "").strip()):
        data["latitude"], data["longitude"] = chosen
        return []
    if data.get("latitude", "").strip() or data.get("longitude", "").strip():
        return []
    base_url = settings.geocoder_url
    if not base_url or not typed or data.get("geocoded", "") == typed:
        return []
    data["geocoded"] = typed  # asked once: the same address sent again stays text
    if len(typed) < MIN_QUERY:
        return [Problem(NOT_FOUND, field=address)]
    try:
        if asking is not None:
            await asking()
        candidates = await search(base_url, typed, settings.geocoder_citycode)
    except NotAsked:
        return [Problem(NOT_ASKED, field=address)]
    except Unavailable:
        return [Problem(UNAVAILABLE, field=address)]
    found = choose(candidates, town, settings.geocoder_citycode)
    if isinstance(found, str):
        return [Problem(found, field=address)]
    if isinstance(found, list):
        data["place_options"] = "\n".join(f"{c.value},{c.label}" for c in found)
        return [Problem(SEVERAL, field=address)]
    data["latitude"], data["longitude"] = found.value.split(",")
    return []


def place_options(data: dict[str, str]) -> list[tuple[str, str]]:
    """The candidates a form shows after `SEVERAL`: (value, label) pairs."""
    pairs = []
    for line in data.get("place_options", "").splitlines():
        lat, _, rest = line.partition(",")
        lon, _, label = rest.partition(",")
        if chosen_point(f"{lat},{lon}") and label:
            pairs.append((f"{lat},{lon}", label))
    return pairs[:LIMIT]
