"""A person without an account for whom an agent records contributions (docs/counter.md).

The person is an account that cannot sign in (no password, an address under the reserved
`.invalid` domain that no e-mail reaches), so that every rule written for accounts applies to
them unchanged: one support per person and proposal (the UNIQUE constraint), authorship,
moderation, blocks. This row holds what the agent recorded besides: the contact details the
person chose to give, their consent, and the agent who took it. No docstrings on models:
Tortoise turns them into SQL comments.
"""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


# A person met at the counter, on the phone, on paper or at a meeting, without an account.
class OfflinePerson(Model):
    id = fields.IntField(primary_key=True)
    user: fields.OneToOneRelation[Any] = fields.OneToOneField(
        "participation.User", related_name="offline_person", on_delete=fields.CASCADE
    )
    user_id: int
    contact = fields.CharField(max_length=200, default="")  # phone or address, optional
    consent_at = fields.DatetimeField()  # the person agreed (publication, keeping the contact)
    recorded_by: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "participation.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    recorded_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "counter_offline_person"
