"""Comments everywhere (issue #18): a comment names what it comments on by `target_kind` +
`target_id` (a proposal, a budget project, ...: the kinds of the features' manifests,
`Feature.commentables`); the proposal's foreign key stays, nullable, for the proposals' comments,
whose ids and URLs do not change. The existing comments are the proposal kind. A participatory
space says whether its components take comments (`comments_open`, on by default)."""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


async def proposal_targets(apps, schema_editor):
    await schema_editor.client.execute_script(
        "UPDATE comments_comment SET target_kind = 'proposal', target_id = proposal_id"
    )


class Migration(migrations.Migration):
    dependencies = [("participation", "0021_counter_channels")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Comment",
            name="target_kind",
            field=fields.CharField(default="proposal", db_default="proposal", max_length=32),
        ),
        ops.AddField(
            model_name="Comment",
            name="target_id",
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.RunPython(proposal_targets, ops.RunPython.noop),
        ops.AlterField(
            model_name="Comment",
            name="proposal",
            field=fields.ForeignKeyField(
                "participation.Proposal",
                source_field="proposal_id",
                null=True,
                db_constraint=True,
                to_field="id",
                related_name="comments",
                on_delete=OnDelete.CASCADE,
            ),
        ),
        ops.AddIndex(
            model_name="Comment",
            index=Index(fields=["target_kind", "target_id", "created_at"]),
        ),
        ops.AddField(
            model_name="Space",
            name="comments_open",
            field=fields.BooleanField(default=True, db_default=True),
        ),
    ]
