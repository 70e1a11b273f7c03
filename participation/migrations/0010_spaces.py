"""Participatory spaces (issue #18): the space, its timeline of steps and its image (apart,
so that lists never read it). Written by `participation makemigrations`."""

from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from participation.spaces.domain import Audience
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('participation', '0009_site_pages')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Space',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('title', fields.CharField(max_length=200)),
                ('slug', fields.CharField(unique=True, max_length=80)),
                ('summary', fields.CharField(default='', max_length=300)),
                ('description', fields.TextField(default='', unique=False)),
                ('image_alt', fields.CharField(default='', max_length=300)),
                ('image_version', fields.IntField(default=0)),
                ('districts', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('audience', fields.CharEnumField(default=Audience.SIGNED_IN, description='SIGNED_IN: signed_in\nRESIDENTS: residents\nAGE: age', enum_type=Audience, max_length=16)),
                ('minimum_age', fields.IntField(default=0)),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('published', fields.BooleanField(default=False)),
                ('archived_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('version', fields.IntField(default=1)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'spaces_space', 'app': 'participation', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SpaceImage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('space', fields.OneToOneField('participation.Space', source_field='space_id', db_constraint=True, to_field='id', related_name='image', on_delete=OnDelete.CASCADE)),
                ('data', fields.BinaryField()),
                ('content_type', fields.CharField(max_length=20)),
                ('width', fields.IntField()),
                ('height', fields.IntField()),
            ],
            options={'table': 'spaces_image', 'app': 'participation', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SpaceStep',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('space', fields.ForeignKeyField('participation.Space', source_field='space_id', db_constraint=True, to_field='id', related_name='steps', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=120)),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('position', fields.IntField(default=0)),
            ],
            options={'table': 'spaces_step', 'app': 'participation', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
