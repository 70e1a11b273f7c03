"""Trustees record when they were shown their key share (`kept_at`): voting opens only once
enough of them hold theirs, and until then the key ceremony may be held again. Trustees of a
key generated before this migration are taken to hold their share (that flow showed it)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('budgets', '0001_initial'), ('budgets', '0002_project_moderation'), ('budgets', '0003_sealed_ballots'), ('participation', '0008_target_kind')]

    initial = False

    operations = [
        ops.AddField(
            model_name='BudgetTrustee',
            name='kept_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.RunSQL(
            'UPDATE "budgets_trustee" SET "kept_at" = CURRENT_TIMESTAMP',
            'SELECT 1',
        ),
    ]
