"""A person's meeting registrations in their data export, and what deleting the account does.

Export: every registration (meeting, seat, code, attendance). Erasure: registrations for
meetings not started yet are cancelled and their seats freed (the waiting list moves up with
the next cron run, `jobs.send_reminders`); past ones stay, attached to the anonymised account,
so attendance figures stay right.
"""

from __future__ import annotations

from typing import Any

from tortoise import timezone
from tortoise.expressions import F

from meetings.domain import Seat
from meetings.models import Meeting, Registration
from participation import formatting


async def export(user: Any, translate: Any = None) -> dict[str, Any]:
    """The person's registrations, JSON-ready (moments in the town's time, with the offset)."""
    registrations = await Registration.filter(user_id=user.id).select_related("meeting")
    return {
        "meetings": [
            {
                "meeting_id": r.meeting_id,
                "meeting": r.meeting.title,
                "starts_at": formatting.iso_local(r.meeting.starts_at),
                "seat": r.seat.value,
                "code": r.code,
                "joined_at": formatting.iso_local(r.joined_at),
                "attended": r.attended,
            }
            for r in sorted(registrations, key=lambda r: r.id)
        ]
    }


async def erase(user: Any) -> None:
    """Inside the account deletion's transaction."""
    upcoming = Registration.filter(
        user_id=user.id,
        seat__in=[Seat.CONFIRMED, Seat.WAITING],
        meeting__starts_at__gt=timezone.now(),
    )
    for registration_id, meeting_id, seat in await upcoming.values_list("id", "meeting_id", "seat"):
        await Registration.filter(id=registration_id).update(seat=Seat.CANCELLED)
        if seat == Seat.CONFIRMED:
            await Meeting.filter(id=meeting_id).update(confirmed=F("confirmed") - 1)
