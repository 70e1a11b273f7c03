from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [
        ("participation", "0001_initial"),
        ("participation", "0002_proposals"),
        ("participation", "0003_job_outbox"),
        ("participation", "0003_proposal_sort_ties"),
        ("participation", "0004_account_deletion"),
        ("participation", "0005_outbox_secret"),
    ]

    initial = False

    operations = [
        ops.AddField(
            model_name="Notification",
            name="actor",
            field=fields.ForeignKeyField(
                "participation.User",
                source_field="actor_id",
                null=True,
                db_constraint=True,
                to_field="id",
                related_name="notifications_caused",
                on_delete=OnDelete.SET_NULL,
            ),
        ),
        ops.AddField(
            model_name="Notification",
            name="state",
            field=fields.CharField(default="", db_default="", max_length=60),
        ),
        ops.AddField(
            model_name="Notification",
            name="title",
            field=fields.CharField(default="", db_default="", max_length=200),
        ),
    ]
