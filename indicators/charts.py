"""Server-rendered SVG bar charts: geometry computed here (pure), drawn by
templates/indicators/_charts.html with a title, a description and a table equivalent.

A suppressed value (None) gets no bar, only its "< 10" label, so a chart never shows more than
its table does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

LABEL_WIDTH = 170  # room for the group names on the left
BAR_AREA = 330
VALUE_WIDTH = 80
ROW_HEIGHT = 24
BAR_HEIGHT = 16


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: suppressed
    y: int
    width: float
    series: int = 0  # 0: participants, 1: population (paired charts)


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    width: int
    height: int
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT


def bars(items: Sequence[tuple[str, float | None]]) -> Chart:
    """One horizontal bar per item, scaled to the largest shown value."""
    largest = max((value for _label, value in items if value), default=0)
    drawn = [
        Bar(label, value, index * ROW_HEIGHT, _scaled(value, largest))
        for index, (label, value) in enumerate(items)
    ]
    return Chart(drawn, LABEL_WIDTH + BAR_AREA + VALUE_WIDTH, max(1, len(items)) * ROW_HEIGHT)


def paired(items: Sequence[tuple[str, float | None, float | None]]) -> Chart:
    """Two bars per group (share of participants, share of population), on one scale."""
    values = [v for _label, a, b in items for v in (a, b) if v]
    largest = max(values, default=0)
    drawn = []
    for index, (label, participants, population) in enumerate(items):
        y = index * 2 * ROW_HEIGHT
        drawn.append(Bar(label, participants, y, _scaled(participants, largest), 0))
        drawn.append(Bar(label, population, y + ROW_HEIGHT - 4, _scaled(population, largest), 1))
    height = max(1, len(items)) * 2 * ROW_HEIGHT
    return Chart(drawn, LABEL_WIDTH + BAR_AREA + VALUE_WIDTH, height)


def _scaled(value: float | None, largest: float) -> float:
    if not value or not largest:
        return 0.0
    return round(BAR_AREA * value / largest, 1)
