"""A consultation's context and outcome, and its questions' decisions, are stored as shown
(issue #21), as comments and proposals: their row says with which allow-list they were
sanitised (`sanitized_with`), and their pages show the current version as stored, without
bleach. Existing rows are sanitised again here with what their pages showed."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

from participation.richtext import resanitize


async def sanitize_rows(apps, schema_editor):
    await resanitize(schema_editor.client, "consultations_consultation", ('context', 'outcome_heard', 'outcome_decided'))
    await resanitize(schema_editor.client, "consultations_question", ('decision',))


class Migration(migrations.Migration):
    dependencies = [('consultations', '0005_updated_at')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Consultation',
            name='sanitized_with',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='Question',
            name='sanitized_with',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.RunPython(sanitize_rows, ops.RunPython.noop),
    ]
