"""A meeting's place on the town's map (issue #20): staff type its point (refused outside the
town, next to the field); the meeting page shows a small map beside the address, and the map of
upcoming meetings lists them with their dates and addresses (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
from tortoise import timezone

from meetings.models import Meeting
from participation.accounts.models import User
from tests.conftest import field_error, log_in, post_form
from tests.meetings.factories import MEETING_FORM as DATA
from tests.meetings.factories import meeting_next_week


async def test_staff_give_a_point_inside_the_town_or_are_told_why_not(
    client: httpx.AsyncClient, admin: User
) -> None:
    await log_in(client, admin)
    assert "data-map-pick" in (await client.get("/admin/meetings/new")).text
    bad = await post_form(
        client, "/admin/meetings/new", {**DATA, "latitude": "48.85", "longitude": "2.35"}
    )
    assert bad.status_code == 422
    assert "en dehors de la commune" in field_error(bad.text, "latitude")
    word = await post_form(
        client, "/admin/meetings/new", {**DATA, "latitude": "47.2", "longitude": "ouest"}
    )
    assert word.status_code == 422 and "degrés décimaux" in field_error(word.text, "longitude")
    assert await Meeting.all().count() == 0
    done = await post_form(
        client, "/admin/meetings/new", {**DATA, "latitude": "47.2", "longitude": "-1.55"}
    )
    assert done.status_code == 303
    meeting = await Meeting.get(title="Conseil de quartier")
    assert (meeting.latitude, meeting.longitude) == (47.2, -1.55)
    # moving the point back out is refused too; the stored point stays
    moved = await post_form(
        client, f"/admin/meetings/{meeting.id}", {**DATA, "latitude": "47.5", "longitude": "-1.55"}
    )
    assert moved.status_code == 422
    await meeting.refresh_from_db()
    assert meeting.latitude == 47.2


async def test_the_map_of_upcoming_meetings_and_a_meeting_page(client: httpx.AsyncClient) -> None:
    placed = await meeting_next_week(latitude=47.2, longitude=-1.55)
    unplaced = await meeting_next_week(title="Atelier <vélo>", address="Médiathèque")
    online = await meeting_next_week(title="En ligne", format="online", address="")
    start = timezone.now() - timedelta(days=3)
    past = await meeting_next_week(
        title="Passée",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        latitude=47.2,
        longitude=-1.5,
    )
    html = (await client.get("/meetings/map")).text
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert f'href="/meetings/{placed.id}"' in svg and f"/meetings/{unplaced.id}" not in svg
    items = re.findall(r'<ul class="map-list">(.*?)</ul>', html, re.S)[0]
    assert "Salle des fêtes" in items and "Atelier &lt;vélo&gt;" in items
    assert f"/meetings/{online.id}" not in html and f"/meetings/{past.id}" not in html
    page = (await client.get(f"/meetings/{placed.id}")).text
    assert "place-map-small" in page and "Lieu de la réunion" in page
    assert "place-map-small" not in (await client.get(f"/meetings/{unplaced.id}")).text
    assert 'href="/meetings/map"' in (await client.get("/meetings")).text
