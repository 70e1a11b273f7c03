"""The proposals' French search vector stored (issue #23): a column PostgreSQL generates from
`search_text`, `search_vector tsvector GENERATED ALWAYS AS (to_tsvector('french',
search_text)) STORED`, GIN-indexed, which participation/textsearch.py's condition reads; the
expression index of 0030 goes (its expression is no longer searched). A common word made the
planner compute `to_tsvector` for every row it walked; a stored vector costs nothing to test.
Nothing on SQLite, whose search is by containment. Written out here, not imported: a migration
stays what it was."""

from tortoise import migrations
from tortoise.migrations import operations as ops

TABLE, COLUMN, INDEX = "proposals_proposal", "search_vector", "proposals_proposal_search_vector"
OLD_INDEX = "proposals_proposal_search_french"


async def create(apps, schema_editor):
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script(
            f'ALTER TABLE "{TABLE}" ADD COLUMN IF NOT EXISTS "{COLUMN}" tsvector '
            "GENERATED ALWAYS AS (to_tsvector('french', \"search_text\")) STORED;\n"
            f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "{TABLE}" USING gin ("{COLUMN}");\n'
            f'DROP INDEX IF EXISTS "{OLD_INDEX}";'
        )


async def drop(apps, schema_editor):
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script(
            f'CREATE INDEX IF NOT EXISTS "{OLD_INDEX}" ON "{TABLE}" '
            "USING gin (to_tsvector('french', \"search_text\"));\n"
            f'DROP INDEX IF EXISTS "{INDEX}";\n'
            f'ALTER TABLE "{TABLE}" DROP COLUMN IF EXISTS "{COLUMN}";'
        )


class Migration(migrations.Migration):
    dependencies = [("participation", "0034_space_sanitized")]

    initial = False

    operations = [ops.RunPython(create, drop)]
