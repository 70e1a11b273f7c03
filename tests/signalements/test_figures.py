"""The figures' median and 90th percentile are computed by the database (percentile_cont and
percentile_disc on PostgreSQL, ROW_NUMBER on SQLite): a table of known data, run on both, must
give what the Python reference definition (domain.median, domain.percentile) gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from participation.contributions import ModerationState
from participation.settings import Settings
from signalements import domain, queries
from signalements.domain import State
from signalements.models import Report
from tests.signalements.factories import pothole_category

START = datetime(2026, 3, 2, 8, 30, 15, tzinfo=UTC)

# (days to resolution of each resolved report, how many open reports, median, 90th percentile)
CASES: list[tuple[str, list[float], int, float | None, float | None]] = [
    ("none at all", [], 0, None, None),
    ("open reports only", [], 3, None, None),
    ("one report", [4.5], 0, 4.5, 4.5),
    ("two reports", [1.0, 3.25], 1, 2.125, 3.25),
    ("ties", [2.0, 2.0, 2.0, 7.0], 0, 2.0, 7.0),
    ("ties in the middle", [1.0, 5.0, 5.0, 9.0, 9.0, 9.0], 2, 7.0, 9.0),
    ("ten, unordered", [4, 1, 3, 2, 5, 6, 7, 8, 9, 10], 0, 5.5, 9.0),
    ("eleven: rank ceil(9.9) = 10", [float(i) for i in range(1, 12)], 0, 6.0, 10.0),
    ("twenty: rank 18", [float(i) for i in range(20, 0, -1)], 4, 10.5, 18.0),
    ("fractions of a day", [0.25, 1 / 24, 2.5, 13 / 24, 0.75], 0, 0.5416666666666666, 2.5),
]


async def _report(category: Any, days: float | None, **fields: Any) -> Report:
    created = START + timedelta(hours=len(fields))
    values: dict[str, Any] = {
        "category": category,
        "description": "Nid-de-poule.",
        "address": "1 rue de la Loire",
        "state": State.RESOLVED if days is not None else State.TAKEN,
        "token_hash": domain.token_hash(domain.new_token()),
        "due_at": created + timedelta(days=3),
        "created_at": created,
        "resolved_at": None if days is None else created + timedelta(days=days),
        **fields,
    }
    return await Report.create(**values)


def _same(got: float | None, wanted: float | None) -> bool:
    """Equal, or both None. SQLite reads times to the millisecond: 1e-12 days is far below."""
    if wanted is None or got is None:
        return got is wanted
    return got == pytest.approx(wanted, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize(("name", "days", "open_count", "median", "p90"), CASES)
async def test_the_database_computes_the_reference_median_and_percentile(
    app: Any,
    settings: Settings,
    name: str,
    days: list[float],
    open_count: int,
    median: float | None,
    p90: float | None,
) -> None:
    category = await pothole_category()
    other = await pothole_category(name="Éclairage")
    for d in days:
        await _report(category, d)
    for _ in range(open_count):
        await _report(category, None)
    # what the figures leave out: a merged duplicate, a pending report, another category
    await _report(category, 100.0, state=State.MERGED)
    await _report(category, 200.0, moderation_state=ModerationState.PENDING)
    await _report(other, 50.0)
    # a report resolved once then reopened: not resolved now
    await _report(category, None, resolved_at=START)

    shown = dict(await queries.figures_by_category())
    got = shown[next(c for c in shown if c.id == category.id)]
    assert (got.received, got.resolved) == (len(days) + open_count + 1, len(days))
    # the known answer, and the Python reference definition over the same data
    assert _same(got.median_days, median) and _same(got.p90_days, p90)
    assert _same(got.median_days, domain.median(days))
    assert _same(got.p90_days, domain.percentile(days, 0.9))
    in_time = sum(d <= 3 for d in days)
    assert got.within_sla == (pytest.approx(in_time / len(days)) if days else None)
    assert shown[next(c for c in shown if c.id == other.id)].median_days == pytest.approx(50.0)


async def test_figures_per_district(app: Any, settings: Settings) -> None:
    category = await pothole_category()
    for d in (1.0, 2.0, 6.0):
        await _report(category, d, district="Centre")
    await _report(category, 10.0, district="Nord")
    await _report(category, None, district="Nord")
    per = await queries.resolution_figures("district")
    assert set(per) == {"Centre", "Nord"}
    assert (per["Centre"].received, per["Centre"].median_days, per["Centre"].p90_days) == (
        3,
        pytest.approx(2.0),
        pytest.approx(6.0),
    )
    assert per["Centre"].within_sla == pytest.approx(2 / 3)
    assert (per["Nord"].received, per["Nord"].resolved, per["Nord"].within_sla) == (2, 1, 0.0)
    with pytest.raises(ValueError):
        queries._figures_sql("sqlite", "description; DROP TABLE x")
