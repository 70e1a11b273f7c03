"""Participation figures in the public read API and open data (participation/api.py): the
public indicator sets only, already suppressed when stored (a figure of fewer than 10 people
is null), the lines of the existing indicators export (`present.export_rows`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from indicators import present
from indicators.models import IndicatorSet
from participation.features import ApiField, ApiResource, ApiRow
from participation.i18n import N_

FIELDS = (
    ApiField("process", "string", N_("What is measured: budget, consultation or proposals.")),
    ApiField("process_id", "integer", N_("Its identifier (proposals: 0).")),
    ApiField("title", "string", N_("Its title.")),
    ApiField("dimension", "string", N_("total, district, age, channel, week or *_index.")),
    ApiField("group", "string", N_("The group (a district, an age band, a week...).")),
    ApiField("line", "integer", N_("The line's number in the process's figures.")),
    ApiField("participants", "integer", N_("Participants (null: fewer than 10)."), nullable=True),
    ApiField("population", "integer", N_("Population (null: unknown or under 10)."), nullable=True),
    ApiField("participant_share", "number", N_("Share of participants (0 to 1)."), nullable=True),
    ApiField("population_share", "number", N_("Share of the population (0 to 1)."), nullable=True),
    ApiField("dissimilarity_index", "number", N_("Dissimilarity index (0 to 1)."), nullable=True),
)


async def page(
    after: tuple[int, ...] | None, limit: int, chosen: Mapping[str, Any]
) -> list[ApiRow]:
    query = IndicatorSet.filter(public=True)
    if after:
        query = query.filter(id__gte=after[0])
    rows: list[ApiRow] = []
    for indicator_set in await query.order_by("id"):
        for line, values in enumerate(present.export_rows([indicator_set]), start=1):
            key = (indicator_set.id, line)
            if after and key <= after:
                continue
            names = [c for c in present.CSV_COLUMNS]
            item = dict(zip(names, values, strict=True))
            rows.append(ApiRow(key, {**item, "line": line}))
            if len(rows) == limit:
                return rows
    return rows


RESOURCES = (
    ApiResource(
        "indicators",
        N_("Participation indicators"),
        N_("Who takes part: the published figures of each process, small groups suppressed."),
        FIELDS,
        page,
        {
            "process": "budget",
            "process_id": 3,
            "title": "Budget participatif 2026",
            "dimension": "district",
            "group": "Centre",
            "line": 2,
            "participants": 120,
            "population": 2400,
            "participant_share": 0.25,
            "population_share": 0.2,
            "dissimilarity_index": None,
        },
        key=("set", "line"),
        dataset=True,
    ),
)
