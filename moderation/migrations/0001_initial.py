from tortoise import migrations
from tortoise.migrations import operations as ops
from moderation.domain import Action, CaseKind, CaseStatus, ReportReason
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('participation', '0002_proposals')]

    initial = True

    operations = [
        ops.CreateModel(
            name='AuditLogEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('actor', fields.ForeignKeyField('participation.User', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name='audit_entries', on_delete=OnDelete.SET_NULL)),
                ('actor_name', fields.CharField(default='', max_length=80)),
                ('action', fields.CharField(max_length=40)),
                ('target_type', fields.CharField(max_length=30)),
                ('target_id', fields.IntField(null=True)),
                ('before', fields.TextField(default='', unique=False)),
                ('after', fields.TextField(default='', unique=False)),
                ('reason', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'moderation_auditlog', 'app': 'moderation', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ModerationCase',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('content_type', fields.CharField(max_length=30)),
                ('content_id', fields.IntField()),
                ('author', fields.ForeignKeyField('participation.User', source_field='author_id', null=True, db_constraint=True, to_field='id', related_name='moderation_cases', on_delete=OnDelete.SET_NULL)),
                ('status', fields.CharEnumField(default=CaseStatus.OPEN, description='OPEN: open\nCLOSED: closed', enum_type=CaseStatus, max_length=10)),
                ('kind', fields.CharEnumField(default=CaseKind.REPORTED, description='PENDING: pending\nREPORTED: reported\nREVIEW: review', enum_type=CaseKind, max_length=10)),
                ('open_reports', fields.IntField(default=0)),
                ('opened_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('review_requested_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'moderation_case', 'app': 'moderation', 'unique_together': (('content_type', 'content_id'),), 'indexes': [Index(fields=['status', 'opened_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ModerationDecision',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case', fields.ForeignKeyField('moderation.ModerationCase', source_field='case_id', db_constraint=True, to_field='id', related_name='decisions', on_delete=OnDelete.CASCADE)),
                ('content_type', fields.CharField(max_length=30)),
                ('content_id', fields.IntField()),
                ('content_title', fields.CharField(default='', max_length=200)),
                ('author', fields.ForeignKeyField('participation.User', source_field='author_id', null=True, db_constraint=True, to_field='id', related_name='moderation_decisions', on_delete=OnDelete.SET_NULL)),
                ('moderator', fields.ForeignKeyField('participation.User', source_field='moderator_id', null=True, db_constraint=True, to_field='id', related_name='decisions_made', on_delete=OnDelete.SET_NULL)),
                ('action', fields.CharEnumField(description='APPROVE: approve\nHIDE: hide\nREJECT: reject', enum_type=Action, max_length=10)),
                ('from_state', fields.CharField(max_length=10)),
                ('to_state', fields.CharField(max_length=10)),
                ('reason', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('review_requested_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('review_text', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'moderation_decision', 'app': 'moderation', 'indexes': [Index(fields=['author_id', 'created_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Report',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case', fields.ForeignKeyField('moderation.ModerationCase', source_field='case_id', db_constraint=True, to_field='id', related_name='reports', on_delete=OnDelete.CASCADE)),
                ('content_type', fields.CharField(max_length=30)),
                ('content_id', fields.IntField()),
                ('reporter', fields.ForeignKeyField('participation.User', source_field='reporter_id', db_constraint=True, to_field='id', related_name='reports_made', on_delete=OnDelete.CASCADE)),
                ('reason', fields.CharEnumField(description='SPAM: spam\nOFFENSIVE: offensive\nOFF_TOPIC: off_topic\nPERSONAL_DATA: personal_data\nOTHER: other', enum_type=ReportReason, max_length=20)),
                ('text', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('resolved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'moderation_report', 'app': 'moderation', 'unique_together': (('reporter', 'content_type', 'content_id'),), 'indexes': [Index(fields=['case_id', 'resolved_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='UserBlock',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('participation.User', source_field='user_id', db_constraint=True, to_field='id', related_name='blocks', on_delete=OnDelete.CASCADE)),
                ('blocked_by', fields.ForeignKeyField('participation.User', source_field='blocked_by_id', null=True, db_constraint=True, to_field='id', related_name='blocks_made', on_delete=OnDelete.SET_NULL)),
                ('reason', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('ends_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('lifted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('lifted_by', fields.ForeignKeyField('participation.User', source_field='lifted_by_id', null=True, db_constraint=True, to_field='id', related_name='blocks_lifted', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'moderation_userblock', 'app': 'moderation', 'indexes': [Index(fields=['user_id', 'lifted_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
