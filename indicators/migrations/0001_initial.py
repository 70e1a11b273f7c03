from tortoise import migrations
from tortoise.migrations import operations as ops
from indicators.models import TargetKind
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='IndicatorSet',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('process_kind', fields.CharEnumField(description='BUDGET: budget\nCONSULTATION: consultation\nPROPOSALS: proposals', enum_type=TargetKind, max_length=16)),
                ('process_id', fields.IntField()),
                ('title', fields.CharField(max_length=200)),
                ('public', fields.BooleanField(default=False)),
                ('content', fields.TextField(unique=False)),
                ('computed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'indicators_set', 'app': 'indicators', 'unique_together': (('process_kind', 'process_id'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
