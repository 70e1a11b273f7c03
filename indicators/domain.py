"""Indicators as pure functions over plain data: age bands, small-cell suppression, shares,
the dissimilarity index and its plain-language reading. No database, no HTTP.

Everything that leaves this module for storage has already gone through `suppress`: a figure
about fewer than `THRESHOLD` people is stored as None ("< 10") and can never be shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from participation.i18n import N_

THRESHOLD = 10  # cells with fewer people than this are suppressed, in every view and export
UNKNOWN = "unknown"  # district or age band not known: not verified against the census

# (key, lowest age, highest age or None); ages are reached during the reference year
AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("under-18", 0, 17),
    ("18-24", 18, 24),
    ("25-34", 25, 34),
    ("35-49", 35, 49),
    ("50-64", 50, 64),
    ("65+", 65, None),
)
AGE_BAND_LABELS = {
    "under-18": N_("under 18"),
    "18-24": N_("18–24"),
    "25-34": N_("25–34"),
    "35-49": N_("35–49"),
    "50-64": N_("50–64"),
    "65+": N_("65 and over"),
    UNKNOWN: N_("unknown"),
}
# how a reading names the group ("les 18–24 ans", "les habitants du quartier Saint-Martin")
AGE_GROUP_NAMES = {
    "under-18": N_("the under-18s"),
    "18-24": N_("the 18–24 year-olds"),
    "25-34": N_("the 25–34 year-olds"),
    "35-49": N_("the 35–49 year-olds"),
    "50-64": N_("the 50–64 year-olds"),
    "65+": N_("the 65 and over"),
}
DISTRICT_GROUP_NAME = N_("the residents of {district}")


def age_band(birth_year: int | None, reference_year: int) -> str:
    if birth_year is None:
        return UNKNOWN
    age = reference_year - birth_year
    for key, low, high in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return key
    return UNKNOWN  # a birth year in the future: a data error, not a person to place


def band_counts(by_birth_year: Mapping[int | None, int], reference_year: int) -> dict[str, int]:
    """Counts per age band, in band order, unknown last (only when there are some)."""
    counts = {key: 0 for key, _low, _high in AGE_BANDS}
    for birth_year, n in by_birth_year.items():
        band = age_band(birth_year, reference_year)
        counts[band] = counts.get(band, 0) + n
    if not counts.get(UNKNOWN):
        counts.pop(UNKNOWN, None)
    return counts


def suppress(counts: Mapping[str, int], threshold: int = THRESHOLD) -> dict[str, int | None]:
    """Hide every cell below the threshold (None). When exactly one cell is hidden, the next
    smallest is hidden too: otherwise the published total minus the other cells would give it
    back (secondary suppression)."""
    hidden = {key for key, n in counts.items() if n < threshold}
    if len(hidden) == 1 and len(counts) > 1:
        smallest_shown = min((n, key) for key, n in counts.items() if key not in hidden)
        hidden.add(smallest_shown[1])
    return {key: (None if key in hidden else n) for key, n in counts.items()}


def suppress_total(n: int, threshold: int = THRESHOLD) -> int | None:
    return None if n < threshold else n


def with_shares(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Published rows ({"key", "count"}, a hidden count None) with each one's share of their
    total. When any count is hidden, no share is given: a shown count divided by its share
    would give the total, and the total minus the shown counts the hidden ones back."""
    counts = [row["count"] for row in rows]
    total = sum(counts) if None not in counts else 0
    return [{**row, "share": (row["count"] / total if total else None)} for row in rows]


def shares(counts: Mapping[str, int]) -> dict[str, float]:
    """Each known group's share of the known total: the unknown band is left out, so shares
    compare with the population's. When the unknown band is itself a small cell, the shares
    are of everyone instead, or a shown count divided by its share would give the hidden band
    back."""
    known = {key: n for key, n in counts.items() if key != UNKNOWN}
    unknown = counts.get(UNKNOWN, 0)
    total = sum(known.values()) + (unknown if 0 < unknown < THRESHOLD else 0)
    return {key: (n / total if total else 0.0) for key, n in known.items()}


def dissimilarity(participants: Mapping[str, int], population: Mapping[str, int]) -> float | None:
    """Duncan's dissimilarity index between participants and population, 0 to 1: the share of
    participants who would have to belong to another group for the two to look alike.
    Unknown band left out; None when fewer than THRESHOLD known participants."""
    known_participants = sum(n for key, n in participants.items() if key != UNKNOWN)
    if known_participants < THRESHOLD or not sum(population.values()):
        return None
    p, q = shares(participants), shares(population)
    groups = (set(p) | set(q)) - {UNKNOWN}
    return sum(abs(p.get(g, 0.0) - q.get(g, 0.0)) for g in groups) / 2


def weekly(by_day: Mapping[date, int]) -> dict[str, int]:
    """Counts per week (key: the Monday, ISO format), every week between the first and the last,
    so a chart shows quiet weeks as such."""
    if not by_day:
        return {}
    weeks: dict[date, int] = {}
    for day, n in by_day.items():
        monday = day - timedelta(days=day.weekday())
        weeks[monday] = weeks.get(monday, 0) + n
    first, last = min(weeks), max(weeks)
    result = {}
    week = first
    while week <= last:
        result[week.isoformat()] = weeks.get(week, 0)
        week += timedelta(days=7)
    return result


# --- representativeness ------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """One row of a representativeness table, already suppressed."""

    key: str
    participants: int | None
    population: int | None
    participant_share: float | None  # of known participants
    population_share: float | None
    # not stored: whether a hidden participants cell is a real small cell (not a secondary
    # one) in a group where at least twice the threshold were expected from its population
    surely_missing: bool = False

    @property
    def ratio(self) -> float | None:
        if self.participant_share is None or not self.population_share:
            return None
        return self.participant_share / self.population_share


def representativeness(
    participants: Mapping[str, int], population: Mapping[str, int]
) -> list[Group]:
    """Participants next to population for each group, small cells suppressed; the unknown
    band (participants only) comes last."""
    keys = list(population) + [k for k in participants if k not in population and k != UNKNOWN]
    all_participants = {key: participants.get(key, 0) for key in keys}
    if participants.get(UNKNOWN):
        keys.append(UNKNOWN)
        all_participants[UNKNOWN] = participants[UNKNOWN]
    shown_participants = suppress(all_participants)
    shown_population = suppress(population)
    p_shares, q_shares = shares(all_participants), shares(population)
    known = sum(n for key, n in all_participants.items() if key != UNKNOWN)
    rows = []
    for key in keys:
        shown_p = shown_participants[key]
        shown_q = shown_population.get(key)
        expected = known * q_shares.get(key, 0.0)
        rows.append(
            Group(
                key=key,
                participants=shown_p,
                population=shown_q,
                participant_share=p_shares.get(key) if shown_p is not None else None,
                population_share=q_shares.get(key) if shown_q is not None else None,
                surely_missing=all_participants[key] < THRESHOLD <= expected / 2,
            )
        )
    return rows


# Readings: (code, message). {group} is the group's name, {times} a number.
READINGS = {
    "absent": N_("{group} are under-represented by at least half: fewer than 10 participants."),
    "under-3/4": N_("{group} are under-represented by three quarters."),
    "under-2/3": N_("{group} are under-represented by two thirds."),
    "under-1/2": N_("{group} are under-represented by half."),
    "under-1/3": N_("{group} are under-represented by a third."),
    "under-1/4": N_("{group} are under-represented by a quarter."),
    "over-1/4": N_("{group} are over-represented by a quarter."),
    "over-1/3": N_("{group} are over-represented by a third."),
    "over-1/2": N_("{group} are over-represented by half."),
    "over-times": N_("{group} are {times} times more present than in the population."),
}
_UNDER = (
    (3 / 4, "under-3/4"),
    (2 / 3, "under-2/3"),
    (1 / 2, "under-1/2"),
    (1 / 3, "under-1/3"),
    (1 / 4, "under-1/4"),
)
_OVER = ((1 / 4, "over-1/4"), (1 / 3, "over-1/3"), (1 / 2, "over-1/2"))
IN_LINE = 0.125  # within 12.5 % of its population share, a group is represented in line


def reading_code(ratio: float | None, surely_missing: bool = False) -> str | None:
    """How to say a group's ratio (share of participants / share of population) in words;
    None when it is in line with the population or cannot be said. A hidden group is only
    spoken of when it is surely missing: fewer than 10 where 20 or more were expected."""
    if surely_missing:
        return "absent"
    if ratio is None or abs(ratio - 1) <= IN_LINE:
        return None
    if ratio < 1:
        missing = 1 - ratio
        return min(_UNDER, key=lambda fraction: abs(fraction[0] - missing))[1]
    if ratio >= 1.75:
        return "over-times"
    extra = ratio - 1
    return min(_OVER, key=lambda fraction: abs(fraction[0] - extra))[1]


def readings(groups: Iterable[Group]) -> list[dict[str, Any]]:
    """The groups that stand out, each as (key, code, times) to be worded in the reader's
    language: the missing groups first (the least present first, for outreach), then the
    over-represented ones (the most present first)."""
    found = []
    for group in groups:
        if group.key == UNKNOWN or group.population is None:
            continue  # no population to compare with, or too small a group to speak of
        code = reading_code(group.ratio, group.surely_missing and group.participants is None)
        if code is None:
            continue
        ratio = group.ratio or 0.0
        order = (0, ratio) if ratio < 1 else (1, -ratio)
        times = round(ratio * 2) / 2 if code == "over-times" else None
        found.append((order, {"key": group.key, "code": code, "times": times}))
    found.sort(key=lambda item: item[0])
    return [reading for _order, reading in found]


# --- moderation delays -------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * fraction // 1))  # ceil without float surprises
    return ordered[int(rank) - 1]


def delay_summary(hours: list[float]) -> dict[str, float | int | None]:
    """Median and 90th percentile of the delays (hours), None under THRESHOLD decisions."""
    if len(hours) < THRESHOLD:
        return {"decided": suppress_total(len(hours)), "median_hours": None, "p90_hours": None}
    return {
        "decided": len(hours),
        "median_hours": round(percentile(hours, 0.5), 1),
        "p90_hours": round(percentile(hours, 0.9), 1),
    }


# --- one process's figures, as stored ------------------------------------------------------------


def _keyed(by_district: Mapping[str | None, int]) -> dict[str, int]:
    return {(UNKNOWN if key is None else key): n for key, n in by_district.items()}


def _rows(groups: list[Group]) -> list[dict[str, Any]]:
    return [
        {
            "key": g.key,
            "participants": g.participants,
            "population": g.population,
            "participant_share": g.participant_share,
            "population_share": g.population_share,
        }
        for g in groups
    ]


def figures(
    *,
    districts: Mapping[str | None, int],
    birth_years: Mapping[int | None, int],
    population: Iterable[Mapping[str, Any]],
    days: Mapping[date, int],
    reference_year: int,
    channels: Mapping[str, int] | None = None,
    extra_unknown: int = 0,
) -> dict[str, Any]:
    """The stored, suppressed figures of one process.

    `districts`/`birth_years`: participants per census district and birth year (None: not
    verified); `population`: the eligible census as rows of (district, birth_year, n);
    `extra_unknown`: participants known only as a count (visitors, imported ballots)."""
    participants_by_district = _keyed(districts)
    if extra_unknown:
        participants_by_district[UNKNOWN] = participants_by_district.get(UNKNOWN, 0) + extra_unknown
    participants_by_year = dict(birth_years)
    if extra_unknown:
        participants_by_year[None] = participants_by_year.get(None, 0) + extra_unknown
    total = sum(participants_by_district.values())

    population_by_district: dict[str, int] = {}
    population_by_year: dict[int | None, int] = {}
    for row in population:
        key = UNKNOWN if row["district"] is None else row["district"]
        population_by_district[key] = population_by_district.get(key, 0) + int(row["n"])
        year = row["birth_year"]
        population_by_year[year] = population_by_year.get(year, 0) + int(row["n"])
    eligible = sum(population_by_district.values())
    population_by_district = dict(sorted(population_by_district.items()))
    if UNKNOWN in population_by_district:  # census rows without a district: not a group
        population_by_district.pop(UNKNOWN)

    participants_by_age = band_counts(participants_by_year, reference_year)
    population_by_age = band_counts(population_by_year, reference_year)
    population_by_age.pop(UNKNOWN, None)
    by_district = representativeness(participants_by_district, population_by_district)
    by_age = representativeness(participants_by_age, population_by_age)

    district_index = dissimilarity(participants_by_district, population_by_district)
    age_index = dissimilarity(participants_by_age, population_by_age)
    shown_total = suppress_total(total)
    turnout = None
    if shown_total is not None and eligible:
        turnout = round(100 * total / eligible, 1)
    over_time = suppress(weekly(days))
    result: dict[str, Any] = {
        "participants": shown_total,
        "eligible": suppress_total(eligible),
        "turnout_percent": turnout,
        "reference_year": reference_year,
        "over_time": [{"key": week, "count": n} for week, n in over_time.items()],
        "by_district": _rows(by_district),
        "by_age": _rows(by_age),
        "dissimilarity": {"district": _rounded(district_index), "age": _rounded(age_index)},
        # no reading about a handful of people: only when the index itself is computed
        "readings": {
            "district": readings(by_district) if district_index is not None else [],
            "age": readings(by_age) if age_index is not None else [],
        },
    }
    if channels is not None:
        result["by_channel"] = [
            {"key": key, "count": n} for key, n in suppress(dict(sorted(channels.items()))).items()
        ]
    return result


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def moderation_figures(cases: Mapping[str, int], delays_hours: list[float]) -> dict[str, Any]:
    return {
        "cases": [
            {"key": key, "count": n} for key, n in suppress(dict(sorted(cases.items()))).items()
        ],
        **delay_summary(delays_hours),
    }


# --- other features' sections (participation.features.IndicatorSection) ----------------------


def section_table(
    columns: Sequence[Mapping[str, str]],
    rows: Sequence[tuple[str, Mapping[str, float | int | None]]],
    total: Mapping[str, float | int | None],
    threshold: int = THRESHOLD,
) -> dict[str, Any]:
    """A feature's table with its small groups hidden, as stored: each count column is
    suppressed across the groups like the other sections (`suppress`: below the threshold,
    and the next smallest when only one would be hidden); any value whose `base` count is
    hidden or below the threshold is hidden too (a median over 3 reports). The total row:
    `suppress_total` for counts, the same `base` rule for the others. Days are rounded to
    0.1, shares to 0.001. Columns: dicts of key, label, kind, base."""
    shown: dict[str, dict[str, Any]] = {group: {} for group, _ in rows}
    raw = {group: values for group, values in rows}
    for column in columns:
        if column["kind"] == "count":
            counts = {group: int(values.get(column["key"]) or 0) for group, values in rows}
            for group, n in suppress(counts, threshold).items():
                shown[group][column["key"]] = n

    def visible(values: Mapping[str, Any], column: Mapping[str, str]) -> bool:
        base = column.get("base", "")
        return not base or int(values.get(base) or 0) >= threshold

    def present(value: float | int | None, kind: str) -> float | int | None:
        if value is None:
            return None
        return round(float(value), 1 if kind == "days" else 3)

    for column in columns:
        if column["kind"] == "count":
            continue
        for group, values in raw.items():
            base_hidden = column.get("base") and shown[group].get(column["base"]) is None
            keep = visible(values, column) and not base_hidden
            shown[group][column["key"]] = (
                present(values.get(column["key"]), column["kind"]) if keep else None
            )
    total_shown: dict[str, Any] = {}
    for column in columns:
        value = total.get(column["key"])
        if column["kind"] == "count":
            total_shown[column["key"]] = None if value is None else suppress_total(int(value))
        elif visible(total, column):
            total_shown[column["key"]] = present(value, column["kind"])
        else:
            total_shown[column["key"]] = None
    return {
        "columns": [dict(c) for c in columns],
        "rows": [{"group": group, "values": shown[group]} for group, _ in rows],
        "total": total_shown if total else None,
    }
