"""Sealed ballots (issue #16): the election key's public half and trustees on the budget,
sealed ballots in their own table, the register keeps the day of a vote only (`voted_on`
replaces `voted_at`), and anonymised ballots carry no date. Clear ballots already stored stay
as they are and are counted as before (docs/security.md)."""

from datetime import date

from tortoise import migrations
from tortoise.migrations import operations as ops
from budgets.models import _today
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

async def register_days(apps, schema_editor):
    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"
    _, rows = await client.execute_query(
        'SELECT "id", "voted_at" FROM "budgets_voter_register"'
    )
    mark = "$1" if postgres else "?"
    other = "$2" if postgres else "?"
    for row in rows:
        value = row["voted_at"]
        day = value.date() if hasattr(value, "date") else date.fromisoformat(str(value)[:10])
        await client.execute_query(
            f'UPDATE "budgets_voter_register" SET "voted_on" = {mark} WHERE "id" = {other}',
            [day, row["id"]],
        )


class Migration(migrations.Migration):
    dependencies = [('budgets', '0002_project_moderation'), ('participation', '0001_initial'), ('participation', '0002_proposals'), ('participation', '0003_job_outbox'), ('participation', '0003_proposal_sort_ties'), ('participation', '0004_account_deletion')]

    initial = False

    operations = [
        ops.CreateModel(
            name='BudgetTrustee',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('budget', fields.ForeignKeyField('budgets.Budget', source_field='budget_id', db_constraint=True, to_field='id', related_name='trustees', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('participation.User', source_field='user_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('position', fields.IntField()),
                ('commitment', fields.CharField(max_length=64)),
            ],
            options={'table': 'budgets_trustee', 'app': 'budgets', 'unique_together': (('budget', 'position'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SealedBallot',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('budget', fields.ForeignKeyField('budgets.Budget', source_field='budget_id', db_constraint=True, to_field='id', related_name='sealed_ballots', on_delete=OnDelete.CASCADE)),
                ('token', fields.CharField(null=True, unique=True, max_length=64)),
                ('sealed', fields.BinaryField()),
                ('receipt_box', fields.BinaryField(null=True)),
            ],
            options={'table': 'budgets_sealed_ballot', 'app': 'budgets', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='Ballot',
            name='cast_on',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Budget',
            name='ballot_key_threshold',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Budget',
            name='ballot_public_key',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='Budget',
            name='ballots_opened_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='VoterRegister',
            name='voted_on',
            field=fields.DateField(default=_today, null=True),
        ),
        ops.RunPython(register_days, ops.RunPython.noop),
        ops.RemoveField(model_name='VoterRegister', name='voted_at'),
    ]
