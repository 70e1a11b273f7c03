"""Categories, reports, their history, followers and photos.
No docstrings on models: Tortoise turns them into SQL comments.
"""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from participation.contributions import ModerationState
from signalements.domain import Channel, State


# Staff-defined: what residents choose from; `sla_days` gives each report its due date.
class Category(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100)
    icon = fields.CharField(max_length=20)
    service = fields.CharField(max_length=100)  # the service in charge
    sla_days = fields.IntField()
    premoderated = fields.BooleanField(default=False)  # reports wait for a moderator
    active = fields.BooleanField(default=True)  # offered in the form

    class Meta:
        table = "signalements_category"
        ordering = ["name"]


# A report. `token_hash`: SHA-256 of the tracking link's secret (shown once, e-mailed).
# `email`: a contact for follow-up only, never shown. `author`: the reporter's account, if any.
# The duplicate lookup reads the composite index (category, state, latitude, longitude):
# equality on the first two, a range on latitude (docs/signalements.md).
class Report(Model):
    id = fields.IntField(primary_key=True)
    category: fields.ForeignKeyRelation[Category] = fields.ForeignKeyField(
        "signalements.Category", related_name="reports", on_delete=fields.RESTRICT
    )
    description = fields.TextField()  # plain text, escaped where shown
    address = fields.CharField(max_length=300)
    latitude = fields.FloatField(null=True)
    longitude = fields.FloatField(null=True)
    district = fields.CharField(max_length=100, default="")
    email = fields.CharField(max_length=254, default="")
    channel = fields.CharEnumField(Channel, max_length=16, default=Channel.ONLINE)
    state = fields.CharEnumField(State, max_length=16, default=State.RECEIVED)
    moderation_state = fields.CharEnumField(
        ModerationState, max_length=16, default=ModerationState.VISIBLE
    )
    private = fields.BooleanField(default=False)  # exact address and photos not public
    token_hash = fields.CharField(max_length=64, unique=True)
    author: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "participation.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    assignee: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "participation.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    merged_into: fields.ForeignKeyNullableRelation[Report] = fields.ForeignKeyField(
        "signalements.Report", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    due_at = fields.DatetimeField()
    resolved_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField(auto_now=True)
    category_id: int
    author_id: int | None
    assignee_id: int | None
    merged_into_id: int | None

    class Meta:
        table = "signalements_report"
        indexes = (
            ("category_id", "state", "latitude", "longitude"),  # the 50 m duplicate lookup
            ("state", "due_at", "id"),  # the staff queue: one ordered read per state
            ("created_at", "id"),  # the public list, newest first (read backwards)
        )


class EventKind:
    CREATED = "created"
    STATE = "state"  # a change of state, with its public message
    REOPENED = "reopened"
    MERGED = "merged"
    ASSIGNED = "assigned"  # internal
    NOTE = "note"  # internal: never public


# The history of a report. `public` rows are shown on its page; notes and assignments are not.
class ReportEvent(Model):
    id = fields.IntField(primary_key=True)
    report: fields.ForeignKeyRelation[Report] = fields.ForeignKeyField(
        "signalements.Report", related_name="events", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=16)
    public = fields.BooleanField()
    state = fields.CharEnumField(State, max_length=16, null=True)  # the new state
    message = fields.TextField(default="")  # plain text
    body = fields.CharField(max_length=300, default="")  # who to contact (not ours)
    author: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "participation.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField()
    report_id: int
    author_id: int | None

    class Meta:
        table = "signalements_event"
        indexes = (("report_id", "created_at"),)


# "Moi aussi": one row per report and person, UNIQUE on `key` ("u:<user id>" for an account,
# "e:<address>" for an e-mail address), so fifty presses at once make fifty rows, never two for
# one person.
class Follower(Model):
    id = fields.IntField(primary_key=True)
    report: fields.ForeignKeyRelation[Report] = fields.ForeignKeyField(
        "signalements.Report", related_name="followers", on_delete=fields.CASCADE
    )
    key = fields.CharField(max_length=260)
    user: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "participation.User", related_name=False, null=True, on_delete=fields.CASCADE
    )
    email = fields.CharField(max_length=254, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    report_id: int
    user_id: int | None

    class Meta:
        table = "signalements_follower"
        unique_together = (("report", "key"),)


# A photo, re-encoded as JPEG (no EXIF, no GPS), at most 1600 px wide or high. `event`: an
# "after" photo of a change of state; none: sent with the report (at most three).
class Photo(Model):
    id = fields.IntField(primary_key=True)
    report: fields.ForeignKeyRelation[Report] = fields.ForeignKeyField(
        "signalements.Report", related_name="photos", on_delete=fields.CASCADE
    )
    event: fields.ForeignKeyNullableRelation[ReportEvent] = fields.ForeignKeyField(
        "signalements.ReportEvent", related_name=False, null=True, on_delete=fields.CASCADE
    )
    data = fields.BinaryField()
    width = fields.IntField()
    height = fields.IntField()
    created_at = fields.DatetimeField(auto_now_add=True)
    report_id: int
    event_id: int | None

    class Meta:
        table = "signalements_photo"
        indexes = (("report_id", "event_id"),)


# A ready-made public message staff start from when they change a report's state ("Votre
# signalement est transmis au service…"): for one category, or for all (category none).
class ResponseTemplate(Model):
    id = fields.IntField(primary_key=True)
    category: fields.ForeignKeyNullableRelation[Category] = fields.ForeignKeyField(
        "signalements.Category", related_name=False, null=True, on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=100)  # what the select shows
    text = fields.TextField()  # the public message it prefills (plain text)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    category_id: int | None

    class Meta:
        table = "signalements_response_template"
