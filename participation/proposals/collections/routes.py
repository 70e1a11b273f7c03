"""/admin/collections: the proposals collections of the participatory spaces, for
administrators: the list, a new one, one edited (with a version check: the second of two saves
started from one version is refused, 409, with the values the first saved shown), one moved to
another space with its proposals, one deleted when it holds none (a page to confirm). Thin:
permission -> service -> response."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from tortoise import timezone

from participation import formatting
from participation.i18n import N_, gettext
from participation.numbers import parse_id
from participation.permissions import can_administer
from participation.proposals import queries
from participation.proposals.collections import services
from participation.proposals.domain import COLLECTION_STATE_LABELS, parse_collection
from participation.proposals.models import ProposalCollection
from participation.refusals import Refused
from participation.spaces import services as spaces
from participation.templating import flash, render
from participation.urls import url
from participation.web import (
    errors_of,
    form_data,
    form_page,
    form_route,
    parsed_form,
    redirect,
    require,
)

CONFLICT = N_("Someone saved this collection meanwhile: compare, then save again.")


async def index(request: Request) -> Response:
    require(request, can_administer)
    context = {
        "collections": await services.listed(timezone.now()),
        "STATE_LABELS": COLLECTION_STATE_LABELS,
    }
    return render(request, "proposals/collections.html", context)


def _values(collection: ProposalCollection) -> dict[str, str]:
    def ticked(value: bool) -> str:
        return "on" if value else ""

    return {
        "title": collection.title,
        "space": str(collection.space_id),
        "support_threshold": str(collection.support_threshold),
        "premoderated": ticked(collection.premoderated),
        "amendments_open": ticked(collection.amendments_open),
        "accepting": ticked(collection.accepting),
        "opens_at": formatting.input_value(collection.opens_at),
        "closes_at": formatting.input_value(collection.closes_at),
        "version": str(collection.version),
    }


async def _page(
    request: Request,
    collection: ProposalCollection | None,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    theirs: ProposalCollection | None = None,
    chosen: list[str] | None = None,
) -> Response:
    """The form; `chosen`: the categories ticked (None: those the collection saved)."""
    site = await queries.territory_categories()
    if chosen is None:
        chosen = [str(i) for i in await services.category_ids(collection.id)] if collection else []
    theirs_ids = set(await services.category_ids(theirs.id)) if theirs is not None else set()
    context: dict[str, Any] = {
        "category_choices": [(str(c.id), c.name) for c in site],
        "chosen_categories": set(chosen),
        "theirs_categories": [c.name for c in site if c.id in theirs_ids],
        "collection": collection,
        "values": values,
        "errors": errors or {},
        "spaces": await spaces.choices(collection.space_id if collection else None),
        "theirs": _values(theirs) if theirs is not None else None,
        "theirs_space": theirs.space.title if theirs is not None else "",
    }
    return render(request, "proposals/collection_form.html", context, status_code=status_code)


async def _sent(request: Request) -> tuple[dict[str, str], list[str]]:
    """The form sent, and its ticked categories (a repeated field)."""
    ticked = [v for v in (await parsed_form(request)).getlist("categories") if isinstance(v, str)]
    return await form_data(request), ticked


async def new(request: Request) -> Response:
    user = require(request, can_administer)
    if request.method == "GET":
        defaults = {"accepting": "on", "amendments_open": "on"}
        space = parse_id(request.query_params.get("space", ""))
        if space is not None:
            defaults["space"] = str(space)
        return await _page(request, None, defaults)
    data, ticked = await _sent(request)
    form, problems = parse_collection(data, ticked)
    try:
        collection = await services.create(form, problems, user)
    except Refused as refused:
        return await _page(request, None, data, errors_of(refused.problems), 422, chosen=ticked)
    flash(request, gettext("The collection is created."))
    return redirect(url("proposals:collection_edit", collection_id=collection.id))


async def edit(request: Request) -> Response:
    user = require(request, can_administer)
    collection = await services.get(request.path_params["collection_id"])
    if request.method == "GET":
        return await _page(request, collection, _values(collection))
    data, ticked = await _sent(request)
    form, problems = parse_collection(data, ticked)
    try:
        await services.update(
            collection.id, form, problems, parse_id(data.get("version", "")), user
        )
    except Refused as refused:
        errors = errors_of(refused.problems)
        return await _page(request, collection, data, errors, 422, chosen=ticked)
    except services.EditConflict as conflict:
        # what they typed stays; the form now carries the version saved meanwhile
        again = {**data, "version": str(conflict.current.version)}
        errors = {
            "form": gettext("Someone saved this collection meanwhile: compare, then save again.")
        }
        return await _page(
            request, conflict.current, again, errors, 409, conflict.current, chosen=ticked
        )
    flash(request, gettext("The collection is saved."))
    return redirect(url("proposals:collection_edit", collection_id=collection.id))


async def move(request: Request) -> Response:
    """Another space for the collection and its proposals: what follows is said first."""
    user = require(request, can_administer)
    collection = await services.get(request.path_params["collection_id"])

    async def save(data: dict[str, str]) -> str:
        await services.move(collection.id, parse_id(data.get("space", "")), user)
        flash(request, gettext("The collection is moved, with its proposals."))
        return url("proposals:collection_edit", collection_id=collection.id)

    others = [(i, t) for i, t in await spaces.choices() if i != collection.space_id]
    context = {
        "collection": collection,
        "spaces": others,
        "held": await services.held(collection.id),
    }
    return await form_page(request, "proposals/collection_move.html", context, save)


async def delete(request: Request) -> Response:
    """GET: the page to confirm (or, when it holds proposals, why it cannot be deleted);
    POST: deleted, or 409 with the same reason."""
    user = require(request, can_administer)
    collection = await services.get(request.path_params["collection_id"])
    if request.method == "POST":
        await services.delete(collection.id, user)
        flash(request, gettext("The collection is deleted."))
        return redirect(url("proposals:collections"))
    context = {"collection": collection, "held": await services.held(collection.id)}
    return render(request, "proposals/collection_delete.html", context)


routes: list[BaseRoute] = [
    Route("/admin/collections", index, name="proposals:collections"),
    form_route("/admin/collections/new", new, "proposals:collection_new"),
    form_route("/admin/collections/{collection_id:id}", edit, "proposals:collection_edit"),
    form_route("/admin/collections/{collection_id:id}/move", move, "proposals:collection_move"),
    form_route(
        "/admin/collections/{collection_id:id}/delete", delete, "proposals:collection_delete"
    ),
]
