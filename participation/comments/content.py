"""Comments as moderation sees them (participation.contributions.ContentKind)."""

from __future__ import annotations

from typing import Any

from tortoise.expressions import F

from participation import commenting, mail
from participation.comments.models import Comment
from participation.comments.services import notify_new_comment, notify_on_target
from participation.contributions import EXCERPT_MAX, Item, ModerationState, RowKind, excerpt
from participation.features import CommentTarget
from participation.i18n import N_
from participation.proposals.models import Proposal
from participation.proposals.queries import visible_comments, visible_proposals
from participation.richtext import to_text
from participation.settings import Settings
from participation.templating import public_name
from participation.urls import url


class CommentKind(RowKind):
    name = "comment"
    label = N_("comment")
    model = Comment
    context = "proposal"

    def _item(self, c: Any, target: CommentTarget | None = None) -> Item:
        text = to_text(c.body) if len(c.body) < 10 * EXCERPT_MAX else excerpt(c.body)
        if c.proposal_id is None:  # on a feature's target (issue #18): its title and page
            title = target.title if target is not None else ""
            link = f"{target.url}#comment-{c.id}" if target is not None else ""
            return Item(
                self.name,
                c.id,
                title,
                text,
                link,
                c.author_id,
                public_name(c.author),
                ModerationState(c.moderation_state),
                c.created_at,
                context=title,
            )
        return self.row_item(
            c,
            c.proposal.title,
            text,
            url("proposals:detail", id=c.proposal_id, anchor=f"comment-{c.id}"),
        )

    async def load(self, ids: list[int]) -> dict[int, Item]:
        if not ids:
            return {}
        rows = await Comment.filter(id__in=ids).select_related("author", "proposal")
        items = {}
        for row in rows:
            target = None
            if row.proposal_id is None:
                target = await commenting.target(row.target_kind, None, row.target_id)
            items[row.id] = self._item(row, target)
        return items

    async def visible_to(self, user: Any, target_id: int) -> Item | None:
        c = (
            await visible_comments(user)
            .filter(id=target_id, deleted_at=None)
            .select_related("author", "proposal")
            .first()
        )
        if c is None:
            return None
        if c.proposal_id is None:
            target = await commenting.target(c.target_kind, user, c.target_id)
            return self._item(c, target) if target is not None else None
        if not await visible_proposals(user).filter(id=c.proposal_id).exists():
            return None
        return self._item(c)

    async def spaces_of(self, ids: list[int]) -> dict[int, int]:
        """A feature's target's space; a proposal's comments: its collection's space."""
        rows = await Comment.filter(id__in=ids, proposal_id=None).values_list(
            "id", "target_kind", "target_id"
        )
        # a proposal's comments: the proposals say their proposals' spaces (issue #18)
        on_proposals = dict(
            await Comment.filter(id__in=ids, proposal_id__not_isnull=True).values_list(
                "id", "proposal_id"
            )
        )
        of_proposals = dict(
            await Proposal.filter(
                id__in=list(set(on_proposals.values())), collection_id__not_isnull=True
            ).values_list("id", "collection__space_id")
        )
        spaces = {
            int(c): int(of_proposals[p]) for c, p in on_proposals.items() if p in of_proposals
        }
        for comment_id, kind, target_id in rows:
            target = await commenting.target(kind, None, target_id)
            if target is not None and target.space_id is not None:
                spaces[comment_id] = target.space_id
        return spaces

    async def move(
        self, settings: Settings, item: Item, target: ModerationState, actor: Any
    ) -> tuple[bool, list[mail.OutboxEmail]]:
        comment = await Comment.get(id=item.id).select_related("author", "proposal")
        if not await self.switch(item, target):
            return False, []
        if comment.proposal_id is None:  # a feature's target: no counter
            found = await commenting.target(comment.target_kind, None, comment.target_id)
            if found is None or not (
                item.state == ModerationState.PENDING and target == ModerationState.VISIBLE
            ):
                return True, []
            parent = await Comment.get_or_none(id=comment.parent_id) if comment.parent_id else None
            return True, await notify_on_target(settings, found, comment, parent, comment.author)
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
            proposal: Any = comment.proposal  # set: a proposal's comment (see above)
            emails = await notify_new_comment(settings, proposal, comment, parent, comment.author)
        return True, emails

    async def notification_subject(self, item: Item) -> tuple[Any, Any]:
        comment = await Comment.get(id=item.id)
        if comment.proposal_id is None:
            return None, None  # a feature's target: the item's title instead
        return await Proposal.get(id=comment.proposal_id), comment
