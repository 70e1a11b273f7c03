"""Reads of comments that other parts of the site need."""

from __future__ import annotations

from participation import features
from participation.comments.models import Comment
from participation.contributions import ModerationState
from participation.i18n import N_
from participation.participants import Since, user_keys
from participation.urls import url


async def participants(since: Since) -> set[str]:
    """The people who commented since `since`, in one query (participation/participants.py)."""
    ids = (
        await Comment.filter(created_at__gte=since.moment)
        .distinct()
        .values_list("author_id", flat=True)
    )
    return user_keys(ids)


async def activity(user_id: int, limit: int) -> list[features.ActivityItem]:
    """The person's comments (deleted ones aside), newest first, for "My activity"."""
    comments = (
        await Comment.filter(author_id=user_id, deleted_at=None)
        .order_by("-created_at", "-id")
        .limit(limit)
        .values("id", "proposal_id", "proposal__title", "moderation_state", "created_at")
    )
    notes = {ModerationState.VISIBLE: "", ModerationState.PENDING: N_("awaiting moderation")}
    return [
        features.ActivityItem(
            c["created_at"],
            N_("Comment written"),
            c["proposal__title"],
            url("proposals:detail", id=c["proposal_id"], anchor=f"comment-{c['id']}"),
            notes.get(c["moderation_state"], N_("hidden by moderation")),
        )
        for c in comments
    ]
