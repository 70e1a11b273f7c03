"""Comments and proposals say with which allow-list their rich text was sanitised
(`sanitized_with`, participation/richtext.py): pages show the current version as stored, without
bleach (issue #23). Existing rows are sanitised again here, with what pages showed of them."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

from participation.richtext import resanitize


async def sanitize_rows(apps, schema_editor):
    await resanitize(schema_editor.client, "comments_comment", ("body",))
    await resanitize(schema_editor.client, "proposals_proposal", ("body", "answer_body"))


class Migration(migrations.Migration):
    dependencies = [('participation', '0018_account_page')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Comment',
            name='sanitized_with',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='Proposal',
            name='sanitized_with',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.RunPython(sanitize_rows, ops.RunPython.noop),
    ]
