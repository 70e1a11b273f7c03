"""A space's image becomes one of the core's pictures (issue #22: participation/pictures, as
proposals', budget projects' and meetings'): re-encoded at a few widths (srcset), served by the
one route /images/<key>/<width> to who may see the space. Each image a space had (its one
rendition in `spaces_image`, at most 1200 px wide) is re-encoded into renditions with its text
alternative (its id held in `image_version` while the old table goes, whose relation was
named `image` too), then the old table and the space's `image_alt` and `image_version` go.

Not reversible: the old table is dropped."""

import secrets
from datetime import UTC, datetime

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops

from participation.migration_ops import DropColumn
from participation.pictures.images import prepare


async def into_pictures(apps, schema_editor):
    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"

    def mark(n: int) -> str:
        return f"${n}" if postgres else "?"

    await client.execute_query('UPDATE "spaces_space" SET "image_version" = 0')
    _, rows = await client.execute_query(
        'SELECT "i"."space_id", "i"."data", "s"."image_alt" FROM "spaces_image" AS "i" '
        'JOIN "spaces_space" AS "s" ON "s"."id" = "i"."space_id" ORDER BY "i"."space_id"'
    )
    for row in map(dict, rows):
        prepared = prepare(bytes(row["data"]))
        key = secrets.token_urlsafe(16)
        # the alternative was required with an image; a row without one says what it is
        alt = row["image_alt"] or "Image de la démarche"
        await client.execute_query(
            'INSERT INTO "pictures_picture" ("key", "alt", "width", "height", "created_at") '
            f"VALUES ({mark(1)}, {mark(2)}, {mark(3)}, {mark(4)}, {mark(5)})",
            [key, alt, prepared.width, prepared.height, datetime.now(UTC)],
        )
        _, found = await client.execute_query(
            f'SELECT "id" FROM "pictures_picture" WHERE "key" = {mark(1)}', [key]
        )
        picture_id = int(dict(found[0])["id"])
        for rendition in prepared.renditions:
            await client.execute_query(
                'INSERT INTO "pictures_rendition" ("picture_id", "width", "height", '
                f'"content_type", "data") VALUES ({mark(1)}, {mark(2)}, {mark(3)}, {mark(4)}, '
                f"{mark(5)})",
                [
                    picture_id,
                    rendition.width,
                    rendition.height,
                    rendition.content_type,
                    rendition.data,
                ],
            )
        # held here until the space has its `image_id` (the old table's relation is named
        # `image` too: it goes first)
        await client.execute_query(
            f'UPDATE "spaces_space" SET "image_version" = {mark(1)} WHERE "id" = {mark(2)}',
            [picture_id, row["space_id"]],
        )


async def attach(apps, schema_editor):
    await schema_editor.client.execute_query(
        'UPDATE "spaces_space" SET "image_id" = "image_version" WHERE "image_version" > 0'
    )


class Migration(migrations.Migration):
    dependencies = [("participation", "0032_map_tiles")]

    initial = False

    operations = [
        ops.RunPython(into_pictures),
        ops.DeleteModel(name="SpaceImage"),
        ops.AddField(
            model_name="Space",
            name="image",
            field=fields.ForeignKeyField(
                "participation.Picture",
                source_field="image_id",
                null=True,
                db_constraint=True,
                to_field="id",
                related_name=False,
                on_delete=OnDelete.SET_NULL,
            ),
        ),
        ops.RunPython(attach),
        DropColumn(model_name="Space", name="image_alt"),
        DropColumn(model_name="Space", name="image_version"),
    ]
