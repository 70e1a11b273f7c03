"""The case of a content knows its participatory space (issue #18): a space's moderators see and
decide its cases only. Older open cases get it when a space moderator next reads the queue
(moderation/services.py::attach_spaces). Written by `participation makemigrations`."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('moderation', '0003_target_kind'), ('participation', '0012_staff_invitations')]

    initial = False

    operations = [
        ops.AddField(
            model_name='ModerationCase',
            name='space_id',
            field=fields.IntField(null=True),
        ),
        ops.AddIndex(
            model_name='ModerationCase',
            index=Index(fields=['space_id', 'status']),
        ),
    ]
