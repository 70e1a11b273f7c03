"""Maps (issue #20): a meeting may carry a point on the town's map, beside its address. Both
columns are nullable: existing meetings have no point (their address is still shown)."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('meetings', '0003_space')]

    initial = False

    operations = [
        ops.AddField(model_name='Meeting', name='latitude', field=fields.FloatField(null=True)),
        ops.AddField(model_name='Meeting', name='longitude', field=fields.FloatField(null=True)),
    ]
