"""The participatory spaces in the public read API (participation/api.py): published ones only
(a draft space is staff's), with what their public page shows."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from participation.features import ApiField
from participation.i18n import N_
from participation.keyset import query_resource
from participation.richtext import to_text
from participation.spaces.models import Space

FIELDS = (
    ApiField("id", "integer", N_("Identifier.")),
    ApiField("slug", "string", N_("The last part of its page's address (/demarches/budget-2026).")),
    ApiField("title", "string", N_("Title.")),
    ApiField("summary", "string", N_("One-line summary.")),
    ApiField("description", "string", N_("Description, as plain text.")),
    ApiField(
        "districts", "string", N_("Districts it concerns, separated by semicolons (empty: all).")
    ),
    ApiField("starts_at", "datetime", N_("When it starts.")),
    ApiField("ends_at", "datetime", N_("When it ends (null: ongoing)."), nullable=True),
    ApiField("archived", "boolean", N_("Archived (over, kept for the record).")),
)


def row(s: Space) -> dict[str, Any]:
    return {
        "id": s.id,
        "slug": s.slug,
        "title": s.title,
        "summary": s.summary,
        "description": to_text(s.description),
        "districts": "; ".join(s.districts or []),
        "starts_at": s.starts_at,
        "ends_at": s.ends_at,
        "archived": s.archived_at is not None,
    }


EXAMPLE_DATE = datetime(2026, 3, 1, 8, tzinfo=UTC)
RESOURCES = (
    query_resource(
        "spaces",
        N_("Participatory spaces"),
        N_("The published participatory spaces (démarches) and their dates."),
        FIELDS,
        lambda: Space.filter(published=True),
        row,
        {
            "id": 1,
            "slug": "budget-2026",
            "title": "Budget participatif 2026",
            "summary": "Proposez et votez des projets pour la ville.",
            "description": "Chaque habitant peut proposer un projet.",
            "districts": "",
            "starts_at": EXAMPLE_DATE,
            "ends_at": None,
            "archived": False,
        },
    ),
)
