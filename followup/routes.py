"""Follow-up pages: thin handlers, permission -> service -> response.

Public: /followup (list with filters; htmx swaps only the list) and /followup/{id}.
Staff: /admin/followup (commitments and what could be followed), /admin/followup/{id}.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from followup import domain, queries, services
from followup.domain import Status, TargetKind
from followup.models import Commitment
from participation import web
from participation.i18n import ngettext
from participation.numbers import parse_id
from participation.permissions import can_administer
from participation.refusals import DomainError, NotFound, Refused
from participation.settings import Settings
from participation.templating import flash, render
from participation.urls import url

LABELS = {
    "status_labels": domain.STATUS_LABELS,
    "kind_labels": domain.KIND_LABELS,
    "statuses": list(Status),
    "kinds": list(TargetKind),
}


async def index(request: Request) -> Response:
    filters = domain.Filters.from_query(request.query_params)
    context = {
        **LABELS,
        "commitments": await queries.public_list(filters),
        "filters": filters,
        "districts": await queries.districts(),
    }
    return render(request, "followup/index.html", context, fragment="followup/_list.html")


async def detail(request: Request) -> Response:
    page = await queries.commitment_page(request.path_params["commitment_id"])
    if page is None:
        raise NotFound()
    return render(request, "followup/detail.html", {**LABELS, **page})


async def admin_index(request: Request) -> Response:
    web.require(request, can_administer)
    context = {
        **LABELS,
        "commitments": await Commitment.all().order_by("-updated_at", "-id"),
        "candidates": await queries.candidates(),
    }
    return render(request, "followup/admin_index.html", context)


async def admin_create(request: Request) -> Response:
    user = web.require(request, can_administer)
    data = await web.form_data(request)
    kind, target_id = domain.target_kind(data.get("kind")), parse_id(data.get("target_id"))
    if kind is None or target_id is None:
        raise DomainError(services.NOT_FOLLOWABLE)
    commitment = await services.create_commitment(kind, target_id, user)
    return web.redirect(url("followup:admin", commitment_id=commitment.id))


async def _admin_page(
    request: Request,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    page = await queries.commitment_page(request.path_params["commitment_id"])
    if page is None:
        raise NotFound()
    commitment = page["commitment"]
    form: dict[str, Any] = {
        "status": commitment.status.value,
        "progress": str(commitment.progress),
        "reason": commitment.reason,
        "on": "",
        "text": "",
        **(values or {}),
    }
    context = {**LABELS, **page, "errors": errors or {}, "form": form}
    return render(request, "followup/admin_commitment.html", context, status_code=status_code)


async def admin_commitment(request: Request) -> Response:
    web.require(request, can_administer)
    return await _admin_page(request)


async def _admin_form(
    request: Request,
    parse: Callable[[dict[str, str]], Any],
    save: Callable[[Settings, int, Any, Any], Awaitable[int]],
) -> Response:
    """A staff form on a commitment's page: parse it (422 with its errors), save it with `save`,
    flash how many participants were notified, redirect to the page."""
    user = web.require(request, can_administer)
    data = await web.form_data(request)
    commitment_id = request.path_params["commitment_id"]
    if not await Commitment.exists(id=commitment_id):
        raise NotFound()
    try:
        form = parse(data)
    except Refused as refused:
        return await _admin_page(request, web.errors_of(refused.problems), data, status_code=422)
    notified = await save(web.settings_of(request), commitment_id, form, user)
    flash(request, _saved(notified))
    return web.redirect(url("followup:admin", commitment_id=commitment_id))


async def admin_status(request: Request) -> Response:
    return await _admin_form(request, domain.parse_status_update, services.update_status)


async def admin_milestone(request: Request) -> Response:
    return await _admin_form(request, domain.parse_milestone, services.add_milestone)


def _saved(notified: int) -> str:
    return ngettext(
        "Saved; %(n)s participant notified.", "Saved; %(n)s participants notified.", notified
    ) % {"n": notified}


routes = [
    Route("/followup", index, name="followup:index"),
    Route("/followup/{commitment_id:id}", detail, name="followup:detail"),
    Route("/admin/followup", admin_index, name="followup:admin_index"),
    web.action_route("/admin/followup/new", admin_create, "followup:admin_new"),
    Route("/admin/followup/{commitment_id:id}", admin_commitment, name="followup:admin"),
    web.action_route(
        "/admin/followup/{commitment_id:id}/status", admin_status, "followup:admin_status"
    ),
    web.action_route(
        "/admin/followup/{commitment_id:id}/milestones", admin_milestone, "followup:admin_milestone"
    ),
]
