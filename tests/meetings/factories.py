"""Meetings by scenario."""

from __future__ import annotations

from datetime import timedelta

from tortoise import timezone

from meetings.domain import Format
from meetings.models import Meeting

# the staff's form for a meeting in the town hall, as a browser sends it
MEETING_FORM = {
    "title": "Conseil de quartier",
    "format": "in-person",
    "starts_at": "2031-05-04T18:30",
    "ends_at": "2031-05-04T20:00",
    "address": "Mairie",
}


async def meeting_next_week(capacity: int | None = 20, **fields: object) -> Meeting:
    start = timezone.now() + timedelta(days=7)
    values: dict[str, object] = {
        "title": "Réunion publique\u00a0: le parc",
        "format": Format.HYBRID,
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "address": "Salle des fêtes, 1 place de la Mairie",
        "accessibility": "Accès de plain-pied, boucle magnétique",
        "online_url": "https://visio.example.org/parc",
        "capacity": capacity,
        **fields,
    }
    return await Meeting.create(**values)


async def meeting_started(**fields: object) -> Meeting:
    start = timezone.now() - timedelta(minutes=10)
    return await meeting_next_week(starts_at=start, ends_at=start + timedelta(hours=2), **fields)
