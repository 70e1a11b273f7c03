"""One person, one vote, under concurrency, on the real database."""

from __future__ import annotations

import asyncio
import json

import httpx

from budgets.ballot_services import ballot_context
from budgets.domain import spending_by_envelope
from budgets.models import BallotKind, VoterRegister
from participation.accounts.models import User
from participation.residents import services as residents
from participation.settings import Settings
from tests.budgets.factories import ballots_of, budget_in_voting, resident_at_ballot
from tests.conftest import csrf_token, log_in


async def test_fifty_concurrent_ballots_by_one_voter_leave_exactly_one(
    client: httpx.AsyncClient, settings: Settings, citizen: User
) -> None:
    budget, projects = await resident_at_ballot(client, settings, citizen, BallotKind.KNAPSACK)
    token = await csrf_token(client, f"/budgets/{budget.id}/ballot")
    # 50 different valid ballots at once, each within the budget
    choices = [
        [projects[0].id, projects[1].id],
        [projects[2].id],
        [projects[1].id, projects[3].id],
        [projects[0].id, projects[4].id],
        [projects[2].id, projects[3].id],
    ]

    async def cast(i: int) -> int:
        data = {
            "project": [str(p) for p in choices[i % len(choices)]],
            "action": "cast",
            "csrf_token": token,
        }
        response = await client.post(f"/budgets/{budget.id}/ballot", data=data)
        return response.status_code

    statuses = await asyncio.gather(*(cast(i) for i in range(50)))
    assert set(statuses) == {303}, statuses
    assert await VoterRegister.filter(budget=budget).count() == 1
    ballots = await ballots_of(budget.id)
    assert len(ballots) == 1
    stored = {int(k) for k in json.loads(ballots[0].choices)}
    assert sorted(stored) in [sorted(c) for c in choices]
    context = await ballot_context(budget)
    spent = spending_by_envelope({p: 1 for p in stored}, context.projects)
    assert all(spent.get(env, 0) <= amount for env, amount in context.envelopes.items())


async def test_concurrent_voters_each_get_one_ballot(app: object, settings: Settings) -> None:
    from tests.budgets.factories import CENSUS
    from tests.conftest import create_user

    budget, projects = await budget_in_voting()
    await residents.import_census(settings, CENSUS.encode())
    people = [("VB-001", "1984-03-21"), ("VB-002", "1990-12-01"), ("VB-004", "1975-01-30")]
    clients = []
    for n, (identifier, born) in enumerate(people):
        user = await create_user(settings, f"voter{n}@example.org")
        await residents.verify_residency(settings, user, identifier, born, "44000")
        c = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
            base_url="http://testserver",
        )
        await log_in(c, user)
        clients.append((c, await csrf_token(c, f"/budgets/{budget.id}/ballot")))

    async def cast(c: httpx.AsyncClient, token: str) -> int:
        data = {"project": [str(projects[1].id)], "action": "cast", "csrf_token": token}
        return (await c.post(f"/budgets/{budget.id}/ballot", data=data)).status_code

    statuses = await asyncio.gather(*(cast(c, t) for c, t in clients for _ in range(10)))
    for c, _ in clients:
        await c.aclose()
    assert set(statuses) == {303}
    assert await VoterRegister.filter(budget=budget).count() == 3
    assert len(await ballots_of(budget.id)) == 3
