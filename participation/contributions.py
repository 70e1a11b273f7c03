"""What people contribute (proposals, comments, budget projects, consultation answers...) as
moderation sees it: one moderation state, and the content-kind protocol with its registry.

A content kind is what moderation needs to know about one kind of contribution: its name (the
`target_kind` stored with reports, cases, decisions and audit entries: `proposal`, `comment`,
`budget_project`, `consultation_answer`), its label, how to load items for the queue (one query
for a page), who may see one, how to move one between moderation states (a conditional update,
doing what that move means for this kind), what a block hides, the author's recent texts (the
duplicate check) and where a decision's notification hangs. Each feature declares its kinds in
its manifest (`Feature.content_kinds`); `content_kinds()` gathers them, in the order of
`participation.features.INSTALLED`. Moderation never imports a feature.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from participation import features
from participation.richtext import to_text
from participation.templating import public_name

if TYPE_CHECKING:
    from participation import mail
    from participation.settings import Settings

EXCERPT_MAX = 600


class ModerationState(StrEnum):
    VISIBLE = "visible"
    PENDING = "pending"
    HIDDEN = "hidden"


@dataclass
class Item:
    """One contribution as the moderation queue shows it."""

    kind: str  # ContentKind.name (a row that points at it stores it as `target_kind`)
    id: int
    title: str
    text: str  # plain text (never HTML): shown escaped in the queue
    url: str
    author_id: int | None
    author_name: str
    state: ModerationState
    created_at: datetime
    context: str = ""  # e.g. the proposal a comment belongs to
    coauthor_ids: tuple[int, ...] = ()  # they may not report it either
    author_note: str = ""  # a msgid shown instead of the author, when none may be shown


class ContentKind(Protocol):
    name: str  # stored as `target_kind` in reports, cases, decisions, audit: never change it
    label: str  # a msgid

    async def load(self, ids: list[int]) -> dict[int, Item]: ...

    async def visible_to(self, user: Any, target_id: int) -> Item | None: ...

    async def move(
        self,
        settings: Settings,
        item: Item,
        target: ModerationState,
        actor: Any,
    ) -> tuple[bool, list[mail.OutboxEmail]]: ...

    async def hide_pending_of(self, user_id: int) -> list[int]: ...

    async def after_commit(self, item: Item, target: ModerationState) -> None: ...

    async def recent_texts(self, user_id: int, since: datetime) -> list[str]:
        """Plain texts the user wrote since `since`, newest first, at most 20 (duplicates)."""
        ...

    async def notification_subject(self, item: Item) -> tuple[Any, Any]:
        """(proposal, comment) that a decision's notification hangs on; (None, None): none,
        the item's title is shown instead."""
        ...

    async def spaces_of(self, ids: list[int]) -> dict[int, int]:
        """The participatory space of each item that belongs to one (participation/spaces), in
        one query; items of no space are left out (a space's moderators never see them)."""
        ...


def content_kinds() -> dict[str, ContentKind]:
    """Every installed content kind by name (read at call time: see participation.features)."""
    return {kind.name: kind for feature in features.FEATURES for kind in feature.content_kinds}


def excerpt(html: str) -> str:
    text = to_text(html)
    return text if len(text) <= EXCERPT_MAX else text[: EXCERPT_MAX - 1] + "…"


class RowKind:
    """What most content kinds share: a kind stored as rows of `model` that carry `author`,
    `moderation_state` and `created_at` (and `body`, the text the duplicate check reads).
    A subclass names its model (and `context`, the relation whose title is shown beside an
    item), builds an item from a row (`row_item` fills what every row gives) and overrides what
    its kind does otherwise."""

    name: str
    label: str
    model: Any
    context: str = ""  # e.g. "proposal": a comment is shown with its proposal's title

    def _item(self, row: Any) -> Item:
        raise NotImplementedError

    def row_item(self, row: Any, title: str, text: str, link: str) -> Item:
        return Item(
            self.name,
            row.id,
            title,
            text,
            link,
            row.author_id,
            public_name(row.author),
            ModerationState(row.moderation_state),
            row.created_at,
            context=getattr(row, self.context).title if self.context else "",
        )

    async def load(self, ids: list[int]) -> dict[int, Item]:
        """The rows `ids`, read with their author (and context) in one query, as items by id."""
        if not ids:
            return {}
        related = ("author", self.context) if self.context else ("author",)
        rows = await self.model.filter(id__in=ids).select_related(*related)
        return {row.id: self._item(row) for row in rows}

    async def visible_to(self, user: Any, target_id: int) -> Item | None:
        return (await self.load([target_id])).get(target_id)

    async def spaces_of(self, ids: list[int]) -> dict[int, int]:
        return {}  # a kind whose rows belong to a space says how

    async def switch(self, item: Item, target: ModerationState, **extra: Any) -> bool:
        """The conditional update of a move: nothing if the row left `item.state` meanwhile."""
        moved = await self.model.filter(id=item.id, moderation_state=item.state).update(
            moderation_state=target, **extra
        )
        return bool(moved)

    async def move(
        self, settings: Settings, item: Item, target: ModerationState, actor: Any
    ) -> tuple[bool, list[mail.OutboxEmail]]:
        return await self.switch(item, target), []

    async def hide_pending_of(self, user_id: int) -> list[int]:
        """Hide what `user_id` wrote that still awaits approval (a block does this)."""
        pending = self.model.filter(author_id=user_id, moderation_state=ModerationState.PENDING)
        ids = [int(i) for i in await pending.values_list("id", flat=True)]
        if ids:
            await pending.filter(id__in=ids).update(moderation_state=ModerationState.HIDDEN)
        return ids

    async def after_commit(self, item: Item, target: ModerationState) -> None:
        return None

    async def recent_texts(self, user_id: int, since: datetime) -> list[str]:
        """The last 20 texts (`body`) by `user_id` since `since`, read in SQL."""
        rows = self.model.filter(author_id=user_id, created_at__gte=since).order_by("-id")
        return [to_text(row.body) for row in await rows.limit(20)]

    async def notification_subject(self, item: Item) -> tuple[Any, Any]:
        return None, None  # no proposal to hang the notification on: the title instead
