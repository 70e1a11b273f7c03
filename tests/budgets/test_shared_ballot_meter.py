"""The ballot page's meter (the voter's totals per envelope) kept rather than rendered per voter
(issue #23): an empty ballot's meter is kept with the district's shared projects, another
ballot's by its totals; whatever the kind of voter and the order they come in, each page is the
one rendered for them alone, byte for byte. And the voter's own ballot is read in one
statement (`ballot_services.ballot_on_visit`), as the models read it in two."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from budgets import ballot_services
from budgets.models import BallotKind, Budget, BudgetDistrict, Project
from budgets.routes import METER_STORE
from participation.residents.models import CensusEntry
from participation.residents.services import resident_of
from participation.settings import Settings
from tests.budgets.factories import (
    PERSON,
    SOUTH,
    budget_in_voting,
    signed_in_voters,
    verified,
    with_ids,
)
from tests.conftest import create_user, logged_queries, post_form

NORD_TOO = {**PERSON, "identifier": "VB-004", "birth_date": "1975-01-30"}  # other Nord voters
NORD_THREE = {**PERSON, "identifier": "VB-003", "birth_date": "2012-06-15"}
# the district's name is the meter's envelope: written as text, whatever it holds
DISTRICT = "Nord <b>&\"'"


def _pages(
    orders: list[list[int]],
    clients: list[httpx.AsyncClient],
    visit: Callable[[int, httpx.AsyncClient], Awaitable[str]],
) -> Callable[[], Awaitable[list[dict[int, str]]]]:
    async def pages() -> list[dict[int, str]]:
        return [{i: await visit(i, clients[i]) for i in order} for order in orders]

    return pages


@pytest.mark.parametrize("kind", [BallotKind.KNAPSACK, BallotKind.CUMULATIVE])
async def test_every_kind_of_voter_gets_their_own_meter_in_any_order(
    settings: Settings, app: Any, kind: BallotKind
) -> None:
    rule = {"points_total": 10, "points_per_project": 5} if kind == BallotKind.CUMULATIVE else {}
    budget, projects = await budget_in_voting(kind, **rule)
    await Budget.filter(id=budget.id).update(ballot_public_key=None)  # choices read back
    page = f"/budgets/{budget.id}/ballot"
    voters = await signed_in_voters(
        settings, app, prefix="meter", people=[PERSON, NORD_TOO, NORD_THREE, SOUTH]
    )
    await BudgetDistrict.filter(budget_id=budget.id, name="Nord").update(name=DISTRICT)
    await CensusEntry.filter(district="Nord").update(district=DISTRICT)
    clients = [client for _, client in voters]
    chosen = (
        {"project": ["P0", "P3"]}
        if kind == BallotKind.KNAPSACK
        else {"points-P0": "5", "points-P3": "3"}
    )
    # Nord's 0 and 1: the same totals (one meter kept for both); Nord's 2, others; 3, of Sud,
    # has not voted (the empty meter, kept with Sud's projects)
    other = {"project": ["P4"]} if kind == BallotKind.KNAPSACK else {"points-P4": "4"}
    for i, fields in ((0, chosen), (1, chosen), (2, other)):
        data = {**with_ids(fields, projects), "action": "cast"}
        response = await post_form(clients[i], page, data, page=page)
        assert response.status_code == 303, response.text[-1500:]
    # before each visit, 2 sometimes checks a ballot without JavaScript (a draft kept in the
    # session, over the amount: its errors shown), then sees their own
    too_much = (
        {"project": ["P0", "P1", "P2", "P3"]}
        if kind == BallotKind.KNAPSACK
        else {"points-P0": "5", "points-P1": "5", "points-P2": "5"}
    )
    drafts = itertools.cycle([True, False])  # in each round: first a draft, then none

    async def visit(i: int, client: httpx.AsyncClient) -> str:
        if i == 2 and next(drafts):
            data = {**with_ids(too_much, projects), "action": "preview"}
            assert (await post_form(client, page, data, page=page)).status_code == 303
        response = await client.get(page)
        assert response.status_code == 200
        return response.text

    pages = _pages([[0, 1, 2, 3], [3, 2, 1, 0]], clients, visit)
    shared = await pages()
    kept = [key for key in getattr(app.state, METER_STORE, {})]
    assert len(kept) == 2  # Nord's 0 and 1 share theirs, 2 has its own; 3's is the part's
    nord = shared[0][0]
    assert "Nord &lt;b&gt;&amp;&#34;&#39;" in nord and DISTRICT not in nord
    assert "error-list" in shared[0][2] and "error-list" not in shared[0][0]
    with logged_queries() as statements:  # the meter of these totals is kept: no project read
        assert (await clients[1].get(page)).status_code == 200
    assert not [s for s in statements if 'FROM "budgets_project"' in s], statements
    # the session's lookup (with the budget, the residency, the envelopes), then their ballot
    assert len(statements) == 2 and '"budgets_voter_register"' in statements[1], statements
    app.state.settings = dataclasses.replace(app.state.settings, page_cache_seconds=0)
    alone = await pages()
    assert shared == alone
    for context, _ in voters:
        await context.__aexit__(None, None, None)


async def test_a_sealed_ballot_cast_shows_the_empty_meter_with_already_voted(
    settings: Settings, app: Any
) -> None:
    budget, projects = await budget_in_voting(BallotKind.APPROVAL)  # sealed ballots
    page = f"/budgets/{budget.id}/ballot"
    voters = await signed_in_voters(settings, app, prefix="meter", people=[PERSON, NORD_TOO, SOUTH])
    clients = [client for _, client in voters]
    data = {**with_ids({"project": ["P0", "P3"]}, projects), "action": "cast"}
    assert (await post_form(clients[1], page, data, page=page)).status_code == 303

    async def visit(i: int, client: httpx.AsyncClient) -> str:
        return (await client.get(page)).text

    pages = _pages([[1, 0, 2], [0, 2, 1]], clients, visit)
    shared = await pages()
    already = "Vous avez déjà voté"
    assert already in shared[0][1] and already not in shared[0][0]
    assert not getattr(app.state, METER_STORE, {})  # a sealed ballot's meter is the empty one
    app.state.settings = dataclasses.replace(app.state.settings, page_cache_seconds=0)
    assert shared == await pages()
    for context, _ in voters:
        await context.__aexit__(None, None, None)


async def test_the_ballot_read_on_a_visit_is_what_the_models_read(
    settings: Settings, app: Any
) -> None:
    budget, projects = await budget_in_voting(BallotKind.CUMULATIVE, points_total=10)
    people = [PERSON, NORD_TOO, SOUTH]
    entries = []
    for n, person in enumerate(people):
        user = await create_user(settings, f"read{n}@example.org")
        await verified(settings, user, person)
        _, residency = await resident_of(user)
        assert residency is not None
        entries.append(residency.census_entry_id)
    # 0: a clear ballot (before sealed ballots); 1: a sealed one; 2: none
    await ballot_services.cast_ballot(
        settings, budget.id, entries[1], _voter(), {projects[0].id: 3}
    )
    await Budget.filter(id=budget.id).update(ballot_public_key=None)
    await ballot_services.cast_ballot(
        settings, budget.id, entries[0], _voter(), {projects[0].id: 4, projects[3].id: 2}
    )
    for entry in entries:
        choices = await ballot_services.current_choices(settings, budget.id, entry)
        voted = bool(choices) or await ballot_services.has_voted(budget.id, entry)
        assert await ballot_services.ballot_on_visit(settings, budget.id, entry) == (
            choices,
            voted,
        )
    read = [await ballot_services.ballot_on_visit(settings, budget.id, e) for e in entries]
    assert read == [({projects[0].id: 4, projects[3].id: 2}, True), (None, True), (None, False)]
    assert await Project.filter(budget_id=budget.id).count() == 5


def _voter() -> Any:
    from budgets import domain

    return domain.Voter(True, None, "Nord")
