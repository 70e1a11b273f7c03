"""Pure comment rules: stance, thread depth, the editing window, building the thread."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from participation.i18n import N_
from participation.numbers import parse_id

MAX_DEPTH = 2  # 0 = comment, 1 = reply, 2 = reply to a reply: three levels
EDIT_WINDOW = timedelta(minutes=15)
BODY_MIN, BODY_MAX = 2, 5_000


class Stance(StrEnum):
    FOR = "for"
    AGAINST = "against"
    NEUTRAL = "neutral"


STANCE_LABELS = {
    Stance.FOR: N_("for"),
    Stance.AGAINST: N_("against"),
    Stance.NEUTRAL: N_("neutral"),
}


def body_problem(text: str) -> str | None:
    if len(text.strip()) < BODY_MIN:
        return N_("Write your comment.")
    if len(text) > BODY_MAX:
        return N_("A comment must be at most 5,000 characters long.")
    return None


def stance_problem(raw: str) -> str | None:
    return None if raw in Stance.__members__.values() else N_("Choose for, against or neutral.")


def reply_depth(parent_depth: int | None) -> int:
    """The depth of a new comment under a parent of `parent_depth` (None: top level)."""
    if parent_depth is None:
        return 0
    if parent_depth >= MAX_DEPTH:
        raise ValueError("too deep")
    return parent_depth + 1


def can_reply_to(parent_depth: int) -> bool:
    return parent_depth < MAX_DEPTH


def can_edit(user: Any, author_id: int, created_at: datetime, deleted: bool, now: datetime) -> bool:
    return (
        bool(user.is_authenticated)
        and user.id == author_id
        and not deleted
        and now - created_at <= EDIT_WINDOW
    )


def can_delete(user: Any, author_id: int, deleted: bool) -> bool:
    return (
        bool(user.is_authenticated)
        and not deleted
        and (user.id == author_id or bool(user.is_moderator))
    )


@dataclass
class Node:
    comment: Any
    children: list[Node] = field(default_factory=list)


def permalink(page: str, comment_id: int | str) -> str:
    """A comment's address on its target's page: `?comment=` has a paginated thread open at
    the page holding it (issue #23; a page without pages ignores it), the anchor scrolls to it."""
    joiner = "&" if "?" in page else "?"
    return f"{page}{joiner}comment={comment_id}#comment-{comment_id}"


def build_thread(comments: Iterable[Any]) -> list[Node]:
    """Nest comments (ordered oldest first) under their parents; orphans go to the top."""
    nodes: dict[int, Node] = {}
    roots: list[Node] = []
    for comment in comments:
        node = nodes[comment.id] = Node(comment)
        parent = nodes.get(comment.parent_id) if comment.parent_id else None
        (parent.children if parent else roots).append(node)
    return roots


def reply_wanted(failed: str | None, asked: str) -> str:
    """Which comment's reply form a page shows, as typed: the one a reply sent back with
    errors answered (`failed`: "comment-<id>", "comment-new" for a new comment), else the
    one asked for (`?reply=<id>`)."""
    if failed is None:
        return asked
    return "" if failed == "comment-new" else failed.removeprefix("comment-")


def reply_target(comments: Iterable[Any], wanted: str) -> Any | None:
    """The comment whose reply form a page shows (one form at most, not one per comment):
    `wanted` (an id as typed: `?reply=`, or the reply sent back with errors) among the shown
    `comments`, if it takes replies; any other value: none."""
    wanted_id = parse_id(wanted)
    if wanted_id is None:
        return None
    for comment in comments:
        if comment.id == wanted_id:
            replies = comment.depth < MAX_DEPTH and comment.deleted_at is None
            return comment if replies else None
    return None


def vote_change(previous: int | None, wanted: int) -> tuple[int | None, int, int]:
    """Clicking the same vote again removes it. Returns (new vote, Δ upvotes, Δ downvotes)."""
    new = None if previous == wanted else wanted

    def counts(v: int | None) -> tuple[int, int]:
        return (1 if v == 1 else 0, 1 if v == -1 else 0)

    (old_up, old_down), (new_up, new_down) = counts(previous), counts(new)
    return new, new_up - old_up, new_down - old_down
