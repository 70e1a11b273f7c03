"""Comments on what the features declare commentable (issue #18), for the core and the features:
a feature's page asks `section(...)` for its thread without importing the comments feature, and
the comments find a target's feature, title, URL and space here.

A target takes comments when its feature says it is open (`CommentTarget.open`) and its
participatory space's switch is on (`Space.comments_open`, on by default; a target in no space:
on). When either is off, the page shows no thread and no form, and a comment sent anyway is
refused (403, with the sentence of `CLOSED`).

Who may comment on a target of a space follows the space's audience rule, whatever the kind
(`refusal`): outside it, the page says why instead of the form and a comment sent anyway is
refused (403, with the same sentence). Staff are not asked, nor the counter's agents (they
vouch for the person)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from markupsafe import Markup
from tortoise import timezone

from participation import features
from participation.features import Commentable, CommentTarget
from participation.i18n import N_
from participation.spaces import audience
from participation.spaces.models import Space

CLOSED = N_("Comments are closed here.")


def commentable(kind: str) -> Commentable | None:
    """The declared kind `kind` (a URL's part: anything may come), None if no feature has it."""
    for feature in features.FEATURES:
        for declared in feature.commentables:
            if declared.kind == kind:
                return declared
    return None


async def target(kind: str, user: Any, target_id: int) -> CommentTarget | None:
    """The target if it exists and `user` may see it, else None."""
    declared = commentable(kind)
    return await declared.target(user, target_id) if declared is not None else None


def relations() -> list[str]:
    """The comments' foreign keys to the kinds that have one (`Commentable.relation`): a list
    of comments reads them with `select_related(*relations())`."""
    return [
        declared.relation
        for feature in features.FEATURES
        for declared in feature.commentables
        if declared.relation
    ]


async def targets_of(comments: Iterable[Any]) -> dict[int, CommentTarget]:
    """Moderation's view (no viewer) of the targets of `comments` (rows read with
    `select_related(*relations())`), by comment id; a kind with a `relation` costs no statement,
    the others one per target. The missing ones left out."""
    found: dict[int, CommentTarget] = {}
    read: dict[tuple[str, int], CommentTarget | None] = {}
    for comment in comments:
        declared = commentable(comment.target_kind)
        if declared is None:
            continue
        if declared.relation and declared.listed is not None:
            # "proposal__collection": the proposal, read with its collection
            row = getattr(comment, declared.relation.split("__", 1)[0], None)
            target = declared.listed(row) if row is not None else None
        else:
            key = (comment.target_kind, comment.target_id)
            if key not in read:
                read[key] = await declared.target(None, comment.target_id)
            target = read[key]
        if target is not None:
            found[comment.id] = target
    return found


def prefix_of(kind: str, target_id: int) -> str:
    """Where the comments' actions on this target answer (its kind's `prefix`, else
    /comments/<kind>/<id>)."""
    declared = commentable(kind)
    if declared is not None and declared.prefix:
        return declared.prefix.format(id=target_id)
    return f"/comments/{kind}/{target_id}"


async def count(kind: str, target_id: int, step: int) -> None:
    """Move the target's count of shown comments by `step` (a kind that keeps one)."""
    declared = commentable(kind)
    if declared is not None and declared.counted is not None:
        await declared.counted(target_id, step)


async def is_open(found: CommentTarget) -> bool:
    """Whether the target takes comments now: its own state and its space's switch."""
    if not found.open:
        return False
    if found.space_id is None:
        return True
    switch = await Space.filter(id=found.space_id).values_list("comments_open", flat=True)
    return bool(switch[0]) if switch else True


async def refusal(user: Any, found: CommentTarget) -> str:
    """Why `user` may not comment on `found`, in their language: outside the audience of its
    participatory space (issue #18); "" when nothing there stops them (no space, a visitor,
    staff). One query for the space's rule, one more for the register when the rule asks for
    more than an account."""
    if found.space_id is None or not getattr(user, "is_authenticated", False):
        return ""
    problem = await audience.refusal_of(user, found.space_id, timezone.now().date())
    return audience.text_of(problem) if problem else ""


async def section(request: Any, kind: str, target_id: int, found: CommentTarget) -> Markup:
    """The HTML of the target's thread and comment form ("" when no installed feature shows
    comments, or when they are closed here)."""
    for feature in features.FEATURES:
        if feature.comment_section is not None:
            return Markup(await feature.comment_section(request, kind, target_id, found))
    return Markup("")
