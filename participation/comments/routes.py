"""Comment actions on a proposal page: post, reply, edit, delete, vote."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from participation import ratelimit, web
from participation.comments import services
from participation.comments.models import Comment
from participation.i18n import gettext
from participation.numbers import parse_id
from participation.permissions import is_signed_in
from participation.proposals.domain import DomainError
from participation.proposals.queries import visible_comments
from participation.proposals.routes import (
    FailedForm,
    proposal_page,
    proposal_url,
    visible_proposal,
)
from participation.proposals.services import NotAllowed
from participation.refusals import NotFound, Refused
from participation.richtext import source_of
from participation.templating import flash, render


async def post(request: Request) -> Response:
    user = web.require(request, is_signed_in)
    proposal = await visible_proposal(request)
    await ratelimit.check(request, "comment")
    data = await web.form_data(request)
    parent = data.get("parent", "")
    try:
        comment = await services.post(
            web.settings_of(request),
            proposal,
            user,
            data.get("body", ""),
            data.get("stance", "neutral"),
            parse_id(parent),
        )
    except Refused as refused:
        parent_id = parse_id(parent)
        name = f"comment-{parent_id}" if parent_id is not None else "comment-new"
        failed = FailedForm(name, data, web.errors_of(refused.problems))
        return await proposal_page(request, proposal, failed)
    return web.redirect(proposal_url(proposal, f"comment-{comment.id}"))


async def edit(request: Request) -> Response:
    user = web.require(request, is_signed_in)
    proposal = await visible_proposal(request)
    comment_id = request.path_params["comment"]
    if request.method == "GET":
        comment = await visible_comments(user).get_or_none(id=comment_id, proposal_id=proposal.id)
        if comment is None:
            raise NotFound()
        if comment.author_id != user.id or comment.deleted_at:
            raise NotAllowed()
        context = {
            "proposal": proposal,
            "comment": comment,
            "values": {"body": source_of(comment.body_source, comment.body)},
            "errors": {},
        }
        return render(request, "comments/edit.html", context)
    data = await web.form_data(request)
    try:
        await services.edit(
            web.settings_of(request), proposal, comment_id, user, data.get("body", "")
        )
    except Refused as refused:
        comment = await Comment.get(id=comment_id)
        context = {
            "proposal": proposal,
            "comment": comment,
            "values": data,
            "errors": web.errors_of(refused.problems),
        }
        return render(request, "comments/edit.html", context, status_code=422)
    return web.redirect(proposal_url(proposal, f"comment-{comment_id}"))


async def delete(request: Request) -> Response:
    user = web.require(request, is_signed_in)
    proposal = await visible_proposal(request)
    await services.delete(proposal, request.path_params["comment"], user)
    flash(request, gettext("The comment is deleted."))
    return web.redirect(proposal_url(proposal, f"comment-{request.path_params['comment']}"))


async def vote(request: Request) -> Response:
    user = web.require(request, is_signed_in)
    proposal = await visible_proposal(request)
    data = await web.form_data(request)
    value = {"up": 1, "down": -1}.get(data.get("vote", ""))
    if value is None:
        raise DomainError("This action is not possible.")
    await services.vote(proposal, request.path_params["comment"], user, value)
    return web.redirect(proposal_url(proposal, f"comment-{request.path_params['comment']}"))


prefix = "/proposals/{id:id}/comments"
routes = [
    web.action_route(prefix, post, "comments:post"),
    web.form_route(prefix + "/{comment:id}/edit", edit, "comments:edit"),
    web.action_route(prefix + "/{comment:id}/delete", delete, "comments:delete"),
    web.action_route(prefix + "/{comment:id}/vote", vote, "comments:vote"),
]
