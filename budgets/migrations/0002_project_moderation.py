from tortoise import migrations
from tortoise.migrations import operations as ops
from participation.contributions import ModerationState
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('budgets', '0001_initial'), ('participation', '0001_initial'), ('participation', '0002_proposals')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Project',
            name='moderation_state',
            field=fields.CharEnumField(default=ModerationState.VISIBLE, description='VISIBLE: visible\nPENDING: pending\nHIDDEN: hidden', db_default=ModerationState.VISIBLE, enum_type=ModerationState, max_length=10),
        ),
    ]
