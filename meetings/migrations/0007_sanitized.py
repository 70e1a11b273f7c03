"""A meeting's description and minutes are stored as shown (issue #21), as comments and
proposals: the row says with which allow-list they were sanitised (`sanitized_with`), and the
page shows the current version as stored, without bleach. Existing rows are sanitised again
here with what their page showed."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

from participation.richtext import resanitize


async def sanitize_rows(apps, schema_editor):
    await resanitize(schema_editor.client, "meetings_meeting", ('description', 'minutes'))


class Migration(migrations.Migration):
    dependencies = [('meetings', '0006_image')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Meeting',
            name='sanitized_with',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.RunPython(sanitize_rows, ops.RunPython.noop),
    ]
