"""/admin/classification: the town's categories and districts, for administrators. One page, one
small form per action (add, rename, remove), each answering 303 to the page or the page again
with its form's error (422). Thin: permission -> service -> response."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from participation.i18n import gettext
from participation.permissions import can_administer
from participation.proposals.classification import services
from participation.proposals.classification.domain import KINDS
from participation.refusals import Refused
from participation.templating import flash, render
from participation.urls import url
from participation.web import action_route, errors_of, form_data, redirect, require


async def index(request: Request) -> Response:
    require(request, can_administer)
    return await _page(request, {}, {})


async def _page(
    request: Request, errors: dict[str, str], values: dict[str, str], status: int = 200
) -> Response:
    sections = []
    for kind in KINDS.values():
        rows = [
            (
                item,
                url(f"proposals:rename_{kind.name}", **{f"{kind.name}_id": item.id}),
                url(f"proposals:remove_{kind.name}", **{f"{kind.name}_id": item.id}),
            )
            for item in await services.items(kind)
        ]
        sections.append((kind, rows, url(f"proposals:add_{kind.name}")))
    context = {"sections": sections, "errors": errors, "values": values}
    return render(request, "proposals/classification.html", context, status_code=status)


def _command(kind_name: str, action: str):  # type: ignore[no-untyped-def]
    """The POST endpoint of one action on one kind; the form's field is named after the kind
    and the row (`category-new`, `district-7`) so the page highlights the right one."""

    async def endpoint(request: Request) -> Response:
        user = require(request, can_administer)
        data = await form_data(request)
        # the id convertor's int (`category_id` or `district_id`); 0: a new one
        item_id: int = request.path_params.get(f"{kind_name}_id", 0)
        field = f"{kind_name}-{item_id or 'new'}"
        name = data.get("name", "")
        try:
            if action == "add":
                await services.add(kind_name, name, user, field)
            elif action == "rename":
                await services.rename(kind_name, item_id, name, user, field)
            else:
                await services.remove(kind_name, item_id, user, field)
        except Refused as refused:
            return await _page(request, errors_of(refused.problems), {field: name}, 422)
        kind = KINDS[kind_name]
        done = {"add": kind.added, "rename": kind.renamed, "remove": kind.removed}[action]
        flash(request, gettext(done))
        return redirect(url("proposals:classification") + f"#{kind_name}s")

    endpoint.__name__ = f"{action}_{kind_name}"
    return endpoint


routes: list[BaseRoute] = [Route("/admin/classification", index, name="proposals:classification")]
for _kind in KINDS:
    routes += [
        action_route(
            f"/admin/classification/{_kind}", _command(_kind, "add"), f"proposals:add_{_kind}"
        ),
        action_route(
            f"/admin/classification/{_kind}/{{{_kind}_id:id}}",
            _command(_kind, "rename"),
            f"proposals:rename_{_kind}",
        ),
        action_route(
            f"/admin/classification/{_kind}/{{{_kind}_id:id}}/remove",
            _command(_kind, "remove"),
            f"proposals:remove_{_kind}",
        ),
    ]
