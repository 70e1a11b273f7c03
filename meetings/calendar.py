"""The calendar feed (iCalendar, RFC 5545), written here: a small pure module, no dependency.

One VEVENT per meeting, in UTC (no VTIMEZONE needed), with a UID stable across edits and a
SEQUENCE that grows when the meeting moves or is cancelled, so calendar programs update the
event instead of adding a second one. The online link is never in the feed: it is for people
holding a seat, shortly before the start.

What RFC 5545 asks of a writer and this module does: text values escaped (backslash, ";", ","
and new lines, 3.3.11), lines ended by CRLF and folded at 75 octets without cutting a UTF-8
character (3.1), times in UTC as `19980119T070000Z` (3.3.5). Why not the `icalendar` package:
a town installing the platform then audits and updates one run-time dependency less (it brings
python-dateutil and tzdata), and the feed uses five kinds of value; the tests read the feed
back with `icalendar` (a test dependency), an independent parser.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from meetings.domain import FORMAT_LABELS, Status
from meetings.models import Meeting
from participation import richtext
from participation.i18n import gettext
from participation.urls import url

PRODUCT = "-//Participation//Meetings//FR"
LINE_OCTETS = 75  # RFC 5545 3.1: "Lines of text SHOULD NOT be longer than 75 octets"


def text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and new lines escaped."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def utc(moment: datetime) -> str:
    """A DATE-TIME in UTC (RFC 5545 3.3.5, form #2): 20310504T163000Z."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def fold(line: str) -> bytes:
    """One content line, CRLF-ended, folded so that no line is over 75 octets: a fold is CRLF
    and one space, never inside a UTF-8 character (RFC 5545 3.1)."""
    out = bytearray()
    width = 0
    for character in line:
        encoded = character.encode()
        if width + len(encoded) > LINE_OCTETS:
            out += b"\r\n "
            width = 1
        out += encoded
        width += len(encoded)
    return bytes(out) + b"\r\n"


def feed(meetings: Iterable[Meeting], base_url: str, host: str, name: str) -> bytes:
    lines = [
        "BEGIN:VCALENDAR",
        f"PRODID:{PRODUCT}",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{text(name)}",
    ]
    for meeting in meetings:
        parts = [gettext(FORMAT_LABELS[meeting.format])]
        if description := richtext.to_text(meeting.description):
            parts.append(description)
        if meeting.accessibility:
            parts.append(meeting.accessibility)
        cancelled = meeting.status == Status.CANCELLED
        lines += [
            "BEGIN:VEVENT",
            f"UID:{text(f'meeting-{meeting.id}@{host}')}",
            f"DTSTAMP:{utc(meeting.updated_at)}",
            f"DTSTART:{utc(meeting.starts_at)}",
            f"DTEND:{utc(meeting.ends_at)}",
            f"SUMMARY:{text(meeting.title)}",
            f"URL:{base_url}{url('meetings:detail', meeting_id=meeting.id)}",
            "DESCRIPTION:" + text("\n\n".join(parts)),
        ]
        if meeting.address:
            lines.append(f"LOCATION:{text(meeting.address)}")
        lines += [
            f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
            f"SEQUENCE:{meeting.sequence}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return b"".join(fold(line) for line in lines)
