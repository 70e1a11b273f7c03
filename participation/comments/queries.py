"""Reads of comments that other parts of the site need."""

from __future__ import annotations

from participation import commenting, features
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
    """The person's comments (deleted ones aside), newest first, for "My activity"; one on a
    feature's target is named by its feature (participation/commenting.py)."""
    comments = (
        await Comment.filter(author_id=user_id, deleted_at=None)
        .order_by("-created_at", "-id")
        .limit(limit)
        .values(
            "id",
            "proposal_id",
            "proposal__title",
            "target_kind",
            "target_id",
            "moderation_state",
            "created_at",
        )
    )
    notes = {ModerationState.VISIBLE: "", ModerationState.PENDING: N_("awaiting moderation")}
    items = []
    for c in comments:
        anchor = f"comment-{c['id']}"
        if c["proposal_id"] is not None:
            title = c["proposal__title"]
            link = url("proposals:detail", id=c["proposal_id"], anchor=anchor)
        else:
            target = await commenting.target(c["target_kind"], None, c["target_id"])
            if target is None:  # its feature is gone, or the target
                continue
            title, link = target.title, f"{target.url}#{anchor}"
        items.append(
            features.ActivityItem(
                c["created_at"],
                N_("Comment written"),
                title,
                link,
                notes.get(c["moderation_state"], N_("hidden by moderation")),
            )
        )
    return items
