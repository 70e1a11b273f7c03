"""The desk officer (issue #19): a site-wide role `agent` between resident and moderator. The
column is unchanged (a string of 16); only its description (a column comment) lists the new
value. Written by `participation makemigrations`."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from participation.accounts.models import Role
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [("participation", "0022_comment_targets")]

    initial = False

    operations = [
        ops.AlterField(
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
