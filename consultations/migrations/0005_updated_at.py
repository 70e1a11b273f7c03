"""`updated_at` true whoever writes (issue #21, the public API's `updated_since`): consultations
get the column (the rows of before: their creation) and a database trigger that sets it when a
column the public sees changes (participation/touch.py says why a trigger)."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from participation import touch

# copied here, not read from the model, so that the migration stays the same when it changes
COLUMNS = (
    "title", "context", "phase", "opens_at", "closes_at", "results_visible_while_open",
    "outcome_heard", "outcome_decided", "outcome_published_at", "space_id",
)


async def install(apps, schema_editor):
    await touch.install(schema_editor.client, "consultations_consultation", COLUMNS)


async def remove(apps, schema_editor):
    await touch.drop(schema_editor.client, "consultations_consultation")


class Migration(migrations.Migration):
    dependencies = [("consultations", "0004_space")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Consultation",
            name="updated_at",
            field=fields.DatetimeField(null=True, auto_now=True, auto_now_add=False),
        ),
        ops.RunSQL(
            'UPDATE "consultations_consultation" SET "updated_at" = "created_at"', "SELECT 1"
        ),
        ops.RunPython(install, remove),
    ]
