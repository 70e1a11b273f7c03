from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [('indicators', '0002_target_kind')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SectionFigures',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=50)),
                ('content', fields.TextField(unique=False)),
                ('computed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'indicators_section', 'app': 'indicators', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
