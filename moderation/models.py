"""Moderation: reports, the queue's cases, decisions and user blocks (the audit log they write
is participation/audit.py).

Content is referenced generically by (target_kind, target_id): the kind is a content kind's name
(participation.contributions), the id its row's; the columns keep their first names
(`content_type`, `content_id`: see docs/architecture.md, "One name for (kind, id)").
Integrity lives in the database: one report per person per content, one case per content.
"""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from moderation.domain import Action, CaseClosing, CaseKind, CaseStatus, ReportReason


# What a row is about: a piece of content (columns named before issue #17, see above).
class ContentTarget(Model):
    target_kind = fields.CharField(max_length=30, source_field="content_type")
    target_id = fields.IntField(source_field="content_id")

    class Meta:
        abstract = True


# One open or closed queue entry per piece of content (UNIQUE): reopened by new reports, by
# pre-moderation or by the author's review request. `open_reports` counts unresolved reports.
class ModerationCase(ContentTarget):
    id = fields.IntField(primary_key=True)
    author: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "participation.User", related_name="moderation_cases", null=True, on_delete=fields.SET_NULL
    )
    author_id: int | None
    status = fields.CharEnumField(CaseStatus, max_length=10, default=CaseStatus.OPEN)
    kind = fields.CharEnumField(CaseKind, max_length=10, default=CaseKind.REPORTED)
    open_reports = fields.IntField(default=0)
    opened_at = fields.DatetimeField()
    closed_at = fields.DatetimeField(null=True)
    review_requested_at = fields.DatetimeField(null=True)
    # how the case last left the queue and who closed it (services.AlreadyDecided tells a
    # second moderator); None: never closed, or closed before moderation 0006 recorded it
    closing = fields.CharEnumField(CaseClosing, max_length=10, null=True)
    closed_by: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "participation.User",
        related_name="moderation_cases_closed",
        null=True,
        on_delete=fields.SET_NULL,
    )
    closed_by_id: int | None
    # the participatory space of the content (its kind's `spaces_of`), set when the case is made:
    # a space's moderators see and decide its cases only; None: no space (proposals, comments)
    space_id = fields.IntField(null=True)
    # whether `space_id` was looked for: None means "no space" once it was, and "not yet looked
    # at" for cases made before cases knew their space (moderation 0004, services.attach_spaces)
    space_examined = fields.BooleanField(default=False, db_default=False)

    class Meta:
        table = "moderation_case"
        unique_together = (("target_kind", "target_id"),)
        indexes = (Index(fields=("status", "opened_at")), Index(fields=("space_id", "status")))


# A resident's report; UNIQUE per reporter and content: nobody reports the same thing twice.
class Report(ContentTarget):
    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation[ModerationCase] = fields.ForeignKeyField(
        "moderation.ModerationCase", related_name="reports", on_delete=fields.CASCADE
    )
    case_id: int
    reporter: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "participation.User", related_name="reports_made", on_delete=fields.CASCADE
    )
    reporter_id: int
    reason = fields.CharEnumField(ReportReason, max_length=20)
    text = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    resolved_at = fields.DatetimeField(null=True)

    class Meta:
        table = "moderation_report"
        unique_together = (("reporter", "target_kind", "target_id"),)
        indexes = (Index(fields=("case_id", "resolved_at")),)


# A moderator's decision on one piece of content, with the reason sent to its author.
class ModerationDecision(ContentTarget):
    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation[ModerationCase] = fields.ForeignKeyField(
        "moderation.ModerationCase", related_name="decisions", on_delete=fields.CASCADE
    )
    case_id: int
    target_title = fields.CharField(max_length=200, default="", source_field="content_title")
    author: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "participation.User",
        related_name="moderation_decisions",
        null=True,
        on_delete=fields.SET_NULL,
    )
    author_id: int | None
    moderator: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "participation.User", related_name="decisions_made", null=True, on_delete=fields.SET_NULL
    )
    moderator_id: int | None
    action = fields.CharEnumField(Action, max_length=10)
    from_state = fields.CharField(max_length=10)
    to_state = fields.CharField(max_length=10)
    reason = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)
    review_requested_at = fields.DatetimeField(null=True)
    review_text = fields.TextField(default="")

    class Meta:
        table = "moderation_decision"
        indexes = (Index(fields=("author_id", "created_at")),)


# A block: the person may read but not post, vote or report until `ends_at` (NULL: until an
# administrator lifts it).
class UserBlock(Model):
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "participation.User", related_name="blocks", on_delete=fields.CASCADE
    )
    user_id: int
    blocked_by: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "participation.User", related_name="blocks_made", null=True, on_delete=fields.SET_NULL
    )
    reason = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)
    ends_at = fields.DatetimeField(null=True)
    lifted_at = fields.DatetimeField(null=True)
    lifted_by: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "participation.User", related_name="blocks_lifted", null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "moderation_userblock"
        indexes = (Index(fields=("user_id", "lifted_at")),)


# A ready-made reason offered in the queue, in French and English; administrators edit them
# (audited). The text in the moderator's language is sent to the author.
class ReasonTemplate(Model):
    id = fields.IntField(primary_key=True)
    text_fr = fields.TextField()
    text_en = fields.TextField()
    position = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "moderation_reasontemplate"

    def text(self, language: str) -> str:
        return self.text_fr if language == "fr" else self.text_en
