"""The evaluators' pages (issue #18): a person given the role « évaluateur / évaluatrice » of a
participatory space (participation/people: a core role) reviews the feasibility of the projects
of that space's budgets, and nothing else of the administration. Thin: permission -> service
-> response; the review is the staff page's (`project_services.Review`, `review_project`)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tortoise.functions import Count

from budgets import domain, project_services, queries
from budgets.models import Budget, Feasibility, Phase, Project
from participation import web
from participation.contributions import ModerationState
from participation.i18n import gettext
from participation.people import services as people
from participation.permissions import can_evaluate_in_space, can_reach_evaluation
from participation.refusals import NotAllowed, NotFound, Refused
from participation.spaces.models import Space
from participation.templating import flash, render
from participation.urls import url


async def _evaluated_budget(request: Request) -> tuple[Any, Budget]:
    """The person and the budget of the path, if they evaluate its space: 403 for someone who
    evaluates nowhere or another space, 404 for no such budget or one in preparation (staff's
    draft: it does not exist for anyone else)."""
    user = web.require(request, can_reach_evaluation)
    budget = await Budget.get_or_none(id=request.path_params["budget_id"])
    if budget is None or budget.phase == Phase.PREPARATION:
        raise NotFound()
    if not can_evaluate_in_space(user, budget.space_id, await people.evaluated_spaces(user.id)):
        raise NotAllowed()
    return user, budget


async def index(request: Request) -> Response:
    """The budgets of the person's spaces, with how many projects wait for their review."""
    user = web.require(request, can_reach_evaluation)
    spaces = await people.evaluated_spaces(user.id)
    budgets = (
        await Budget.filter(space_id__in=list(spaces))
        .exclude(phase=Phase.PREPARATION)
        .select_related("space")
        .order_by("space__title", "-created_at", "id")
    )
    pending = dict(
        await Project.filter(
            budget_id__in=[b.id for b in budgets],
            feasibility=Feasibility.PENDING,
            moderation_state=ModerationState.VISIBLE,
        )
        .group_by("budget_id")
        .annotate(n=Count("id"))
        .values_list("budget_id", "n")
    )
    titles = (
        await Space.filter(id__in=list(spaces)).order_by("title").values_list("title", flat=True)
    )
    context = {
        "budgets": budgets,
        "pending": pending,
        "spaces": titles,
        "open_phases": (Phase.SUBMISSION, Phase.REVIEW),
    }
    return render(request, "budgets/evaluation_index.html", context)


async def _page(
    request: Request,
    budget: Budget,
    errors: dict[int, dict[str, str]] | None = None,
    values: dict[int, dict[str, str]] | None = None,
    status_code: int = 200,
    frozen: bool | None = None,
) -> Response:
    """The budget's page; `frozen`: whether the review is closed, when already known."""
    if frozen is None:
        frozen = await project_services.review_closed(budget)
    context = {
        "budget": budget,
        "space": await Space.get_or_none(id=budget.space_id) if budget.space_id else None,
        # the projects moderation let through, as residents see them (pending and hidden ones
        # are the moderators')
        "projects": await queries.evaluated_projects(budget),
        "frozen": frozen,
        "review_errors": errors or {},
        "review_values": values or {},
    }
    return render(request, "budgets/evaluation.html", context, status_code=status_code)


async def budget_page(request: Request) -> Response:
    _, budget = await _evaluated_budget(request)
    return await _page(request, budget)


async def review(request: Request) -> Response:
    """One project's review: saved and audited as the staff page's; refused with the field
    marked (422), or because the vote is open (409: the page says the review is frozen)."""
    user, budget = await _evaluated_budget(request)
    project = await queries.project_or_none(budget.id, request.path_params["project_id"], user)
    if project is None or project.moderation_state != ModerationState.VISIBLE:
        raise NotFound()
    if domain.reviews_own_project(project.author_id, user.id):  # the page offers no form
        raise NotAllowed()
    data = await web.form_data(request)
    checked, typed = project_services.Review.from_form(data)
    try:
        await project_services.review_project(
            project.id, checked.feasibility, checked.reason, checked.adjusted_cost, user, typed
        )
    except Refused as refused:
        errors = web.errors_of(refused.problems)
        if "form" in errors:  # the vote is open (project_services.FROZEN): the page says why
            return await _page(request, budget, status_code=409, frozen=True)
        # refused once the service had found the review open: no need to ask again
        values = {project.id: data}
        return await _page(request, budget, {project.id: errors}, values, 422, frozen=False)
    flash(request, gettext("The review is saved."))
    return web.redirect(
        url("budgets:evaluate", budget_id=budget.id, anchor=f"project-{project.id}")
    )


routes = [
    Route("/evaluation", index, name="budgets:evaluation"),
    Route("/evaluation/budgets/{budget_id:id}", budget_page, name="budgets:evaluate"),
    web.action_route(
        "/evaluation/budgets/{budget_id:id}/projects/{project_id:id}",
        review,
        "budgets:evaluate_project",
    ),
]
