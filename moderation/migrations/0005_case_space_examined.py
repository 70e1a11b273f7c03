"""A case says whether its space was looked for (`space_examined`): attach_spaces examines each
older open case once, not on every call (a case of content in no space also has no space_id).
Cases that have a space were examined; the others are examined once more, then marked."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('moderation', '0004_case_space')]

    initial = False

    operations = [
        ops.AddField(
            model_name='ModerationCase',
            name='space_examined',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.RunSQL(
            'UPDATE "moderation_case" SET "space_examined" = TRUE WHERE "space_id" IS NOT NULL',
            'SELECT 1',
        ),
    ]
