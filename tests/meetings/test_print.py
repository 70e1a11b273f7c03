"""A meeting's attendance sheet (PDF): the registered people with their codes, the waiting list,
blank lines for newcomers; staff only."""

from __future__ import annotations

import httpx

from meetings import print as printable
from meetings import services
from participation.accounts.models import User
from participation.settings import Settings
from tests.conftest import create_user, log_in
from tests.meetings.factories import meeting_next_week
from tests.printing import pdf_text


async def test_the_sheet_lists_seats_then_the_waiting_list_but_not_cancellations(
    app: object, settings: Settings
) -> None:
    meeting = await meeting_next_week(capacity=1)
    first = await create_user(settings, "premier@example.org", display_name="Zoé <b>Öberg</b> & co")
    second = await create_user(settings, "second@example.org", display_name="Seconde")
    gone = await create_user(settings, "parti@example.org", display_name="Partie")
    seat = await services.register(settings, meeting.id, first)
    waiting = await services.register(settings, meeting.id, second)
    await services.register(settings, meeting.id, gone)
    await services.cancel_registration(settings, meeting.id, gone)
    text = pdf_text(await printable.attendance_sheet(meeting, "Villebelle"))
    assert "Villebelle" in text and "Réunion publique : le parc" in text
    assert "Salle des fêtes, 1 place de la Mairie" in text
    assert "Zoé <b>Öberg</b> & co" in text and seat.code in text
    assert "Seconde" in text and waiting.code in text
    assert text.index(seat.code) < text.index(waiting.code)
    assert "Partie" not in text


async def test_only_staff_print_the_sheet(
    client: httpx.AsyncClient, settings: Settings, citizen: User, admin: User
) -> None:
    meeting = await meeting_next_week()
    path = f"/admin/meetings/{meeting.id}/attendance.pdf"
    anonymous = await client.get(path)
    assert anonymous.status_code == 303 and "/login" in anonymous.headers["location"]
    await log_in(client, citizen)
    assert (await client.get(path)).status_code == 403
    await log_in(client, admin)
    response = await client.get(path)
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert meeting.title.replace("\u00a0", " ") in pdf_text(response.content)
    assert path in (await client.get(f"/admin/meetings/{meeting.id}")).text
    assert (await client.get("/admin/meetings/999999/attendance.pdf")).status_code == 404
