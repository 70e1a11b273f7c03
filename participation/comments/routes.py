"""Comments on the targets the features declare (`Feature.commentables`, issue #18): a proposal,
a budget project, ... The thread and its form, for the target's page (`section`, called through
participation/commenting.py), and the actions under /comments/<kind>/<id>: post, reply (the one
reply form, for htmx), edit, delete, vote; the same actions at a kind's own address (`at`: a
proposal's /proposals/<id>/comments/..., the addresses its pages and e-mails always had)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tortoise import timezone

from participation import commenting, ratelimit, web
from participation.comments import services
from participation.comments.domain import (
    STANCE_LABELS,
    build_thread,
    permalink,
    reply_target,
    reply_wanted,
)
from participation.comments.domain import can_edit as can_edit_comment
from participation.comments.models import CommentVote
from participation.comments.queries import on
from participation.contributions import ModerationState
from participation.features import CommentTarget
from participation.i18n import gettext
from participation.numbers import parse_id
from participation.permissions import is_signed_in, is_verified_resident
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
            await on(kind, target_id, user).select_related("author").order_by("created_at", "id")
        )
    )
    is_open = await commenting.is_open(found)
    # outside its space's audience (issue #18): why, instead of the form
    refusal = await commenting.refusal(user, found) if is_open else ""
    may_comment = is_open and is_verified_resident(user) and not refusal
    my_votes: dict[int, int] = {}
    if user.is_authenticated and comments:
        my_votes = dict(
            await CommentVote.filter(
                user_id=user.id, comment_id__in=[c.id for c in comments]
            ).values_list("comment_id", "value")
        )
    wanted = reply_wanted(failed.name if failed else None, request.query_params.get("reply", ""))
    reply_to = reply_target(comments, wanted) if may_comment else None
    return {
        "comments_prefix": commenting.prefix_of(kind, target_id),
        "comments_page": found.url,
        "comments_reply": commenting.prefix_of(kind, target_id) + "/reply",
        "comments_open": is_open,
        "audience_refusal": refusal,
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
    declared = commenting.commentable(kind)
    if declared is not None and declared.refused_page is not None:
        response: Response = await declared.refused_page(request, target_id, failed)
        return response
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

    async def admit() -> None:
        # after every check of the comment (services.post): the limit counts a comment that
        # would be saved, not a form sent back for a field; a full one answers 429
        await ratelimit.check(request, "comment")

    data = await web.form_data(request)
    parent = data.get("parent", "")
    try:
        comment = await services.post(
            web.settings_of(request),
            kind,
            target_id,
            found,
            user,
            data.get("body", ""),
            data.get("stance", "neutral"),
            parse_id(parent),
            admit=admit,
        )
    except Refused as refused:
        parent_id = parse_id(parent)
        name = f"comment-{parent_id}" if parent_id is not None else "comment-new"
        failed = Failed(name, data, web.errors_of(refused.problems))
        return await _refused_page(request, kind, target_id, found, failed)
    return web.redirect(permalink(found.url, comment.id))


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
    comment = await services.visible_comment(kind, target_id, comment_id, user)
    base = {
        "comments_prefix": commenting.prefix_of(kind, target_id),
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
        await services.edit(web.settings_of(request), comment, user, data.get("body", ""))
    except Refused as refused:
        context = {**base, "values": data, "errors": web.errors_of(refused.problems)}
        return render(request, "comments/edit.html", context, status_code=422)
    return web.redirect(permalink(found.url, comment_id))


async def delete(request: Request) -> Response:
    user = web.require(request, is_signed_in)
    kind, target_id, found = await _target(request)
    await services.delete(kind, target_id, request.path_params["remark"], user)
    flash(request, gettext("The comment is deleted."))
    return web.redirect(permalink(found.url, request.path_params["remark"]))


async def vote(request: Request) -> Response:
    user = web.require(request, is_signed_in)
    kind, target_id, found = await _target(request)
    data = await web.form_data(request)
    value = {"up": 1, "down": -1}.get(data.get("vote", ""))
    if value is None:
        raise DomainError("This action is not possible.")
    await services.vote(kind, target_id, found, request.path_params["remark"], user, value)
    return web.redirect(permalink(found.url, request.path_params["remark"]))


Handler = Callable[[Request], Awaitable[Response]]


def _at(kind: str, handler: Handler) -> Handler:
    """`handler` at a kind's own address, whose path names the target `id` and the comment
    `comment`: the same handler, given the path's parameters under their generic names."""

    async def endpoint(request: Request) -> Response:
        params = request.path_params
        request.scope["path_params"] = {"commentable": kind, "commented": params["id"]}
        if "comment" in params:
            request.scope["path_params"]["remark"] = params["comment"]
        return await handler(request)

    return endpoint


def at(prefix: str, kind: str) -> list[Route]:
    """The actions on the comments of `kind` at its own address (`Commentable.prefix`, here
    with converters: "/proposals/{id:id}/comments"), named comments:post, :edit, :delete and
    :vote (the htmx reply form comes with the target's page: `?reply=<id>`)."""
    return [
        web.action_route(prefix, _at(kind, post), "comments:post"),
        web.form_route(prefix + "/{comment:id}/edit", _at(kind, edit), "comments:edit"),
        web.action_route(prefix + "/{comment:id}/delete", _at(kind, delete), "comments:delete"),
        web.action_route(prefix + "/{comment:id}/vote", _at(kind, vote), "comments:vote"),
    ]


routes = [
    web.action_route(PREFIX, post, "comments:target_post"),
    Route(PREFIX + "/reply", reply, methods=["GET"], name="comments:target_reply"),
    web.form_route(PREFIX + "/{remark:id}/edit", edit, "comments:target_edit"),
    web.action_route(PREFIX + "/{remark:id}/delete", delete, "comments:target_delete"),
    web.action_route(PREFIX + "/{remark:id}/vote", vote, "comments:target_vote"),
]
