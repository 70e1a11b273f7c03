"""Spaces over HTTP: staff create, edit (version check), build the timeline, archive and
delete; bad input refused field by field in French; the public pages and the home page."""

from __future__ import annotations

import httpx

from participation import formatting
from participation.accounts.models import User
from participation.audit import AuditLogEntry
from participation.pictures.models import Picture, PictureRendition
from participation.residents.models import District
from participation.settings import Settings
from participation.spaces.models import Space, SpaceStep
from tests.conftest import csrf_token, field_error, log_in, post_form
from tests.pictures.helpers import png
from tests.spaces.factories import space_open_with_a_vote

FORM = {
    "title": "Budget participatif 2027",
    "slug": "budget-2027",
    "summary": "Proposez, votez.",
    "description": "Le budget de la ville.",
    "starts_at": "2027-03-01T09:00",
    "ends_at": "2027-06-30T18:00",
    "audience": "residents",
    "published": "yes",
}


async def send(
    client: httpx.AsyncClient,
    url: str,
    data: dict[str, str],
    image: bytes | None = None,
    districts: list[str] | None = None,
) -> httpx.Response:
    """The space form as a browser sends it: multipart, with its CSRF token."""
    fields: dict[str, str | list[str]] = {**data, "csrf_token": await csrf_token(client)}
    if districts:
        fields["districts"] = districts
    # no file chosen: a browser sends the part with an empty name and no content
    files = {"image": ("photo.png", image) if image is not None else ("", b"")}
    return await client.post(url, data=fields, files=files)


async def test_staff_create_a_space_with_an_image_and_a_timeline(
    client: httpx.AsyncClient, settings: Settings, admin: User
) -> None:
    await District.create(name="Nord", slug="nord")
    await log_in(client, admin)
    assert (await client.get("/admin/spaces/new")).status_code == 200
    data = {**FORM, "image_alt": "Un parc dessiné"}
    response = await send(client, "/admin/spaces/new", data, png(), ["Nord"])
    assert response.status_code == 303, response.text
    space = await Space.get(slug="budget-2027")
    assert space.districts == ["Nord"] and space.image_id is not None
    # the core's pictures (participation/pictures): renditions at a few widths, never wider
    # than the upload
    picture = await Picture.get(id=space.image_id)
    assert (picture.width, picture.height, picture.alt) == (1200, 675, "Un parc dessiné")
    widths = await PictureRendition.filter(picture_id=picture.id).values_list("width", flat=True)
    assert sorted(widths) == [400, 800, 1200]
    step = await post_form(
        client,
        f"/admin/spaces/{space.id}/steps/new",
        {"title": "Vote", "starts_at": "2027-05-15T09:00", "ends_at": "2027-06-15T18:00"},
    )
    assert step.status_code == 303
    row = await SpaceStep.get(space=space)
    edited = await post_form(
        client,
        f"/admin/spaces/{space.id}/steps/{row.id}",
        {"title": "Vote ouvert", "starts_at": "2027-05-15T09:00", "position": "2"},
    )
    assert edited.status_code == 303
    assert (await SpaceStep.get(id=row.id)).title == "Vote ouvert"
    page = await client.get("/demarches/budget-2027")
    assert page.status_code == 200 and "Vote ouvert" in page.text
    assert 'alt="Un parc dessiné"' in page.text
    assert f'srcset="/images/{picture.key}/400 400w, /images/{picture.key}/800 800w, ' in page.text
    assert 'width="1200" height="675"' in page.text  # its box held before it arrives
    image = await client.get(f"/images/{picture.key}/800")
    assert image.status_code == 200 and image.headers["content-type"] == "image/webp"
    removed = await post_form(client, f"/admin/spaces/{space.id}/steps/{row.id}/remove", {})
    assert removed.status_code == 303 and not await SpaceStep.exists(space=space)
    actions = await AuditLogEntry.filter(target_kind="space").values_list("action", flat=True)
    assert sorted(actions) == [
        "space_created",
        "space_step_added",
        "space_step_changed",
        "space_step_removed",
    ]


async def test_bad_input_is_refused_field_by_field_and_nothing_written(
    client: httpx.AsyncClient, settings: Settings, admin: User
) -> None:
    await log_in(client, admin)
    await space_open_with_a_vote()
    cases = [
        ({**FORM}, None, "slug", "Une autre démarche a déjà cette adresse"),
        ({**FORM, "slug": "autre", "ends_at": "2027-01-01T09:00"}, None, "ends_at", "après"),
        ({**FORM, "slug": "autre"}, b"pas une image", "image", "pas une image"),
        ({**FORM, "slug": "autre"}, png(), "image_alt", "Décrivez l’image"),
        (
            {**FORM, "slug": "autre", "image_alt": "x"},
            b"\x00" * (5 * 1024 * 1024 + 1),
            "image",
            "5\u00a0Mo",
        ),
        (
            {**FORM, "slug": "autre", "image_alt": "x"},
            png(5000, 5000),
            "image",
            "20\u00a0mégapixels",
        ),
    ]
    for data, image, field, message in cases:
        response = await send(client, "/admin/spaces/new", data, image)
        assert response.status_code == 422, (field, response.status_code)
        assert message in field_error(response.text, field), field
        assert FORM["summary"] in response.text  # what was typed is kept
    assert await Space.all().count() == 1
    step = await post_form(
        client,
        f"/admin/spaces/{(await Space.first()).id}/steps/new",  # type: ignore[union-attr]
        {"title": "", "starts_at": "2027-05-15T09:00", "ends_at": "2027-05-01T09:00"},
    )
    assert step.status_code == 422
    assert field_error(step.text, "title") and field_error(step.text, "ends_at")


async def test_the_second_of_two_concurrent_saves_is_told_and_keeps_its_text(
    client: httpx.AsyncClient, settings: Settings, admin: User
) -> None:
    space = await space_open_with_a_vote()
    await log_in(client, admin)
    base = {**FORM, "version": str(space.version)}
    first = await send(client, f"/admin/spaces/{space.id}", {**base, "title": "Premier"})
    assert first.status_code == 303
    second = await send(client, f"/admin/spaces/{space.id}", {**base, "title": "Second texte"})
    assert second.status_code == 409
    assert "Second texte" in second.text and "Premier" in second.text
    saved = await Space.get(id=space.id)
    assert saved.title == "Premier" and saved.version == space.version + 1
    assert saved.slug == "budget-2027"  # the address never changes
    assert f'name="version" value="{saved.version}"' in second.text
    again = await send(
        client,
        f"/admin/spaces/{space.id}",
        {**base, "title": "Second texte", "version": str(saved.version)},
    )
    assert again.status_code == 303
    assert (await Space.get(id=space.id)).title == "Second texte"


async def test_a_space_with_content_is_archived_not_deleted(
    client: httpx.AsyncClient, settings: Settings, admin: User
) -> None:
    from meetings.models import Meeting  # a component attached to the space
    from tests.meetings.factories import meeting_next_week

    space = await space_open_with_a_vote()
    meeting = await meeting_next_week()
    await Meeting.filter(id=meeting.id).update(space_id=space.id)
    await log_in(client, admin)
    page = await client.get("/demarches/budget-2027")
    assert meeting.title in page.text  # the space lists its components
    refused = await post_form(client, f"/admin/spaces/{space.id}/delete", {})
    assert refused.status_code == 409 and "archivez-la" in refused.text
    assert await Space.exists(id=space.id)
    archived = await post_form(client, f"/admin/spaces/{space.id}/archive", {})
    assert archived.status_code == 303
    assert (await Space.get(id=space.id)).archived_at is not None
    assert (await client.get("/demarches/budget-2027")).status_code == 200  # still readable
    await Meeting.filter(id=meeting.id).update(space_id=None)
    deleted = await post_form(client, f"/admin/spaces/{space.id}/delete", {})
    assert deleted.status_code == 303 and not await Space.exists(id=space.id)


async def test_only_administrators_reach_the_staff_pages(
    client: httpx.AsyncClient, settings: Settings, citizen: User, moderator: User
) -> None:
    space = await space_open_with_a_vote()
    anonymous = await client.get("/admin/spaces")
    assert anonymous.status_code in (302, 303) and "/account/login" in anonymous.headers["location"]
    for user in (citizen, moderator):
        await log_in(client, user)
        for path in ("/admin/spaces", "/admin/spaces/new", f"/admin/spaces/{space.id}"):
            assert (await client.get(path)).status_code == 403, path
        forged = await post_form(client, f"/admin/spaces/{space.id}/delete", {})
        assert forged.status_code == 403
    assert await Space.exists(id=space.id)


async def test_a_script_in_the_description_is_removed(
    client: httpx.AsyncClient, settings: Settings, admin: User
) -> None:
    await log_in(client, admin)
    data = {
        **FORM,
        "description": (
            '<p onclick="x()">Bonjour</p><script>alert(1)</script><img src=x onerror=alert(2)>'
        ),
        "title": '<script>alert("t")</script>',
    }
    response = await send(client, "/admin/spaces/new", data)
    assert response.status_code == 303
    page = await client.get("/demarches/budget-2027")
    assert "Bonjour" in page.text
    # staff write Markdown: the typed tags are shown as text, none is markup
    assert "<script>alert" not in page.text and "<img src=x" not in page.text
    assert "<p onclick" not in page.text
    assert "&lt;img src=x onerror=alert(2)&gt;" in page.text
    assert "&lt;script&gt;alert" in page.text  # the title is text


async def test_drafts_are_not_public_and_the_lists_group_by_state(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await space_open_with_a_vote()
    await space_open_with_a_vote(slug="brouillon", title="Brouillon secret", published=False)
    listing = await client.get("/demarches")
    assert "Budget participatif 2027" in listing.text and "Brouillon secret" not in listing.text
    assert (await client.get("/demarches/brouillon")).status_code == 404
    assert (await client.get("/demarches/inconnue")).status_code == 404
    assert (await client.get("/demarches/" + "a" * 500)).status_code == 404


async def test_the_home_page_shows_an_open_space_with_its_deadline(
    client: httpx.AsyncClient, settings: Settings, admin: User
) -> None:
    space = await space_open_with_a_vote()
    vote = await SpaceStep.get(space=space, title="Vote")
    home = await client.get("/")
    deadline = formatting.format_deadline(vote.ends_at, "fr")
    assert "Budget participatif 2027" in home.text
    assert f"Vote jusqu’au {deadline}" in home.text
    # a write to spaces empties the page cache: the visitor sees the new title at once
    await log_in(client, admin)
    still_open = {
        **FORM,
        "title": "Budget 2027 renommé",
        "version": "1",
        "starts_at": formatting.input_value(space.starts_at),
        "ends_at": formatting.input_value(space.ends_at),
    }
    saved = await send(client, f"/admin/spaces/{space.id}", still_open)
    assert saved.status_code == 303
    visitor = httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url))
    async with visitor:
        assert "Budget 2027 renommé" in (await visitor.get("/")).text
