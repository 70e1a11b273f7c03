"""The calendar feed (iCalendar, RFC 5545), built with the `icalendar` package.

One VEVENT per meeting, in UTC (no VTIMEZONE needed), with a UID stable across edits and a
SEQUENCE that grows when the meeting moves or is cancelled, so calendar programs update the
event instead of adding a second one. The online link is never in the feed: it is for people
holding a seat, shortly before the start.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from icalendar import Calendar, Event

from meetings.domain import FORMAT_LABELS, Status
from meetings.models import Meeting
from participation import richtext
from participation.i18n import gettext

PRODUCT = "-//Participation//Meetings//FR"


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def feed(meetings: Iterable[Meeting], base_url: str, host: str, name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for meeting in meetings:
        event = Event()
        event.add("uid", f"meeting-{meeting.id}@{host}")
        event.add("dtstamp", _utc(meeting.updated_at))
        event.add("dtstart", _utc(meeting.starts_at))
        event.add("dtend", _utc(meeting.ends_at))
        event.add("summary", meeting.title)
        event.add("url", f"{base_url}/meetings/{meeting.id}")
        lines = [gettext(FORMAT_LABELS[meeting.format])]
        if text := richtext.to_text(meeting.description):
            lines.append(text)
        if meeting.accessibility:
            lines.append(meeting.accessibility)
        event.add("description", "\n\n".join(lines))
        if meeting.address:
            event.add("location", meeting.address)
        cancelled = meeting.status == Status.CANCELLED
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        event.add("sequence", meeting.sequence)
        calendar.add_component(event)
    return calendar.to_ical()
