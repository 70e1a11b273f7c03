"""Maps (issue #20): a budget project may carry a point on the town's map, beside its
`location` text. Both columns are nullable: existing projects have no point."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('budgets', '0007_project_sanitized')]

    initial = False

    operations = [
        ops.AddField(model_name='Project', name='latitude', field=fields.FloatField(null=True)),
        ops.AddField(model_name='Project', name='longitude', field=fields.FloatField(null=True)),
    ]
