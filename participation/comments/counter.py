"""Comments taken on behalf of people who are not online (issue #20, docs/counter.md): an
agent records, at the counter, by phone, from a paper form or at a public meeting, a comment in
the person's name on a proposal or on anything a feature declares commentable (a budget project,
a meeting...). The same commands as online (`services.post`): the same
checks of the text, pre-moderation, notifications; a person blocked by moderators gets nothing
recorded. The channel is kept with the comment and the agent is named in the audit log."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from moderation import services as moderation
from participation import commenting, features
from participation.accounts.models import AnonymousUser
from participation.audit import audit
from participation.comments import services
from participation.comments.domain import STANCE_LABELS, Stance
from participation.comments.models import Comment
from participation.counter import domain as counter_rules
from participation.counter import routes as counter_routes
from participation.counter import services as counter
from participation.features import AccountSection
from participation.i18n import N_, gettext
from participation.numbers import parse_id
from participation.refusals import DomainError, NotAllowed, NotFound, Refused, refuse
from participation.settings import Settings
from participation.templating import flash
from participation.urls import url
from participation.web import action_route, errors_of, form_data, redirect, require, settings_of

NO_TARGET = N_("Nothing of this kind has this number.")
NOT_OPEN = N_("This cannot be commented on now (closed, hidden or not published).")
CHOOSE_KIND = N_("Choose what the comment is about.")


def kinds() -> list[tuple[str, str]]:
    """What a comment may be about: the features' commentable kinds (proposals first)."""
    return [(c.kind, c.label) for f in features.FEATURES for c in f.commentables]


async def eligible(person_id: int) -> Any:
    """The person, when they may contribute as online: not blocked by moderators (409)."""
    person = await counter.person(person_id)
    blocked = await moderation.active_block(person.id) is not None
    if not counter_rules.may_contribute(blocked, person.deleted_at is not None):
        raise DomainError(N_("This person may not contribute at the moment (blocked)."))
    return person


async def record_comment(
    settings: Settings,
    agent: Any,
    person_id: int,
    kind: str,
    target_id: int | None,
    text: str,
    stance: str,
    raw_channel: str,
) -> Comment:
    """A comment in the person's name, through the command an online comment uses (moderated
    the same way); the channel kept, the agent audited."""
    counter.check_agent(agent)
    channel = counter.channel_of(raw_channel)
    person = await eligible(person_id)
    if kind not in dict(kinds()):
        raise refuse(CHOOSE_KIND, "kind")
    if target_id is None:
        raise refuse(NO_TARGET, "target")
    # the target as the public sees it: an agent records no comment on a hidden thing
    found = await commenting.target(kind, AnonymousUser(), target_id)
    if found is None:
        raise refuse(NO_TARGET, "target")
    try:
        comment = await services.post(
            settings,
            kind,
            target_id,
            found,
            person,
            text,
            stance,
            agent=agent,
            channel=channel.value,
        )
    except NotAllowed as not_allowed:
        why = str(not_allowed)  # the service's refusal: the space's audience, or closed
        if why and why != commenting.CLOSED:
            outside = N_("{reason} Verify the person at the desk first.")
            raise refuse(outside, "target", reason=why) from None
        raise refuse(NOT_OPEN, "target") from None
    except NotFound:
        raise refuse(NOT_OPEN, "target") from None
    after = {"channel": channel.value, "person": person.id, "on": f"{kind}:{target_id}"}
    await audit(agent, "counter_comment", "comment", comment.id, "", after)
    return comment


async def section(
    person: Any, errors: Mapping[str, str], values: Mapping[str, str]
) -> AccountSection:
    """The form of a comment in the person's name; `values["form"]` says which form of the
    page the errors are about."""
    mine = values.get("form") == "comment"
    context = {
        "channels": counter_routes.channels(),
        "kinds": [(k, gettext(label)) for k, label in kinds()],
        "stances": [(s.value, gettext(STANCE_LABELS[s])) for s in Stance],
        "errors": dict(errors) if mine else {},
        "values": dict(values) if mine else {},
    }
    return AccountSection("comments/_counter.html", context)


async def comment_route(request: Request) -> Response:
    agent = require(request, counter_rules.may_record)
    person_id = request.path_params["person_id"]
    data = await form_data(request)
    try:
        comment = await record_comment(
            settings_of(request),
            agent,
            person_id,
            data.get("kind", ""),
            parse_id(data.get("target", "").strip().lstrip("#")),
            data.get("body", ""),
            data.get("stance", ""),
            data.get("channel", ""),
        )
    except Refused as refused:
        values = {**data, "form": "comment"}
        return await counter_routes.person_page(request, errors_of(refused.problems), values, 422)
    pending = comment.moderation_state != "visible"
    flash(
        request,
        gettext("The comment is recorded in the person's name; it waits for a moderator.")
        if pending
        else gettext("The comment is recorded in the person's name."),
    )
    return redirect(url("counter:person", person_id=person_id))


routes = [
    action_route(
        "/admin/counter/people/{person_id:id}/comment", comment_route, "comments:counter_comment"
    ),
]
