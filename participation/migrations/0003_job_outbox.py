from tortoise import migrations
from tortoise.migrations import operations as ops
from participation.outbox import JobState
from tortoise import fields
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [("participation", "0001_initial"), ("participation", "0002_proposals")]

    initial = False

    operations = [
        ops.CreateModel(
            name="OutboxJob",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("name", fields.CharField(max_length=60)),
                ("args", fields.TextField(default="[]", unique=False)),
                (
                    "state",
                    fields.CharEnumField(
                        default=JobState.PENDING,
                        description="PENDING: pending\nDONE: done\nFAILED: failed",
                        enum_type=JobState,
                        max_length=10,
                    ),
                ),
                ("attempts", fields.IntField(default=0)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("started_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("done_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("last_error", fields.TextField(default="", unique=False)),
            ],
            options={
                "table": "job_outbox",
                "app": "participation",
                "indexes": [Index(fields=["state", "created_at"])],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
    ]
