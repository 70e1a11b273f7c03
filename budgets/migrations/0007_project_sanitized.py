"""Budget projects are stored as shown (issue #21), as comments and proposals: their row says
with which allow-list their description was sanitised (`sanitized_with`), and their page shows
the current version as stored, without bleach. Existing rows are sanitised again here with what
their page showed; their Markdown source (0006) is kept as it is."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

from participation.richtext import resanitize


async def sanitize_rows(apps, schema_editor):
    await resanitize(schema_editor.client, "budgets_project", ("description",))


class Migration(migrations.Migration):
    dependencies = [('budgets', '0006_markdown_source')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Project',
            name='sanitized_with',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.RunPython(sanitize_rows, ops.RunPython.noop),
    ]
