from tortoise import migrations
from tortoise.migrations import operations as ops
from followup.domain import Status, TargetKind
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('participation', '0001_initial'), ('participation', '0002_proposals')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Commitment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('source_kind', fields.CharEnumField(description='PROJECT: budget-project\nPROPOSAL: proposal\nCONSULTATION: consultation', enum_type=TargetKind, max_length=20)),
                ('source_id', fields.IntField()),
                ('title', fields.CharField(max_length=200)),
                ('district', fields.CharField(null=True, max_length=100)),
                ('status', fields.CharEnumField(default=Status.UPCOMING, description='UPCOMING: upcoming\nIN_PROGRESS: in-progress\nDONE: done\nABANDONED: abandoned', enum_type=Status, max_length=16)),
                ('progress', fields.IntField(default=0)),
                ('reason', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'followup_commitment', 'app': 'followup', 'unique_together': (('source_kind', 'source_id'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Milestone',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('commitment', fields.ForeignKeyField('followup.Commitment', source_field='commitment_id', db_constraint=True, to_field='id', related_name='milestones', on_delete=OnDelete.CASCADE)),
                ('on', fields.DateField()),
                ('text', fields.TextField(unique=False)),
                ('by_user', fields.ForeignKeyField('participation.User', source_field='by_user_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'followup_milestone', 'app': 'followup', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StatusChange',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('commitment', fields.ForeignKeyField('followup.Commitment', source_field='commitment_id', db_constraint=True, to_field='id', related_name='changes', on_delete=OnDelete.CASCADE)),
                ('from_status', fields.CharEnumField(description='UPCOMING: upcoming\nIN_PROGRESS: in-progress\nDONE: done\nABANDONED: abandoned', enum_type=Status, max_length=16)),
                ('to_status', fields.CharEnumField(description='UPCOMING: upcoming\nIN_PROGRESS: in-progress\nDONE: done\nABANDONED: abandoned', enum_type=Status, max_length=16)),
                ('reason', fields.TextField(default='', unique=False)),
                ('by_user', fields.ForeignKeyField('participation.User', source_field='by_user_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'followup_status_change', 'app': 'followup', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
