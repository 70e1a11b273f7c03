from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('participation', '0016_space_methods')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Residency',
            name='address_hash',
            field=fields.CharField(null=True, unique=True, max_length=64),
        ),
    ]
