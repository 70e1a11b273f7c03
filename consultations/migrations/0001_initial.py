from tortoise import migrations
from tortoise.migrations import operations as ops
from consultations.models import Audience, Phase, QuestionKind, ScaleStyle
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('participation', '0002_proposals')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Consultation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('title', fields.CharField(max_length=200)),
                ('context', fields.TextField(default='', unique=False)),
                ('phase', fields.CharEnumField(default=Phase.PREPARATION, description='PREPARATION: preparation\nOPEN: open\nCLOSED: closed', enum_type=Phase, max_length=16)),
                ('phase_changed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('opens_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closes_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('audience', fields.CharEnumField(default=Audience.SIGNED_IN, description='EVERYONE: everyone\nSIGNED_IN: signed-in\nVERIFIED: verified\nDISTRICT: district', enum_type=Audience, max_length=16)),
                ('district', fields.CharField(null=True, max_length=100)),
                ('anonymous', fields.BooleanField(default=True)),
                ('results_visible_while_open', fields.BooleanField(default=False)),
                ('outcome_heard', fields.TextField(default='', unique=False)),
                ('outcome_decided', fields.TextField(default='', unique=False)),
                ('outcome_published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'consultations_consultation', 'app': 'consultations', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Participant',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('consultation', fields.ForeignKeyField('consultations.Consultation', source_field='consultation_id', db_constraint=True, to_field='id', related_name='participants', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('participation.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('answered_on', fields.DateField()),
            ],
            options={'table': 'consultations_participant', 'app': 'consultations', 'unique_together': (('consultation', 'user'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PhaseSwitch',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('consultation', fields.ForeignKeyField('consultations.Consultation', source_field='consultation_id', db_constraint=True, to_field='id', related_name='phase_switches', on_delete=OnDelete.CASCADE)),
                ('from_phase', fields.CharEnumField(description='PREPARATION: preparation\nOPEN: open\nCLOSED: closed', enum_type=Phase, max_length=16)),
                ('to_phase', fields.CharEnumField(description='PREPARATION: preparation\nOPEN: open\nCLOSED: closed', enum_type=Phase, max_length=16)),
                ('by_user', fields.ForeignKeyField('participation.User', source_field='by_user_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'consultations_phase_switch', 'app': 'consultations', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Question',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('consultation', fields.ForeignKeyField('consultations.Consultation', source_field='consultation_id', db_constraint=True, to_field='id', related_name='questions', on_delete=OnDelete.CASCADE)),
                ('position', fields.IntField(default=0)),
                ('kind', fields.CharEnumField(description='SINGLE: single\nMULTIPLE: multiple\nRANKING: ranking\nSCALE: scale\nMAJORITY: majority\nNUMBER: number\nSHORT_TEXT: short-text\nLONG_TEXT: long-text', enum_type=QuestionKind, max_length=16)),
                ('text', fields.CharField(max_length=300)),
                ('help_text', fields.TextField(default='', unique=False)),
                ('required', fields.BooleanField(default=True)),
                ('min_choices', fields.IntField(default=0)),
                ('max_choices', fields.IntField(null=True)),
                ('allow_other', fields.BooleanField(default=False)),
                ('scale_style', fields.CharEnumField(default=ScaleStyle.NUMERIC, description='NUMERIC: numeric\nAGREEMENT: agreement', enum_type=ScaleStyle, max_length=16)),
                ('min_value', fields.FloatField(null=True)),
                ('max_value', fields.FloatField(null=True)),
                ('show_if_question', fields.ForeignKeyField('consultations.Question', source_field='show_if_question_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('show_if_option_id', fields.IntField(null=True)),
                ('decision', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'consultations_question', 'app': 'consultations', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Option',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('question', fields.ForeignKeyField('consultations.Question', source_field='question_id', db_constraint=True, to_field='id', related_name='options', on_delete=OnDelete.CASCADE)),
                ('position', fields.IntField(default=0)),
                ('label', fields.CharField(max_length=200)),
            ],
            options={'table': 'consultations_option', 'app': 'consultations', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Response',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('consultation', fields.ForeignKeyField('consultations.Consultation', source_field='consultation_id', db_constraint=True, to_field='id', related_name='responses', on_delete=OnDelete.CASCADE)),
                ('token', fields.CharField(unique=True, max_length=64)),
                ('user', fields.ForeignKeyField('participation.User', source_field='user_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('answers', fields.TextField(unique=False)),
                ('submitted_on', fields.DateField()),
            ],
            options={'table': 'consultations_response', 'app': 'consultations', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Result',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('consultation', fields.OneToOneField('consultations.Consultation', source_field='consultation_id', db_constraint=True, to_field='id', related_name='result', on_delete=OnDelete.CASCADE)),
                ('content', fields.TextField(unique=False)),
                ('responses_count', fields.IntField()),
                ('input_digest', fields.CharField(max_length=64)),
                ('computed_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'consultations_result', 'app': 'consultations', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TextReview',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('question', fields.ForeignKeyField('consultations.Question', source_field='question_id', db_constraint=True, to_field='id', related_name='text_reviews', on_delete=OnDelete.CASCADE)),
                ('text_digest', fields.CharField(max_length=64)),
                ('approved', fields.BooleanField()),
                ('reviewed_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'consultations_text_review', 'app': 'consultations', 'unique_together': (('question', 'text_digest'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
