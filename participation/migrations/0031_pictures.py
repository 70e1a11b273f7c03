"""Images (issue #22): the core's stored pictures and their renditions, and a proposal's image.
No row changes. Written by `participation makemigrations`."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('participation', '0030_proposal_search')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Picture',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(unique=True, max_length=22)),
                ('alt', fields.CharField(max_length=300)),
                ('width', fields.IntField()),
                ('height', fields.IntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'pictures_picture', 'app': 'participation', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PictureRendition',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('picture', fields.ForeignKeyField('participation.Picture', source_field='picture_id', db_constraint=True, to_field='id', related_name='renditions', on_delete=OnDelete.CASCADE)),
                ('width', fields.IntField()),
                ('height', fields.IntField()),
                ('content_type', fields.CharField(max_length=20)),
                ('data', fields.BinaryField()),
            ],
            options={'table': 'pictures_rendition', 'app': 'participation', 'unique_together': (('picture', 'width'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Proposal',
            name='image',
            field=fields.ForeignKeyField('participation.Picture', source_field='image_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL),
        ),
    ]
