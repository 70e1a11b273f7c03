"""The demo town has a budget in the voting phase and a closed one with published results."""

from __future__ import annotations

from typing import Any

import httpx

from budgets import demo
from budgets.models import Ballot, Budget, Phase, Project, TallyResult
from participation.demo import DEMO_ACCOUNTS, create_accounts
from participation.settings import Settings
from tests.conftest import post_form


async def test_demo_budgets(app: Any, client: httpx.AsyncClient, settings: Settings) -> None:
    users = await create_accounts(settings)
    for _ in range(2):  # idempotent
        await demo.load(settings, users)
    voting = await Budget.get(title="Budget participatif 2026")
    closed = await Budget.get(title="Budget participatif 2025")
    assert voting.phase == Phase.VOTING and closed.phase == Phase.RESULTS
    assert await Project.filter(budget=voting).count() == 30
    assert await Ballot.filter(budget=closed).count() == 480
    assert await TallyResult.filter(budget=closed).count() == 2  # equal shares and greedy

    results = await client.get(f"/budgets/{closed.id}/results")
    assert results.status_code == 200 and "480 bulletins" in results.text

    # the demo resident is verified and can vote in the open budget
    email, _name, _role, password = DEMO_ACCOUNTS[0]
    login = await post_form(client, "/account/login", {"email": email, "password": password})
    assert login.status_code == 303
    ballot = await client.get(f"/budgets/{voting.id}/ballot")
    assert ballot.status_code == 200 and "Une forêt urbaine" in ballot.text


async def test_the_demo_evaluator_reviews_the_schools_budget(
    app: Any, client: httpx.AsyncClient, settings: Settings
) -> None:
    """The demo's evaluator (issue #18) logs in with its published password and finds the
    budget under review of the budget space, its five projects waiting; nothing else."""
    from participation import demo as town
    from participation.spaces import demo as spaces

    users = await create_accounts(settings)
    await spaces.create_spaces()
    await town._evaluator_role()
    await demo.load(settings, users)
    schools = await Budget.get(title=demo.SCHOOLS_2027)
    assert schools.phase == Phase.REVIEW
    assert schools.space_id == await spaces.space_id(spaces.BUDGET)
    [(email, password)] = [(a[0], a[3]) for a in DEMO_ACCOUNTS if a[0] == town.EVALUATOR]
    login = await post_form(client, "/account/login", {"email": email, "password": password})
    assert login.status_code == 303
    listing = await client.get("/evaluation")
    assert listing.status_code == 200 and "5 projets attendent leur évaluation" in listing.text
    page = await client.get(f"/evaluation/budgets/{schools.id}")
    assert "Végétaliser la cour de l'école Jules-Ferry" in page.text.replace("&#39;", "'")
    assert (await client.get(f"/admin/budgets/{schools.id}")).status_code == 403
