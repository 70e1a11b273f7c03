"""/admin/people (administrators): the accounts, searched and filtered, and each person's page
where their role is granted or withdrawn. Thin: permission -> service -> response."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation import features
from participation.i18n import N_, gettext
from participation.numbers import parse_id
from participation.people import services
from participation.people.domain import (
    INVITABLE,
    ROLES,
    SPACE_ROLES,
    PeopleFilters,
    invitation_state,
)
from participation.permissions import can_administer
from participation.refusals import DomainError, NotFound, Refused
from participation.spaces import services as spaces_services
from participation.templating import flash, render
from participation.urls import url
from participation.web import (
    LoginRequired,
    action_route,
    errors_of,
    form_data,
    redirect,
    require,
    settings_of,
)

REASON_MAX = 500


async def index(request: Request) -> Response:
    require(request, can_administer)
    return await _index(request)


async def _index(
    request: Request,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    filters = PeopleFilters.from_query(request.query_params)
    people, has_next = await services.people_page(filters)
    context = {
        "people": people,
        "has_next": has_next,
        "filters": filters,
        "roles": ROLES,
        "role_options": [(value, gettext(label)) for value, label in ROLES.items()],
        "invitable": [(value, gettext(label)) for value, label in INVITABLE.items()],
        "invitations": await services.pending_invitations(),
        "values": values or {},
        "errors": errors or {},
    }
    return render(request, "people/index.html", context, status_code=status_code)


async def invite(request: Request) -> Response:
    user = require(request, can_administer)
    data = await form_data(request)
    email, role = data.get("invite_email", ""), data.get("invite_role", "")
    try:
        sent = await services.invite(settings_of(request), user, email, role)
    except Refused as refused:
        values = {"invite_email": email, "invite_role": role}
        return await _index(request, values, errors_of(refused.problems), 422)
    flash(request, gettext("The invitation is sent to {email}.").format(email=sent.email))
    return redirect(url("people:index"))


async def invitation(request: Request) -> Response:
    """The link of an invitation: who may accept it, and the button that does."""
    token = request.path_params["token"]
    found = await services.invitation(token)
    if found is None:
        raise NotFound("invitation")
    user = request.scope["user"]
    signed_in = user.email if user.is_authenticated else None
    if request.method == "POST":
        if not user.is_authenticated:
            raise LoginRequired()
        state = await services.accept(token, user)
        if state == "open":
            flash(
                request,
                gettext("Welcome to the team: your role is now “{role}”.").format(
                    role=gettext(ROLES[found.role])
                ),
            )
            return redirect(url("pages:home"))
    else:
        state = invitation_state(found.email, found.accepted, found.expired, signed_in)
    status_code = 200 if state in ("open", "sign_in") else 409
    context = {
        "invitation": found,
        "state": state,
        "role": ROLES[found.role],
        "here": request.url.path,
    }
    return render(request, "people/invitation.html", context, status_code=status_code)


async def detail(request: Request) -> Response:
    require(request, can_administer)
    return await _detail(request)


async def _detail(
    request: Request, errors: dict[str, str] | None = None, status_code: int = 200
) -> Response:
    return await person_page(request, errors or {}, {}, status_code)


async def person_page(
    request: Request, errors: dict[str, str], values: dict[str, str], status_code: int
) -> Response:
    """A person's page, with each feature's section (`Feature.person_section`); a feature's
    route that refuses a form of its section answers with this page, its errors and values."""
    person = await services.person(request.path_params["person_id"])
    sections = []
    for feature in features.FEATURES:
        if feature.person_section is not None:
            if (section := await feature.person_section(person, errors, values)) is not None:
                sections.append(section)
    context = {
        "person": person,
        "roles": ROLES,
        "errors": errors,
        "values": values,
        "sections": sections,
        "space_roles": await services.space_roles(person.id),
        "space_role_labels": SPACE_ROLES,
        "spaces": await spaces_services.choices(),
    }
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


async def grant_space_role(request: Request) -> Response:
    user = require(request, can_administer)
    person_id = request.path_params["person_id"]
    data = await form_data(request)
    values = {k: data.get(k, "") for k in ("space", "space_role", "space_reason")}
    try:
        held = await services.grant_space_role(
            user,
            person_id,
            parse_id(values["space"]),
            values["space_role"],
            values["space_reason"].strip()[:REASON_MAX],
        )
    except Refused as refused:
        errors = errors_of(refused.problems)
        if values["space_role"] == "evaluator":  # the page's second form: its select's own id
            errors = {("evaluator_space" if k == "space" else k): v for k, v in errors.items()}
        return await person_page(request, errors, values, 422)
    flash(
        request,
        gettext("The role in the space “{space}” is given.").format(space=held.space_title),
    )
    return redirect(url("people:detail", person_id=person_id))


async def withdraw_space_role(request: Request) -> Response:
    """Withdraw one role in a space (named by its own id: 404 once withdrawn)."""
    user = require(request, can_administer)
    await form_data(request)
    person_id = await services.withdraw_space_role(user, request.path_params["role_id"])
    if person_id is None:
        raise NotFound("space role")
    flash(request, gettext("The role in the space is withdrawn."))
    return redirect(url("people:detail", person_id=person_id))


routes = [
    Route("/admin/people", index, name="people:index"),
    action_route("/admin/people/invite", invite, "people:invite"),
    Route(
        "/account/invitation/{token}",
        invitation,
        methods=["GET", "POST"],
        name="people:invitation",
    ),
    Route("/admin/people/{person_id:id}", detail, name="people:detail"),
    action_route("/admin/people/{person_id:id}/role", change_role, "people:role"),
    action_route("/admin/people/{person_id:id}/spaces", grant_space_role, "people:space_role"),
    action_route(
        "/admin/people/space-roles/{role_id:id}/withdraw",
        withdraw_space_role,
        "people:space_role_withdraw",
    ),
]
