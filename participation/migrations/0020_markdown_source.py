"""Residents write Markdown (issue #21): proposals, amendments and comments keep the Markdown
their authors typed beside its HTML. Existing rows get "" (no source): their edit forms derive
Markdown from the stored HTML (participation/richtext.py, `source_of`), so no row is rewritten
here and the migration costs one ALTER TABLE per table."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [('participation', '0019_richtext_sanitized')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Proposal',
            name='body_source',
            field=fields.TextField(default="", db_default=""),
        ),
        ops.AddField(
            model_name='Amendment',
            name='body_source',
            field=fields.TextField(default="", db_default=""),
        ),
        ops.AddField(
            model_name='Comment',
            name='body_source',
            field=fields.TextField(default="", db_default=""),
        ),
    ]
