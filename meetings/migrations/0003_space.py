"""Participatory spaces (issue #18): a meeting may belong to a space (nullable; a space
holding it cannot be deleted; `AddForeignKey`: revertible on SQLite). The meetings that exist go into the default space,
"Démarche générale", created when the first of them is moved (participation/migration_ops.py).
"""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

from participation.migration_ops import AddForeignKey, into_default_space


class Migration(migrations.Migration):
    dependencies = [('meetings', '0002_target_kind'), ('participation', '0010_spaces')]

    initial = False

    operations = [
        AddForeignKey(
            model_name='Meeting',
            name='space',
            field=fields.ForeignKeyField('participation.Space', source_field='space_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT),
        ),
        ops.RunPython(into_default_space('meetings_meeting'), ops.RunPython.noop),
    ]
