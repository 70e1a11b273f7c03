"""What people contribute (proposals, comments, budget projects, consultation answers...) as
moderation sees it: one moderation state, and the content-kind protocol with its registry.

A content kind is what moderation needs to know about one kind of contribution: its name (the
`content_kind` stored with reports, cases and decisions: `proposal`, `comment`,
`budget_project`, `consultation_answer`), its label, how to load items for the queue (one query
for a page), who may see one, how to move one between moderation states (a conditional update,
doing what that move means for this kind), what a block hides, the author's recent texts (the
duplicate check) and where a decision's notification hangs. Each feature declares its kinds in
its manifest (`Feature.content_kinds`); `content_kinds()` gathers them, in the order of
`participation.features.INSTALLED`. Moderation never imports a feature.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from participation import features
from participation.richtext import to_text

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

    content_kind: str  # ContentKind.name
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
    name: str  # stored in reports, cases and decisions: never change it
    label: str  # a msgid

    async def load(self, ids: list[int]) -> dict[int, Item]: ...

    async def visible_to(self, user: Any, content_id: int) -> Item | None: ...

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


def content_kinds() -> dict[str, ContentKind]:
    """Every installed content kind by name (read at call time: see participation.features)."""
    return {kind.name: kind for feature in features.FEATURES for kind in feature.content_kinds}


def excerpt(html: str) -> str:
    text = to_text(html)
    return text if len(text) <= EXCERPT_MAX else text[: EXCERPT_MAX - 1] + "…"


async def load_rows(
    model: Any, ids: list[int], item: Callable[[Any], Item], *related: str
) -> dict[int, Item]:
    """`ContentKind.load` for a kind stored as rows of `model`: the rows `ids`, read with their
    `related` rows, as items by id."""
    if not ids:
        return {}
    rows = await model.filter(id__in=ids).select_related(*related)
    return {row.id: item(row) for row in rows}


async def hide_pending(model: Any, user_id: int) -> list[int]:
    """Hide what `user_id` wrote that still awaits approval (a block does this); the ids hidden."""
    pending = model.filter(author_id=user_id, moderation_state=ModerationState.PENDING)
    ids = [int(i) for i in await pending.values_list("id", flat=True)]
    if ids:
        await pending.filter(id__in=ids).update(moderation_state=ModerationState.HIDDEN)
    return ids


async def recent_bodies(model: Any, user_id: int, since: datetime) -> list[str]:
    """The last 20 texts (`body`) of `model` by `user_id` since `since`, read in SQL."""
    rows = model.filter(author_id=user_id, created_at__gte=since).order_by("-id").limit(20)
    return [to_text(row.body) for row in await rows]
