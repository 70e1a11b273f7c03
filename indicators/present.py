"""Stored figures -> what a page or an export shows: translated labels, readings in words,
chart geometry. No database: the routes load the rows, this turns them into context."""

from __future__ import annotations

import io
import json
from datetime import date
from typing import Any

from indicators import charts, domain
from indicators.models import IndicatorSet, SectionFigures, TargetKind
from participation import formatting, spreadsheet
from participation.i18n import N_, gettext

KIND_LABELS = {
    TargetKind.BUDGET: N_("Participatory budget"),
    TargetKind.CONSULTATION: N_("Consultation"),
    TargetKind.PROPOSALS: N_("Proposals space"),
}
ACTIVITY_LABELS = {
    "proposals": N_("Proposals published"),
    "supports": N_("Supports"),
    "comments": N_("Comments"),
}
CHANNEL_LABELS = {
    "web": N_("Web"),
    "paper": N_("Paper"),
    # proposals and supports (participation/counter): online or taken by an agent
    "online": N_("Web"),
    "counter": N_("Counter"),
    "phone": N_("Phone"),
    "meeting": N_("Public meeting"),
}
CONTENT_LABELS = {
    "proposal": N_("Proposals"),
    "comment": N_("Comments"),
    "budget_project": N_("Budget projects"),
    "consultation_answer": N_("Consultation answers"),
}


def title_of(row: IndicatorSet) -> str:
    return row.title or gettext("Proposals space")


def group_label(dimension: str, key: str) -> str:
    if dimension == "age":
        return gettext(domain.AGE_BAND_LABELS.get(key, key))
    return gettext("unknown") if key == domain.UNKNOWN else key


def reading_sentence(dimension: str, reading: dict[str, Any]) -> str:
    key, code = reading["key"], reading["code"]
    if dimension == "age":
        group = gettext(domain.AGE_GROUP_NAMES[key])
    else:
        group = gettext(domain.DISTRICT_GROUP_NAME).format(district=key)
    times = reading.get("times")
    message = domain.READINGS[code]
    text = gettext(message).format(
        group=group,
        times=formatting.format_number(times) if times else "",
    )
    return text[:1].upper() + text[1:]


def _day_label(iso_day: str) -> str:
    """26/01/2026 in French, Jan 26, 2026 in English (exports keep the ISO form)."""
    return formatting.format_date(date.fromisoformat(iso_day))


def _label(labels: dict[str, str], item: dict[str, Any]) -> str:
    key = item["key"]
    return gettext(labels[key]) if key in labels else str(key)


def process(row: IndicatorSet) -> dict[str, Any]:
    """Everything the dashboard shows for one process."""
    figures = json.loads(row.content)
    result: dict[str, Any] = {
        "row": row,
        "title": title_of(row),
        "kind_label": gettext(KIND_LABELS[row.target_kind]),
        "figures": figures,
        "slug": f"{row.target_kind.value}-{row.target_id}",
    }
    for dimension in ("district", "age"):
        groups = figures[f"by_{dimension}"]
        labelled = [{**g, "label": group_label(dimension, g["key"])} for g in groups]
        result[f"{dimension}_groups"] = labelled
        result[f"{dimension}_chart"] = charts.paired(
            [(g["label"], g["participant_share"], g["population_share"]) for g in labelled]
        )
        result[f"{dimension}_readings"] = [
            reading_sentence(dimension, r) for r in figures["readings"][dimension]
        ]
    result["weeks"] = [{**w, "label": _day_label(w["key"])} for w in figures["over_time"]]
    result["time_chart"] = charts.bars([(w["label"], w["count"]) for w in result["weeks"]])
    if "by_channel" in figures:
        result["channels"] = [
            {**c, "label": _label(CHANNEL_LABELS, c)}
            for c in domain.with_shares(figures["by_channel"])
        ]
        result["channel_chart"] = charts.bars(
            [(c["label"], c["count"]) for c in result["channels"]]
        )
    if "contributions_by_channel" in figures:
        result["contribution_channels"] = [
            {**c, "label": _label(CHANNEL_LABELS, c)}
            for c in domain.with_shares(figures["contributions_by_channel"])
        ]
    if "activity" in figures:
        result["activity"] = [
            {**a, "label": _label(ACTIVITY_LABELS, a)} for a in figures["activity"]
        ]
    if "moderation" in figures:
        result["moderation_cases"] = [
            {**c, "label": _label(CONTENT_LABELS, c)} for c in figures["moderation"]["cases"]
        ]
    return result


def section(row: SectionFigures) -> dict[str, Any]:
    """A feature's stored section (Feature.indicator_sections): its msgids translated now,
    in the reader's language; "" names the unknown group."""
    content = json.loads(row.content)
    tables = []
    for table in content["tables"]:
        columns = [{**c, "label": gettext(c["label"])} for c in table["columns"]]
        rows = [
            {
                "label": r["group"] or gettext("unknown"),
                "cells": [{"kind": c["kind"], "value": r["values"].get(c["key"])} for c in columns],
            }
            for r in table["rows"]
        ]
        total = table.get("total")
        tables.append(
            {
                "key": table["key"],
                "title": gettext(table["title"]),
                "group_label": gettext(table["group_label"]),
                "columns": columns,
                "rows": rows,
                "total": None
                if total is None
                else [{"kind": c["kind"], "value": total.get(c["key"])} for c in columns],
            }
        )
    return {
        "name": row.name,
        "title": gettext(content["title"]),
        "tables": tables,
        "computed_at": row.computed_at,
    }


# --- exports: aggregated figures only, suppressed cells as empty (CSV) or null (JSON) --------

# The published files keep their columns (`process`, `process_id`: docs/indicators.md) whatever
# the model calls them: people and scripts read them.
CSV_COLUMNS = [
    "process",
    "process_id",
    "title",
    "dimension",
    "group",
    "participants",
    "population",
    "participant_share",
    "population_share",
    "dissimilarity_index",
]


def export_json(rows: list[IndicatorSet]) -> str:
    return json.dumps(
        {
            "suppression_threshold": domain.THRESHOLD,
            "processes": [
                {
                    "process": row.target_kind.value,
                    "process_id": row.target_id,
                    "title": row.title,
                    "computed_at": formatting.iso_local(row.computed_at),
                    **json.loads(row.content),
                }
                for row in rows
            ],
        },
        ensure_ascii=False,
        indent=1,
    )


def export_rows(rows: list[IndicatorSet]) -> list[list[Any]]:
    """One line per figure (`CSV_COLUMNS`): totals, weeks, channels, districts and age bands of
    each process. None is a suppressed figure (fewer than 10 people)."""
    lines: list[list[Any]] = []
    for row in rows:
        figures = json.loads(row.content)

        def line(
            dimension: str,
            group: str = "",
            participants: Any = None,
            population: Any = None,
            p_share: Any = None,
            q_share: Any = None,
            index: Any = None,
            row: IndicatorSet = row,
        ) -> None:
            lines.append(
                [
                    row.target_kind.value,
                    row.target_id,
                    row.title,
                    dimension,
                    group,
                    participants,
                    population,
                    p_share,
                    q_share,
                    index,
                ]
            )

        line("total", "", figures["participants"], figures["eligible"])
        for dimension in ("district", "age"):
            for g in figures[f"by_{dimension}"]:
                line(
                    dimension,
                    g["key"],
                    g["participants"],
                    g["population"],
                    g["participant_share"],
                    g["population_share"],
                )
            line(f"{dimension}_index", index=figures["dissimilarity"][dimension])
        for c in figures.get("by_channel", []):
            line("channel", c["key"], c["count"])
        for w in figures["over_time"]:
            line("week", w["key"], w["count"])
    return lines


def export_csv(rows: list[IndicatorSet]) -> str:
    """`export_rows` as CSV: an empty cell is a suppressed one (fewer than 10 people)."""
    out = io.StringIO()
    writer = spreadsheet.writer(out, licensed=True)
    writer.writerow(CSV_COLUMNS)

    def share(value: Any) -> str:
        return "" if value is None else f"{value:.4f}"

    def count(value: Any) -> str:
        return "" if value is None else str(value)

    for line in export_rows(rows):
        writer.writerow([*line[:5], count(line[5]), count(line[6]), *(share(v) for v in line[7:])])
    return out.getvalue()
