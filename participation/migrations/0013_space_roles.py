"""Roles in one participatory space (issue #18): a moderator of one space. Written by
`participation makemigrations`."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('participation', '0012_staff_invitations')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SpaceRole',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('participation.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('space', fields.ForeignKeyField('participation.Space', source_field='space_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('role', fields.CharField(max_length=16)),
                ('granted_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'people_space_role', 'app': 'participation', 'unique_together': (('user', 'space', 'role'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
