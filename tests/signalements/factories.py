"""Signalements by scenario; photos made by Pillow (with EXIF and a GPS position to strip)."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from PIL import Image
from tortoise import timezone

from signalements import domain
from signalements.domain import State
from signalements.models import Category, EventKind, Report, ReportEvent

HERE = (47.2184, -1.5536)  # inside the default town box (the demo town)


async def pothole_category(**fields: Any) -> Category:
    values: dict[str, Any] = {
        "name": "Voirie",
        "icon": "road",
        "service": "Voirie",
        "sla_days": 15,
        **fields,
    }
    return await Category.create(**values)


async def open_report(
    category: Category,
    lat: float | None = HERE[0],
    lon: float | None = HERE[1],
    state: State = State.RECEIVED,
    token: str = "",
    **fields: Any,
) -> Report:
    now = timezone.now()
    values: dict[str, Any] = {
        "category": category,
        "description": "Nid-de-poule profond devant la boulangerie.",
        "address": "12 rue de la Loire",
        "latitude": lat,
        "longitude": lon,
        "state": state,
        "token_hash": domain.token_hash(token or domain.new_token()),
        "due_at": domain.due_at(now, category.sla_days),
        "created_at": now,
        **fields,
    }
    report = await Report.create(**values)
    await ReportEvent.create(
        report=report, kind=EventKind.CREATED, public=True, state=State.RECEIVED, created_at=now
    )
    return report


async def resolved_report(category: Category, days_ago: float, token: str) -> Report:
    report = await open_report(category, state=State.RESOLVED, token=token)
    report.resolved_at = timezone.now() - timedelta(days=days_ago)
    await report.save(update_fields=["resolved_at"])
    return report


def jpeg_with_gps(size: tuple[int, int] = (2400, 1200)) -> bytes:
    """A JPEG carrying EXIF: a camera, and a GPS position (what must never be published)."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 12"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (47.0, 13.0, 6.24)
    gps[3] = "W"
    gps[4] = (1.0, 33.0, 12.96)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()
