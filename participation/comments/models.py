"""Comments (3 levels of replies) and their up/down votes, on what the features declare
commentable in their manifest (`Feature.commentables`: proposals, budget projects ...). A comment
names its target by `target_kind` + `target_id`, read and written by the one path of
participation/comments/; a proposal's comments also keep the foreign key `proposal` (null for
every other kind), set from the target on save: the database deletes them with their proposal,
and the API and the export still name it."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from participation.comments.domain import Stance
from participation.contributions import ModerationState


# A comment or a reply (depth 0, 1 or 2). Deleting keeps the row as a placeholder (deleted_at,
# empty body) so the replies keep their place in the thread.
class Comment(Model):
    id = fields.IntField(primary_key=True)
    proposal: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "participation.Proposal", related_name="comments", null=True, on_delete=fields.CASCADE
    )
    proposal_id: int | None
    # what it comments on: "proposal" (then `proposal_id` too) or a kind of a feature's manifest
    target_kind = fields.CharField(max_length=32, default="proposal", db_default="proposal")
    target_id = fields.IntField(default=0, db_default=0)  # existing rows: set by the migration
    author: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "participation.User", related_name="comments", on_delete=fields.RESTRICT
    )
    author_id: int
    parent: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "participation.Comment", related_name="replies", null=True, on_delete=fields.CASCADE
    )
    parent_id: int | None
    depth = fields.IntField(default=0)
    body = fields.TextField()
    # the Markdown the author typed (`body` is its HTML); "" for a row written before (issue #21)
    body_source = fields.TextField(default="", db_default="")
    # the allow-list `body` was sanitised with (participation.richtext.ALLOW_LIST_VERSION: shown
    # as stored); 0, any other: cleaned again on output
    sanitized_with = fields.IntField(default=0, db_default=0)
    stance = fields.CharEnumField(Stance, max_length=10, default=Stance.NEUTRAL)
    moderation_state = fields.CharEnumField(
        ModerationState, max_length=10, default=ModerationState.VISIBLE
    )
    # how it came in: online, or taken by an agent for the person (participation/counter)
    channel = fields.CharField(max_length=10, default="online", db_default="online")
    upvotes = fields.IntField(default=0)
    downvotes = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    edited_at = fields.DatetimeField(null=True)
    deleted_at = fields.DatetimeField(null=True)
    # when a column the public sees last changed (participation/touch.py, migration 0028); null
    # in no row (the migration fills the rows of before)
    updated_at = fields.DatetimeField(auto_now=True, null=True)
    touched_by = (
        "body",
        "stance",
        "moderation_state",
        "deleted_at",
        "edited_at",
        "parent_id",
        "target_kind",
        "target_id",
        "author_id",
    )

    async def save(self, *args: Any, **kwargs: Any) -> None:
        # a proposal's comment names it twice (target and foreign key), whichever is given
        if self.target_kind == "proposal":
            if self.proposal_id is None and self.target_id:
                self.proposal_id = self.target_id
            elif self.proposal_id is not None:
                self.target_id = self.proposal_id
        await super().save(*args, **kwargs)

    class Meta:
        table = "comments_comment"
        indexes = (("proposal_id", "created_at"), ("target_kind", "target_id", "created_at"))


# One vote per person per comment: +1 or -1.
class CommentVote(Model):
    id = fields.IntField(primary_key=True)
    comment: fields.ForeignKeyRelation[Comment] = fields.ForeignKeyField(
        "participation.Comment", related_name="votes", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "participation.User", related_name="comment_votes", on_delete=fields.CASCADE
    )
    value = fields.SmallIntField()

    class Meta:
        table = "comments_vote"
        unique_together = (("comment", "user"),)
