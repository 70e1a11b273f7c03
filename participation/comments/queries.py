"""Reads of comments that other parts of the site need."""

from __future__ import annotations

from typing import Any

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from participation import commenting, features
from participation.comments.models import Comment
from participation.contributions import ModerationState
from participation.i18n import N_
from participation.participants import Since, user_keys


def visible_comments(user: Any) -> QuerySet[Comment]:
    """Comments `user` may see: visible ones; moderators see all; authors see their own."""
    if getattr(user, "is_moderator", False):
        return Comment.all()
    visible = Q(moderation_state=ModerationState.VISIBLE)
    if user.is_authenticated:
        visible |= Q(author_id=user.id)
    return Comment.filter(visible)


def on(kind: str, target_id: int, user: Any) -> QuerySet[Comment]:
    """The comments `user` may see on one target."""
    return visible_comments(user).filter(target_kind=kind, target_id=target_id)


async def participants(since: Since) -> set[str]:
    """The people who commented since `since`, in one query (participation/participants.py)."""
    ids = (
        await Comment.filter(created_at__gte=since.moment)
        .distinct()
        .values_list("author_id", flat=True)
    )
    return user_keys(ids)


async def activity(user_id: int, limit: int) -> list[features.ActivityItem]:
    """The person's comments (deleted ones aside), newest first, for "My activity", each named
    by its target's feature (participation/commenting.py)."""
    comments = (
        await Comment.filter(author_id=user_id, deleted_at=None)
        .select_related(*commenting.relations())
        .order_by("-created_at", "-id")
        .limit(limit)
    )
    targets = await commenting.targets_of(comments)
    notes = {ModerationState.VISIBLE: "", ModerationState.PENDING: N_("awaiting moderation")}
    items = []
    for c in comments:
        target = targets.get(c.id)
        if target is None:  # its feature is gone, or the target
            continue
        items.append(
            features.ActivityItem(
                c.created_at,
                N_("Comment written"),
                target.title,
                f"{target.url}#comment-{c.id}",
                notes.get(c.moderation_state, N_("hidden by moderation")),
            )
        )
    return items
