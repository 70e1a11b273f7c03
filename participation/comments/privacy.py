"""A person's comments and comment votes in their copy of their data (docs/privacy.md).
Deleting an account keeps them, attributed to "Former participant"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from participation.accounts.privacy import rows
from participation.comments.models import Comment, CommentVote


async def export(user: Any, translate: Callable[[str], str]) -> dict[str, Any]:
    return {
        "comments": rows(
            await Comment.filter(author=user).values(
                "id",
                "proposal_id",
                "target_kind",  # what it comments on (issue #18): a proposal, a budget project
                "target_id",
                "body",
                "stance",
                "created_at",
                "edited_at",
                "deleted_at",
            )
        ),
        "comment_votes": rows(await CommentVote.filter(user=user).values("comment_id", "value")),
    }
