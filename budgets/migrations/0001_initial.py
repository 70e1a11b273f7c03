from tortoise import migrations
from tortoise.migrations import operations as ops
from budgets.models import BallotKind, Channel, Feasibility, Phase, WinnerRule
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('participation', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Budget',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('title', fields.CharField(max_length=200)),
                ('description', fields.TextField(default='', unique=False)),
                ('currency', fields.CharField(default='EUR', max_length=3)),
                ('total_amount', fields.BigIntField()),
                ('phase', fields.CharEnumField(default=Phase.PREPARATION, description='PREPARATION: preparation\nSUBMISSION: submission\nREVIEW: review\nVOTING: voting\nTALLY: tally\nRESULTS: results', enum_type=Phase, max_length=16)),
                ('phase_changed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('submission_opens_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('review_opens_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('voting_opens_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('voting_closes_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('ballot_kind', fields.CharEnumField(default=BallotKind.APPROVAL, description='APPROVAL: approval\nKNAPSACK: knapsack\nCUMULATIVE: cumulative\nRANKING: ranking', enum_type=BallotKind, max_length=16)),
                ('min_choices', fields.IntField(default=1)),
                ('max_choices', fields.IntField(null=True)),
                ('min_spent_percent', fields.IntField(default=0)),
                ('points_total', fields.IntField(default=10)),
                ('points_per_project', fields.IntField(default=5)),
                ('ranking_length', fields.IntField(default=3)),
                ('winner_rule', fields.CharEnumField(default=WinnerRule.GREEDY, description='GREEDY: greedy\nEQUAL_SHARES: equal-shares', enum_type=WinnerRule, max_length=16)),
                ('minimum_age', fields.IntField(default=0)),
                ('restricted_to_district', fields.CharField(null=True, max_length=100)),
                ('imported_from', fields.CharField(null=True, max_length=255)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('results_published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'budgets_budget', 'app': 'budgets', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Ballot',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('budget', fields.ForeignKeyField('budgets.Budget', source_field='budget_id', db_constraint=True, to_field='id', related_name='ballots', on_delete=OnDelete.CASCADE)),
                ('token', fields.CharField(null=True, unique=True, max_length=64)),
                ('receipt', fields.CharField(unique=True, max_length=32)),
                ('district', fields.CharField(null=True, max_length=100)),
                ('channel', fields.CharEnumField(default=Channel.WEB, description='WEB: web\nPAPER: paper', enum_type=Channel, max_length=8)),
                ('choices', fields.TextField(unique=False)),
                ('cast_on', fields.DateField()),
            ],
            options={'table': 'budgets_ballot', 'app': 'budgets', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BudgetCategory',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('budget', fields.ForeignKeyField('budgets.Budget', source_field='budget_id', db_constraint=True, to_field='id', related_name='categories', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=100)),
            ],
            options={'table': 'budgets_category', 'app': 'budgets', 'unique_together': (('budget', 'name'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BudgetDistrict',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('budget', fields.ForeignKeyField('budgets.Budget', source_field='budget_id', db_constraint=True, to_field='id', related_name='districts', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=100)),
                ('amount', fields.BigIntField()),
            ],
            options={'table': 'budgets_district', 'app': 'budgets', 'unique_together': (('budget', 'name'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CensusEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('lookup_hash', fields.CharField(unique=True, max_length=64)),
                ('district', fields.CharField(null=True, max_length=100)),
                ('birth_year', fields.IntField()),
                ('imported_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'budgets_census_entry', 'app': 'budgets', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PhaseSwitch',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('budget', fields.ForeignKeyField('budgets.Budget', source_field='budget_id', db_constraint=True, to_field='id', related_name='phase_switches', on_delete=OnDelete.CASCADE)),
                ('from_phase', fields.CharEnumField(description='PREPARATION: preparation\nSUBMISSION: submission\nREVIEW: review\nVOTING: voting\nTALLY: tally\nRESULTS: results', enum_type=Phase, max_length=16)),
                ('to_phase', fields.CharEnumField(description='PREPARATION: preparation\nSUBMISSION: submission\nREVIEW: review\nVOTING: voting\nTALLY: tally\nRESULTS: results', enum_type=Phase, max_length=16)),
                ('by_user', fields.ForeignKeyField('participation.User', source_field='by_user_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'budgets_phase_switch', 'app': 'budgets', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Project',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('budget', fields.ForeignKeyField('budgets.Budget', source_field='budget_id', db_constraint=True, to_field='id', related_name='projects', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=200)),
                ('description', fields.TextField(unique=False)),
                ('cost', fields.BigIntField()),
                ('district', fields.ForeignKeyField('budgets.BudgetDistrict', source_field='district_id', null=True, db_constraint=True, to_field='id', related_name='projects', on_delete=OnDelete.RESTRICT)),
                ('category', fields.ForeignKeyField('budgets.BudgetCategory', source_field='category_id', null=True, db_constraint=True, to_field='id', related_name='projects', on_delete=OnDelete.SET_NULL)),
                ('location', fields.CharField(default='', max_length=200)),
                ('author', fields.ForeignKeyField('participation.User', source_field='author_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('feasibility', fields.CharEnumField(default=Feasibility.PENDING, description='PENDING: pending\nFEASIBLE: feasible\nUNFEASIBLE: unfeasible', enum_type=Feasibility, max_length=16)),
                ('feasibility_reason', fields.TextField(default='', unique=False)),
                ('adjusted_cost', fields.BigIntField(null=True)),
                ('external_id', fields.CharField(null=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'budgets_project', 'app': 'budgets', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Residency',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.OneToOneField('participation.User', source_field='user_id', db_constraint=True, to_field='id', related_name='residency', on_delete=OnDelete.CASCADE)),
                ('census_entry', fields.OneToOneField('budgets.CensusEntry', source_field='census_entry_id', db_constraint=True, to_field='id', related_name='residency', on_delete=OnDelete.CASCADE)),
                ('birth_date', fields.DateField()),
                ('verified_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'budgets_residency', 'app': 'budgets', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TallyResult',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('budget', fields.ForeignKeyField('budgets.Budget', source_field='budget_id', db_constraint=True, to_field='id', related_name='results', on_delete=OnDelete.CASCADE)),
                ('rule', fields.CharField(max_length=32)),
                ('outcome', fields.TextField(unique=False)),
                ('ballots_count', fields.IntField()),
                ('input_digest', fields.CharField(max_length=64)),
                ('computed_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('is_official', fields.BooleanField(default=False)),
            ],
            options={'table': 'budgets_tally_result', 'app': 'budgets', 'unique_together': (('budget', 'rule', 'is_official'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='VoterRegister',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('budget', fields.ForeignKeyField('budgets.Budget', source_field='budget_id', db_constraint=True, to_field='id', related_name='register', on_delete=OnDelete.CASCADE)),
                ('census_entry', fields.ForeignKeyField('budgets.CensusEntry', source_field='census_entry_id', db_constraint=True, to_field='id', related_name='votes', on_delete=OnDelete.CASCADE)),
                ('channel', fields.CharEnumField(description='WEB: web\nPAPER: paper', enum_type=Channel, max_length=8)),
                ('voted_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'budgets_voter_register', 'app': 'budgets', 'unique_together': (('budget', 'census_entry'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
