"""Notifications: one row per person per event (UNIQUE), so an event notifies exactly once."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


# `event_key` names the event (e.g. "comment:42"); `kind` says how to word it. What the sentence
# needs besides the proposal is stored with it: `actor` (who acted: a link, so a deleted account
# shows as a former participant, not by its old name), `state` (an untranslated msgid: the new
# state or the moderator's decision, worded in the reader's language when shown) and `title`
# (content that is no proposal: a budget project, a commitment).
class Notification(Model):
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "participation.User", related_name="notifications", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=30)
    event_key = fields.CharField(max_length=80)
    proposal: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "participation.Proposal",
        related_name="notifications",
        null=True,
        on_delete=fields.CASCADE,
    )
    comment: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "participation.Comment",
        related_name="notifications",
        null=True,
        on_delete=fields.CASCADE,
    )
    actor: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "participation.User",
        related_name="notifications_caused",
        null=True,
        on_delete=fields.SET_NULL,
    )
    state = fields.CharField(max_length=60, default="", db_default="")
    title = fields.CharField(max_length=200, default="", db_default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    read_at = fields.DatetimeField(null=True)
    # how the recipient wanted this kind when it happened (notifications.preferences.Channel):
    # "email" (sent at once), "digest" (waits for the daily digest), "never" (in the list only)
    delivery = fields.CharField(max_length=8, default="email", db_default="email")
    # the digest that carried it (a conditional update claims it: sent once)
    digest: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "participation.Digest", related_name="notifications", null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "notifications_notification"
        unique_together = (("user", "event_key"),)
        indexes = (("user_id", "read_at"),)


# How a person wants one kind of notification (notifications.preferences.Channel); a kind
# without a row has its default (preferences.DEFAULTS).
class NotificationPreference(Model):
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "participation.User", related_name="notification_preferences", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=30)
    channel = fields.CharField(max_length=8)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "notifications_preference"
        unique_together = (("user", "kind"),)


# One daily digest of one person (UNIQUE per day: a second run the same day sends nothing).
class Digest(Model):
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "participation.User", related_name="digests", on_delete=fields.CASCADE
    )
    day = fields.DateField()  # in the town's time zone
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "notifications_digest"
        unique_together = (("user", "day"),)
