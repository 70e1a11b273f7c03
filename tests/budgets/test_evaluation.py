"""Evaluators of a space's budget projects (issue #18): an administrator gives the role on the
person's page, audited; the evaluator reviews the feasibility of the projects of their space's
budgets on pages of their own (the staff page's checks, audited, shown publicly), reaches
nothing else of the administration nor another space's budgets, and loses them as soon as the
role is withdrawn; from the opening of the vote the review is frozen, and the page says so."""

from __future__ import annotations

import re
from typing import Any

import pytest

from budgets import domain
from budgets.models import Budget, Feasibility, Phase, Project
from participation.accounts.models import User
from participation.accounts.privacy import delete_account
from participation.audit import AuditLogEntry
from participation.people.models import SpaceRole
from participation.spaces.models import Space
from tests.budgets.factories import budget_in_voting
from tests.conftest import create_user, field_error, logged_in, post_form
from tests.spaces.factories import space_open_with_a_vote

MENU_LINK = ">Évaluer des projets</a>"


@pytest.mark.parametrize(
    ("phase", "ballots", "frozen"),
    [
        (Phase.PREPARATION, False, False),
        (Phase.SUBMISSION, False, False),
        (Phase.REVIEW, False, False),
        (Phase.VOTING, False, True),  # the vote is open: frozen before the first ballot
        (Phase.TALLY, True, True),
        (Phase.RESULTS, True, True),
        (Phase.REVIEW, True, True),  # taken back to review after ballots: still frozen
    ],
)
def test_the_feasibility_is_frozen_from_the_opening_of_the_vote(
    phase: Phase, ballots: bool, frozen: bool
) -> None:
    assert domain.feasibility_frozen(phase, ballots) is frozen


def test_an_evaluator_does_not_review_a_project_they_submitted() -> None:
    assert domain.reviews_own_project(7, 7)
    assert not domain.reviews_own_project(7, 8)
    assert not domain.reviews_own_project(None, 7)  # submitted by no account (the staff)


async def _budget_of(space: Space, phase: Phase = Phase.REVIEW) -> tuple[Budget, list[Project]]:
    budget, projects = await budget_in_voting()
    await Budget.filter(id=budget.id).update(space_id=space.id, phase=phase)
    await Project.filter(budget=budget).update(feasibility=Feasibility.PENDING)
    await budget.refresh_from_db()
    return budget, projects


async def _evaluator_world(settings: Any) -> dict[str, Any]:
    """Two spaces, a budget under review in each; Eva evaluates the first one's."""
    ours = await space_open_with_a_vote()
    theirs = await space_open_with_a_vote(title="Quartiers du port", slug="port")
    mine, projects = await _budget_of(ours)
    other, other_projects = await _budget_of(theirs)
    await Budget.filter(id=other.id).update(title="Budget du port")
    eva = await create_user(settings, "eva@example.org", display_name="Eva Évaluatrice")
    await SpaceRole.create(user=eva, space=ours, role="evaluator")
    return {
        "ours": ours,
        "eva": eva,
        "budget": mine,
        "projects": projects,
        "other": other,
        "other_projects": other_projects,
    }


async def test_an_administrator_gives_and_withdraws_the_evaluator_role_audited(
    app: Any, settings: Any, admin: User, citizen: User
) -> None:
    space = await space_open_with_a_vote()
    page = f"/admin/people/{citizen.id}"
    data = {"space": str(space.id), "space_role": "evaluator", "space_reason": "Services"}
    async with logged_in(app, admin) as c:
        html = (await c.get(page)).text
        assert "Lui confier l’évaluation des projets de budget de la démarche" in html
        response = await post_form(c, f"{page}/spaces", data, page=page)
        assert response.status_code == 303 and response.headers["location"] == page
        html = (await c.get(page)).text
        assert "Évaluation des projets de budget de la démarche · Budget participatif 2027" in html
        again = await post_form(c, f"{page}/spaces", data, page=page)
        assert again.status_code == 422  # the evaluator's form, its own field marked
        assert "déjà ce rôle" in field_error(again.text, "evaluator_space")
        assert 'href="#evaluator_space"' in again.text  # the summary leads to it
        forged = await post_form(c, f"{page}/spaces", {**data, "space": "999999"}, page=page)
        assert "Choisissez une démarche" in field_error(forged.text, "evaluator_space")
        held = await SpaceRole.get(user_id=citizen.id)
        withdrawn = await post_form(c, f"/admin/people/space-roles/{held.id}/withdraw", {}, page)
        assert withdrawn.status_code == 303
        audit_page = (await c.get("/admin/audit")).text
    assert await SpaceRole.filter(user_id=citizen.id).count() == 0
    actions = (
        await AuditLogEntry.filter(target_id=citizen.id)
        .order_by("id")
        .values_list("action", "reason")
    )
    assert actions == [("space_evaluator_granted", "Services"), ("space_evaluator_withdrawn", "")]
    nbsp = "\u00a0"
    assert (
        "évaluateur ou évaluatrice des projets de budget de la démarche "
        f"«{nbsp}Budget participatif 2027{nbsp}»"
    ) in audit_page
    assert "l’évaluation des projets de budget de la démarche" in audit_page


async def test_a_deleted_account_gets_no_evaluator_role(
    app: Any, settings: Any, admin: User, citizen: User
) -> None:
    space = await space_open_with_a_vote()
    await delete_account(citizen)
    data = {"space": str(space.id), "space_role": "evaluator"}
    async with logged_in(app, admin) as c:
        response = await post_form(c, f"/admin/people/{citizen.id}/spaces", data)
    assert response.status_code == 422
    assert await SpaceRole.all().count() == 0


async def test_an_evaluator_reviews_the_projects_of_their_spaces_budget(
    app: Any, settings: Any, citizen: User
) -> None:
    world = await _evaluator_world(settings)
    budget, projects = world["budget"], world["projects"]
    page = f"/evaluation/budgets/{budget.id}"
    async with logged_in(app, world["eva"]) as c:
        home = (await c.get("/")).text
        assert MENU_LINK in home
        listing = (await c.get("/evaluation")).text
        assert f'href="{page}"' in listing and "Budget du port" not in listing
        assert "5 projets attendent leur évaluation" in listing
        html = (await c.get(page)).text
        assert all(p.title in html for p in projects)
        # not feasible without a reason: refused, the field marked, nothing written
        url = f"{page}/projects/{projects[1].id}"
        missing = await post_form(c, url, {"feasibility": "unfeasible"}, page=page)
        assert missing.status_code == 422
        reason_id = f"feasibility_reason-{projects[1].id}"
        assert "Expliquez publiquement" in field_error(missing.text, reason_id)
        assert f'href="#{reason_id}"' in missing.text
        bad_cost = await post_form(
            c, url, {"feasibility": "feasible", "adjusted_cost": "-5"}, page=page
        )
        assert bad_cost.status_code == 422
        assert "nombre entier positif" in field_error(
            bad_cost.text, f"adjusted_cost-{projects[1].id}"
        )
        assert (await Project.get(id=projects[1].id)).feasibility == Feasibility.PENDING
        # then with its reason, and another one feasible at an adjusted cost
        data = {"feasibility": "unfeasible", "feasibility_reason": "Terrain inondable"}
        assert (await post_form(c, url, data, page=page)).status_code == 303
        adjusted = {"feasibility": "feasible", "adjusted_cost": "45000"}
        done = await post_form(c, f"{page}/projects/{projects[0].id}", adjusted, page=page)
        assert done.status_code == 303
        assert done.headers["location"] == f"{page}#project-{projects[0].id}"
        assert "L’analyse est enregistrée" in (await c.get(page)).text
    refused = await Project.get(id=projects[1].id)
    assert (refused.feasibility, refused.feasibility_reason) == (
        Feasibility.UNFEASIBLE,
        "Terrain inondable",
    )
    kept = await Project.get(id=projects[0].id)
    assert (kept.feasibility, kept.adjusted_cost) == (Feasibility.FEASIBLE, 45_000)
    entries = await AuditLogEntry.filter(action="budget_project_review").order_by("id")
    assert [(e.actor_id, e.target_id) for e in entries] == [
        (world["eva"].id, projects[1].id),
        (world["eva"].id, projects[0].id),
    ]
    # shown publicly as the staff's review is
    async with logged_in(app, citizen) as c:
        public = await c.get(f"/budgets/{budget.id}/projects/{projects[1].id}")
        assert "Terrain inondable" in public.text
        assert MENU_LINK not in public.text  # a resident has no evaluation link
        assert (await c.get(page)).status_code == 403


async def test_an_evaluator_reaches_neither_another_space_nor_the_administration(
    app: Any, settings: Any
) -> None:
    world = await _evaluator_world(settings)
    budget, other = world["budget"], world["other"]
    theirs = world["other_projects"][0]
    data = {"feasibility": "feasible"}
    async with logged_in(app, world["eva"]) as c:
        assert (await c.get(f"/evaluation/budgets/{other.id}")).status_code == 403
        mine = f"/evaluation/budgets/{budget.id}"
        response = await post_form(
            c, f"/evaluation/budgets/{other.id}/projects/{theirs.id}", data, mine
        )
        assert response.status_code == 403
        # a project of the other budget named through their own budget: no such project
        forged = await post_form(c, f"{mine}/projects/{theirs.id}", data, page=mine)
        assert forged.status_code == 404
        assert (await post_form(c, f"{mine}/projects/999999", data, page=mine)).status_code == 404
        # the rest of the budgets' administration stays closed
        assert (await c.get(f"/admin/budgets/{budget.id}")).status_code == 403
        review = f"/admin/budgets/{budget.id}/projects/{world['projects'][0].id}"
        assert (await post_form(c, review, data, page=mine)).status_code == 403
        assert (await c.get("/admin")).status_code == 403
        # a budget in preparation of their own space does not exist for them
        await Budget.filter(id=budget.id).update(phase=Phase.PREPARATION)
        assert (await c.get(mine)).status_code == 404
    assert await Project.filter(feasibility=Feasibility.FEASIBLE).count() == 0
    assert not await AuditLogEntry.filter(action="budget_project_review").exists()


async def test_the_evaluation_closes_as_soon_as_the_role_is_withdrawn(
    app: Any, settings: Any, admin: User
) -> None:
    world = await _evaluator_world(settings)
    budget, project = world["budget"], world["projects"][0]
    page = f"/evaluation/budgets/{budget.id}"
    async with logged_in(app, world["eva"]) as c:
        assert (await c.get(page)).status_code == 200
        token_page = page
        held = await SpaceRole.get(user_id=world["eva"].id)
        async with logged_in(app, admin) as staff:
            url = f"/admin/people/space-roles/{held.id}/withdraw"
            assert (await post_form(staff, url, {})).status_code == 303
        # the same session, at its next request
        assert (await c.get(page)).status_code == 403
        assert (await c.get("/evaluation")).status_code == 403
        response = await post_form(
            c, f"{page}/projects/{project.id}", {"feasibility": "feasible"}, page=token_page
        )
        assert response.status_code == 403
        assert MENU_LINK not in (await c.get("/")).text
    assert (await Project.get(id=project.id)).feasibility == Feasibility.PENDING


async def test_once_the_vote_is_open_the_feasibility_is_frozen_and_the_page_says_so(
    app: Any, settings: Any
) -> None:
    world = await _evaluator_world(settings)
    budget, project = world["budget"], world["projects"][0]
    await Budget.filter(id=budget.id).update(phase=Phase.VOTING)
    page = f"/evaluation/budgets/{budget.id}"
    async with logged_in(app, world["eva"]) as c:
        html = (await c.get(page)).text
        assert "Le vote est ouvert\u00a0: la faisabilité des projets est figée" in html
        assert f'action="{page}/projects/{project.id}"' not in html  # no form left
        assert "figée" in (await c.get("/evaluation")).text
        data = {"feasibility": "feasible", "adjusted_cost": "1000"}
        response = await post_form(c, f"{page}/projects/{project.id}", data, page=page)
        assert response.status_code == 409
        assert "la faisabilité des projets est figée" in response.text
        # what is typed is not even read: the frozen review comes first (no field marked)
        data = {"feasibility": "maybe", "adjusted_cost": "-3"}
        response = await post_form(c, f"{page}/projects/{project.id}", data, page=page)
        assert response.status_code == 409 and 'aria-invalid="true"' not in response.text
        assert "la faisabilité des projets est figée" in response.text
    assert (await Project.get(id=project.id)).feasibility == Feasibility.PENDING
    assert not await AuditLogEntry.filter(action="budget_project_review").exists()


async def test_a_review_asks_whether_the_vote_is_open_once_in_the_service(
    app: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The route leaves the check to `project_services.review_project`, which makes it under
    the project's lock: one question (one ballot lookup) per review sent, not two."""
    from budgets import project_services

    world = await _evaluator_world(settings)
    budget, project = world["budget"], world["projects"][0]
    asked: list[int] = []
    closed = project_services.review_closed

    async def counted(checked: Budget) -> bool:
        asked.append(checked.id)
        return await closed(checked)

    monkeypatch.setattr(project_services, "review_closed", counted)
    page = f"/evaluation/budgets/{budget.id}"
    async with logged_in(app, world["eva"]) as c:
        data = {"feasibility": "feasible", "adjusted_cost": ""}
        response = await post_form(c, f"{page}/projects/{project.id}", data, page=page)
        assert response.status_code == 303
        assert len(asked) == 2  # the page the token came from, then the review
        asked.clear()
        data = {"feasibility": "unfeasible", "feasibility_reason": ""}
        response = await post_form(c, f"{page}/projects/{project.id}", data, page=page)
        assert response.status_code == 422  # refused by the service, then the page shown
        assert "Expliquez publiquement" in field_error(
            response.text, f"feasibility_reason-{project.id}"
        )
        assert len(asked) == 2  # the token's page, the review (the page shown again knows)
    assert (await Project.get(id=project.id)).feasibility == Feasibility.FEASIBLE


async def test_a_review_without_the_forms_token_is_refused(app: Any, settings: Any) -> None:
    world = await _evaluator_world(settings)
    budget, project = world["budget"], world["projects"][0]
    async with logged_in(app, world["eva"]) as c:
        response = await c.post(
            f"/evaluation/budgets/{budget.id}/projects/{project.id}",
            data={"feasibility": "feasible", "csrf_token": "forged"},
        )
    assert response.status_code == 403
    assert (await Project.get(id=project.id)).feasibility == Feasibility.PENDING


async def test_the_header_link_leads_to_the_list_of_their_budgets(app: Any, settings: Any) -> None:
    world = await _evaluator_world(settings)
    async with logged_in(app, world["eva"]) as c:
        home = (await c.get("/")).text
        found = re.search(r'<a href="([^"]+)"\s*>Évaluer des projets</a>', home)
        assert found and found.group(1) == "/evaluation"
        listing = await c.get(found.group(1))
        assert listing.status_code == 200 and "Budget participatif 2027" in listing.text


async def test_an_evaluator_is_offered_no_review_of_their_own_project_and_cannot_send_one(
    app: Any, settings: Any
) -> None:
    world = await _evaluator_world(settings)
    budget, projects = world["budget"], world["projects"]
    own = projects[2]
    await Project.filter(id=own.id).update(author_id=world["eva"].id)
    page = f"/evaluation/budgets/{budget.id}"
    async with logged_in(app, world["eva"]) as c:
        html = (await c.get(page)).text
        section = html[html.index(f'id="project-{own.id}"') :].split("</section>")[0]
        assert "Vous avez déposé ce projet" in section and "<form" not in section
        others = html[html.index(f'id="project-{projects[0].id}"') :].split("</section>")[0]
        assert "<form" in others  # the other projects keep their form
        sent = await post_form(
            c, f"{page}/projects/{own.id}", {"feasibility": "feasible"}, page=page
        )
        assert sent.status_code == 403
    assert (await Project.get(id=own.id)).feasibility == Feasibility.PENDING
    assert not await AuditLogEntry.filter(action="budget_project_review").exists()
