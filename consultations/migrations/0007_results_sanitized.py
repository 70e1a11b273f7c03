"""The free-text answers listed in stored results are stored as shown (issue #21): the results
job sanitises them where sealed answers are open (consultations.texts.stored_as_shown) and the
row says with which allow-list (`sanitized_with`), so the results page shows them without
bleach. Existing results are stored again here as their page showed them (`content_again`,
each text keeping the digest of the text as answered)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

from consultations.texts import content_again
from participation.richtext import resanitize


async def sanitize_rows(apps, schema_editor):
    await resanitize(schema_editor.client, "consultations_result", ("content",), content_again)


class Migration(migrations.Migration):
    dependencies = [('consultations', '0006_sanitized')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Result',
            name='sanitized_with',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.RunPython(sanitize_rows, ops.RunPython.noop),
    ]
