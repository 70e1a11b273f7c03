"""Participatory spaces (démarches) and their timeline of steps. No docstrings on models: Tortoise
turns them into SQL table comments."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from participation.spaces.domain import (
    SLUG_LENGTH,
    STEP_TITLE_LENGTH,
    SUMMARY_LENGTH,
    TITLE_LENGTH,
    Audience,
)


# A démarche: what the town asks, to whom, when. `slug` is its address (/demarches/<slug>),
# unique and never changed once the space is published. `version` rises by one on each save;
# a save names the version it started from (the conditional UPDATE on it is the version check).
# `districts` is the scope: a JSON list of district names ([] = the whole town).
class Space(Model):
    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=TITLE_LENGTH)
    slug = fields.CharField(max_length=SLUG_LENGTH, unique=True)
    summary = fields.CharField(max_length=SUMMARY_LENGTH, default="")
    description = fields.TextField(default="")  # sanitised rich text
    # the allow-list `description` was sanitised with (participation.richtext.ALLOW_LIST_VERSION:
    # shown as stored; 0, any other: cleaned again on output), set by every writer (issue #21)
    sanitized_with = fields.IntField(default=0, db_default=0)
    rich_text = ("description",)
    # its image (issue #22: participation/pictures, as proposals'), None: a pattern is shown
    image: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "participation.Picture", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    image_id: int | None
    districts: Any = fields.JSONField(default=list)
    audience = fields.CharEnumField(Audience, max_length=16, default=Audience.SIGNED_IN)
    minimum_age = fields.IntField(default=0)
    # the verification methods it accepts (participation/residents/methods names); None or []:
    # any method
    methods: Any = fields.JSONField(null=True)
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField(null=True)  # None: ongoing (an ideas box)
    published = fields.BooleanField(default=False)
    archived_at = fields.DatetimeField(null=True)
    # whether its components take comments (issue #18: budget projects, outcomes, meetings ...)
    comments_open = fields.BooleanField(default=True, db_default=True)
    version = fields.IntField(default=1)
    created_at = fields.DatetimeField(auto_now_add=True)

    steps: fields.ReverseRelation[SpaceStep]

    class Meta:
        table = "spaces_space"


# One step of a space's public timeline ("Dépôt des idées", "Vote"...).
class SpaceStep(Model):
    id = fields.IntField(primary_key=True)
    space: fields.ForeignKeyRelation[Space] = fields.ForeignKeyField(
        "participation.Space", related_name="steps", on_delete=fields.CASCADE
    )
    space_id: int
    title = fields.CharField(max_length=STEP_TITLE_LENGTH)
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField(null=True)
    position = fields.IntField(default=0)

    class Meta:
        table = "spaces_step"
