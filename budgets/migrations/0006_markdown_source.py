"""Residents write Markdown (issue #21): a budget project keeps the Markdown typed beside its
HTML. Existing rows get "" (no source): the edit form derives it from the stored HTML
(participation/richtext.py, `source_of`)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [('budgets', '0005_space')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Project',
            name='description_source',
            field=fields.TextField(default="", db_default=""),
        ),
    ]
