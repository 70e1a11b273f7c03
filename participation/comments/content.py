"""Comments as moderation sees them (participation.contributions.ContentKind): each on its
target, as the target's feature describes it (participation/commenting.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from participation import commenting, mail
from participation.comments.domain import permalink
from participation.comments.models import Comment
from participation.comments.queries import visible_comments
from participation.comments.services import notify
from participation.contributions import (
    EXCERPT_MAX,
    Item,
    ModerationState,
    RowKind,
    content_kinds,
    excerpt,
)
from participation.features import CommentTarget
from participation.i18n import N_
from participation.richtext import to_text
from participation.settings import Settings
from participation.templating import public_name


class CommentKind(RowKind):
    name = "comment"
    label = N_("comment")
    model = Comment

    def _item(self, c: Any, target: CommentTarget | None = None) -> Item:
        text = to_text(c.body) if len(c.body) < 10 * EXCERPT_MAX else excerpt(c.body)
        title = target.title if target is not None else ""
        return Item(
            self.name,
            c.id,
            title,
            text,
            permalink(target.url, c.id) if target is not None else "",
            c.author_id,
            public_name(c.author),
            ModerationState(c.moderation_state),
            c.created_at,
            context=title,
        )

    async def load(self, ids: list[int]) -> dict[int, Item]:
        if not ids:
            return {}
        rows = await Comment.filter(id__in=ids).select_related("author", *commenting.relations())
        targets = await commenting.targets_of(rows)
        return {row.id: self._item(row, targets.get(row.id)) for row in rows}

    async def visible_to(self, user: Any, target_id: int) -> Item | None:
        c = (
            await visible_comments(user)
            .filter(id=target_id, deleted_at=None)
            .select_related("author")
            .first()
        )
        if c is None:
            return None
        target = await commenting.target(c.target_kind, user, c.target_id)
        return self._item(c, target) if target is not None else None

    async def spaces_of(self, ids: list[int]) -> dict[int, int]:
        """Their targets' spaces (a target in none, as a proposal: none). A target that is
        moderated content itself (a proposal, a budget project) answers through its own kind's
        `spaces_of`, one whose commentable declares `spaces_of` (a consultation's outcome, a
        meeting) through it, both with a locking read: a case on a comment made while its target's
        container moves to another space ends in the new space too (issue #18)."""
        rows = await Comment.filter(id__in=ids).select_related(*commenting.relations())
        kinds = content_kinds()
        found: dict[int, int] = {}
        by_kind: dict[str, dict[int, list[int]]] = {}  # target kind: target id -> comment ids
        readers: dict[str, Callable[[list[int]], Awaitable[dict[int, int]]]] = {}
        others = []
        for row in rows:
            declared = commenting.commentable(row.target_kind)
            if row.target_kind in kinds and row.target_kind != self.name:
                readers[row.target_kind] = kinds[row.target_kind].spaces_of
            elif declared is not None and declared.spaces_of is not None:
                readers[row.target_kind] = declared.spaces_of
            else:
                others.append(row)
                continue
            by_kind.setdefault(row.target_kind, {}).setdefault(row.target_id, []).append(row.id)
        for target_kind, targets in sorted(by_kind.items()):
            for target_id, space_id in (await readers[target_kind](list(targets))).items():
                found.update(dict.fromkeys(targets[target_id], space_id))
        targets_found = await commenting.targets_of(others)
        found.update({i: t.space_id for i, t in targets_found.items() if t.space_id is not None})
        return found

    async def move(
        self, settings: Settings, item: Item, target: ModerationState, actor: Any
    ) -> tuple[bool, list[mail.OutboxEmail]]:
        comment = await Comment.get(id=item.id).select_related("author")
        if not await self.switch(item, target):
            return False, []
        counted_before = item.state == ModerationState.VISIBLE
        counted_after = target == ModerationState.VISIBLE
        if comment.deleted_at is None and counted_before != counted_after:
            step = 1 if counted_after else -1
            await commenting.count(comment.target_kind, comment.target_id, step)
        if not (item.state == ModerationState.PENDING and counted_after):
            return True, []
        found = await commenting.target(comment.target_kind, None, comment.target_id)
        if found is None:
            return True, []
        parent = await Comment.get_or_none(id=comment.parent_id) if comment.parent_id else None
        return True, await notify(settings, found, comment, parent, comment.author)

    async def notification_subject(self, item: Item) -> tuple[Any, Any]:
        comment = await Comment.get(id=item.id)
        found = await commenting.target(comment.target_kind, None, comment.target_id)
        if found is None or found.subject is None:
            return None, None  # a target without one: the item's title instead
        return found.subject, comment
