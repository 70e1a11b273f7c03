"""Comments on the targets the features declare (`Feature.commentables`, issue #18): a budget
project, ... The thread and its form, for the target's page (`section`, called through
participation/commenting.py), and the actions under /comments/<kind>/<id>: post, reply (the one
reply form, for htmx), edit, delete, vote. Same rules, moderation and rate limit as a proposal's
comments (participation/comments/routes.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tortoise import timezone

from participation import commenting, ratelimit, web
from participation.comments import services
from participation.comments.domain import MAX_DEPTH, STANCE_LABELS, build_thread
from participation.comments.domain import can_edit as can_edit_comment
from participation.comments.models import CommentVote
from participation.contributions import ModerationState
from participation.features import CommentTarget
from participation.i18n import gettext
from participation.numbers import parse_id
from participation.permissions import is_signed_in, is_verified_resident
from participation.proposals.queries import visible_comments
from participation.refusals import DomainError, NotAllowed, NotFound, Refused
from participation.richtext import source_of
from participation.templating import flash, render, render_part

# the path's names are the walkers' too (tests/comments/walks.py): `commentable` a declared
# kind, `commented` the target's id, `remark` one of its comments
PREFIX = "/comments/{commentable}/{commented:id}"


@dataclass
class Failed:
    """A comment form sent back with its errors: "comment-new" or "comment-<parent id>"."""

    name: str
    values: Any
    errors: dict[str, str] = field(default_factory=dict)


@dataclass
class Votes:
    my_votes: dict[int, int]


def prefix_of(kind: str, target_id: int) -> str:
    return f"/comments/{kind}/{target_id}"


async def _context(
    request: Request,
    kind: str,
    target_id: int,
    found: CommentTarget,
    failed: Failed | None = None,
) -> dict[str, Any]:
    user = request.scope["user"]
    # a closed target (a project awaiting moderation ...) shows no comments at all
    comments = (
        []
        if not found.open
        else list(
            await visible_comments(user)
            .filter(target_kind=kind, target_id=target_id, proposal_id=None)
            .select_related("author")
            .order_by("created_at", "id")
        )
    )
    is_open = await commenting.is_open(found)
    may_comment = is_open and is_verified_resident(user)
    my_votes: dict[int, int] = {}
    if user.is_authenticated and comments:
        my_votes = dict(
            await CommentVote.filter(
                user_id=user.id, comment_id__in=[c.id for c in comments]
            ).values_list("comment_id", "value")
        )
    reply_to = None
    wanted = ""
    if failed is not None and failed.name != "comment-new":
        wanted = failed.name.removeprefix("comment-")
    elif failed is None:
        wanted = request.query_params.get("reply", "")
    wanted_id = parse_id(wanted)
    if may_comment and wanted_id is not None:
        reply_to = next(
            (
                c
                for c in comments
                if c.id == wanted_id and c.depth < MAX_DEPTH and c.deleted_at is None
            ),
            None,
        )
    return {
        "comments_prefix": prefix_of(kind, target_id),
        "comments_page": found.url,
        "comments_open": is_open,
        "target_title": found.title,
        "thread": build_thread(comments),
        "count": sum(
            1
            for c in comments
            if c.deleted_at is None and c.moderation_state == ModerationState.VISIBLE
        ),
        "detail": Votes(my_votes),
        "reply_to": reply_to,
        "reply_asked": failed is None and reply_to is not None,
        "may": {"comment": may_comment},
        "can_edit_comment": can_edit_comment,
        "STANCE_LABELS": STANCE_LABELS,
        "now": timezone.now(),
        "failed": failed,
    }


async def section(request: Request, kind: str, target_id: int, found: CommentTarget) -> str:
    """The thread and the form of the target's page (Feature.comment_section)."""
    context = await _context(request, kind, target_id, found)
    return render_part(request, "comments/_section.html", context)


async def _target(request: Request) -> tuple[str, int, CommentTarget]:
    kind = request.path_params["commentable"]
    target_id = request.path_params["commented"]
    found = await commenting.target(kind, request.scope["user"], target_id)
    if found is None:
        raise NotFound()
    return kind, target_id, found


async def _refused_page(
    request: Request, kind: str, target_id: int, found: CommentTarget, failed: Failed
) -> Response:
    context = await _context(request, kind, target_id, found, failed)
    part = Markup(render_part(request, "comments/_section.html", context))
    return render(
        request,
        "comments/target.html",
        {**context, "section": part, "errors": failed.errors},
        status_code=422,
    )


async def post(request: Request) -> Response:
    user = web.require(request, is_signed_in)
    kind, target_id, found = await _target(request)
    await ratelimit.check(request, "comment")
    data = await web.form_data(request)
    parent = data.get("parent", "")
    try:
        comment = await services.post_on(
            web.settings_of(request),
            kind,
            target_id,
            found,
            user,
            data.get("body", ""),
            data.get("stance", "neutral"),
            parse_id(parent),
        )
    except Refused as refused:
        parent_id = parse_id(parent)
        name = f"comment-{parent_id}" if parent_id is not None else "comment-new"
        failed = Failed(name, data, web.errors_of(refused.problems))
        return await _refused_page(request, kind, target_id, found, failed)
    return web.redirect(f"{found.url}#comment-{comment.id}")


async def reply(request: Request) -> Response:
    """The one reply form, for htmx (`?reply=<id>`); without JavaScript the link goes to the
    target's page with `?reply=<id>`."""
    kind, target_id, found = await _target(request)
    context = await _context(request, kind, target_id, found)
    if context["reply_to"] is None:
        raise NotFound()
    return render(request, "comments/_reply.html", context)


async def edit(request: Request) -> Response:
    user = web.require(request, is_signed_in)
    kind, target_id, found = await _target(request)
    comment_id = request.path_params["remark"]
    comment = await visible_comments(user).get_or_none(
        id=comment_id, target_kind=kind, target_id=target_id, proposal_id=None
    )
    if comment is None:
        raise NotFound()
    base = {
        "comments_prefix": prefix_of(kind, target_id),
        "comments_page": found.url,
        "target_title": found.title,
        "comment": comment,
    }
    if request.method == "GET":
        if comment.author_id != user.id or comment.deleted_at:
            raise NotAllowed()
        context = {
            **base,
            "values": {"body": source_of(comment.body_source, comment.body)},
            "errors": {},
        }
        return render(request, "comments/edit.html", context)
    data = await web.form_data(request)
    try:
        await services.edit_on(web.settings_of(request), comment, user, data.get("body", ""))
    except Refused as refused:
        context = {**base, "values": data, "errors": web.errors_of(refused.problems)}
        return render(request, "comments/edit.html", context, status_code=422)
    return web.redirect(f"{found.url}#comment-{comment_id}")


async def delete(request: Request) -> Response:
    user = web.require(request, is_signed_in)
    kind, target_id, found = await _target(request)
    await services.delete_on(kind, target_id, request.path_params["remark"], user)
    flash(request, gettext("The comment is deleted."))
    return web.redirect(f"{found.url}#comment-{request.path_params['remark']}")


async def vote(request: Request) -> Response:
    user = web.require(request, is_signed_in)
    kind, target_id, found = await _target(request)
    data = await web.form_data(request)
    value = {"up": 1, "down": -1}.get(data.get("vote", ""))
    if value is None:
        raise DomainError("This action is not possible.")
    await services.vote_on(kind, target_id, found, request.path_params["remark"], user, value)
    return web.redirect(f"{found.url}#comment-{request.path_params['remark']}")


routes = [
    web.action_route(PREFIX, post, "comments:target_post"),
    Route(PREFIX + "/reply", reply, methods=["GET"], name="comments:target_reply"),
    web.form_route(PREFIX + "/{remark:id}/edit", edit, "comments:target_edit"),
    web.action_route(PREFIX + "/{remark:id}/delete", delete, "comments:target_delete"),
    web.action_route(PREFIX + "/{remark:id}/vote", vote, "comments:target_vote"),
]
