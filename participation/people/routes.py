"""/admin/people (administrators): the accounts, searched and filtered, and each person's page
where their role is granted or withdrawn. Thin: permission -> service -> response."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.i18n import N_, gettext
from participation.people import services
from participation.people.domain import ROLES, PeopleFilters
from participation.permissions import can_administer
from participation.refusals import DomainError
from participation.templating import flash, render
from participation.urls import url
from participation.web import action_route, form_data, redirect, require

REASON_MAX = 500


async def index(request: Request) -> Response:
    require(request, can_administer)
    filters = PeopleFilters.from_query(request.query_params)
    people, has_next = await services.people_page(filters)
    context = {
        "people": people,
        "has_next": has_next,
        "filters": filters,
        "roles": ROLES,
        "role_options": [(value, gettext(label)) for value, label in ROLES.items()],
    }
    return render(request, "people/index.html", context)


async def detail(request: Request) -> Response:
    require(request, can_administer)
    return await _detail(request)


async def _detail(
    request: Request, errors: dict[str, str] | None = None, status_code: int = 200
) -> Response:
    person = await services.person(request.path_params["person_id"])
    context = {"person": person, "roles": ROLES, "errors": errors or {}}
    return render(request, "people/detail.html", context, status_code=status_code)


async def change_role(request: Request) -> Response:
    user = require(request, can_administer)
    person_id = request.path_params["person_id"]
    data = await form_data(request)
    role = data.get("role", "")
    if role not in ROLES:  # a forged or missing choice: bad input
        return await _detail(request, {"role": N_("Choose one of the roles listed.")}, 422)
    try:
        changed = await services.change_role(
            user, person_id, role, data.get("reason", "").strip()[:REASON_MAX]
        )
    except DomainError as refused:
        return await _detail(request, {"role": refused.message}, 409)
    if changed:
        flash(request, gettext("The role is changed."))
    else:
        flash(request, gettext("Nothing changed."))
    return redirect(url("people:detail", person_id=person_id))


routes = [
    Route("/admin/people", index, name="people:index"),
    Route("/admin/people/{person_id:id}", detail, name="people:detail"),
    action_route("/admin/people/{person_id:id}/role", change_role, "people:role"),
]
