"""A space's image is one of the core's pictures (issue #22: participation/pictures): served at
a few widths (srcset) with its box's size, to who may see the space (a space in preparation:
staff only), replaced and removed from the staff form, gone with the space; a space saved
before participation.0033 keeps its image, re-encoded (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from PIL import Image
from tortoise import Tortoise, connections

from participation.accounts.models import User
from participation.db import tortoise_config
from participation.migration_state import migrate
from participation.pictures.models import Picture, PictureRendition
from participation.spaces.models import Space
from tests.conftest import empty_database, log_in, post_form, upgrade
from tests.pictures.helpers import png, send, stored
from tests.pictures.test_withheld import status_as
from tests.spaces.factories import space_open_with_a_vote
from tests.spaces.test_pages import FORM


async def test_a_spaces_image_has_its_renditions_on_its_page_and_its_card(
    client: httpx.AsyncClient,
) -> None:
    picture = await stored("Le parc des Tilleuls dessiné", width=900)
    await space_open_with_a_vote(image_id=picture.id)
    page = (await client.get("/demarches/budget-2027")).text
    srcset = f'srcset="/images/{picture.key}/400 400w, /images/{picture.key}/800 800w, '
    assert srcset in page and 'alt="Le parc des Tilleuls dessiné"' in page
    # the page's first image, loaded at once, its box held by its width and height
    assert 'width="900" height="300"' in page and 'loading="eager"' in page
    for listing in ("/demarches", "/"):  # the cards: lazy, with the picture's own text
        text = (await client.get(listing)).text
        card_image = text.split(srcset)[1][:600]
        assert 'loading="lazy"' in card_image
        assert 'alt="Le parc des Tilleuls dessiné"' in card_image
    served = await client.get(f"/images/{picture.key}/400")
    assert served.status_code == 200 and served.headers["content-type"] == "image/webp"


async def test_a_space_in_preparation_withholds_its_image_but_from_staff(
    app: Any, admin: User, citizen: User
) -> None:
    picture = await stored()
    space = await space_open_with_a_vote(image_id=picture.id, published=False)
    path = f"/images/{picture.key}/400"
    assert await status_as(app, None, path) == 404
    assert await status_as(app, citizen, path) == 404
    assert await status_as(app, admin, path) == 200  # its form shows it
    await Space.filter(id=space.id).update(published=True)
    assert await status_as(app, None, path) == 200
    await Space.filter(id=space.id).update(published=False)
    assert await status_as(app, None, path) == 404  # revalidated at each use: gone at once


async def test_staff_replace_then_remove_a_spaces_image_and_it_goes_with_the_space(
    client: httpx.AsyncClient, admin: User
) -> None:
    await log_in(client, admin)
    data = {**FORM, "image_alt": "Un parc"}
    assert (await send(client, "/admin/spaces/new", data, png(500, 250))).status_code == 303
    space = await Space.get(slug="budget-2027")
    first = await Picture.get(id=space.image_id)  # type: ignore[arg-type]
    form = (await client.get(f"/admin/spaces/{space.id}")).text
    assert f"/images/{first.key}/400" in form and 'value="Un parc"' in form  # the preview
    edit = {**data, "version": str(space.version), "image_alt": "Un parc au printemps"}
    replaced = await send(client, f"/admin/spaces/{space.id}", edit, png(600, 300, "green"))
    assert replaced.status_code == 303, replaced.text
    await space.refresh_from_db()
    second = await Picture.get(id=space.image_id)  # type: ignore[arg-type]
    assert second.id != first.id and second.alt == "Un parc au printemps"
    assert not await Picture.filter(id=first.id).exists()
    assert (await client.get(f"/images/{first.key}/400")).status_code == 404
    removal = {**edit, "version": str(space.version), "remove_image": "yes"}
    assert (await send(client, f"/admin/spaces/{space.id}", removal)).status_code == 303
    await space.refresh_from_db()
    assert space.image_id is None and not await Picture.exists()
    page = (await client.get("/demarches/budget-2027")).text
    assert "/images/" not in page and "/static/patterns/" in page  # the pattern instead
    # a new image, then the space deleted (it holds nothing): its image goes with it
    again = {**edit, "version": str(space.version)}
    assert (await send(client, f"/admin/spaces/{space.id}", again, png())).status_code == 303
    assert await Picture.all().count() == 1
    assert (await post_form(client, f"/admin/spaces/{space.id}/delete", {})).status_code == 303
    assert not await Picture.exists() and not await PictureRendition.exists()


def _jpeg(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "teal").save(out, "JPEG")
    return out.getvalue()


async def test_a_space_saved_before_keeps_its_image_in_the_core_s_pictures(
    tmp_path: Path, redis_url: str
) -> None:
    """participation.0033: the one rendition a space kept in `spaces_image` becomes a picture
    with its renditions and its text alternative; a space without one has none."""
    async with empty_database(tmp_path, redis_url) as settings:
        await migrate(config=tortoise_config(settings), target="participation.0032_map_tiles")
        await Tortoise.close_connections()
        await Tortoise.init(config=tortoise_config(settings))
        client = connections.get("default")
        postgres = client.capabilities.dialect == "postgres"
        marks = [f"${n}" if postgres else "?" for n in range(1, 7)]
        for slug, alt, version in (("avec", "Le pont dessiné", 2), ("sans", "", 0)):
            await client.execute_query(
                'INSERT INTO "spaces_space" ("title", "slug", "summary", "description", '
                '"image_alt", "image_version", "districts", "audience", "minimum_age", '
                '"starts_at", "published", "version", "created_at") VALUES '
                f"({marks[0]}, {marks[1]}, '', '', {marks[2]}, {marks[3]}, '[]', 'signed_in', "
                f"0, {marks[4]}, true, 1, {marks[5]})",
                [slug.title(), slug, alt, version, datetime.now(UTC), datetime.now(UTC)],
            )
        _, rows = await client.execute_query(
            'SELECT "id" FROM "spaces_space" WHERE "slug" = ' + marks[0], ["avec"]
        )
        await client.execute_query(
            'INSERT INTO "spaces_image" ("space_id", "data", "content_type", "width", "height") '
            f"VALUES ({', '.join(marks[:5])})",
            [dict(rows[0])["id"], _jpeg(1000, 500), "image/jpeg", 1000, 500],
        )

        await upgrade(settings)

        kept = await Space.get(slug="avec")
        picture = await Picture.get(id=kept.image_id)  # type: ignore[arg-type]
        assert (picture.alt, picture.width, picture.height) == ("Le pont dessiné", 1000, 500)
        widths = await PictureRendition.filter(picture=picture).values_list("width", flat=True)
        assert sorted(widths) == [400, 800, 1000]
        assert (await Space.get(slug="sans")).image_id is None
