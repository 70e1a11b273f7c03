"""What the route walkers need to know about the budgets' routes (tests/security/walks.py):
who may use each route, valid and wrong data for each POST (budgets in submission and in review
are made by the steps that need them), the forms no page of the world shows, the CSV exports
and the texts they show, the pages axe audits. The world's budgets (one in voting with the
owner's ballot, one in preparation, one in each other phase) are made by
tests/security/world.py."""

# ruff: noqa: E501  (the matrix is a table: one route per line)
from __future__ import annotations

from datetime import timedelta
from typing import Any

from tortoise import timezone

from budgets.models import Budget, BudgetCategory, BudgetDistrict, Phase, Project
from participation.people.models import SpaceRole
from participation.settings import Settings
from participation.spaces.models import Space
from tests.budgets.factories import CENSUS, SHARES, budget_in_voting
from tests.budgets.test_admin import BUDGET_FORM as ADMIN_BUDGET_FORM
from tests.budgets.test_import import SMALL
from tests.security.walks import (
    DENIED,
    DONE,
    FORM,
    HIDDEN,
    LOGIN,
    MISSING,
    PAGE,
    REFUSED,
    Ctx,
    Data,
    Step,
    Walks,
    ids_with,
)
from tests.security.world import World

# fmt: off
# [preparation] a budget staff are preparing
MATRIX = {
    # route [restricted object]: (anonymous, owner, other, moderator, agent, admin, evaluator)
    "GET /budgets":                                                               (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /budgets/{budget_id}":                                                   (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /budgets/{budget_id} [preparation]":                                     (HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  PAGE,    HIDDEN),
    "GET /budgets/{budget_id}/projects/new":                                      (LOGIN,   PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /budgets/{budget_id}/projects/new [preparation]":                        (LOGIN,   HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  PAGE,    HIDDEN),
    "GET /budgets/{budget_id}/projects/{project_id}":                             (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /budgets/{budget_id}/projects/{project_id} [preparation]":               (HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN),
    "GET /budgets/{budget_id}/ballot":                                            (LOGIN,   PAGE,    DENIED,  DENIED,  DENIED,  DENIED,  DENIED),
    "GET /budgets/{budget_id}/ballot [preparation]":                              (LOGIN,   HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  DENIED,  HIDDEN),
    "GET /budgets/{budget_id}/ballot/receipt":                                    (LOGIN,   DONE,    DONE,    DONE,    DONE,    DONE,    DONE),
    "GET /budgets/{budget_id}/ballot/receipt [preparation]":                      (LOGIN,   HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  DONE,    HIDDEN),
    "GET /budgets/{budget_id}/receipt-check":                                     (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /budgets/{budget_id}/receipt-check [preparation]":                       (HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  PAGE,    HIDDEN),
    "GET /budgets/{budget_id}/results":                                           (HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  PAGE,    HIDDEN),
    "GET /budgets/{budget_id}/results [preparation]":                             (HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  PAGE,    HIDDEN),
    "GET /budgets/{budget_id}/results.csv":                                       (HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN),
    "GET /budgets/{budget_id}/results.csv [preparation]":                         (HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN),
    "GET /budgets/{budget_id}/results.pdf":                                       (HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN),
    "GET /budgets/{budget_id}/results.pdf [preparation]":                         (HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN),
    "GET /admin/budgets/{budget_id}/ballot.pdf":                                  (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "GET /admin/budgets/{budget_id}/ballot.pdf [preparation]":                    (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "GET /budgets/{budget_id}/ballots.pb":                                        (HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN),
    "GET /budgets/{budget_id}/ballots.pb [preparation]":                          (HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN),
    "GET /account/residency":                                                     (LOGIN,   PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /admin/budgets/new":                                                     (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "GET /admin/budgets/import":                                                  (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "GET /admin/budgets/{budget_id}":                                             (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "GET /admin/budgets/{budget_id} [preparation]":                               (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "GET /admin/budgets/{budget_id}/edit":                                        (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "GET /admin/budgets/{budget_id}/edit [preparation]":                          (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "GET /admin/budgets/{budget_id}/projects/{project_id}/edit":                  (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "GET /admin/budgets/{budget_id}/projects/{project_id}/edit [preparation]":    (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  HIDDEN,  DENIED),
    "GET /admin/budgets/paper-ballots":                                           (LOGIN,   DENIED,  DENIED,  DENIED,  PAGE,    PAGE,    DENIED),
    "GET /admin/budgets/{budget_id}/paper-ballot":                                (LOGIN,   DENIED,  DENIED,  DENIED,  PAGE,    PAGE,    DENIED),
    "GET /admin/budgets/{budget_id}/paper-ballot [preparation]":                  (LOGIN,   DENIED,  DENIED,  DENIED,  HIDDEN,  PAGE,    DENIED),
    "POST /budgets/{budget_id}/projects/new":                                     (LOGIN,   FORM,    FORM,    FORM,    FORM,    FORM,    FORM),
    "POST /budgets/{budget_id}/projects/new [preparation]":                       (LOGIN,   HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  FORM,    HIDDEN),
    "POST /budgets/{budget_id}/ballot":                                           (LOGIN,   DONE,    DENIED,  DENIED,  DENIED,  DENIED,  DENIED),
    "POST /budgets/{budget_id}/ballot [preparation]":                             (LOGIN,   HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  DENIED,  HIDDEN),
    "POST /account/residency":                                                    (LOGIN,   PAGE,    FORM,    FORM,    FORM,    FORM,    FORM),
    "POST /admin/budgets/new":                                                    (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "POST /admin/budgets/import":                                                 (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "POST /admin/budgets/{budget_id}/edit":                                       (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "POST /admin/budgets/{budget_id}/edit [preparation]":                         (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "POST /admin/budgets/{budget_id}/projects/{project_id}/edit":                 (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "POST /admin/budgets/{budget_id}/projects/{project_id}/edit [preparation]":   (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  HIDDEN,  DENIED),
    "POST /admin/budgets/{budget_id}/phase":                                      (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  DONE,    DENIED),
    "POST /admin/budgets/{budget_id}/phase [preparation]":                        (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  DONE,    DENIED),
    # the projects table's row (issue #22): its form (a page without htmx), and the row as shown
    "GET /admin/budgets/{budget_id}/projects/{project_id}":                       (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  PAGE,    DENIED),
    "GET /admin/budgets/{budget_id}/projects/{project_id} [preparation]":         (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  HIDDEN,  DENIED),
    "POST /admin/budgets/{budget_id}/projects/{project_id}":                      (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "POST /admin/budgets/{budget_id}/projects/{project_id} [preparation]":        (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  HIDDEN,  DENIED),
    "GET /admin/budgets/{budget_id}/projects/{project_id}/row":                   (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  DONE,    DENIED),
    "GET /admin/budgets/{budget_id}/projects/{project_id}/row [preparation]":     (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  HIDDEN,  DENIED),
    "POST /admin/budgets/{budget_id}/tally":                                      (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  DONE,    DENIED),
    "POST /admin/budgets/{budget_id}/tally [preparation]":                        (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  DONE,    DENIED),
    "POST /admin/budgets/{budget_id}/paper-ballot":                               (LOGIN,   DENIED,  DENIED,  DENIED,  FORM,    FORM,    DENIED),
    "POST /admin/budgets/{budget_id}/paper-ballot [preparation]":                 (LOGIN,   DENIED,  DENIED,  DENIED,  HIDDEN,  FORM,    DENIED),
    "POST /admin/budgets/{budget_id}/paper-ballot/person":                        (LOGIN,   DENIED,  DENIED,  DENIED,  FORM,    FORM,    DENIED),
    "POST /admin/budgets/{budget_id}/paper-ballot/person [preparation]":          (LOGIN,   DENIED,  DENIED,  DENIED,  HIDDEN,  FORM,    DENIED),
    "GET /admin/budgets/{budget_id}/paper-ballot/choices":                        (LOGIN,   DENIED,  DENIED,  DENIED,  DONE,    DONE,    DENIED),
    "GET /admin/budgets/{budget_id}/paper-ballot/choices [preparation]":          (LOGIN,   DENIED,  DENIED,  DENIED,  HIDDEN,  DONE,    DENIED),
    "POST /admin/budgets/{budget_id}/paper-ballot/choices":                       (LOGIN,   DENIED,  DENIED,  DENIED,  DONE,    DONE,    DENIED),
    "POST /admin/budgets/{budget_id}/paper-ballot/choices [preparation]":         (LOGIN,   DENIED,  DENIED,  DENIED,  HIDDEN,  DONE,    DENIED),
    "GET /admin/budgets/{budget_id}/paper-ballot/receipt":                        (LOGIN,   DENIED,  DENIED,  DENIED,  DONE,    DONE,    DENIED),
    "GET /admin/budgets/{budget_id}/paper-ballot/receipt [preparation]":          (LOGIN,   DENIED,  DENIED,  DENIED,  HIDDEN,  DONE,    DENIED),
    "POST /admin/budgets/{budget_id}/key":                                        (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "POST /admin/budgets/{budget_id}/key [preparation]":                          (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "POST /admin/budgets/{budget_id}/key-share":                                  (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  DONE,    DENIED),
    "POST /admin/budgets/{budget_id}/key-share [preparation]":                    (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  DONE,    DENIED),
    "POST /admin/budgets/{budget_id}/shares":                                     (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    "POST /admin/budgets/{budget_id}/shares [preparation]":                       (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  FORM,    DENIED),
    # the evaluators of a space's budget projects (issue #18): the world's evaluator evaluates
    # the space where `_seed` puts the world's budgets; the one in voting has its review frozen
    # (409), the one in preparation does not exist for them
    "GET /evaluation":                                                            (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  DENIED,  PAGE),
    "GET /evaluation/budgets/{budget_id}":                                        (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  DENIED,  PAGE),
    "GET /evaluation/budgets/{budget_id} [preparation]":                          (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  DENIED,  HIDDEN),
    "POST /evaluation/budgets/{budget_id}/projects/{project_id}":                 (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  DENIED,  REFUSED),
    "POST /evaluation/budgets/{budget_id}/projects/{project_id} [preparation]": (LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  DENIED,  HIDDEN),
    # route [restricted object]: (anonymous, owner, other, moderator, agent, admin, evaluator)
    "GET /budgets/{budget_id}/map":                                               (PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE,    PAGE),
    "GET /budgets/{budget_id}/map [preparation]":                                 (HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  PAGE,    HIDDEN),
}
# fmt: on

# the staff budget form of tests/budgets, as an approval budget with one district and category
BUDGET_FORM = {
    **ADMIN_BUDGET_FORM,
    "description": "<p>Vos idées</p>",
    "districts": "Nord: 50000",
    "categories": "Nature",
    "ballot_kind": "approval",
    "winner_rule": "greedy",
}


async def _budget_in(phase: Phase, title: str) -> tuple[Budget, list[Any]]:
    """A budget with five projects, put in `phase` (its rules do not matter here)."""
    budget, projects = await budget_in_voting()
    await Budget.filter(id=budget.id).update(title=title, phase=phase, phase_changed_at=None)
    return budget, projects


async def _in_submission(ctx: Ctx) -> Data:
    submission, _ = await _budget_in(Phase.SUBMISSION, "Budget en dépôt")
    return {**ctx.world.ids, "budget_id": submission.id}


async def _in_review(ctx: Ctx) -> Data:
    review, in_review = await _budget_in(Phase.REVIEW, "Budget en étude")
    return {**ctx.world.ids, "budget_id": review.id, "project_id": in_review[0].id}


async def _evaluated(ctx: Ctx) -> Data:
    """A budget under review in the world's space, whose projects the world's *other* person
    evaluates (the role given here: issue #18)."""
    review, in_review = await _budget_in(Phase.REVIEW, "Budget évalué")
    await Budget.filter(id=review.id).update(space_id=ctx.world.ids["space_id"])
    await SpaceRole.get_or_create(
        user_id=ctx.world.other.id, space_id=ctx.world.ids["space_id"], role="evaluator"
    )
    return {**ctx.world.ids, "budget_id": review.id, "project_id": in_review[0].id}


async def _seed(settings: Settings, world: World) -> None:
    """A space of its own for the world's budgets (in voting, in preparation), whose budget
    projects the world's evaluator evaluates (issue #18). Not the world's space: a space that
    holds a budget cannot be deleted (409), and the walks delete that one."""
    now = timezone.now()
    space = await Space.create(
        title="Budget évalué",
        slug="budget-evalue",
        starts_at=now - timedelta(days=10),
        ends_at=now + timedelta(days=50),
        published=True,
    )
    budgets = [world.ids["budget_id"], world.hidden["budget_in_preparation"]]
    await Budget.filter(id__in=budgets).update(space_id=space.id)
    await SpaceRole.create(user=world.evaluator, space_id=space.id, role="evaluator")


async def _ballot(ctx: Ctx) -> Data:
    return {"project": [str(ctx.world.ids["project_id"])]}


async def _preview(ctx: Ctx) -> Data:
    return {**await _ballot(ctx), "action": "preview"}


async def _paper_identity(ctx: Ctx) -> Data:
    return {"identifier": "VB-004", "birth_date": "1975-01-30", "postcode": "44000"}


async def _paper_person(ctx: Ctx) -> Data:
    return {"person": str(ctx.world.other.id)}


async def _paper_preview(ctx: Ctx) -> Data:
    return {**await _paper_ballot(ctx), "action": "preview"}


async def _paper_ballot(ctx: Ctx) -> Data:
    return {"project": [str(ctx.world.ids["project_id"])]}


async def _ceremony(ctx: Ctx) -> Data:
    return {"trustee": [str(ctx.world.admin.id)], "threshold": "1"}


async def _tally_budget(ctx: Ctx) -> Data:
    return {**ctx.world.ids, "budget_id": ctx.world.phases["budget_id"]["tally"]}


async def _tally_share(ctx: Ctx) -> Data:
    return {"share": SHARES[ctx.world.phases["budget_id"]["tally"]][0]}


async def _rename(model: Any, start: str, formula: str) -> None:
    """Names unique per row (UNIQUE constraints), each starting like a formula."""
    for row_id in await model.all().values_list("id", flat=True):
        await model.filter(id=row_id).update(name=f"{start}{formula[:80]}{row_id}")


async def _formulas(settings: Settings, world: World, formula: str) -> None:
    await Budget.all().update(title=formula, description="<p>" + formula + "</p>")
    await Project.all().update(title="+" + formula)
    await _rename(BudgetDistrict, "-", formula)
    await _rename(BudgetCategory, "@", formula)


WALKS = Walks(
    seed=_seed,
    matrix=MATRIX,
    steps=[
        Step("budgets:ballot", "owner", _preview),  # "Check my ballot" without JavaScript
        Step("budgets:ballot", "owner", _ballot),
        Step(
            "budgets:residency",
            "other",
            {"identifier": "VB-002", "birth_date": "1990-12-01", "postcode": "44000"},
        ),
        Step(
            "budgets:new_project",
            "owner",
            {"title": "Un jardin", "description": "<p>Des arbres</p>", "cost": "9000"},
            ids=_in_submission,
        ),
        Step("budgets:admin_new", "admin", BUDGET_FORM),
        Step(
            "budgets:admin_edit",
            "admin",
            BUDGET_FORM,
            ids=ids_with(budget_id="budget_in_preparation"),
        ),
        Step(
            "budgets:admin_edit_project",
            "admin",
            {"title": "Jardin partagé", "description": "<p>Détails</p>", "reason": "Coquille."},
        ),
        # the key ceremony (the admin is the one trustee), then the trustee takes their share
        Step(
            "budgets:admin_key",
            "admin",
            _ceremony,
            ids=ids_with(budget_id="budget_in_preparation"),
        ),
        Step("budgets:admin_key_share", "admin", ids=ids_with(budget_id="budget_in_preparation")),
        # the count: a trustee's share for the budget whose vote is closed
        Step("budgets:admin_shares", "admin", _tally_share, ids=_tally_budget),
        # the desk: the resident at the first screen, the choices (checked, then recorded) at
        # the next
        Step("budgets:admin_paper_ballot", "agent", _paper_identity),
        # or by their record (issue #19): the other person, verified by the census just above;
        # the choices below are then theirs
        Step("budgets:admin_paper_person", "agent", _paper_person),
        Step("budgets:admin_paper_choices", "agent", _paper_preview),
        Step("budgets:admin_paper_choices", "agent", _paper_ballot),
        Step("residents:census", "admin", files={"file": ("census.csv", CENSUS.encode())}),
        Step("budgets:admin_import", "admin", files={"file": ("test.pb", SMALL.encode())}),
        Step("budgets:admin_phase", "admin", {"phase": "tally"}),
        Step("budgets:admin_tally", "admin"),
        Step(
            "budgets:admin_project",
            "admin",
            {
                "title": "Jardin partagé",
                "cost": "40000",
                "district_id": "",
                "feasibility": "feasible",
                "feasibility_reason": "",
                "adjusted_cost": "",
                "version": "1",
            },
            ids=_in_review,
        ),
        Step(
            "budgets:evaluate_project",
            "other",
            {"feasibility": "unfeasible", "feasibility_reason": "Terrain inondable"},
            ids=_evaluated,
        ),
    ],
    refused=[
        Step(
            "budgets:residency", "other", {"identifier": "", "birth_date": "hier", "postcode": ""}
        ),
        Step("budgets:admin_new", "admin", {**BUDGET_FORM, "title": " "}),
        Step(
            "budgets:evaluate_project",
            "other",
            {"feasibility": "unfeasible", "feasibility_reason": " "},
            ids=_evaluated,
        ),
    ],
    # a secret shown once answers its POST itself, never cached: a redirect would have to carry
    # it in the session cookie (signed, not encrypted)
    shown_once=frozenset({"budgets:admin_key_share"}),
    no_form_in_the_world={
        # a trustee's share form (the world's trustees have no account) and the desk's second
        # screen (after a resident is checked in at the first)
        "POST /admin/budgets/{budget_id:id}/key-share": ("share",),
        "POST /admin/budgets/{budget_id:id}/paper-ballot/choices": ("project", "action"),
        # the desk's check-in by record: one button per person found by a search
        "POST /admin/budgets/{budget_id:id}/paper-ballot/person": ("person",),
        # the evaluators' form: nobody of the world evaluates its space's budgets
        "POST /evaluation/budgets/{budget_id:id}/projects/{project_id:id}": (
            "feasibility",
            "feasibility_reason",
            "adjusted_cost",
        ),
    },
    formulas=_formulas,
    csv_exports=frozenset({"GET /budgets/{budget_id:id}/results.csv"}),
    not_found=(
        f"/budgets/{MISSING}",
        f"/budgets/{MISSING}/results.csv",
        f"/budgets/{MISSING}/results.pdf",
        f"/admin/budgets/{MISSING}/ballot.pdf",
    ),
    audited={
        "budgets:index": "browser/test_resident_journey",
        "budgets:detail": "browser/test_resident_journey",
        "budgets:map": "proposals/test_map_browser",
        "budgets:new_project": "browser/test_every_page",
        "budgets:project": "browser/test_every_page",
        "budgets:ballot": "browser/test_resident_journey",
        "budgets:receipt": "browser/test_resident_journey",
        "budgets:receipt_check": "browser/test_every_page",
        "budgets:results": "browser/test_resident_journey",
        "budgets:residency": "browser/test_resident_journey",
        "budgets:admin": "browser/test_admin_journey",
        "budgets:admin_new": "browser/test_every_page",
        "budgets:admin_edit": "browser/test_every_page",
        "budgets:admin_edit_project": "browser/test_every_page",
        "budgets:admin_project": "browser/test_project_table",
        "budgets:admin_import": "browser/test_every_page",
        "budgets:admin_paper_ballot": "browser/test_every_page",
        "budgets:paper_desks": "browser/test_every_page",
        "budgets:admin_paper_choices": "browser/test_every_page",
        "budgets:admin_paper_receipt": "browser/test_every_page",
        "budgets:evaluation": "budgets/test_browser",
        "budgets:evaluate": "budgets/test_browser",
    },
    exempt={
        "budgets:admin_project_row": "a table row for htmx (its page without htmx is the budget's staff page, audited with the row)",
        "budgets:results_csv": "CSV download (its content is the results page's table)",
        "budgets:pabulib": "Pabulib data file download",
        "budgets:results_pdf": "PDF to print (the results page's content; tests/budgets/test_print.py)",
        "budgets:admin_ballot_pdf": "PDF to print for staff (tests/budgets/test_print.py reads it)",
    },
    menu_words={
        "budgets:index": "Budgets participatifs",
        "budgets:admin_new": "Créer un budget",
        "budgets:admin_import": "Importer un fichier Pabulib",
        "budgets:paper_desks": "Bulletins papier",
        "budgets:evaluation": "Évaluer des projets",
    },
)
