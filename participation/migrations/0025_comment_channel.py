"""Comments taken on behalf of people (issue #20, docs/counter.md): how a comment came in
(online, counter, phone, paper, meeting), as for proposals and supports. Existing comments
were written online: the database default says so."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("participation", "0024_amendment_sanitized")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Comment",
            name="channel",
            field=fields.CharField(default="online", db_default="online", max_length=10),
        ),
    ]
