"""The desk officer (issue #19): a site-wide role `agent` between resident and moderator. The
column is unchanged (a string of 16); only its description (a column comment) lists the new
value. `participation makemigrations` wrote an `AlterField`, which on SQLite rebuilds the users
table and fails on a town's database (rows of other tables point at the users): the change is
the migration state's only (`ChangeFieldState`)."""

from tortoise import fields, migrations

from participation.accounts.models import Role
from participation.migration_ops import ChangeFieldState


class Migration(migrations.Migration):
    dependencies = [("participation", "0022_comment_targets")]

    initial = False

    operations = [
        ChangeFieldState(
            model_name="User",
            name="role",
            field=fields.CharEnumField(
                default=Role.CITIZEN,
                description="CITIZEN: citizen\nAGENT: agent\nMODERATOR: moderator\nADMIN: admin",
                enum_type=Role,
                max_length=16,
            ),
        ),
    ]
