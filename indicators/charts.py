"""Bar charts of the indicators: the length of each bar (pure), drawn by
templates/indicators/_charts.html with the shared chart macros (templates/_charts.html), a
caption and a table equivalent.

A bar's `percent` is its share of the chart's track (the largest shown value fills it). A
suppressed value (None) gets no bar, only its "< 10" figure, so a chart never shows more than
its table does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    value: float | None  # None: suppressed
    percent: float  # of the track, 0 to 100
    series: int = 0  # 0: participants, 1: population (paired charts)


@dataclass(frozen=True)
class Row:
    label: str
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Chart:
    rows: list[Row]


def bars(items: Sequence[tuple[str, float | None]]) -> Chart:
    """One horizontal bar per item, scaled to the largest shown value."""
    largest = max((value for _label, value in items if value), default=0)
    return Chart([Row(label, (Bar(value, _scaled(value, largest)),)) for label, value in items])


def paired(items: Sequence[tuple[str, float | None, float | None]]) -> Chart:
    """Two bars per group (share of participants, share of population), on one scale."""
    values = [v for _label, a, b in items for v in (a, b) if v]
    largest = max(values, default=0)
    return Chart(
        [
            Row(
                label,
                (
                    Bar(participants, _scaled(participants, largest), 0),
                    Bar(population, _scaled(population, largest), 1),
                ),
            )
            for label, participants, population in items
        ]
    )


def _scaled(value: float | None, largest: float) -> float:
    if not value or not largest:
        return 0.0
    return round(100 * value / largest, 1)
