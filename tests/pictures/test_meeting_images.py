"""A meeting's image through HTTP (issue #22): staff give one with the meeting, refused without
its text alternative (422, nothing saved); the list and the page show it; removed, the page
shows the pattern drawn from its title (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import httpx

from meetings.models import Meeting
from participation.accounts.models import User
from participation.pictures.models import Picture
from tests.conftest import field_error, log_in, logged_queries
from tests.meetings.factories import MEETING_FORM as DATA
from tests.pictures.helpers import png, send


async def test_staff_give_a_meeting_an_image_then_remove_it(
    client: httpx.AsyncClient, admin: User
) -> None:
    await log_in(client, admin)
    missing = await send(client, "/admin/meetings/new", DATA, png(800, 400))
    assert missing.status_code == 422
    assert "Décrivez l’image" in field_error(missing.text, "image_alt")
    assert "choisissez-le à nouveau" in missing.text  # a browser never sends a file back
    assert not await Meeting.exists() and not await Picture.exists()
    data = {**DATA, "image_alt": "La salle du conseil, vue de la porte"}
    created = await send(client, "/admin/meetings/new", data, png(800, 400))
    assert created.status_code == 303, created.text
    meeting = await Meeting.get()
    picture = await Picture.get(id=meeting.image_id)  # type: ignore[arg-type]
    listing = await client.get("/meetings")
    assert f"/images/{picture.key}/400" in listing.text
    page = await client.get(f"/meetings/{meeting.id}")
    assert 'alt="La salle du conseil, vue de la porte"' in page.text
    admin_page = await client.get(f"/admin/meetings/{meeting.id}")
    assert 'value="La salle du conseil, vue de la porte"' in admin_page.text
    removed = await send(client, f"/admin/meetings/{meeting.id}", {**data, "remove_image": "yes"})
    assert removed.status_code == 303
    await meeting.refresh_from_db()
    assert meeting.image_id is None and not await Picture.exists()
    page = await client.get(f"/meetings/{meeting.id}")
    assert '<img class="illustration"' in page.text and "/images/" not in page.text


async def test_a_meeting_s_image_is_found_with_its_holder_in_one_statement(
    app: Any, client: httpx.AsyncClient, admin: User
) -> None:
    await log_in(client, admin)
    data = {**DATA, "image_alt": "La salle du conseil, vue de la porte"}
    assert (await send(client, "/admin/meetings/new", data, png(800, 400))).status_code == 303
    picture = await Picture.get()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as visitor:
        with logged_queries() as statements:
            served = await visitor.get(f"/images/{picture.key}/400")
        assert served.status_code == 200 and served.headers["content-type"] == "image/webp"
        # the rendition with what holds its picture, the meeting's own rule, the bytes: the
        # owners that do not hold it (proposals, budget projects) are not asked one by one
        assert len(statements) == 3, statements
        with logged_queries() as statements:
            again = await visitor.get(
                f"/images/{picture.key}/400", headers={"If-None-Match": served.headers["etag"]}
            )
        assert again.status_code == 304 and len(statements) == 2, statements
        assert (await visitor.get(f"/images/{picture.key}/401")).status_code == 404
