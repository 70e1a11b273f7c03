"""Categories of the town (themes that contributions are filed under). Districts are part of
the resident register: participation/residents/models.py."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tortoise import fields
from tortoise.models import Model

from participation.i18n import N_


# A theme (mobility, environment...) used to file contributions.
class Category(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100)
    slug = fields.CharField(max_length=100, unique=True)

    class Meta:
        table = "territory_category"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# --- places: the town's box, a place typed in a form, the map drawn by the server -------------
# (issue #20) Proposals, budget projects, meetings and reports in public space may carry a
# place: an address (text) and, optionally, a point inside the town's box (the setting
# SIGNALEMENTS_TOWN_BOX, docs/configuration.md). The maps are SVG drawn by the server from the
# box (`Frame`): no tiles, no script, a link per point and a list as their text alternative.

EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)
MAP_WIDTH = 800  # SVG units; the height follows the town's proportions
MAP_MARGIN = 10

OUTSIDE_TOWN = N_("This point is outside the town: check the coordinates.")
NOT_A_NUMBER = N_("Enter a number in decimal degrees, like 44.8378.")
BOTH_OR_NEITHER = N_("Give both coordinates, or neither.")


@dataclass(frozen=True)
class Box:
    """A latitude/longitude rectangle (degrees): the town's, or a search around a point."""

    south: float
    west: float
    north: float
    east: float

    def contains(self, lat: float, lon: float) -> bool:
        return self.south <= lat <= self.north and self.west <= lon <= self.east


def town_box(settings: Any) -> Box:
    """The town's box, from the settings (`signalements_town_box`: south, west, north, east)."""
    return Box(*settings.signalements_town_box)


def coordinate(raw: str) -> float | None | str:
    """A finite number typed in decimal degrees (a comma is a decimal point), None when empty,
    or "bad" (not a number, inf, nan)."""
    raw = (raw or "").strip().replace(",", ".")
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        return "bad"
    return value if math.isfinite(value) else "bad"


def point_problems(raw_lat: str, raw_lon: str, town: Box) -> dict[str, str]:
    """Problems of an optional point typed as two fields (`latitude`, `longitude`), each a
    message key under the field it is about: not a number, only one given, outside `town`."""
    lat, lon = coordinate(raw_lat), coordinate(raw_lon)
    problems: dict[str, str] = {}
    if lat == "bad":
        problems["latitude"] = NOT_A_NUMBER
    if lon == "bad":
        problems["longitude"] = NOT_A_NUMBER
    if problems:
        return problems
    if (lat is None) != (lon is None):
        problems["longitude" if lon is None else "latitude"] = BOTH_OR_NEITHER
    elif isinstance(lat, float) and isinstance(lon, float) and not town.contains(lat, lon):
        problems["latitude"] = OUTSIDE_TOWN
    return problems


def point_of(raw_lat: str, raw_lon: str) -> tuple[float | None, float | None]:
    """The point typed, once `point_problems` found none: (None, None) when not given."""
    lat, lon = coordinate(raw_lat), coordinate(raw_lon)
    if isinstance(lat, float) and isinstance(lon, float):
        return lat, lon
    return None, None


@dataclass(frozen=True)
class Frame:
    """The town's box drawn `width` x `height` SVG units (plus a margin): an equirectangular
    projection with longitudes shrunk by the cosine of the middle latitude, so that a town
    keeps its shape (a kilometre is as long north-south as east-west)."""

    box: Box
    width: float
    height: float

    def point(self, lat: float, lon: float) -> tuple[float, float]:
        """SVG (x, y) of a position inside the box (y grows southwards)."""
        x = MAP_MARGIN + (lon - self.box.west) / (self.box.east - self.box.west) * self.width
        y = MAP_MARGIN + (self.box.north - lat) / (self.box.north - self.box.south) * self.height
        return round(x, 1), round(y, 1)

    def position(self, x: float, y: float) -> tuple[float, float]:
        """(latitude, longitude) of an SVG point: the inverse of `point` (the form's map)."""
        lon = self.box.west + (x - MAP_MARGIN) / self.width * (self.box.east - self.box.west)
        lat = self.box.north - (y - MAP_MARGIN) / self.height * (self.box.north - self.box.south)
        return lat, lon

    def scale(self) -> tuple[float, float]:
        """(kilometres, SVG units) of a scale bar: the round length (1, 2 or 5 x 10^n km)
        closest below a fifth of the map's width."""
        middle = math.radians((self.box.north + self.box.south) / 2)
        km_wide = (
            math.radians(self.box.east - self.box.west) * math.cos(middle) * EARTH_RADIUS_M / 1000
        )
        target = km_wide / 5
        power = 10 ** math.floor(math.log10(target))
        km = max(step * power for step in (1, 2, 5) if step * power <= target)
        return km, round(km / km_wide * self.width, 1)

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width + 2 * MAP_MARGIN:g} {self.height + 2 * MAP_MARGIN:g}"


def frame(box: Box, width: float = MAP_WIDTH) -> Frame:
    middle = math.radians((box.north + box.south) / 2)
    ground_width = (box.east - box.west) * math.cos(middle)
    height = width * (box.north - box.south) / ground_width
    return Frame(box, width, round(height, 1))


@dataclass(frozen=True)
class Pin:
    """A place to draw: its link, its name (the link's text and the point's label), its
    address, and its position (None: listed, not drawn)."""

    href: str
    name: str
    address: str
    latitude: float | None
    longitude: float | None


def placed(pins: Iterable[Pin], box: Box) -> tuple[list[Pin], list[Pin]]:
    """(the pins drawn, the others): a pin without a point or outside the box (the box may
    have changed since) is only listed."""
    drawn: list[Pin] = []
    listed: list[Pin] = []
    for p in pins:
        if (
            p.latitude is not None
            and p.longitude is not None
            and box.contains(p.latitude, p.longitude)
        ):
            drawn.append(p)
        else:
            listed.append(p)
    return drawn, listed


@dataclass(frozen=True)
class TownMap:
    """What `templates/_placemap.html` draws: the frame, the pins placed (with their SVG x, y)
    and the pins only listed (no point, or outside the box)."""

    frame: Frame
    drawn: list[tuple[Pin, float, float]]
    listed: list[Pin]
    margin: float = MAP_MARGIN


def town_map(box: Box, pins: Iterable[Pin], width: float = MAP_WIDTH) -> TownMap:
    f = frame(box, width)
    drawn, listed = placed(pins, box)
    at = []
    for p in drawn:
        assert p.latitude is not None and p.longitude is not None  # placed kept placed ones
        x, y = f.point(p.latitude, p.longitude)
        at.append((p, x, y))
    return TownMap(f, at, listed)


SMALL_MAP_WIDTH = 400  # an item's page: its text stays readable on a phone


def place_map(box: Box, pin: Pin) -> TownMap | None:
    """The small map of one item's page, or None when it has no point inside the box (the
    page then shows its address alone)."""
    m = town_map(box, [pin], SMALL_MAP_WIDTH)
    return m if m.drawn else None


def demo_spot(box: Box, n: int) -> tuple[float, float]:
    """A point of the demo town, the n-th of a well-spread sequence (golden-ratio steps)
    inside the box's middle 80 %: deterministic, so that running the demo twice agrees."""
    fx = (0.5 + n * 0.6180339887) % 1.0
    fy = (0.5 + n * 0.7548776662) % 1.0
    lat = box.south + (0.1 + 0.8 * fy) * (box.north - box.south)
    lon = box.west + (0.1 + 0.8 * fx) * (box.east - box.west)
    return round(lat, 6), round(lon, 6)
