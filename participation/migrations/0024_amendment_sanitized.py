"""Amendments are stored as shown (issue #21), as comments and proposals since 0019: their row
says with which allow-list their rich text was sanitised (`sanitized_with`), and a page shows
the current version as stored, without bleach. Existing rows are sanitised again here with what
pages showed of them; their Markdown source (0020) is kept as it is."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

from participation.richtext import resanitize


async def sanitize_rows(apps, schema_editor):
    await resanitize(schema_editor.client, "proposals_amendment", ("body",))


class Migration(migrations.Migration):
    dependencies = [('participation', '0023_agent_role')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Amendment',
            name='sanitized_with',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.RunPython(sanitize_rows, ops.RunPython.noop),
    ]
