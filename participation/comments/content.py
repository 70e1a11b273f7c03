"""Comments as moderation sees them (participation.contributions.ContentKind)."""

from __future__ import annotations

from typing import Any

from tortoise.expressions import F

from participation import mail
from participation.comments.models import Comment
from participation.comments.services import notify_new_comment
from participation.contributions import EXCERPT_MAX, Item, ModerationState, RowKind, excerpt
from participation.i18n import N_
from participation.proposals.models import Proposal
from participation.proposals.queries import visible_comments, visible_proposals
from participation.richtext import to_text
from participation.settings import Settings
from participation.urls import url


class CommentKind(RowKind):
    name = "comment"
    label = N_("comment")
    model = Comment
    context = "proposal"

    def _item(self, c: Any) -> Item:
        return self.row_item(
            c,
            c.proposal.title,
            to_text(c.body) if len(c.body) < 10 * EXCERPT_MAX else excerpt(c.body),
            url("proposals:detail", id=c.proposal_id, anchor=f"comment-{c.id}"),
        )

    async def visible_to(self, user: Any, target_id: int) -> Item | None:
        c = (
            await visible_comments(user)
            .filter(id=target_id, deleted_at=None)
            .select_related("author", "proposal")
            .first()
        )
        if c is None or not await visible_proposals(user).filter(id=c.proposal_id).exists():
            return None
        return self._item(c)

    async def move(
        self, settings: Settings, item: Item, target: ModerationState, actor: Any
    ) -> tuple[bool, list[mail.OutboxEmail]]:
        comment = await Comment.get(id=item.id).select_related("author", "proposal")
        if not await self.switch(item, target):
            return False, []
        counted_before = item.state == ModerationState.VISIBLE
        counted_after = target == ModerationState.VISIBLE
        if comment.deleted_at is None and counted_before != counted_after:
            step = 1 if counted_after else -1
            await Proposal.filter(id=comment.proposal_id).update(
                comment_count=F("comment_count") + step
            )
        emails: list[mail.OutboxEmail] = []
        if item.state == ModerationState.PENDING and counted_after:
            parent = await Comment.get_or_none(id=comment.parent_id) if comment.parent_id else None
            emails = await notify_new_comment(
                settings, comment.proposal, comment, parent, comment.author
            )
        return True, emails

    async def notification_subject(self, item: Item) -> tuple[Any, Any]:
        comment = await Comment.get(id=item.id)
        return await Proposal.get(id=comment.proposal_id), comment
