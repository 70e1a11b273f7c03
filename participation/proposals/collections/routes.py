"""/admin/collections: the proposals collections of the participatory spaces, for
administrators: the list, a new one, one edited (with a version check: the second of two saves
started from one version is refused, 409, with the values the first saved shown). Thin:
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
from participation.proposals.collections import services
from participation.proposals.domain import COLLECTION_STATE_LABELS, parse_collection
from participation.proposals.models import ProposalCollection
from participation.refusals import Refused
from participation.spaces import services as spaces
from participation.templating import flash, render
from participation.urls import url
from participation.web import errors_of, form_data, form_route, redirect, require

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
) -> Response:
    context: dict[str, Any] = {
        "collection": collection,
        "values": values,
        "errors": errors or {},
        "spaces": await spaces.choices(collection.space_id if collection else None),
        "theirs": _values(theirs) if theirs is not None else None,
        "theirs_space": theirs.space.title if theirs is not None else "",
    }
    return render(request, "proposals/collection_form.html", context, status_code=status_code)


async def new(request: Request) -> Response:
    user = require(request, can_administer)
    if request.method == "GET":
        defaults = {"accepting": "on", "amendments_open": "on"}
        space = parse_id(request.query_params.get("space", ""))
        if space is not None:
            defaults["space"] = str(space)
        return await _page(request, None, defaults)
    data = await form_data(request)
    form, problems = parse_collection(data)
    try:
        collection = await services.create(form, problems, user)
    except Refused as refused:
        return await _page(request, None, data, errors_of(refused.problems), 422)
    flash(request, gettext("The collection is created."))
    return redirect(url("proposals:collection_edit", collection_id=collection.id))


async def edit(request: Request) -> Response:
    user = require(request, can_administer)
    collection = await services.get(request.path_params["collection_id"])
    if request.method == "GET":
        return await _page(request, collection, _values(collection))
    data = await form_data(request)
    form, problems = parse_collection(data)
    try:
        await services.update(
            collection.id, form, problems, parse_id(data.get("version", "")), user
        )
    except Refused as refused:
        return await _page(request, collection, data, errors_of(refused.problems), 422)
    except services.EditConflict as conflict:
        # what they typed stays; the form now carries the version saved meanwhile
        again = {**data, "version": str(conflict.current.version)}
        errors = {
            "form": gettext("Someone saved this collection meanwhile: compare, then save again.")
        }
        return await _page(request, conflict.current, again, errors, 409, conflict.current)
    flash(request, gettext("The collection is saved."))
    return redirect(url("proposals:collection_edit", collection_id=collection.id))


routes: list[BaseRoute] = [
    Route("/admin/collections", index, name="proposals:collections"),
    form_route("/admin/collections/new", new, "proposals:collection_new"),
    form_route("/admin/collections/{collection_id:id}", edit, "proposals:collection_edit"),
]
