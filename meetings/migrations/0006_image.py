"""A meeting may carry an image (issue #22: participation/pictures, created by participation
0030). No row changes. Written by `participation makemigrations`."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('meetings', '0005_updated_at'), ('participation', '0031_pictures')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Meeting',
            name='image',
            field=fields.ForeignKeyField('participation.Picture', source_field='image_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL),
        ),
    ]
