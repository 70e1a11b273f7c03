"""Commitments (suivi des engagements), their status history and dated milestones.
No docstrings on models: Tortoise turns them into SQL comments.
"""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from followup.domain import SourceKind, Status
from participation.residents.models import DISTRICT_NAME_LENGTH


# One commitment per source (UNIQUE): a funded project, an accepted proposal, a consultation.
class Commitment(Model):
    id = fields.IntField(primary_key=True)
    source_kind = fields.CharEnumField(SourceKind, max_length=20)
    source_id = fields.IntField()
    title = fields.CharField(max_length=200)
    district = fields.CharField(max_length=DISTRICT_NAME_LENGTH, null=True)  # public filter
    status = fields.CharEnumField(Status, max_length=16, default=Status.UPCOMING)
    progress = fields.IntField(default=0)  # percent
    reason = fields.TextField(default="")  # plain text: why abandoned, or a note
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "followup_commitment"
        unique_together = (("source_kind", "source_id"),)


# Every status change: the public history, and the event that notifies (once) its participants.
class StatusChange(Model):
    id = fields.IntField(primary_key=True)
    commitment: fields.ForeignKeyRelation[Commitment] = fields.ForeignKeyField(
        "followup.Commitment", related_name="changes", on_delete=fields.CASCADE
    )
    from_status = fields.CharEnumField(Status, max_length=16)
    to_status = fields.CharEnumField(Status, max_length=16)
    reason = fields.TextField(default="")
    by_user: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "participation.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    at = fields.DatetimeField(auto_now_add=True)
    commitment_id: int

    class Meta:
        table = "followup_status_change"


# A dated step written by staff ("travaux commencés le 3 mars").
class Milestone(Model):
    id = fields.IntField(primary_key=True)
    commitment: fields.ForeignKeyRelation[Commitment] = fields.ForeignKeyField(
        "followup.Commitment", related_name="milestones", on_delete=fields.CASCADE
    )
    on = fields.DateField()
    text = fields.TextField()  # plain text
    by_user: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "participation.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    commitment_id: int

    class Meta:
        table = "followup_milestone"
        ordering = ["on", "id"]
