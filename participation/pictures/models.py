"""Stored images (issue #22). No docstrings on models: Tortoise turns them into SQL table
comments."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

ALT_LENGTH = 300
KEY_LENGTH = 22


# An image attached to a proposal, a budget project... (their `image` foreign key names it).
# `key` is random (secrets.token_urlsafe) and new for each upload: the image's URL carries it,
# so that a URL never changes meaning (its ETag says so) and ids cannot be walked. `alt` is
# its text alternative; `width` and `height` those of the largest rendition.
class Picture(Model):
    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=KEY_LENGTH, unique=True)
    alt = fields.CharField(max_length=ALT_LENGTH)
    width = fields.IntField()
    height = fields.IntField()
    created_at = fields.DatetimeField(auto_now_add=True)

    renditions: fields.ReverseRelation[PictureRendition]

    class Meta:
        table = "pictures_picture"


# One width of a picture, re-encoded by participation/pictures/images.py (never the file sent).
# Apart from the picture so that the pages that describe it never read the bytes.
class PictureRendition(Model):
    id = fields.IntField(primary_key=True)
    picture: fields.ForeignKeyRelation[Picture] = fields.ForeignKeyField(
        "participation.Picture", related_name="renditions", on_delete=fields.CASCADE
    )
    picture_id: int
    width = fields.IntField()
    height = fields.IntField()
    content_type = fields.CharField(max_length=20)
    data = fields.BinaryField()

    class Meta:
        table = "pictures_rendition"
        unique_together = (("picture", "width"),)
