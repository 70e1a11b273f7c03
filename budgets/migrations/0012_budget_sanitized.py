"""A budget's description is stored as shown (issue #21), as its projects' (0007): the row says
with which allow-list it was sanitised (`sanitized_with`), and the page shows the current
version as stored, without bleach. Existing rows are sanitised again here with what their page
showed."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

from participation.richtext import resanitize


async def sanitize_rows(apps, schema_editor):
    await resanitize(schema_editor.client, "budgets_budget", ('description',))


class Migration(migrations.Migration):
    dependencies = [('budgets', '0011_pictures')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Budget',
            name='sanitized_with',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.RunPython(sanitize_rows, ops.RunPython.noop),
    ]
