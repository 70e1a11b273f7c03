"""Anonymous answers are sealed at submission (issue #16): a `sealed` column; `answers` stays
empty for them. Responses already stored in clear are sealed by the worker
(`consultations.services.seal_clear_responses`, run by the results cron), which holds
ANSWERS_KEY: a migration must not need the key, nor seal with a key other than the app's."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("consultations", "0002_text_moderation")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Response",
            name="sealed",
            field=fields.BinaryField(null=True),
        ),
    ]
