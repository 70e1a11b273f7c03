"""Public meetings in the public read API (participation/api.py): what their pages show to
anybody (the minutes once published; no registrations, no online link, which registered
people receive)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from meetings.models import Meeting
from participation.features import ApiField, ApiFilter
from participation.i18n import N_
from participation.keyset import BY_SPACE, query_resource
from participation.richtext import to_text

FIELDS = (
    ApiField("id", "integer", N_("Identifier (its page: /meetings/4).")),
    ApiField("title", "string", N_("Title.")),
    ApiField("description", "string", N_("Description, as plain text.")),
    ApiField("format", "string", N_("in-person, online or hybrid.")),
    ApiField("status", "string", N_("scheduled or cancelled.")),
    ApiField("starts_at", "datetime", N_("When it starts.")),
    ApiField("ends_at", "datetime", N_("When it ends.")),
    ApiField("address", "string", N_("Where (empty: online only).")),
    ApiField("accessibility", "string", N_("Accessibility information.")),
    ApiField("capacity", "integer", N_("Seats (null: no limit)."), nullable=True),
    ApiField("minutes", "string", N_("The minutes once published, as plain text.")),
    ApiField("space_id", "integer", N_("Its participatory space (null: none)."), nullable=True),
)


def row(m: Meeting) -> dict[str, Any]:
    return {
        "id": m.id,
        "title": m.title,
        "description": to_text(m.description),
        "format": m.format.value,
        "status": m.status.value,
        "starts_at": m.starts_at,
        "ends_at": m.ends_at,
        "address": m.address,
        "accessibility": m.accessibility,
        "capacity": m.capacity,
        "minutes": to_text(m.minutes) if m.minutes_published_at else "",
        "space_id": m.space_id,  # type: ignore[attr-defined]
    }


RESOURCES = (
    query_resource(
        "meetings",
        N_("Public meetings"),
        N_("The public meetings, past and upcoming, with their published minutes."),
        FIELDS,
        Meeting.all,
        row,
        {
            "id": 4,
            "title": "Réunion publique : la place du marché",
            "description": "Présentation du projet et questions.",
            "format": "in-person",
            "status": "scheduled",
            "starts_at": datetime(2026, 6, 12, 16, 30, tzinfo=UTC),
            "ends_at": datetime(2026, 6, 12, 18, 30, tzinfo=UTC),
            "address": "Salle des fêtes, 1 place de la Mairie",
            "accessibility": "Accessible en fauteuil roulant.",
            "capacity": 80,
            "minutes": "",
            "space_id": None,
        },
        filters=(
            BY_SPACE,
            ApiFilter(
                "starts_since",
                "datetime",
                N_("Only the meetings starting at or after this moment."),
                lookup="starts_at__gte",
            ),
        ),
        updated=True,
    ),
)
