"""Reads of comments that other parts of the site need."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pypika_tortoise.terms import Criterion
from tortoise.expressions import Q, ResolveContext, Subquery
from tortoise.query_utils import QueryModifier
from tortoise.queryset import QuerySet

from participation import commenting, features
from participation.comments.domain import permalink
from participation.comments.models import Comment
from participation.contributions import ModerationState
from participation.i18n import N_
from participation.participants import Since, user_keys


def visible_comments(user: Any) -> QuerySet[Comment]:
    """Comments `user` may see: visible ones; moderators see all; authors see their own."""
    if getattr(user, "is_moderator", False):
        return Comment.all()
    visible = Q(moderation_state=ModerationState.VISIBLE)
    if user.is_authenticated:
        visible |= Q(author_id=user.id)
    return Comment.filter(visible)


def on(kind: str, target_id: int, user: Any) -> QuerySet[Comment]:
    """The comments `user` may see on one target."""
    return visible_comments(user).filter(target_kind=kind, target_id=target_id)


THREAD_PAGE = 30  # top-level comments a page of a thread shows, each with its replies


@dataclass(frozen=True)
class ThreadCursor:
    """Which page of a thread (issue #23): the top-level comments after the one `after`,
    before the one `before`, or from the one holding the comment `at` (a permalink: any
    comment, reply or not); none: the first page. Each an id, read from the address."""

    after: int = 0
    before: int = 0
    at: int = 0

    @classmethod
    def from_query(cls, query: Any) -> ThreadCursor:
        def number(name: str) -> int:
            text = query.get(name, "")
            return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else 0

        return cls(number("comments_after"), number("comments_before"), number("comment"))


@dataclass
class ThreadPage:
    comments: list[Comment]  # the page's top-level comments and their replies, oldest first
    has_previous: bool
    has_next: bool
    first: int  # the ids of its first and last top-level comments: the links' cursors
    last: int


class _FromComment(Criterion):  # type: ignore[misc]
    """`(created_at, id) <op> (those of the comment <id>)`: a keyset on the thread's order,
    the cursor's row read in the same statement."""

    def __init__(self, op: str, comment_id: int) -> None:
        super().__init__()
        self.op, self.comment_id = op, int(comment_id)

    def get_sql(self, ctx: Any) -> str:
        table = '"comments_comment"'
        return (
            f'({table}."created_at", {table}."id") {self.op} (SELECT "c"."created_at", '
            f'"c"."id" FROM {table} AS "c" WHERE "c"."id" = {self.comment_id})'
        )


class _Beyond(Q):
    def __init__(self, op: str, comment_id: int) -> None:
        super().__init__()
        self.op, self.comment_id = op, comment_id

    def resolve(self, resolve_context: ResolveContext) -> QueryModifier:
        return QueryModifier(where_criterion=_FromComment(self.op, self.comment_id))


async def _root_of(comment_id: int, kind: str, target_id: int) -> int:
    """The top-level comment above `comment_id` on that target (itself if top-level), 0 if
    none: replies are at most two deep (domain.reply_depth)."""
    comment = await (
        Comment.filter(id=comment_id, target_kind=kind, target_id=target_id)
        .select_related("parent")
        .first()
    )
    if comment is None:
        return 0
    if comment.parent is None:
        return comment.id
    return int(comment.parent.parent_id or comment.parent.id)


async def thread_page(user: Any, kind: str, target_id: int, cursor: ThreadCursor) -> ThreadPage:
    """One page of a target's thread (issue #23): THREAD_PAGE top-level comments in the
    thread's order (oldest first) by keyset, with every reply under them, in one statement
    (the page's top-level ids a subquery, read by the (target, created_at) index, its replies
    by their parent); a permalink (`cursor.at`) costs one more, finding its top-level comment.
    A permalink on the first page shows the first page (two statements more), further on the
    page starting at its top-level comment. A reply whose top-level comment `user` may not see
    is not shown (the whole thread put such orphans at the top)."""
    roots = on(kind, target_id, user).filter(parent_id__isnull=True)
    at = await _root_of(cursor.at, kind, target_id) if cursor.at else 0
    if at:  # on the first page: that page, as the thread opens; else a page starting there
        first = await thread_page(user, kind, target_id, ThreadCursor())
        if any(c.id == at for c in first.comments) or not first.has_next:
            return first
    backward = bool(cursor.before) and not at
    if at:
        roots = roots.filter(_Beyond(">=", at))
    elif cursor.after:
        roots = roots.filter(_Beyond(">", cursor.after))
    elif cursor.before:
        roots = roots.filter(_Beyond("<", cursor.before))
    order = ("-created_at", "-id") if backward else ("created_at", "id")
    chosen = Subquery(roots.order_by(*order).limit(THREAD_PAGE + 1).values("id"))
    # on the target's index: a reply's parent is on the same target (no index on parent_id)
    mine = Comment.filter(target_kind=kind, target_id=target_id)
    replies = Subquery(mine.filter(parent_id__in=chosen).values("id"))
    page = on(kind, target_id, user)
    if at or cursor.after:  # replies come after their top-level comment: read from there on
        page = page.filter(_Beyond(">=" if at else ">", at or cursor.after))
    found = list(
        await page.filter(Q(id__in=chosen) | Q(parent_id__in=chosen) | Q(parent_id__in=replies))
        .select_related("author")
        .order_by("created_at", "id")
    )
    tops = [c for c in found if c.parent_id is None]
    more = len(tops) > THREAD_PAGE
    kept = tops[-THREAD_PAGE:] if backward else tops[:THREAD_PAGE]
    if backward and not more:  # back at the start: the first page, whole
        return await thread_page(user, kind, target_id, ThreadCursor())
    keep = {c.id for c in kept}
    parent_of = {c.id: c.parent_id for c in found}
    comments = []
    for comment in found:
        root = comment.id
        while parent_of.get(root):
            root = parent_of[root]  # type: ignore[assignment]
        if root in keep:
            comments.append(comment)
    has_previous = backward and more or bool(cursor.after or at)
    has_next = (not backward and more) or backward
    return ThreadPage(
        comments,
        has_previous,
        has_next,
        kept[0].id if kept else 0,
        kept[-1].id if kept else 0,
    )


async def participants(since: Since) -> set[str]:
    """The people who commented since `since`, in one query (participation/participants.py)."""
    ids = (
        await Comment.filter(created_at__gte=since.moment)
        .distinct()
        .values_list("author_id", flat=True)
    )
    return user_keys(ids)


async def activity(user_id: int, limit: int) -> list[features.ActivityItem]:
    """The person's comments (deleted ones aside), newest first, for "My activity", each named
    by its target's feature (participation/commenting.py)."""
    comments = (
        await Comment.filter(author_id=user_id, deleted_at=None)
        .select_related(*commenting.relations())
        .order_by("-created_at", "-id")
        .limit(limit)
    )
    targets = await commenting.targets_of(comments)
    notes = {ModerationState.VISIBLE: "", ModerationState.PENDING: N_("awaiting moderation")}
    items = []
    for c in comments:
        target = targets.get(c.id)
        if target is None:  # its feature is gone, or the target
            continue
        items.append(
            features.ActivityItem(
                c.created_at,
                N_("Comment written"),
                target.title,
                permalink(target.url, c.id),
                notes.get(c.moderation_state, N_("hidden by moderation")),
            )
        )
    return items
