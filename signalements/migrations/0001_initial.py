from tortoise import migrations
from tortoise.migrations import operations as ops
from participation.contributions import ModerationState
from signalements.domain import Channel, State
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('participation', '0009_site_pages')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Category',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=100)),
                ('icon', fields.CharField(max_length=20)),
                ('service', fields.CharField(max_length=100)),
                ('sla_days', fields.IntField()),
                ('premoderated', fields.BooleanField(default=False)),
                ('active', fields.BooleanField(default=True)),
            ],
            options={'table': 'signalements_category', 'app': 'signalements', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Report',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('category', fields.ForeignKeyField('signalements.Category', source_field='category_id', db_constraint=True, to_field='id', related_name='reports', on_delete=OnDelete.RESTRICT)),
                ('description', fields.TextField(unique=False)),
                ('address', fields.CharField(max_length=300)),
                ('latitude', fields.FloatField(null=True)),
                ('longitude', fields.FloatField(null=True)),
                ('district', fields.CharField(default='', max_length=100)),
                ('email', fields.CharField(default='', max_length=254)),
                ('channel', fields.CharEnumField(default=Channel.ONLINE, description='ONLINE: online\nCOUNTER: counter\nPHONE: phone', enum_type=Channel, max_length=16)),
                ('state', fields.CharEnumField(default=State.RECEIVED, description='RECEIVED: received\nTAKEN: taken\nPLANNED: planned\nRESOLVED: resolved\nREJECTED: rejected\nNOT_OURS: not_ours\nMERGED: merged', enum_type=State, max_length=16)),
                ('moderation_state', fields.CharEnumField(default=ModerationState.VISIBLE, description='VISIBLE: visible\nPENDING: pending\nHIDDEN: hidden', enum_type=ModerationState, max_length=16)),
                ('private', fields.BooleanField(default=False)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('author', fields.ForeignKeyField('participation.User', source_field='author_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('assignee', fields.ForeignKeyField('participation.User', source_field='assignee_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('merged_into', fields.ForeignKeyField('signalements.Report', source_field='merged_into_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('due_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('resolved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'signalements_report', 'app': 'signalements', 'indexes': [Index(fields=['category_id', 'state', 'latitude', 'longitude']), Index(fields=['state', 'due_at', 'id']), Index(fields=['created_at', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Follower',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('report', fields.ForeignKeyField('signalements.Report', source_field='report_id', db_constraint=True, to_field='id', related_name='followers', on_delete=OnDelete.CASCADE)),
                ('key', fields.CharField(max_length=260)),
                ('user', fields.ForeignKeyField('participation.User', source_field='user_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('email', fields.CharField(default='', max_length=254)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'signalements_follower', 'app': 'signalements', 'unique_together': (('report', 'key'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ReportEvent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('report', fields.ForeignKeyField('signalements.Report', source_field='report_id', db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=16)),
                ('public', fields.BooleanField()),
                ('state', fields.CharEnumField(null=True, description='RECEIVED: received\nTAKEN: taken\nPLANNED: planned\nRESOLVED: resolved\nREJECTED: rejected\nNOT_OURS: not_ours\nMERGED: merged', enum_type=State, max_length=16)),
                ('message', fields.TextField(default='', unique=False)),
                ('body', fields.CharField(default='', max_length=300)),
                ('author', fields.ForeignKeyField('participation.User', source_field='author_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'signalements_event', 'app': 'signalements', 'indexes': [Index(fields=['report_id', 'created_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Photo',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('report', fields.ForeignKeyField('signalements.Report', source_field='report_id', db_constraint=True, to_field='id', related_name='photos', on_delete=OnDelete.CASCADE)),
                ('event', fields.ForeignKeyField('signalements.ReportEvent', source_field='event_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('data', fields.BinaryField()),
                ('width', fields.IntField()),
                ('height', fields.IntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'signalements_photo', 'app': 'signalements', 'indexes': [Index(fields=['report_id', 'event_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
