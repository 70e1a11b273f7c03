"""The free-text answers that staff review (`TextReview.text`, the consultation's texts page)
are stored as the results show them (issue #21): the results job sanitises each new text with
the current allow-list where sealed answers are open (consultations.texts.rewrite) and the row
says so (`sanitized_with`), so the texts page lists the rows, without opening sealed answers or
calling bleach. Existing rows are stored again here as the results show them (`stored_again`;
the digest of the text as answered is kept)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

from participation.richtext import resanitize


async def sanitize_rows(apps, schema_editor):
    await resanitize(schema_editor.client, "consultations_text_review", ("text",))


class Migration(migrations.Migration):
    dependencies = [('consultations', '0007_results_sanitized')]

    initial = False

    operations = [
        ops.AddField(
            model_name='TextReview',
            name='sanitized_with',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.RunPython(sanitize_rows, ops.RunPython.noop),
    ]
