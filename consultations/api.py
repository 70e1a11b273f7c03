"""Consultations in the public read API and open data (participation/api.py): consultations
out of preparation, and the results that their page shows to anybody (closed, or open with
results visible while open: `queries.results_are_public`), the aggregates of the existing
results CSV, free texts counted only as published (hidden ones are left out by
`queries.stored_result`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from tortoise.expressions import Q

from consultations import queries
from consultations.models import Consultation, Phase
from participation.features import ApiField, ApiFilter, ApiResource, ApiRow
from participation.i18n import N_
from participation.keyset import BY_SPACE, narrowed, query_resource
from participation.richtext import to_text

CONSULTATION_FIELDS = (
    ApiField("id", "integer", N_("Identifier (its page: /consultations/5).")),
    ApiField("title", "string", N_("Title.")),
    ApiField("context", "string", N_("Context, as plain text.")),
    ApiField("phase", "string", N_("open or closed.")),
    ApiField("opens_at", "datetime", N_("When it opens."), nullable=True),
    ApiField("closes_at", "datetime", N_("When it closes."), nullable=True),
    ApiField("results_public", "boolean", N_("Whether its results are published.")),
    ApiField("outcome_heard", "string", N_("What the town heard (published outcome), plain text.")),
    ApiField("outcome_decided", "string", N_("What the town decided (published outcome).")),
    ApiField("space_id", "integer", N_("Its participatory space (null: none)."), nullable=True),
)


def _outcome(consultation: Consultation, text: str) -> str:
    return to_text(text) if consultation.outcome_published_at else ""


def consultation_row(c: Consultation) -> dict[str, Any]:
    return {
        "id": c.id,
        "title": c.title,
        "context": to_text(c.context),
        "phase": c.phase.value,
        "opens_at": c.opens_at,
        "closes_at": c.closes_at,
        "results_public": queries.results_are_public(c),
        "outcome_heard": _outcome(c, c.outcome_heard),
        "outcome_decided": _outcome(c, c.outcome_decided),
        "space_id": c.space_id,  # type: ignore[attr-defined]
    }


RESULT_FIELDS = (
    ApiField("consultation_id", "integer", N_("The consultation.")),
    ApiField("line", "integer", N_("The line's number in the consultation's results.")),
    ApiField("question_number", "integer", N_("The question's number.")),
    ApiField("question", "string", N_("The question.")),
    ApiField("item", "string", N_("The option, or empty for the whole question.")),
    ApiField("measure", "string", N_("What is measured: answered, count, mean, median, borda...")),
    ApiField("value", "number", N_("The figure (null: not a number, see text)."), nullable=True),
    ApiField("text", "string", N_("The value when it is a word (a majority grade, a winner).")),
    ApiField("percent", "number", N_("Its share of the answers, in percent."), nullable=True),
)


def _number(raw: str) -> float | int | None:
    try:
        value = float(raw)
    except ValueError:
        return None
    return int(value) if value.is_integer() and "." not in raw else value


def result_items(consultation_id: int, rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """The results CSV's rows (`queries.aggregate_rows`) as typed items."""
    items = []
    for line, (number, question, item, measure, value, percent) in enumerate(rows, start=1):
        figure = _number(value) if value != "" else None
        items.append(
            {
                "consultation_id": consultation_id,
                "line": line,
                "question_number": number,
                "question": question,
                "item": item,
                "measure": measure,
                "value": figure,
                "text": value if figure is None else "",
                "percent": _number(percent) if percent != "" else None,
            }
        )
    return items


# results are read consultation by consultation: the filter keeps one
BY_CONSULTATION = ApiFilter(
    "consultation_id", "integer", N_("Only this consultation's."), lookup="id"
)


# the results of the consultations changed since: the consultation itself (its phase, whether
# results show while open), or its stored result (recomputed as answers come in)
RESULTS_UPDATED_SINCE = ApiFilter(
    "updated_since",
    "datetime",
    N_(
        "Only those of the consultations changed, or whose results changed, at or after this "
        "moment."
    ),
)


async def results_page(
    after: tuple[int, ...] | None, limit: int, chosen: Mapping[str, Any]
) -> list[ApiRow]:
    query = Consultation.filter(
        Q(phase=Phase.CLOSED) | Q(phase=Phase.OPEN, results_visible_while_open=True)
    )
    query = narrowed(query, (BY_CONSULTATION,), chosen)
    if "updated_since" in chosen:  # the consultation changed, or its stored result
        since = chosen["updated_since"]
        query = query.filter(Q(updated_at__gte=since) | Q(result__computed_at__gte=since))
    if after:
        query = query.filter(id__gte=after[0])
    rows: list[ApiRow] = []
    for consultation in await query.order_by("id"):
        stored = await queries.stored_result(consultation.id)
        if stored is None or not queries.results_are_public(consultation):
            continue
        views = await queries.questionnaire(consultation.id)
        for item in result_items(consultation.id, queries.aggregate_rows(stored[0], views)):
            key = (consultation.id, item["line"])
            if after and key <= after:
                continue
            rows.append(ApiRow(key, item))
            if len(rows) == limit:
                return rows
    return rows


RESOURCES = (
    query_resource(
        "consultations",
        N_("Consultations"),
        N_("The consultations out of preparation, and their published outcomes."),
        CONSULTATION_FIELDS,
        lambda: Consultation.exclude(phase=Phase.PREPARATION),
        consultation_row,
        {
            "id": 5,
            "title": "Quel avenir pour la place du marché ?",
            "context": "La place sera rénovée en 2027.",
            "phase": "closed",
            "opens_at": datetime(2026, 2, 1, 8, tzinfo=UTC),
            "closes_at": datetime(2026, 3, 1, 8, tzinfo=UTC),
            "results_public": True,
            "outcome_heard": "Vous voulez plus d'arbres.",
            "outcome_decided": "Nous planterons vingt arbres.",
            "space_id": None,
        },
        filters=(BY_SPACE,),
        updated=True,
    ),
    ApiResource(
        "consultation_results",
        N_("Results of consultations"),
        N_("The published results of the consultations, one line per figure."),
        RESULT_FIELDS,
        results_page,
        {
            "consultation_id": 5,
            "line": 2,
            "question_number": 1,
            "question": "Que souhaitez-vous sur la place ?",
            "item": "Des arbres",
            "measure": "count",
            "value": 214,
            "text": "",
            "percent": 61.5,
        },
        key=("consultation_id", "line"),
        dataset=True,
        filters=(BY_CONSULTATION, RESULTS_UPDATED_SINCE),
    ),
)
