"""Signalements (reports of problems in public space): pure rules over plain data, no HTTP, no
database.

A resident reports a problem (a pothole, a broken street light...) with a category, a place
(address text, and coordinates when known: inside the town's bounding box) and a description.
The town moves it through its states: received -> taken in charge -> planned -> resolved, or
rejected, or not the town's business (with the body to contact). Each change carries a public
message. The reporter may reopen a resolved report within REOPEN_DAYS days; staff may reopen a
closed one at any time. Each category has its SLA in days: the due date, what is overdue, and
the figures (median and 90th percentile of the time to resolution, share resolved in time).
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from participation.accounts.domain import email_problem, normalize_email
from participation.formfields import bounded_text
from participation.i18n import N_
from participation.numbers import is_whole_number, parse_id
from participation.refusals import DomainError, Problem, Refused

# the town's box and its drawing are the core's (every map of the site uses them)
from participation.territory import (  # noqa: F401  (re-exported: signalements.domain.Box...)
    EARTH_RADIUS_M,
    MAP_MARGIN,
    MAP_WIDTH,
    Box,
    Frame,
    frame,
)

DESCRIPTION_MIN, DESCRIPTION_MAX = 10, 2_000
ADDRESS_MAX = 300
MESSAGE_MAX = 2_000
BODY_MAX = 300  # the body to contact when the town is not in charge
REOPEN_DAYS = 15
DUPLICATE_RADIUS_M = 50.0
MAX_PHOTOS = 3
SLA_DAYS_MAX = 365


class State(StrEnum):
    RECEIVED = "received"  # reçu
    TAKEN = "taken"  # pris en charge
    PLANNED = "planned"  # planifié
    RESOLVED = "resolved"  # résolu
    REJECTED = "rejected"  # rejeté
    NOT_OURS = "not_ours"  # hors compétence communale
    MERGED = "merged"  # a duplicate, merged into another report (services.merge only)


class Channel(StrEnum):
    ONLINE = "online"
    COUNTER = "counter"  # at the town hall's counter, typed by staff
    PHONE = "phone"  # by phone, typed by staff


STATE_LABELS = {
    State.RECEIVED: N_("Received"),
    State.TAKEN: N_("Taken in charge"),
    State.PLANNED: N_("Work planned"),
    State.RESOLVED: N_("Resolved"),
    State.REJECTED: N_("Rejected"),
    State.NOT_OURS: N_("Not the town’s responsibility"),
    State.MERGED: N_("Merged into another report"),
}
CHANNEL_LABELS = {
    Channel.ONLINE: N_("Online"),
    Channel.COUNTER: N_("At the counter"),
    Channel.PHONE: N_("By phone"),
}
# the icons a category may show (files static/signalements/<name>.svg are for the maps' issue;
# the name is shown as text until then, in the reader's language: ICON_LABELS)
ICON_LABELS = {
    "road": N_("Road"),
    "light": N_("Street light"),
    "waste": N_("Waste"),
    "graffiti": N_("Graffiti"),
    "crossing": N_("Crossing"),
    "tree": N_("Tree"),
    "water": N_("Water"),
    "furniture": N_("Street furniture"),
    "other": N_("Other"),
}
ICONS = tuple(ICON_LABELS)

OPEN_STATES = frozenset({State.RECEIVED, State.TAKEN, State.PLANNED})
CLOSED_STATES = frozenset({State.RESOLVED, State.REJECTED, State.NOT_OURS, State.MERGED})

# what staff may do from each state (a change of state, with a public message); reopening and
# merging are separate commands (`reopen_target`, services.merge)
TRANSITIONS: dict[State, frozenset[State]] = {
    State.RECEIVED: frozenset(
        {State.TAKEN, State.PLANNED, State.RESOLVED, State.REJECTED, State.NOT_OURS}
    ),
    State.TAKEN: frozenset({State.PLANNED, State.RESOLVED, State.REJECTED, State.NOT_OURS}),
    State.PLANNED: frozenset({State.TAKEN, State.RESOLVED, State.REJECTED, State.NOT_OURS}),
    State.RESOLVED: frozenset(),
    State.REJECTED: frozenset(),
    State.NOT_OURS: frozenset(),
    State.MERGED: frozenset(),
}

OUT_OF_ORDER = N_(
    "This report cannot go from “{current}” to “{target}”. A resolved report is reopened, "
    "not moved back."
)
NOT_REOPENABLE = N_("Only a resolved report can be reopened, within 15 days of its resolution.")
REOPEN_TOO_LATE = N_("This report was resolved more than 15 days ago: report the problem again.")
MERGE_ITSELF = N_("A report cannot be merged into itself.")
MERGE_CLOSED = N_("Both reports must be open to be merged.")


def allowed_targets(current: State) -> frozenset[State]:
    return TRANSITIONS[current]


def check_transition(current: State, target: State) -> None:
    """DomainError when staff may not move a report from `current` to `target`."""
    if target not in TRANSITIONS[current]:
        raise DomainError(OUT_OF_ORDER)


def reopen_target(
    current: State, resolved_at: datetime | None, now: datetime, by_staff: bool
) -> State:
    """The state a reopened report goes back to (received). The reporter reopens a resolved
    report within REOPEN_DAYS days of its resolution; staff reopen any closed report (not a
    merged one: its followers moved to the other report)."""
    if by_staff:
        if current in (State.RESOLVED, State.REJECTED, State.NOT_OURS):
            return State.RECEIVED
        raise DomainError(NOT_REOPENABLE)
    if current != State.RESOLVED or resolved_at is None:
        raise DomainError(NOT_REOPENABLE)
    if now - resolved_at > timedelta(days=REOPEN_DAYS):
        raise DomainError(REOPEN_TOO_LATE)
    return State.RECEIVED


def can_reopen(current: State, resolved_at: datetime | None, now: datetime) -> bool:
    try:
        reopen_target(current, resolved_at, now, by_staff=False)
    except DomainError:
        return False
    return True


def check_merge(source_id: int, target_id: int, source: State, target: State) -> None:
    if source_id == target_id:
        raise DomainError(MERGE_ITSELF)
    if source not in OPEN_STATES or target not in OPEN_STATES:
        raise DomainError(MERGE_CLOSED)


# --- places -------------------------------------------------------------------------------------


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine): exact to well under a metre at 50 m."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def box_around(lat: float, lon: float, radius_m: float) -> Box:
    """The smallest rectangle holding every point within `radius_m` of (lat, lon): the index
    narrows the duplicate lookup to it, then `distance_m` keeps the points really that near.
    A longitude degree shrinks with the cosine of the latitude (towns are far from the poles)."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    dlon = math.degrees(radius_m / (EARTH_RADIUS_M * max(math.cos(math.radians(lat)), 1e-6)))
    return Box(lat - dlat, lon - dlon, lat + dlat, lon + dlon)


@dataclass(frozen=True)
class Nearby:
    id: int
    latitude: float | None
    longitude: float | None
    address: str


def normalized_address(address: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", address.lower()).split())


def duplicates(
    lat: float | None, lon: float | None, address: str, candidates: Iterable[Nearby]
) -> list[int]:
    """The candidates (open, same category, read through the bounding-box index) within
    DUPLICATE_RADIUS_M of the point, nearest first; without coordinates, those at the same
    address (as typed, ignoring case and punctuation)."""
    if lat is not None and lon is not None:
        near = [
            (distance_m(lat, lon, c.latitude, c.longitude), c.id)
            for c in candidates
            if c.latitude is not None and c.longitude is not None
        ]
        return [i for d, i in sorted(near) if d <= DUPLICATE_RADIUS_M]
    wanted = normalized_address(address)
    return [c.id for c in candidates if wanted and normalized_address(c.address) == wanted]


# --- SLA and figures ----------------------------------------------------------------------------


def due_at(created_at: datetime, sla_days: int) -> datetime:
    """Due date: `sla_days` calendar days after the report (weekends and holidays included:
    what residents read as "within N days")."""
    return created_at + timedelta(days=sla_days)


def is_overdue(state: State, due: datetime | None, now: datetime) -> bool:
    return due is not None and state in OPEN_STATES and now > due


def percentile(values: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile (0 < share <= 1): the smallest value that at least `share`
    of the values do not exceed. Always one of the values (no interpolation): "90% of the
    reports were resolved within N days" is then literally true. None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float | None:
    """The usual median: the middle value, or halfway between the two middle values for an
    even count, written `low + (high - low) * 0.5` as PostgreSQL's `percentile_cont(0.5)`
    interpolates (the same number as the mean, to the last bit)."""
    if not values:
        return None
    ordered = sorted(values)
    low, high = ordered[(len(ordered) - 1) // 2], ordered[len(ordered) // 2]
    return low + (high - low) * 0.5


@dataclass(frozen=True)
class Resolution:
    """One report as the figures see it."""

    created_at: datetime
    resolved_at: datetime | None  # set when the report is resolved
    due: datetime


@dataclass(frozen=True)
class Figures:
    received: int
    resolved: int
    median_days: float | None
    p90_days: float | None
    within_sla: float | None  # share of the resolved reports resolved by their due date


def figures_of(
    received: int, resolved: int, in_time: int, median_days: float | None, p90_days: float | None
) -> Figures:
    """The figures from what the database computed (signalements.queries.figures_by_category)."""
    return Figures(
        received,
        resolved,
        median_days,
        p90_days,
        in_time / resolved if resolved else None,
    )


def figures(reports: Iterable[Resolution]) -> Figures:
    """The reference definition in Python, over every report: the SQL of
    signalements.queries.figures_by_category gives the same (tests/signalements/test_figures.py)."""
    received, days, in_time = 0, [], 0
    for r in reports:
        received += 1
        if r.resolved_at is None:
            continue
        days.append((r.resolved_at - r.created_at).total_seconds() / 86_400)
        in_time += r.resolved_at <= r.due
    return Figures(
        received,
        len(days),
        median(days),
        percentile(days, 0.9),
        in_time / len(days) if days else None,
    )


# --- tracking tokens ------------------------------------------------------------------------------


def new_token() -> str:
    """The tracking link's secret: shown once and e-mailed, stored only hashed."""
    return secrets.token_urlsafe(24)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- forms --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    category_id: int
    address: str
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class ReportForm:
    place: Place
    description: str
    email: str  # "" when none: a contact for follow-up only
    private: bool
    channel: Channel


def _coordinate(data: Mapping[str, str], name: str, problems: list[Problem]) -> float | None:
    raw = data.get(name, "").strip().replace(",", ".")
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        problems.append(Problem(N_("Enter a number in decimal degrees, like 44.8378."), field=name))
        return None
    return value


def parse_place(
    data: Mapping[str, str], categories: Iterable[int], town: Box, problems: list[Problem]
) -> Place:
    """The first step of the form (category and place), read from `data`: the category among
    `categories`, an address, and optionally both coordinates, inside `town`."""
    category_id = parse_id(data.get("category", ""))
    if category_id is None or category_id not in set(categories):
        problems.append(Problem(N_("Choose a category."), field="category"))
        category_id = 0
    address = bounded_text(data, "address", ADDRESS_MAX, problems)
    if not address:
        problems.append(Problem(N_("Enter the address or a landmark."), field="address"))
    lat = _coordinate(data, "latitude", problems)
    lon = _coordinate(data, "longitude", problems)
    if (lat is None) != (lon is None) and not any(
        p.field in ("latitude", "longitude") for p in problems
    ):
        missing = "longitude" if lon is None else "latitude"
        problems.append(Problem(N_("Give both coordinates, or neither."), field=missing))
        lat = lon = None
    elif lat is not None and lon is not None and not town.contains(lat, lon):
        problems.append(
            Problem(N_("This point is outside the town: check the coordinates."), field="latitude")
        )
    return Place(category_id, address, lat, lon)


def parse_report(
    data: Mapping[str, str], categories: Iterable[int], town: Box, staff: bool
) -> ReportForm:
    """The whole form; Refused with every problem, field by field. Staff may record the channel
    (counter, phone); residents report online."""
    problems: list[Problem] = []
    place = parse_place(data, categories, town, problems)
    description = bounded_text(data, "description", DESCRIPTION_MAX, problems)
    if len(description) < DESCRIPTION_MIN and not any(p.field == "description" for p in problems):
        problems.append(
            Problem(
                N_("Describe the problem in at least {min} characters."),
                {"min": DESCRIPTION_MIN},
                field="description",
            )
        )
    email = normalize_email(data.get("email", ""))
    if email and (problem := email_problem(email)):
        problems.append(Problem(problem, field="email"))
    channel = Channel.ONLINE
    if staff and data.get("channel"):
        try:
            channel = Channel(data["channel"])
        except ValueError:
            problems.append(Problem(N_("Choose how the report came in."), field="channel"))
    if problems:
        raise Refused(problems)
    return ReportForm(place, description, email, data.get("private") == "on", channel)


@dataclass(frozen=True)
class Change:
    target: State
    message: str
    body: str  # who to contact, when the town is not in charge


def parse_change(data: Mapping[str, str]) -> Change:
    """A staff change of state: a state, its public message, and for "not ours" the body to
    contact."""
    problems: list[Problem] = []
    try:
        target = State(data.get("state", ""))
    except ValueError:
        target = State.RECEIVED
        problems.append(Problem(N_("Choose the new state."), field="state"))
    if target == State.MERGED:
        problems.append(Problem(N_("Choose the new state."), field="state"))
    message = bounded_text(data, "message", MESSAGE_MAX, problems)
    if not message:
        problems.append(
            Problem(
                N_("Write the public message that tells residents what happens."), field="message"
            )
        )
    body = bounded_text(data, "body", BODY_MAX, problems)
    if target == State.NOT_OURS and not body:
        problems.append(
            Problem(
                N_("Say which body to contact (department, metropolis, operator)."), field="body"
            )
        )
    if problems:
        raise Refused(problems)
    return Change(target, message, body if target == State.NOT_OURS else "")


@dataclass(frozen=True)
class CategoryForm:
    name: str
    icon: str
    service: str
    sla_days: int
    premoderated: bool


def parse_category(data: Mapping[str, str]) -> CategoryForm:
    problems: list[Problem] = []
    name = bounded_text(data, "name", 100, problems)
    if not name:
        problems.append(Problem(N_("Name the category."), field="name"))
    icon = data.get("icon", "")
    if icon not in ICONS:
        problems.append(Problem(N_("Choose an icon."), field="icon"))
    service = bounded_text(data, "service", 100, problems)
    if not service:
        problems.append(Problem(N_("Name the service in charge."), field="service"))
    raw = data.get("sla_days", "").strip()
    sla = int(raw) if is_whole_number(raw) else 0
    if not 1 <= sla <= SLA_DAYS_MAX:
        problems.append(
            Problem(
                N_("Enter a number of days from 1 to {max}."), {"max": SLA_DAYS_MAX}, "sla_days"
            )
        )
    if problems:
        raise Refused(problems)
    return CategoryForm(name, icon, service, sla, data.get("premoderated") == "on")


# --- response templates ---------------------------------------------------------------------------

TEMPLATE_TITLE_MAX = 100


@dataclass(frozen=True)
class TemplateForm:
    category_id: int | None  # None: offered for every category
    title: str
    text: str


def parse_template(data: Mapping[str, str], category_ids: Iterable[int]) -> TemplateForm:
    """A response template: a title (what the select shows), the public message it prefills
    (the same bound as a change's message), and the category it is for, or none for all."""
    problems: list[Problem] = []
    raw = data.get("category", "").strip()
    category = parse_id(raw) if raw else None
    if raw and category not in set(category_ids):
        problems.append(Problem(N_("Choose a category, or none for all."), field="category"))
    title = bounded_text(data, "title", TEMPLATE_TITLE_MAX, problems)
    if not title:
        problems.append(Problem(N_("Give the template a short title."), field="title"))
    text = bounded_text(data, "text", MESSAGE_MAX, problems)
    if not text:
        problems.append(Problem(N_("Write the message the template prefills."), field="text"))
    if problems:
        raise Refused(problems)
    return TemplateForm(category, title, text)


# --- the map (a server-drawn SVG of the town's box: participation.territory.Frame) ----------


@dataclass(frozen=True)
class MapPoint:
    id: int
    latitude: float | None
    longitude: float | None
    private: bool
    state: State


def mappable(points: Iterable[MapPoint], box: Box) -> tuple[list[MapPoint], int]:
    """(the points drawn, how many are not): a private report's position is never drawn
    (the public pages hide its address), nor a report without coordinates or outside the box
    (the box may have been changed since)."""
    drawn, left_out = [], 0
    for p in points:
        if p.private or p.latitude is None or p.longitude is None:
            left_out += 1
        elif not box.contains(p.latitude, p.longitude):
            left_out += 1
        else:
            drawn.append(p)
    return drawn, left_out
