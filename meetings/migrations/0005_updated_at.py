"""`updated_at` true whoever writes (issue #21, the public API's `updated_since`): a database
trigger sets it when a column the public sees changes (participation/touch.py says why a
trigger); the count of seats taken is not one of them."""

from tortoise import migrations
from tortoise.migrations import operations as ops

from participation import touch

# copied here, not read from the model, so that the migration stays the same when it changes
COLUMNS = (
    "title", "description", "format", "status", "starts_at", "ends_at", "address",
    "accessibility", "capacity", "minutes", "minutes_published_at", "space_id",
)


async def install(apps, schema_editor):
    await touch.install(schema_editor.client, "meetings_meeting", COLUMNS)


async def remove(apps, schema_editor):
    await touch.drop(schema_editor.client, "meetings_meeting")


class Migration(migrations.Migration):
    dependencies = [("meetings", "0004_place")]

    initial = False

    operations = [ops.RunPython(install, remove)]
