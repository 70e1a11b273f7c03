"""French full-text search of proposals on PostgreSQL (issue #23): a GIN index on the very
expression participation/textsearch.py searches, `to_tsvector('french', search_text)`, so that
a search at a big town's scale reads the index, not the whole table. Nothing on SQLite, whose
search is by containment."""

from tortoise import migrations
from tortoise.migrations import operations as ops

INDEX = "proposals_proposal_search_french"


async def create(apps, schema_editor):
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script(
            f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "proposals_proposal" '
            "USING gin (to_tsvector('french', \"search_text\"))"
        )


async def drop(apps, schema_editor):
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script(f'DROP INDEX IF EXISTS "{INDEX}"')


class Migration(migrations.Migration):
    dependencies = [("participation", "0029_updated_at")]

    initial = False

    operations = [ops.RunPython(create, drop)]
