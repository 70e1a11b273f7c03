from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from participation.contributions import ModerationState


class Petition(Model):
    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=150)
    body = fields.TextField()
    author: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "participation.User", related_name=False, null=True
    )
    author_id: int | None
    contact_phone = fields.CharField(max_length=30, default="")  # personal data: erased
    moderation_state = fields.CharEnumField(ModerationState, max_length=10)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "petitions_petition"
