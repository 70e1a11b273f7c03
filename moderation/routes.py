"""Moderation pages: thin handlers, permission -> service -> response.

The queue answers htmx with its fragment; every action is a plain form first, so everything
works without JavaScript.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from moderation import domain, queries, services
from moderation.domain import (
    ACTION_LABELS,
    BLOCK_DURATION_LABELS,
    CASE_KIND_LABELS,
    MODERATION_STATE_LABELS,
    REPORT_REASON_LABELS,
    Action,
    BlockDuration,
    CaseClosing,
    ReportReason,
)
from moderation.models import ReasonTemplate
from participation import formatting, ratelimit, web
from participation.accounts.models import User
from participation.contributions import content_kinds
from participation.features import AccountSection
from participation.i18n import N_, current_language, gettext, ngettext
from participation.numbers import parse_id
from participation.people import routes as people_routes
from participation.people import services as people_services
from participation.permissions import (
    can_administer,
    can_moderate,
    can_reach_moderation,
    is_signed_in,
)
from participation.refusals import DomainError, NotFound, Refused
from participation.templating import flash, is_htmx, render
from participation.urls import url


def labels() -> dict[str, Any]:
    """The labels the moderation templates show (content kinds: those installed)."""
    return {
        "ACTION_LABELS": ACTION_LABELS,
        "CASE_KIND_LABELS": CASE_KIND_LABELS,
        "STATE_LABELS": MODERATION_STATE_LABELS,
        "REPORT_REASON_LABELS": REPORT_REASON_LABELS,
        "BLOCK_DURATION_LABELS": BLOCK_DURATION_LABELS,
        "KIND_LABELS": {name: kind.label for name, kind in content_kinds().items()},
    }


# --- the queue --------------------------------------------------------------------------------


async def _moderator(request: Request) -> tuple[Any, frozenset[int] | None]:
    """Who decides here: a site moderator (None: every case), or a moderator of some
    participatory spaces only (their ids: the cases of content in those spaces); else 403."""
    user = web.require(request, can_reach_moderation)  # the header's link asks it too
    if can_moderate(user):
        return user, None
    return user, await people_services.moderated_spaces(user.id)


async def _queue(
    request: Request,
    spaces: frozenset[int] | None,
    params: queries.QueueParams,
    errors: dict[str, str],
    status_code: int = 200,
    item: tuple[int, dict[str, str], dict[str, str]] | None = None,
    notice: str = "",
) -> Response:
    """The queue page (its fragment for htmx); `item`: (case id, errors, values) of an item's
    own form shown again with its errors; `notice`: what went wrong, said above the list.
    `spaces`: what `_moderator` answered (the caller asked it: once a request)."""
    if spaces is not None:
        await services.attach_spaces()
    page = await queries.queue_page(params, spaces)
    templates = await ReasonTemplate.all().order_by("position", "id")
    # what an item's own form just did, without JavaScript: said in the item's place
    done = request.session.pop("moderation_done", None) if request.method == "GET" else None
    if done and done["before"] not in {entry.case.id for entry in page.entries}:
        done["before"] = None  # the last of the page (or the next left meanwhile): at the end
    context = {
        "done": done,
        "page": page,
        "params": params,
        "errors": errors,
        "item_errors": {item[0]: item[1]} if item else {},
        "item_values": {item[0]: item[2]} if item else {},
        "notice": notice,
        "reason_templates": templates,
        "actions_for": domain.actions_for,
        "language": current_language.get(),
        "site_moderator": spaces is None,  # links to people's history: site moderators only
        **labels(),
    }
    return render(
        request,
        "moderation/index.html",
        context,
        status_code=status_code,
        fragment="moderation/_queue.html",
    )


async def index(request: Request) -> Response:
    _, spaces = await _moderator(request)
    return await _queue(request, spaces, queries.QueueParams.from_query(request.query_params), {})


async def _reason_and_way_back(data: dict[str, str]) -> tuple[str, queries.QueueParams]:
    """A decision form's reason (typed, else the ready-made one chosen, in the moderator's
    language) and the queue it came from (its `back_*` fields), for the bulk and the item forms."""
    reason = data.get("reason", "").strip()
    chosen = parse_id(data.get("reason_template"))
    if not reason and chosen is not None:
        template = await ReasonTemplate.get_or_none(id=chosen)
        reason = template.text(current_language.get()) if template else ""
    back = queries.QueueParams.from_query(
        {k.removeprefix("back_"): v for k, v in data.items() if k.startswith("back_")}
    )
    return reason, back


async def decide(request: Request) -> Response:
    user, spaces = await _moderator(request)
    async with request.form() as form:
        case_ids = [n for v in form.getlist("case") if (n := parse_id(v)) is not None]
        data = {k: v for k, v in form.items() if isinstance(v, str)}
    reason, back = await _reason_and_way_back(data)
    try:
        outcome = await services.decide(
            web.settings_of(request), user, case_ids, data.get("action", ""), reason, spaces
        )
    except Refused as refused:  # htmx swaps the queue's fragment with its errors (base.html)
        return await _queue(request, spaces, back, web.errors_of(refused.problems), 422)
    message = _decided(Action(data["action"]), outcome.done)
    if outcome.skipped:
        message += " " + ngettext(
            "{count} item had changed meanwhile or did not allow it and was left as it is.",
            "{count} items had changed meanwhile or did not allow it and were left as they are.",
            outcome.skipped,
        ).format(count=formatting.format_number(outcome.skipped))
    flash(request, message, "success" if outcome.done else "error")
    if is_htmx(request):
        return await _queue(request, spaces, back, {})
    return web.redirect(url("moderation:index", query=back.query_string()))


# --- one item's decision (its own buttons, and the keyboard shortcuts) ------------------------


def _done(action: Action, title: str) -> str:
    """What was done, as the notice and the live region say it."""
    if action == Action.APPROVE:
        text = gettext("Contribution approved: “{title}”.")
    elif action == Action.HIDE:
        text = gettext("Contribution hidden: “{title}”.")
    else:
        text = gettext("Contribution rejected: “{title}”.")
    return text.format(title=title)


# How a case closed otherwise than by a decision in the queue, told to a second moderator
# (`_already`); "{name}" is who closed it.
CLOSED_BY = {
    CaseClosing.WITHDRAWN: N_("Contribution withdrawn by its author: “{title}”."),
    CaseClosing.DELETED: N_("Contribution deleted by {name}: “{title}”."),
    CaseClosing.BLOCKED: N_("Contribution hidden when {name} blocked its author: “{title}”."),
    CaseClosing.ELSEWHERE: N_(
        "Contribution reviewed by {name} on its consultation’s page: “{title}”."
    ),
}
DELETED_BY_AUTHOR = N_("Contribution deleted by its author: “{title}”.")


def _already(refused: services.AlreadyDecided) -> str:
    """The second moderator is told how the item really left the queue: the decision that
    closed it and who made it, or its withdrawal, deletion, its author's block (issue #22);
    only that it left when that is unknown (closed before moderation 0006)."""
    message = gettext(refused.message)
    last, closing = refused.last, refused.closing
    if last is not None:
        by = last.moderator.display_name if last.moderator else gettext("a former moderator")
        told = gettext("Contribution {decision} by {name}: “{title}”.").format(
            title=last.target_title, decision=gettext(ACTION_LABELS[last.action]), name=by
        )
    elif closing in CLOSED_BY and refused.title:
        by = refused.by.display_name if refused.by else gettext("a former moderator")
        if closing == CaseClosing.DELETED and refused.by_author:
            sentence = DELETED_BY_AUTHOR
        else:
            sentence = CLOSED_BY[closing]
        told = gettext(sentence).format(title=refused.title, name=by)
    else:
        return message
    return f"{told} {message}"


async def decide_case(request: Request) -> Response:
    """One item's decision: a plain form (303 back to the queue, at the next item, with a
    notice; 422 with the item's field highlighted; 409 when the item left the queue first or
    the decision no longer applies), and for htmx the item's new content with the same
    statuses (base.html's htmx-config swaps 422 and 409); a case out of reach is not found."""
    user, spaces = await _moderator(request)
    case_id = request.path_params["case_id"]
    async with request.form() as form:
        data = {k: v for k, v in form.items() if isinstance(v, str)}
    reason, back = await _reason_and_way_back(data)
    following = parse_id(data.get("next"))
    try:
        decision = await services.decide_case(
            web.settings_of(request), user, case_id, data.get("action", ""), reason, spaces
        )
    except Refused as refused:
        errors = web.errors_of(refused.problems)
        if "reason" in errors and "reason_template" not in errors:
            errors["reason_template"] = errors["reason"]  # the list of reasons: chosen first
        chosen = parse_id(data.get("reason_template"))
        values = {"reason": data.get("reason", ""), "reason_template": str(chosen or "")}
        if is_htmx(request):
            return await _item(request, spaces, case_id, back, following, errors, values, 422)
        return await _queue(request, spaces, back, {}, 422, item=(case_id, errors, values))
    except services.AlreadyDecided as refused:
        message = _already(refused)
        if is_htmx(request):
            return await _outcome(request, spaces, case_id, back, message, "error", following, 409)
        return await _queue(request, spaces, back, {}, 409, notice=message)
    except DomainError as refused:
        message = gettext(refused.message)
        if is_htmx(request):
            form_error = {"form": message}
            return await _item(request, spaces, case_id, back, following, form_error, {}, 409)
        return await _queue(request, spaces, back, {}, 409, notice=message)
    message = _done(decision.action, decision.target_title)
    if is_htmx(request):
        return await _outcome(request, spaces, case_id, back, message, "success", following)
    # the notice goes where the item was (before the next one), and the page opens there
    request.session["moderation_done"] = {"message": message, "before": following}
    return web.redirect(url("moderation:index", query=back.query_string()) + "#decided")


async def _outcome(
    request: Request,
    spaces: frozenset[int] | None,
    case_id: int,
    back: queries.QueueParams,
    message: str,
    category: str,
    following: int | None,
    status_code: int = 200,
) -> Response:
    """For htmx: the item replaced by what happened (no undo: see domain.py), the live region
    saying it, and the number of items left (409 when it had left the queue before)."""
    context = {
        "case_id": case_id,
        "message": message,
        "category": category,
        "next": following,
        "total": await queries.queue_total(back, spaces),
    }
    return render(request, "moderation/_decided.html", context, status_code=status_code)


async def _item(
    request: Request,
    spaces: frozenset[int] | None,
    case_id: int,
    back: queries.QueueParams,
    following: int | None,
    errors: dict[str, str],
    values: dict[str, str],
    status_code: int,
) -> Response:
    """For htmx: the item again, its form with its errors (422 or 409, as without htmx)."""
    entry = await queries.queue_entry(case_id, spaces)
    if entry is None:  # it left the queue meanwhile
        message = gettext("This item has already left the queue: nothing was changed.")
        return await _outcome(request, spaces, case_id, back, message, "error", following, 409)
    context = {
        "entry": entry,
        "fresh": True,  # static/js/moderation-queue.js moves focus to its invalid field
        "params": back,
        "next_id": following,
        "item_errors": {case_id: errors},
        "item_values": {case_id: values},
        "reason_templates": await ReasonTemplate.all().order_by("position", "id"),
        "language": current_language.get(),
        "site_moderator": spaces is None,
        "actions_for": domain.actions_for,
        **labels(),
    }
    return render(request, "moderation/_item.html", context, status_code=status_code)


# --- reports ----------------------------------------------------------------------------------


def _decided(action: Action, count: int) -> str:
    """ "3 items approved.": one sentence per decision, so that each language agrees it with
    the number ("3 contributions approuvées", not "3 élément(s) : approuvé")."""
    if action == Action.APPROVE:
        text = ngettext("{count} item approved.", "{count} items approved.", count)
    elif action == Action.HIDE:
        text = ngettext("{count} item hidden.", "{count} items hidden.", count)
    else:
        text = ngettext("{count} item rejected.", "{count} items rejected.", count)
    return text.format(count=formatting.format_number(count))


async def _reportable(request: Request) -> tuple[str, int, Any]:
    target_kind = request.path_params["type"]
    kind = content_kinds().get(target_kind)
    if kind is None:
        raise NotFound()
    item = await kind.visible_to(request.scope["user"], request.path_params["id"])
    if item is None:
        raise NotFound()
    return target_kind, item.id, item


async def report(request: Request) -> Response:
    user = web.require(request, is_signed_in)
    target_kind, target_id, item = await _reportable(request)
    if not domain.can_report(user, item.author_id, item.coauthor_ids):
        raise services.NotAllowed()
    if request.method == "POST":
        await ratelimit.check(request, "report")

    async def send(data: dict[str, str]) -> str:
        result = await services.report(
            web.settings_of(request),
            user,
            target_kind,
            target_id,
            data.get("reason", ""),
            data.get("text", ""),
        )
        flash(request, gettext("Thank you: the moderators will look at it."))
        if not result.hidden:
            return str(item.url)
        return url("proposals:index") if target_kind == "proposal" else item.url.split("#")[0]

    context = {"item": item, "reasons": list(ReportReason), **labels()}
    return await web.form_page(request, "moderation/report.html", context, send)


# --- the author's side: decisions and review requests ----------------------------------------


async def _mine_page(
    request: Request, user: Any, failed: tuple[int, str, str] | None = None
) -> Response:
    """The author's decisions; `failed` (decision id, text typed, error) shows that review
    form again with its error (422)."""
    decisions = await queries.decisions_about(user.id)
    context = {
        "decisions": decisions,
        "can_request_review": domain.can_request_review,
        "review_errors": {failed[0]: failed[2]} if failed else {},
        "review_values": {failed[0]: failed[1]} if failed else {},
        **labels(),
    }
    return render(request, "moderation/mine.html", context, status_code=422 if failed else 200)


async def mine(request: Request) -> Response:
    return await _mine_page(request, web.require(request, is_signed_in))


async def request_review(request: Request) -> Response:
    user = web.require(request, is_signed_in)
    data = await web.form_data(request)
    try:
        await services.request_review(user, request.path_params["id"], data.get("text", ""))
    except Refused as refused:
        decision_id = request.path_params["id"]
        failed = (decision_id, data.get("text", ""), web.errors_of(refused.problems)["text"])
        return await _mine_page(request, user, failed)
    flash(request, gettext("Your request is sent: a moderator will look at it again."))
    return web.redirect(url("moderation:mine"))


# --- people: history, block, unblock ----------------------------------------------------------


async def _person_page(
    request: Request, person: User, errors: dict[str, str], values: dict[str, str], status: int
) -> Response:
    context = {
        "person": person,
        "history": await queries.history(person.id),
        "active_block": await services.active_block(person.id),
        "durations": list(BlockDuration),
        "errors": errors,
        "values": values,
        **labels(),
    }
    return render(request, "moderation/user.html", context, status_code=status)


async def user_history(request: Request) -> Response:
    web.require(request, can_moderate)
    return await _person_page(request, await web.object_or_404(request, User), {}, {}, 200)


async def block_user(request: Request) -> Response:
    moderator = web.require(request, can_moderate)
    person = await web.object_or_404(request, User)
    data = await web.form_data(request)
    try:
        await services.block(moderator, person.id, data.get("duration", ""), data.get("reason", ""))
    except Refused as refused:
        return await _person_page(request, person, web.errors_of(refused.problems), data, 422)
    flash(request, gettext("The account is blocked."))
    return web.redirect(url("moderation:user", id=person.id))


async def unblock_user(request: Request) -> Response:
    admin = web.require(request, can_administer)
    person = await web.object_or_404(request, User)
    data = await web.form_data(request)
    try:
        await services.unblock(admin, person.id, data.get("reason", ""))
    except Refused as refused:
        return await _person_page(request, person, web.errors_of(refused.problems), data, 422)
    flash(request, gettext("The account is unblocked."))
    return web.redirect(url("moderation:user", id=person.id))


# --- blocks from the administrators' page of a person (/admin/people: Feature.person_section)


async def person_section(
    person: Any, errors: Mapping[str, str], values: Mapping[str, str]
) -> AccountSection:
    """The block of a person and the form that blocks or unblocks them, on their page in
    /admin/people (participation/people)."""
    durations = [(d.value, gettext(BLOCK_DURATION_LABELS[d])) for d in BlockDuration]
    block = await services.active_block(person.id)
    context = {"block": block, "durations": durations, "values": dict(values)}
    return AccountSection("moderation/_person.html", context)


# the services' fields, as the people page names them (it has a role form with a reason too)
_BLOCK_FIELDS = {"duration": "block_duration", "reason": "block_reason"}


async def _refused_on_people_page(
    request: Request, problems: dict[str, str], values: dict[str, str], status: int
) -> Response:
    return await people_routes.person_page(request, problems, values, status)


async def people_block(request: Request) -> Response:
    admin = web.require(request, can_administer)
    person_id = request.path_params["person_id"]
    data = await web.form_data(request)
    duration, reason = data.get("block_duration", ""), data.get("block_reason", "")
    values = {"block_duration": duration, "block_reason": reason}
    try:
        await services.block(admin, person_id, duration, reason)
    except Refused as refused:
        errors = {_BLOCK_FIELDS.get(k, k): v for k, v in web.errors_of(refused.problems).items()}
        return await _refused_on_people_page(request, errors, values, 422)
    except DomainError as refused:  # the account does not exist (any more)
        raise NotFound(person_id) from refused
    flash(request, gettext("The account is blocked."))
    return web.redirect(url("people:detail", person_id=person_id))


async def people_unblock(request: Request) -> Response:
    admin = web.require(request, can_administer)
    person_id = request.path_params["person_id"]
    data = await web.form_data(request)
    reason = data.get("unblock_reason", "")
    try:
        await services.unblock(admin, person_id, reason)
    except Refused as refused:
        errors = {"unblock_reason": web.errors_of(refused.problems)["reason"]}
        return await _refused_on_people_page(request, errors, {"unblock_reason": reason}, 422)
    except DomainError as refused:  # not blocked (any more): another administrator came first
        errors = {"unblock_reason": refused.message}
        return await _refused_on_people_page(request, errors, {"unblock_reason": reason}, 409)
    flash(request, gettext("The account is unblocked."))
    return web.redirect(url("people:detail", person_id=person_id))


# --- ready-made reasons (administrators) ---------------------------------------------------


async def reasons(request: Request) -> Response:
    """The ready-made reasons, and the form that adds one."""
    admin = web.require(request, can_administer)

    async def add(data: dict[str, str]) -> str:
        await services.save_reason_template(admin, data.get("text_fr", ""), data.get("text_en", ""))
        flash(request, gettext("The reason is added."))
        return url("moderation:reasons")

    context = {
        "templates": await ReasonTemplate.all().order_by("position", "id"),
        "language": current_language.get(),
    }
    return await web.form_page(request, "moderation/reasons.html", context, add)


async def reason_edit(request: Request) -> Response:
    admin = web.require(request, can_administer)
    template = await web.object_or_404(request, ReasonTemplate)

    async def save(data: dict[str, str]) -> str:
        text_fr, text_en = data.get("text_fr", ""), data.get("text_en", "")
        await services.save_reason_template(admin, text_fr, text_en, template.id)
        flash(request, gettext("The reason is saved."))
        return url("moderation:reasons")

    values = {"text_fr": template.text_fr, "text_en": template.text_en}
    context = {"template": template, "values": values}
    return await web.form_page(request, "moderation/reason_form.html", context, save)


async def reason_delete(request: Request) -> Response:
    admin = web.require(request, can_administer)
    await services.delete_reason_template(admin, request.path_params["id"])
    flash(request, gettext("The reason is deleted."))
    return web.redirect(url("moderation:reasons"))


routes = [
    Route("/moderation", index, name="moderation:index"),
    web.action_route("/moderation/decide", decide, "moderation:decide"),
    web.action_route(
        "/moderation/cases/{case_id:id}/decide", decide_case, "moderation:decide_case"
    ),
    web.form_route("/moderation/report/{type:str}/{id:id}", report, "moderation:report"),
    Route("/moderation/mine", mine, name="moderation:mine"),
    web.action_route("/moderation/decisions/{id:id}/review", request_review, "moderation:review"),
    Route("/moderation/users/{id:id}", user_history, name="moderation:user"),
    web.action_route("/moderation/users/{id:id}/block", block_user, "moderation:block"),
    web.action_route("/moderation/users/{id:id}/unblock", unblock_user, "moderation:unblock"),
    web.action_route("/admin/people/{person_id:id}/block", people_block, "moderation:people_block"),
    web.action_route(
        "/admin/people/{person_id:id}/unblock", people_unblock, "moderation:people_unblock"
    ),
    web.form_route("/admin/moderation/reasons", reasons, "moderation:reasons"),
    web.form_route("/admin/moderation/reasons/{id:id}", reason_edit, "moderation:reason_edit"),
    web.action_route(
        "/admin/moderation/reasons/{id:id}/delete", reason_delete, "moderation:reason_delete"
    ),
]
