"""The content pages are stored as shown (issue #21), as comments and proposals (0019): every
published text and version says with which allow-list it was sanitised (`sanitized_with`),
with its tables stacking on phones, and the pages show the current version as stored, without
bleach. Existing rows are stored again here as their pages showed them (`page_again`)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

from participation.richtext import page_again, resanitize


async def sanitize_rows(apps, schema_editor):
    for table in ("sitepages_page", "sitepages_version"):
        await resanitize(schema_editor.client, table, ("body_fr", "body_en"), page_again)


class Migration(migrations.Migration):
    dependencies = [("participation", "0035_search_vector")]

    initial = False

    operations = [
        ops.AddField(
            model_name='SitePage',
            name='sanitized_with',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='SitePageVersion',
            name='sanitized_with',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.RunPython(sanitize_rows, ops.RunPython.noop),
    ]
