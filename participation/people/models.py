"""A staff invitation: the link an administrator sends by e-mail. No docstrings on models:
Tortoise turns them into SQL comments."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from participation.accounts.models import HashedToken


# An invitation to take a staff role (moderator, admin), sent to an e-mail address: only the
# hash of its token is stored (participation.accounts.services.token_hash); it expires, and it is
# used once (`accepted_at`, set by a conditional update). The person accepts it signed in with
# that address (a new person signs up first).
class StaffInvitation(HashedToken):
    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254)
    role = fields.CharField(max_length=16)
    invited_by: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "participation.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    invited_by_name = fields.CharField(max_length=80, default="")
    accepted_at = fields.DatetimeField(null=True)
    accepted_by: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "participation.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "people_invitation"


# A role in one participatory space (issue #18): "moderator" (moderates the content of that
# space only: moderation's queue shows them its cases, nothing else). Given and withdrawn by
# administrators on /admin/people/<id>; the site-wide role stays `User.role`.
class SpaceRole(Model):
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "participation.User", related_name=False, on_delete=fields.CASCADE
    )
    user_id: int
    space: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "participation.Space", related_name=False, on_delete=fields.CASCADE
    )
    space_id: int
    role = fields.CharField(max_length=16)
    granted_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "people_space_role"
        unique_together = (("user", "space", "role"),)
