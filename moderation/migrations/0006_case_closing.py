"""A case says how it last left the queue and who closed it (issue #22): a moderator who decides
it afterwards, from a queue shown before, is told whether a decision, a withdrawal, a deletion or
a block closed it. Cases closed before keep NULL (told only that the item left the queue).
Written by `participation makemigrations`; the foreign key is `AddForeignKey` (revertible on
SQLite)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.fields.base import OnDelete

from moderation.domain import CaseClosing
from participation.migration_ops import AddForeignKey

class Migration(migrations.Migration):
    dependencies = [('moderation', '0005_case_space_examined'), ('participation', '0031_pictures')]

    initial = False

    operations = [
        AddForeignKey(
            model_name='ModerationCase',
            name='closed_by',
            field=fields.ForeignKeyField('participation.User', source_field='closed_by_id', null=True, db_constraint=True, to_field='id', related_name='moderation_cases_closed', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='ModerationCase',
            name='closing',
            field=fields.CharEnumField(null=True, description='DECISION: decision\nWITHDRAWN: withdrawn\nDELETED: deleted\nBLOCKED: blocked\nELSEWHERE: elsewhere', enum_type=CaseClosing, max_length=10),
        ),
    ]
