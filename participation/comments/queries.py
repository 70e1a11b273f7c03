"""Reads of comments that other parts of the site need."""

from __future__ import annotations

from participation.comments.models import Comment
from participation.participants import Since, user_keys


async def participants(since: Since) -> set[str]:
    """The people who commented since `since`, in one query (participation/participants.py)."""
    ids = (
        await Comment.filter(created_at__gte=since.moment)
        .distinct()
        .values_list("author_id", flat=True)
    )
    return user_keys(ids)
