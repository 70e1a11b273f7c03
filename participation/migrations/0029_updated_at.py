"""`updated_at` true whoever writes (issue #21, the public API's `updated_since`): a database
trigger on proposals and comments sets it when a column the public sees changes
(participation/touch.py says why a trigger). Comments get the column, filled for the rows of
before with their last edit, else their creation."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from participation import touch

# copied here, not read from the models, so that the migration stays the same when they change
PROPOSAL_COLUMNS = (
    "title", "body", "state", "moderation_state", "category_id", "district_id", "address",
    "latitude", "longitude", "author_id", "support_count", "comment_count", "published_at",
    "answered_at", "answer_body",
)
COMMENT_COLUMNS = (
    "body", "stance", "moderation_state", "deleted_at", "edited_at", "parent_id", "target_kind",
    "target_id", "author_id",
)


async def install(apps, schema_editor):
    await touch.install(schema_editor.client, "proposals_proposal", PROPOSAL_COLUMNS)
    await touch.install(schema_editor.client, "comments_comment", COMMENT_COLUMNS)


async def remove(apps, schema_editor):
    await touch.drop(schema_editor.client, "proposals_proposal")
    await touch.drop(schema_editor.client, "comments_comment")


class Migration(migrations.Migration):
    dependencies = [("participation", "0028_collection_categories")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Comment",
            name="updated_at",
            field=fields.DatetimeField(null=True, auto_now=True, auto_now_add=False),
        ),
        ops.RunSQL(
            'UPDATE "comments_comment" SET "updated_at" = COALESCE("edited_at", "created_at")',
            "SELECT 1",
        ),
        ops.RunPython(install, remove),
    ]
