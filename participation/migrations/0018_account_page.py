"""The account page (issue #19) and the daily digest (issue #20): a pending change of e-mail
address (hashed token), notification preferences per kind, daily digests (UNIQUE per person and
day), how each notification was delivered and which digest carried it, and the outbox's
unsubscribe reference. Written by `participation makemigrations`."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [("participation", "0017_letter_address_hash")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Digest",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "user",
                    fields.ForeignKeyField(
                        "participation.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="digests",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("day", fields.DateField()),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "notifications_digest",
                "app": "participation",
                "unique_together": (("user", "day"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="EmailChange",
            fields=[
                ("token_hash", fields.CharField(unique=True, max_length=64)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("expires_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "user",
                    fields.ForeignKeyField(
                        "participation.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="email_changes",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("new_email", fields.CharField(max_length=254)),
                ("used_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={"table": "accounts_email_change", "app": "participation", "pk_attr": "id"},
            bases=["HashedToken"],
        ),
        ops.CreateModel(
            name="NotificationPreference",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "user",
                    fields.ForeignKeyField(
                        "participation.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="notification_preferences",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("kind", fields.CharField(max_length=30)),
                ("channel", fields.CharField(max_length=8)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "notifications_preference",
                "app": "participation",
                "unique_together": (("user", "kind"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.AddField(
            model_name="Notification",
            name="delivery",
            field=fields.CharField(default="email", db_default="email", max_length=8),
        ),
        ops.AddField(
            model_name="Notification",
            name="digest",
            field=fields.ForeignKeyField(
                "participation.Digest",
                source_field="digest_id",
                null=True,
                db_constraint=True,
                to_field="id",
                related_name="notifications",
                on_delete=OnDelete.SET_NULL,
            ),
        ),
        ops.AddField(
            model_name="OutboxEmail",
            name="unsubscribe",
            field=fields.CharField(default="", db_default="", max_length=60),
        ),
    ]
