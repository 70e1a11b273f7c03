from tortoise import migrations
from tortoise.migrations import operations as ops
from meetings.domain import Format, Seat, Status
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('participation', '0006_notification_facts')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Meeting',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('title', fields.CharField(max_length=200)),
                ('description', fields.TextField(default='', unique=False)),
                ('format', fields.CharEnumField(description='IN_PERSON: in-person\nONLINE: online\nHYBRID: hybrid', enum_type=Format, max_length=16)),
                ('status', fields.CharEnumField(default=Status.SCHEDULED, description='SCHEDULED: scheduled\nCANCELLED: cancelled', enum_type=Status, max_length=16)),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('address', fields.CharField(default='', max_length=300)),
                ('accessibility', fields.TextField(default='', unique=False)),
                ('online_url', fields.CharField(default='', max_length=500)),
                ('capacity', fields.IntField(null=True)),
                ('confirmed', fields.IntField(default=0)),
                ('minutes', fields.TextField(default='', unique=False)),
                ('minutes_published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('reminded_for', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('sequence', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'meetings_meeting', 'app': 'meetings', 'indexes': [Index(fields=['status', 'starts_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Outcome',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('meeting', fields.ForeignKeyField('meetings.Meeting', source_field='meeting_id', db_constraint=True, to_field='id', related_name='outcomes', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=20)),
                ('target_id', fields.IntField()),
            ],
            options={'table': 'meetings_outcome', 'app': 'meetings', 'unique_together': (('meeting', 'kind', 'target_id'),), 'indexes': [Index(fields=['kind', 'target_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Registration',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('meeting', fields.ForeignKeyField('meetings.Meeting', source_field='meeting_id', db_constraint=True, to_field='id', related_name='registrations', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('participation.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('seat', fields.CharEnumField(description='CONFIRMED: confirmed\nWAITING: waiting\nCANCELLED: cancelled', enum_type=Seat, max_length=16)),
                ('code', fields.CharField(max_length=9)),
                ('joined_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('attended', fields.BooleanField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'meetings_registration', 'app': 'meetings', 'unique_together': (('meeting', 'user'), ('meeting', 'code')), 'indexes': [Index(fields=['meeting_id', 'seat', 'joined_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
