"""Meetings, registrations and what a meeting's minutes link to.
No docstrings on models: Tortoise turns them into SQL comments.
"""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from meetings.domain import Format, MeetingFacts, Seat, Status


# `confirmed` counts the seats taken: registrations take one only through a conditional UPDATE
# (`confirmed < capacity`, services.py), so no race fills a meeting beyond its capacity.
# `reminded_for` is the start the reminder was sent for (moved meetings are reminded again).
class Meeting(Model):
    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=200)
    description = fields.TextField(default="")  # sanitised rich text
    format = fields.CharEnumField(Format, max_length=16)
    status = fields.CharEnumField(Status, max_length=16, default=Status.SCHEDULED)
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    address = fields.CharField(max_length=300, default="")
    # its point on the town's map (issue #20), optional: inside the town's box when typed
    latitude = fields.FloatField(null=True)
    longitude = fields.FloatField(null=True)
    accessibility = fields.TextField(default="")  # plain text
    online_url = fields.CharField(max_length=500, default="")
    capacity = fields.IntField(null=True)
    confirmed = fields.IntField(default=0)
    minutes = fields.TextField(default="")  # sanitised rich text, public once published
    minutes_published_at = fields.DatetimeField(null=True)
    # the allow-list `description` and `minutes` were sanitised with
    # (participation.richtext.ALLOW_LIST_VERSION: shown as stored; 0, any other: cleaned again
    # on output), set by every writer (issue #21; `richtext.written`)
    sanitized_with = fields.IntField(default=0, db_default=0)
    rich_text = ("description", "minutes")
    reminded_for = fields.DatetimeField(null=True)
    sequence = fields.IntField(default=0)  # iCalendar SEQUENCE: +1 when moved or cancelled
    created_at = fields.DatetimeField(auto_now_add=True)
    # when a column the public sees last changed, whoever wrote it: set by a database trigger on
    # `touched_by` (participation/touch.py, migration 0005; the calendar's DTSTAMP and the feed
    # read it too), and by the services when they change another column (the online link)
    updated_at = fields.DatetimeField(auto_now=True)
    touched_by = (
        "title",
        "description",
        "format",
        "status",
        "starts_at",
        "ends_at",
        "address",
        "accessibility",
        "capacity",
        "minutes",
        "minutes_published_at",
        "space_id",
    )
    # the participatory space it belongs to (participation/spaces); a space holding it cannot
    # be deleted (archived instead)
    space: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "participation.Space", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    space_id: int | None
    # its image (issue #22: participation/pictures), None: a pattern drawn from its title
    image: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "participation.Picture", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    image_id: int | None

    class Meta:
        table = "meetings_meeting"
        indexes = (("status", "starts_at"),)

    def facts(self) -> MeetingFacts:
        return MeetingFacts(self.format, self.status, self.starts_at, self.ends_at, self.capacity)


# One registration per person per meeting (UNIQUE): cancelling keeps the row, registering
# again reuses it. `code` is read at the door; `attended` is recorded by staff.
class Registration(Model):
    id = fields.IntField(primary_key=True)
    meeting: fields.ForeignKeyRelation[Meeting] = fields.ForeignKeyField(
        "meetings.Meeting", related_name="registrations", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "participation.User", related_name=False, on_delete=fields.CASCADE
    )
    seat = fields.CharEnumField(Seat, max_length=16)
    code = fields.CharField(max_length=9)
    joined_at = fields.DatetimeField()  # the place on the waiting list
    attended = fields.BooleanField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    meeting_id: int
    user_id: int

    class Meta:
        table = "meetings_registration"
        unique_together = (("meeting", "user"), ("meeting", "code"))
        indexes = (("meeting_id", "seat", "joined_at"),)


# What a meeting produced: a proposal or a consultation (`target_kind`, `target_id`, the one
# name of a (kind, id) pair; the column keeps its first name, `kind`: meetings.0002), shown on
# both pages (participation/related.py); no foreign key, the other features are not imported.
class Outcome(Model):
    id = fields.IntField(primary_key=True)
    meeting: fields.ForeignKeyRelation[Meeting] = fields.ForeignKeyField(
        "meetings.Meeting", related_name="outcomes", on_delete=fields.CASCADE
    )
    target_kind = fields.CharField(max_length=20, source_field="kind")
    target_id = fields.IntField()
    meeting_id: int

    class Meta:
        table = "meetings_outcome"
        unique_together = (("meeting", "target_kind", "target_id"),)
        indexes = (("target_kind", "target_id"),)
