"""Participatory spaces: public pages (/demarches, cached for visitors; each space's Atom feed
of what the features published in it) and staff's pages under
/admin/spaces (list, create, edit with a version check, timeline steps, archive, delete when
empty). Thin: permission -> service -> response."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tortoise import timezone

from participation import feeds, formatting
from participation.i18n import N_, gettext
from participation.pagecache import cached_for_visitors
from participation.permissions import can_administer
from participation.pictures import web as pictures_web
from participation.refusals import NotFound, Problem, Refused
from participation.residents.methods import METHODS
from participation.richtext import markdown_of
from participation.richtext import render as render_rich
from participation.spaces import services
from participation.spaces.domain import (
    AUDIENCE_LABELS,
    Audience,
    State,
    current_step,
    parse_space_form,
    parse_step_form,
)
from participation.spaces.models import Space, SpaceStep
from participation.templating import flash, picture_of, render
from participation.urls import url
from participation.web import (
    accepted,
    action_route,
    errors_of,
    form_data,
    form_route,
    redirect,
    require,
)

# --- public ------------------------------------------------------------------------------------


async def index(request: Request) -> Response:
    overviews = await services.overviews(timezone.now())
    groups = {state: [o for o in overviews if o.state == state] for state in State}
    return render(request, "spaces/index.html", {"groups": groups})


async def detail(request: Request) -> Response:
    space = await services.published(request.path_params["space_slug"])
    now = timezone.now()
    timeline = await services.steps(space.id)
    context = {
        "space": space,
        "picture": picture_of(space),
        "steps": timeline,
        "current": current_step(timeline, now),
        "components": [c for c in await services.components(space.id) if c.public],
        "description": render_rich(space.description, space.sanitized_with),
        "audience": AUDIENCE_LABELS[space.audience],
    }
    return render(request, "spaces/detail.html", context)


async def feed(request: Request) -> Response:
    """The space's Atom feed (participation/feeds.py): what the features published in it. An
    archived space has none (its page stays, for the record; nothing new comes)."""
    space = await services.published(request.path_params["space_slug"])
    if space.archived_at is not None:
        raise NotFound(space.slug)
    page = url("spaces:detail", space_slug=space.slug)
    entries = await feeds.space_entries(space.id)
    return feeds.response(request, f"space/{space.id}", space.title, page, entries)


# --- staff -------------------------------------------------------------------------------------


async def admin_index(request: Request) -> Response:
    require(request, can_administer)
    overviews = await services.overviews(timezone.now(), staff=True)
    return render(request, "spaces/admin_index.html", {"overviews": overviews})


async def _submitted(request: Request) -> tuple[dict[str, str], list[str], bytes | None]:
    """The space form's fields, its ticked districts and the uploaded image's bytes (None: no
    file chosen). Read here because the form is multipart (an upload)."""
    async with request.form() as form:
        data = {k: v for k, v in form.items() if isinstance(v, str)}
        chosen = [v for v in form.getlist("districts") if isinstance(v, str)]
        data["methods"] = ",".join(v for v in form.getlist("methods") if isinstance(v, str))
        raw = await pictures_web.read(form, "image")
    return data, chosen, raw


def _space_values(space: Space) -> dict[str, Any]:
    return {
        "title": space.title,
        "slug": space.slug,
        "summary": space.summary,
        "description": markdown_of(space.description),  # staff write Markdown (issue #21)
        "starts_at": formatting.input_value(space.starts_at),
        "ends_at": formatting.input_value(space.ends_at),
        "audience": space.audience.value,
        "minimum_age": str(space.minimum_age or ""),
        "methods": ",".join(space.methods or []),
        "published": "yes" if space.published else "",
        "comments_closed": "" if space.comments_open else "yes",
        "version": str(space.version),
    }


async def _form_page(
    request: Request,
    space: Space | None,
    values: dict[str, Any],
    chosen: list[str],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    theirs: Space | None = None,
    image_sent: bool = False,
) -> Response:
    picture = picture_of(space) if space is not None else None
    if picture is not None:
        values = {"image_alt": picture.alt, **values}
    context: dict[str, Any] = {
        "picture": picture,
        "image_sent": image_sent,
        "verification_methods": [(name, m.label) for name, m in METHODS.items()],
        "space": space,
        "values": values,
        "chosen": chosen,
        "errors": errors or {},
        "theirs": theirs,
        "districts": await services.district_names(),
        "audiences": [(a.value, gettext(AUDIENCE_LABELS[a])) for a in Audience],
    }
    if space is not None:
        context["steps"] = await services.steps(space.id)
        context["components"] = await services.components(space.id)
    return render(request, "spaces/admin_form.html", context, status_code=status_code)


async def admin_new(request: Request) -> Response:
    user = require(request, can_administer)
    if request.method == "GET":
        return await _form_page(request, None, {"audience": Audience.SIGNED_IN.value}, [])
    data, chosen, raw = await _submitted(request)
    districts = await services.district_names()

    async def check() -> object:  # the form's own checks, with its image's (nothing written)
        form = accepted(parse_space_form(data, districts, chosen))
        await services.check_slug(form.slug)
        return form

    try:
        image = await pictures_web.checked(request, raw, data, False, check)
        space = await services.create(
            accepted(parse_space_form(data, districts, chosen)), image, user
        )
    except Refused as refused:
        errors = errors_of(refused.problems)
        return await _form_page(
            request, None, data, chosen, errors, 422, image_sent=raw is not None
        )
    flash(request, gettext("The space is created. Add the steps of its timeline."))
    return redirect(url("spaces:admin_edit", space_id=space.id))


async def admin_edit(request: Request) -> Response:
    user = require(request, can_administer)
    space = await services.get(request.path_params["space_id"])
    if request.method == "GET":
        return await _form_page(request, space, _space_values(space), list(space.districts))
    data, chosen, raw = await _submitted(request)
    data["slug"] = space.slug  # the address never changes: links to it keep working
    districts = await services.district_names()

    async def check() -> object:  # the form's own checks, with its image's (nothing written)
        return accepted(parse_space_form(data, districts, chosen))

    try:
        has_image = space.image_id is not None
        image = await pictures_web.checked(request, raw, data, has_image, check)
        form = accepted(parse_space_form(data, districts, chosen))
        await services.update(space.id, form, image, user)
    except Refused as refused:
        errors = errors_of(refused.problems)
        sent = raw is not None
        return await _form_page(request, space, data, chosen, errors, 422, image_sent=sent)
    except services.EditConflict as conflict:
        return await _conflict(request, conflict.current, data, chosen, raw is not None)
    flash(request, gettext("The space is saved."))
    return redirect(url("spaces:admin_edit", space_id=space.id))


async def _conflict(
    request: Request, current: Space, data: dict[str, str], chosen: list[str], had_image: bool
) -> Response:
    """409: someone saved the space meanwhile. The editor keeps what they typed, sees what is
    saved now, and may save again (from the new version)."""
    message = N_(
        "Someone saved this space while you were editing it: nothing was saved. What is saved "
        "now is shown below your text; keep what you want, then save again."
    )
    if had_image:
        message = N_(
            "Someone saved this space while you were editing it: nothing was saved, and the "
            "image must be chosen again. What is saved now is shown below your text; keep what "
            "you want, then save again."
        )
    values = {**data, "version": str(current.version)}
    errors = errors_of([Problem(message)])
    return await _form_page(request, current, values, chosen, errors, 409, theirs=current)


async def admin_archive(request: Request) -> Response:
    user = require(request, can_administer)
    space = await services.get(request.path_params["space_id"])
    data = await form_data(request)
    archived = data.get("archived") != "no"
    await services.set_archived(space.id, archived, user)
    flash(
        request,
        gettext("The space is archived.") if archived else gettext("The space is back in use."),
    )
    return redirect(url("spaces:admin_edit", space_id=space.id))


async def admin_delete(request: Request) -> Response:
    user = require(request, can_administer)
    space = await services.get(request.path_params["space_id"])
    await services.delete(space.id, user)  # DomainError (409) when it holds content
    flash(request, gettext("The space is deleted."))
    return redirect(url("spaces:admin_index"))


def _step_values(row: SpaceStep) -> dict[str, str]:
    values = services.step_fields(row)
    return {
        **values,
        "starts_at": formatting.input_value(row.starts_at),
        "ends_at": formatting.input_value(row.ends_at),
        "position": str(row.position),
    }


async def admin_step(request: Request) -> Response:
    """A new step (no step id in the path), or a step of the timeline."""
    user = require(request, can_administer)
    space = await services.get(request.path_params["space_id"])
    step_id = request.path_params.get("step_id")
    row = await services.step_row(space.id, step_id) if step_id is not None else None
    if request.method == "GET":
        if row is not None:
            values = _step_values(row)
        else:
            count = await SpaceStep.filter(space_id=space.id).count()
            values = {"position": str(count + 1)}
        return _step_page(request, space, row, values)
    data = await form_data(request)
    try:
        form = accepted(parse_step_form(data))
        await services.save_step(space.id, step_id, form, user)
    except Refused as refused:
        return _step_page(request, space, row, data, errors_of(refused.problems), 422)
    flash(request, gettext("The step is saved."))
    return redirect(url("spaces:admin_edit", space_id=space.id, anchor="timeline"))


def _step_page(
    request: Request,
    space: Space,
    row: SpaceStep | None,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context = {"space": space, "step": row, "values": values, "errors": errors or {}}
    return render(request, "spaces/admin_step.html", context, status_code=status_code)


async def admin_step_remove(request: Request) -> Response:
    user = require(request, can_administer)
    space = await services.get(request.path_params["space_id"])
    await services.remove_step(space.id, request.path_params["step_id"], user)
    flash(request, gettext("The step is removed."))
    return redirect(url("spaces:admin_edit", space_id=space.id, anchor="timeline"))


routes = [
    Route("/demarches", cached_for_visitors(index), name="spaces:index"),
    Route("/demarches/{space_slug}", cached_for_visitors(detail), name="spaces:detail"),
    # feed readers poll: visitors get the stored document (ETag, 304) until the next write
    Route("/demarches/{space_slug}/feed.atom", cached_for_visitors(feed), name="spaces:feed"),
    Route("/admin/spaces", admin_index, name="spaces:admin_index"),
    form_route("/admin/spaces/new", admin_new, "spaces:admin_new"),
    form_route("/admin/spaces/{space_id:id}", admin_edit, "spaces:admin_edit"),
    action_route("/admin/spaces/{space_id:id}/archive", admin_archive, "spaces:admin_archive"),
    action_route("/admin/spaces/{space_id:id}/delete", admin_delete, "spaces:admin_delete"),
    form_route("/admin/spaces/{space_id:id}/steps/new", admin_step, "spaces:admin_step_new"),
    form_route("/admin/spaces/{space_id:id}/steps/{step_id:id}", admin_step, "spaces:admin_step"),
    action_route(
        "/admin/spaces/{space_id:id}/steps/{step_id:id}/remove",
        admin_step_remove,
        "spaces:admin_step_remove",
    ),
]
