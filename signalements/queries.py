"""Reads of signalements: the duplicate lookup, the public list and figures, the staff queue,
the exports. Each list is one query for its page (categories joined), no N+1."""

from __future__ import annotations

import base64
import io
import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.expressions import Q, Subquery
from tortoise.functions import Count

from participation import features, licence, spreadsheet
from participation.contributions import ModerationState
from participation.db import database_dialect, fetch_rows
from participation.i18n import N_
from participation.numbers import parse_id, parse_page
from participation.residents.models import District
from signalements import domain
from signalements.domain import OPEN_STATES, State
from signalements.models import Category, Follower, Photo, Report, ReportEvent, ResponseTemplate

PAGE_SIZE = 30
PUBLIC_STATES: list[State] = [s for s in State if s != State.MERGED]


async def categories(active_only: bool = True) -> list[Category]:
    query = Category.filter(active=True) if active_only else Category.all()
    return await query.order_by("name")


async def district_names() -> list[str]:
    return [str(n) for n in await District.all().order_by("name").values_list("name", flat=True)]


async def nearby_open(
    category_id: int, lat: float | None, lon: float | None, address: str
) -> list[Report]:
    """Open, visible reports of the category within 50 m (or at the same address without
    coordinates), nearest first. The bounding box around the point is read through the index
    (category, state, latitude, longitude); the haversine distance keeps the really near."""
    query = Report.filter(
        category_id=category_id,
        state__in=list(OPEN_STATES),
        moderation_state=ModerationState.VISIBLE,
    )
    if lat is not None and lon is not None:
        box = domain.box_around(lat, lon, domain.DUPLICATE_RADIUS_M)
        query = query.filter(
            latitude__gte=box.south,
            latitude__lte=box.north,
            longitude__gte=box.west,
            longitude__lte=box.east,
        )
    elif address.strip():
        query = query.filter(address__iexact=address.strip())
    else:
        return []
    rows = await query.limit(50)
    found = domain.duplicates(
        lat,
        lon,
        address,
        [domain.Nearby(r.id, r.latitude, r.longitude, r.address) for r in rows],
    )
    by_id = {r.id: r for r in rows}
    return [by_id[i] for i in found[:5]]


async def follower_counts(report_ids: list[int]) -> dict[int, int]:
    if not report_ids:
        return {}
    rows = (
        await Follower.filter(report_id__in=report_ids)
        .annotate(n=Count("id"))
        .group_by("report_id")
        .values_list("report_id", "n")
    )
    return {int(report_id): int(n) for report_id, n in rows}


@dataclass(frozen=True)
class ListFilters:
    category: int | None
    state: State | None
    district: str
    page: int

    def query(self) -> dict[str, str]:
        return {
            "category": str(self.category or ""),
            "state": self.state.value if self.state else "",
            "district": self.district,
        }


def list_filters(params: Mapping[str, str]) -> ListFilters:
    """Filters from the query string; unknown values are ignored (a forged link lists all)."""
    state = params.get("state", "")
    return ListFilters(
        parse_id(params.get("category", "")),
        State(state) if state in {s.value for s in PUBLIC_STATES} else None,
        params.get("district", "")[:100],
        1,
    )


def _public() -> Any:
    return Report.filter(moderation_state=ModerationState.VISIBLE).exclude(state=State.MERGED)


def _filtered(query: Any, f: ListFilters) -> Any:
    if f.category:
        query = query.filter(category_id=f.category)
    if f.state:
        query = query.filter(state=f.state)
    if f.district:
        query = query.filter(district=f.district)
    return query


MAX_PAGE = 10_000


# --- the public list: keyset pages -----------------------------------------------------------
#
# A page starts after (or ends before) the (created_at, id) key of a row, carried in the link as
# an opaque cursor: reading page 3,000 costs what page 2 costs (OFFSET read and dropped every
# row before it). The key is not a secret (it only places the reader in the public list), so a
# forged cursor is just another place, or nothing: `decode_cursor` gives None and the list starts
# over. `?page=N`, from the links of before, still answers for the first OLD_PAGES pages.

OLD_PAGES = 10
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
# 0001-01-01 to 9999-12-31 in microseconds from 1970: what a datetime can hold
_KEY_RANGE = range(-62_135_596_800_000_000, 253_402_300_800_000_000)


@dataclass(frozen=True)
class Key:
    """Where a page starts or ends: the created_at and id of a report of the list."""

    created_at: datetime
    id: int


def encode_cursor(key: Key) -> str:
    """`key` in a link: microseconds since 1970 and the id, in URL-safe base64 (no padding)."""
    micros = (key.created_at - _EPOCH) // _MICROSECOND
    return base64.urlsafe_b64encode(f"{micros}.{key.id}".encode()).decode().rstrip("=")


def decode_cursor(raw: str) -> Key | None:
    """The key in a cursor, or None for anything `encode_cursor` did not make."""
    if not raw or len(raw) > 60:
        return None
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode("ascii")
    except (ValueError, UnicodeDecodeError):
        return None
    micros, dot, ident = text.partition(".")
    if not dot or not _digits(micros.removeprefix("-")) or not _digits(ident):
        return None
    if int(micros) not in _KEY_RANGE or not 0 < int(ident) < 2**63:
        return None
    return Key(_EPOCH + int(micros) * _MICROSECOND, int(ident))


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 20


@dataclass(frozen=True)
class ListPage:
    """A page of the public list, newest first, and the cursors of its neighbours (None: no
    such page). `before` of the page after the first is "" (the first page, no cursor)."""

    reports: list[Report]
    before: str | None
    after: str | None


def _key(report: Report) -> Key:
    return Key(report.created_at, report.id)


def _older(key: Key) -> Q:
    # (created_at, id) < key, with created_at <= key first: the index's range condition
    return Q(created_at__lte=key.created_at) & (Q(created_at__lt=key.created_at) | Q(id__lt=key.id))


def _newer(key: Key) -> Q:
    return Q(created_at__gte=key.created_at) & (Q(created_at__gt=key.created_at) | Q(id__gt=key.id))


async def public_page(
    f: ListFilters, after: Key | None = None, before: Key | None = None, old_page: int = 1
) -> ListPage:
    """The public list, newest first: the page after the key `after`, the page before the key
    `before`, or else page `old_page` (1 to OLD_PAGES, by OFFSET: the links of before). One
    query of a page and one row more (plus the first page when `before` reaches the top)."""
    query = _filtered(_public(), f).select_related("category")
    if before is not None:
        rows = await query.filter(_newer(before)).order_by("created_at", "id").limit(PAGE_SIZE + 1)
        shown = rows[:PAGE_SIZE][::-1]
        if len(rows) > PAGE_SIZE:
            return ListPage(shown, encode_cursor(_key(shown[0])), encode_cursor(_key(shown[-1])))
        if len(rows) == PAGE_SIZE:  # exactly the first page
            return ListPage(shown, None, encode_cursor(_key(shown[-1])))
        after, old_page = None, 1  # fewer: back at the top, the first page read whole
    window = query.order_by("-created_at", "-id").limit(PAGE_SIZE + 1)
    if after is not None:
        window = window.filter(_older(after))
    elif old_page > 1:
        window = window.offset((old_page - 1) * PAGE_SIZE)
    rows = await window
    shown = rows[:PAGE_SIZE]
    first = after is None and old_page == 1
    previous = None if first else encode_cursor(_key(shown[0])) if shown else ""
    following = encode_cursor(_key(shown[-1])) if len(rows) > PAGE_SIZE else None
    return ListPage(shown, previous, following)


# Time to resolution, in days, on each database: PostgreSQL subtracts exact epochs; SQLite's
# date functions read the stored ISO text to the millisecond, so its difference is rounded to
# whole milliseconds before the division (the float error of julianday is ~10 µs).
_DAYS = {
    "postgres": "(EXTRACT(EPOCH FROM resolved_at) - EXTRACT(EPOCH FROM created_at))::float8"
    " / 86400",
    "sqlite": "ROUND((julianday(resolved_at) - julianday(created_at)) * 86400000) / 86400000.0",
}
_IN_TIME = {
    "postgres": "resolved_at <= due_at",
    "sqlite": "julianday(resolved_at) <= julianday(due_at)",
}
# what the figures are grouped by (the only SQL put into the statement): a column, or one
# group for the whole town
_GROUPS = {"category_id": "category_id", "district": "district", "town": "''"}


def _figures_sql(dialect: str, group: str) -> str:
    """One statement: per `group`, received, resolved, resolved by the due date, the median
    (percentile_cont(0.5): halfway between the two middle values) and the nearest-rank 90th
    percentile (percentile_disc(0.9): the smallest value that 90% do not exceed) of the days
    to resolution. PostgreSQL has both ordered-set aggregates; SQLite numbers the resolved
    reports of each group in order (ROW_NUMBER) and picks the same ranks: the middle ones
    ((n + 1) / 2 and n / 2 + 1 in integer division) and the first rank r with 10 r >= 9 n,
    i.e. ceil(0.9 n) without floating point. domain.median and domain.percentile are the
    reference definitions (tests/signalements/test_figures.py)."""
    if group not in _GROUPS:
        raise ValueError(group)
    # merged duplicates left out: they count once, in the report they joined
    rows = (
        f"SELECT {_GROUPS[group]} AS grp, CASE WHEN state = $3 THEN {_DAYS[dialect]} END AS days, "
        f"{_IN_TIME[dialect]} AS in_time "
        "FROM signalements_report WHERE moderation_state = $1 AND state <> $2"
    )
    if dialect == "postgres":
        return (
            "SELECT grp, COUNT(*) AS received, COUNT(days) AS resolved, "
            "COUNT(*) FILTER (WHERE days IS NOT NULL AND in_time) AS in_time, "
            "percentile_cont(0.5) WITHIN GROUP (ORDER BY days) AS median_days, "
            "percentile_disc(0.9) WITHIN GROUP (ORDER BY days) AS p90_days "
            f"FROM ({rows}) r GROUP BY grp"
        )
    return (
        f"WITH r AS ({rows}), "
        "ranked AS (SELECT grp, days, in_time, "
        "CASE WHEN days IS NOT NULL THEN ROW_NUMBER() OVER "
        "(PARTITION BY grp, days IS NULL ORDER BY days) END AS rn, "
        "COUNT(days) OVER (PARTITION BY grp) AS n FROM r), "
        "picked AS (SELECT grp, COUNT(*) AS received, COUNT(days) AS resolved, "
        "SUM(CASE WHEN days IS NOT NULL AND in_time THEN 1 ELSE 0 END) AS in_time, "
        "MIN(CASE WHEN rn = (n + 1) / 2 THEN days END) AS low, "
        "MIN(CASE WHEN rn = n / 2 + 1 THEN days END) AS high, "
        "MIN(CASE WHEN rn * 10 >= n * 9 THEN days END) AS p90_days "
        "FROM ranked GROUP BY grp) "
        "SELECT grp, received, resolved, in_time, low + (high - low) * 0.5 AS median_days, "
        "p90_days FROM picked"
    )


async def resolution_figures(group: str) -> dict[Any, domain.Figures]:
    """Figures of the public reports per category id, per district or for the whole town
    (`group`: "category_id", "district", "town", whose one key is ""), computed by the
    database (no row per report comes back)."""
    dialect = database_dialect()
    rows = await fetch_rows(
        _figures_sql(dialect, group),
        [ModerationState.VISIBLE.value, State.MERGED.value, State.RESOLVED.value],
    )
    return {
        row["grp"]: domain.figures_of(
            int(row["received"]),
            int(row["resolved"]),
            int(row["in_time"] or 0),
            None if row["median_days"] is None else float(row["median_days"]),
            None if row["p90_days"] is None else float(row["p90_days"]),
        )
        for row in rows
    }


MAP_LIMIT = 500  # points on the map: the newest matching reports


MAP_COLUMNS = ("id", "latitude", "longitude", "state", "address", "category_id")


async def map_reports(f: ListFilters) -> tuple[list[dict[str, Any]], bool]:
    """The public reports the map can place (coordinates given, address not hidden), newest
    first, at most MAP_LIMIT, and whether there were more: only the columns the map draws
    (MAP_COLUMNS, no description, no model objects). The same index as the list."""
    query = _filtered(_public(), f).filter(private=False, latitude__isnull=False)
    rows = (
        await query.filter(longitude__isnull=False)
        .order_by("-created_at", "-id")
        .limit(MAP_LIMIT + 1)
        .values(*MAP_COLUMNS)
    )
    return rows[:MAP_LIMIT], len(rows) > MAP_LIMIT


async def figures_by_category() -> list[tuple[Category, domain.Figures]]:
    """Per category: received, median and 90th percentile of the days to resolution, share
    resolved by the due date (public reports, merged ones left out: they count once, in the
    report they joined)."""
    per = await resolution_figures("category_id")
    none = domain.figures_of(0, 0, 0, None, None)
    return [(c, per.get(c.id, none)) for c in await categories(active_only=False)]


async def public_figures() -> tuple[
    list[tuple[Category, domain.Figures]], list[tuple[str | None, domain.Figures]]
]:
    """The figures page: per category (every category, none received shows zeros), then per
    district (the districts reports came from, by name; those without one last, as None)."""
    by_district = await resolution_figures("district")
    districts = sorted(by_district.items(), key=lambda kv: (not kv[0], kv[0] or ""))
    return await figures_by_category(), [(name or None, f) for name, f in districts]


async def indicator_tables() -> list[features.IndicatorTable]:
    """The signalements' section of the indicators dashboard (Feature.indicator_sections):
    received, resolved, median days and share resolved in time, per category and per
    district, with the town's total; the indicators hide the small groups."""
    town = (await resolution_figures("town")).get("", domain.figures_of(0, 0, 0, None, None))
    names = {c.id: c.name for c in await categories(active_only=False)}
    by_category = await resolution_figures("category_id")
    by_district = await resolution_figures("district")
    return [
        features.IndicatorTable(
            "category",
            N_("Reports per category"),
            N_("Category"),
            INDICATOR_COLUMNS,
            [
                (names.get(k, str(k)), _values(f))
                for k, f in sorted(by_category.items(), key=lambda kv: names.get(kv[0], ""))
            ],
            _values(town),
        ),
        features.IndicatorTable(
            "district",
            N_("Reports per district"),
            N_("District"),
            INDICATOR_COLUMNS,
            [
                (str(k or ""), _values(f))
                for k, f in sorted(by_district.items(), key=lambda kv: (not kv[0], kv[0] or ""))
            ],
            _values(town),
        ),
    ]


INDICATOR_COLUMNS = (
    features.IndicatorColumn("received", N_("Received")),
    features.IndicatorColumn("resolved", N_("Resolved")),
    features.IndicatorColumn("median_days", N_("Median (days)"), "days", "resolved"),
    features.IndicatorColumn("within_sla", N_("Resolved in time"), "share", "resolved"),
)


def _values(f: domain.Figures) -> dict[str, float | int | None]:
    return {
        "received": f.received,
        "resolved": f.resolved,
        "median_days": f.median_days,
        "within_sla": f.within_sla,
    }


async def history(report_id: int, staff: bool) -> list[ReportEvent]:
    query = ReportEvent.filter(report_id=report_id)
    if not staff:
        query = query.filter(public=True)
    return await query.order_by("created_at", "id").select_related("author")


async def photos_of(report_id: int) -> tuple[list[int], dict[int, list[int]]]:
    """(ids of the report's own photos, event id -> ids of its "after" photos)."""
    rows = await Photo.filter(report_id=report_id).order_by("id").values_list("id", "event_id")
    own = [int(i) for i, e in rows if e is None]
    after: dict[int, list[int]] = defaultdict(list)
    for i, e in rows:
        if e is not None:
            after[int(e)].append(int(i))
    return own, after


async def mine(user_id: int) -> list[Report]:
    """A signed-in resident's reports and those they follow."""
    followed = Follower.filter(key=f"u:{user_id}").values("report_id")
    return (
        await Report.filter(Q(author_id=user_id) | Q(id__in=Subquery(followed)))
        .order_by("-created_at", "-id")
        .select_related("category")
    )


# --- staff queue --------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    service: str
    state: State | None  # None: the open states
    overdue: bool
    district: str

    def query(self) -> dict[str, str]:
        return {
            "service": self.service,
            "state": self.state.value if self.state else "",
            "overdue": "on" if self.overdue else "",
            "district": self.district,
        }


def queue_filters(params: Mapping[str, str]) -> QueueFilters:
    state = params.get("state", "")
    return QueueFilters(
        params.get("service", "")[:100],
        State(state) if state in {s.value for s in State} else None,
        params.get("overdue") == "on",
        params.get("district", "")[:100],
    )


async def queue(f: QueueFilters, raw_page: str, now: datetime) -> tuple[list[Report], int, bool]:
    """The staff queue: open reports by default, the earliest due first.

    One query per state, each reading the index (state, due_at, id) in order and stopping at
    the page's last row, merged here: `state IN (...) ORDER BY due_at` would read every open
    report of the town (scattered over three years of rows) to sort them."""
    states = [f.state] if f.state else sorted(OPEN_STATES)
    if f.overdue:
        states = [s for s in states if s in OPEN_STATES]
    page = parse_page(raw_page, MAX_PAGE)
    wanted = page * PAGE_SIZE + 1
    keys: list[tuple[datetime, int]] = []
    for state in states:
        query = Report.filter(state=state)
        if f.service:  # joined: a handful of categories, no statement of its own
            query = query.filter(category__service=f.service)
        if f.district:
            query = query.filter(district=f.district)
        if f.overdue:
            query = query.filter(due_at__lt=now)
        found_keys: list[Any] = (
            await query.order_by("due_at", "id").limit(wanted).values_list("due_at", "id")
        )
        keys += [(due, int(i)) for due, i in found_keys]
    keys.sort()
    window = [i for _, i in keys[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1]]
    shown = window[:PAGE_SIZE]
    by_id = {
        r.id: r
        for r in await Report.filter(id__in=shown or [0]).select_related("category", "assignee")
    }
    return [by_id[i] for i in shown if i in by_id], page, len(window) > PAGE_SIZE


async def all_templates() -> list[ResponseTemplate]:
    """Every response template, the ones for all categories first, then by category, title."""
    rows = await ResponseTemplate.all().select_related("category")
    return sorted(
        rows,
        key=lambda t: (
            t.category is not None,
            t.category.name if t.category else "",
            t.title.lower(),
            t.id,
        ),
    )


async def templates_for(category_id: int) -> list[ResponseTemplate]:
    """The templates offered on a report: its category's, then those for every category."""
    rows = await ResponseTemplate.filter(
        Q(category_id=category_id) | Q(category_id__isnull=True)
    ).order_by("title", "id")
    return sorted(rows, key=lambda t: t.category_id is None)


async def services_list() -> list[str]:
    names = await Category.all().distinct().order_by("service").values_list("service", flat=True)
    return [str(n) for n in names]


# --- open data ------------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "numero",
    "categorie",
    "service",
    "etat",
    "adresse",
    "latitude",
    "longitude",
    "quartier",
    "canal",
    "recu_le",
    "echeance",
    "resolu_le",
    "suiveurs",
)
LICENCE = licence.VALUE  # as every public export states it (participation/licence.py)


async def export_rows() -> list[list[Any]]:
    """Public reports for open data: no description (free text of residents), no contact; the
    address and coordinates of private reports are left empty."""
    reports = await _public().order_by("id").select_related("category")
    counts = await follower_counts([r.id for r in reports])
    rows = []
    for r in reports:
        rows.append(
            [
                r.id,
                r.category.name,
                r.category.service,
                r.state.value,
                "" if r.private else r.address,
                "" if r.private or r.latitude is None else round(r.latitude, 6),
                "" if r.private or r.longitude is None else round(r.longitude, 6),
                r.district,
                r.channel.value,
                _iso(r.created_at),
                _iso(r.due_at),
                _iso(r.resolved_at) if r.state == State.RESOLVED else "",
                counts.get(r.id, 0),
            ]
        )
    return rows


def _iso(moment: datetime | None) -> str:
    """UTC, ISO 8601: what data programs read without guessing a time zone."""
    return moment.isoformat() if moment else ""


def export_csv(rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = spreadsheet.writer(out, licensed=True)
    writer.writerow(EXPORT_COLUMNS)
    writer.writerows(rows)
    return out.getvalue()


def export_json(rows: list[list[Any]], base_url: str) -> str:
    return json.dumps(
        {
            "licence": LICENCE,
            "source": f"{base_url}/signalements",
            "reports": [dict(zip(EXPORT_COLUMNS, row, strict=True)) for row in rows],
        },
        ensure_ascii=False,
        indent=1,
    )
