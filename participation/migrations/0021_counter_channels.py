"""Contributions taken on behalf of people (issue #20): how a proposal and a support came in
(online, counter, phone, paper, meeting), and the person without an account an agent recorded
(their contact details and consent). Written by `participation makemigrations`."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [("participation", "0020_markdown_source")]

    initial = False

    operations = [
        ops.CreateModel(
            name="OfflinePerson",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "user",
                    fields.OneToOneField(
                        "participation.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="offline_person",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("contact", fields.CharField(default="", max_length=200)),
                ("consent_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "recorded_by",
                    fields.ForeignKeyField(
                        "participation.User",
                        source_field="recorded_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={"table": "counter_offline_person", "app": "participation", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.AddField(
            model_name="Proposal",
            name="channel",
            field=fields.CharField(default="online", db_default="online", max_length=10),
        ),
        ops.AddField(
            model_name="Support",
            name="channel",
            field=fields.CharField(default="online", db_default="online", max_length=10),
        ),
    ]
