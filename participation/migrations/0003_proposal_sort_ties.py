from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('participation', '0001_initial'), ('participation', '0002_proposals')]

    initial = False

    operations = [
        ops.RemoveIndex(
            model_name='Proposal',
            name=None,
            fields=['moderation_state', 'support_count'],
        ),
        ops.RemoveIndex(
            model_name='Proposal',
            name=None,
            fields=['moderation_state', 'comment_count'],
        ),
        ops.AddIndex(
            model_name='Proposal',
            index=Index(fields=['moderation_state', 'support_count', 'id']),
        ),
        ops.AddIndex(
            model_name='Proposal',
            index=Index(fields=['moderation_state', 'comment_count', 'id']),
        ),
    ]
