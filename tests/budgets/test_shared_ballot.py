"""The ballot page's projects shared by the voters of a district (participation/sharedparts.py,
issue #23): each voter gets their own choices (a vote opened before sealed ballots reads them
back), their district's projects, their token; the page is the one rendered for them alone,
and a request served from the store reads none of the projects."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from budgets.models import BallotKind, Budget
from participation.settings import Settings
from tests.budgets.factories import (
    PERSON,
    SOUTH,
    budget_in_voting,
    signed_in_voters,
    with_ids,
)
from tests.conftest import logged_queries, post_form

NORD_TOO = {**PERSON, "identifier": "VB-004", "birth_date": "1975-01-30"}  # another Nord voter


@pytest.mark.parametrize(
    ("kind", "rule", "ballots"),
    [
        (BallotKind.APPROVAL, {}, [{"project": ["P0", "P3"]}, {"project": ["P1"]}, {}]),
        (
            BallotKind.CUMULATIVE,
            {"points_total": 10, "points_per_project": 5},
            [{"points-P0": "5", "points-P3": "5"}, {"points-P1": "4"}, {"points-P4": "2"}],
        ),
        (
            BallotKind.RANKING,
            {"ranking_length": 3},
            [{"rank-P2": "1", "rank-P0": "2"}, {"rank-P1": "1"}, {"rank-P4": "1", "rank-P3": "2"}],
        ),
    ],
)
async def test_each_voter_gets_their_own_ballot_from_the_shared_projects(
    settings: Settings, app: Any, kind: BallotKind, rule: dict[str, int], ballots: list[Any]
) -> None:
    budget, projects = await budget_in_voting(kind, **rule)
    # a vote opened in clear (before sealed ballots): each voter's choices are shown back
    await Budget.filter(id=budget.id).update(ballot_public_key=None)
    page = f"/budgets/{budget.id}/ballot"
    voters = await signed_in_voters(settings, app, [PERSON, SOUTH, NORD_TOO])
    clients = [client for _, client in voters]
    nord, south, nord_too = clients
    for client, fields in zip(clients, ballots, strict=True):
        if fields:  # the third approval voter has not voted
            data = {**with_ids(fields, projects), "action": "cast"}
            response = await post_form(client, page, data, page=page)
            assert response.status_code == 303, response.text[-1500:]
    orders = [(nord, south, nord_too), (nord_too, nord, south)]
    shared = [[(await c.get(page)).text for c in order] for order in orders]
    assert [key for key in app.state.shared_parts if "ballot" in key]
    with logged_queries() as statements:  # Nord's projects were stored by a Nord voter's request
        assert (await nord_too.get(page)).status_code == 200
    assert not [s for s in statements if 'FROM "budgets_project"' in s], statements
    nord_page, south_page = shared[0][0], shared[0][1]
    assert "Bancs du parc Nord" in nord_page and "Bancs du parc Nord" not in south_page
    app.state.settings = dataclasses.replace(app.state.settings, page_cache_seconds=0)
    alone = [[(await c.get(page)).text for c in order] for order in orders]
    assert shared == alone
    for context, _ in voters:
        await context.__aexit__(None, None, None)
