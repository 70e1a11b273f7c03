"""A meeting's attendance sheet (PDF, participation/pdf.py), printed by staff for the door: the
meeting, then the registered people (seats first, then the waiting list in its order) with their
registration code and room to sign, and blank lines for people who come without registering."""

from __future__ import annotations

from meetings.domain import FORMAT_LABELS, SEAT_LABELS, Seat
from meetings.models import Meeting
from meetings.queries import registrations
from participation.formatting import colon, format_datetime, format_time
from participation.i18n import gettext
from participation.pdf import Document, render
from participation.templating import public_name

BLANK_LINES = 8  # for people who come without registering
SIGNATURE_HEIGHT = 10  # mm: room to sign by hand


async def attendance_sheet(meeting: Meeting, site_name: str) -> bytes:
    rows = [r for r in await registrations(meeting.id) if r.seat != Seat.CANCELLED]
    title = gettext("Attendance sheet") + colon() + " " + meeting.title

    def draw(doc: Document) -> None:
        doc.section(title)
        when = f"{format_datetime(meeting.starts_at)} – {format_time(meeting.ends_at)}"
        doc.paragraph(f"{when} · {gettext(FORMAT_LABELS[meeting.format])}")
        if meeting.address:
            doc.paragraph(gettext("Address") + colon() + " " + meeting.address)
        table = [
            [
                public_name(r.user),
                r.code,
                gettext(SEAT_LABELS[r.seat]),
                "",
            ]
            for r in rows
        ]
        table += [["", "", "", ""]] * BLANK_LINES
        doc.table(
            [gettext("Person"), gettext("Code"), gettext("Registration"), gettext("Signature")],
            table,
            widths=(35, 15, 20, 30),
            row_height=SIGNATURE_HEIGHT,
        )

    return await render(site_name, title, draw)
