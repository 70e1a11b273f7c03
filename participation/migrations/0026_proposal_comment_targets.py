"""A proposal's comments are one more commentable kind (issues #17, #18): every path reads and
writes a comment by `target_kind` + `target_id`. Each comment that has a proposal is made the
`proposal` kind on it again, so that rows written since 0022 by a path that did not go through
the model (a bulk insert, SQL by hand: `target_id` left at 0) are found on their proposal. The
foreign key `proposal_id` stays (the database deletes the comments with their proposal)."""

from tortoise import migrations
from tortoise.migrations import operations as ops


async def proposal_targets(apps, schema_editor):
    await schema_editor.client.execute_script(
        "UPDATE comments_comment SET target_kind = 'proposal', target_id = proposal_id"
        " WHERE proposal_id IS NOT NULL"
        " AND (target_kind <> 'proposal' OR target_id <> proposal_id)"
    )


class Migration(migrations.Migration):
    dependencies = [("participation", "0025_comment_channel")]

    initial = False

    operations = [ops.RunPython(proposal_targets, ops.RunPython.noop)]
