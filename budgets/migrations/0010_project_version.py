"""Projects carry a version (issue #22): each staff edit adds one, and an edit sent from a page
that showed an older version is refused with what changed, never written over it. The rows of
before start at 1."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("budgets", "0009_updated_at")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Project",
            name="version",
            field=fields.IntField(default=1, db_default=1),
        ),
    ]
