"""Ranking ballots: a budget run here turns ranks into points (`n − rank + 1`), says so on the
ballot and results pages, and exports it (`scoring_fn`); Pabulib files whose city counted
every ranked project as one vote (Kraków) keep that count (issue #15)."""

from __future__ import annotations

import json
from dataclasses import replace

import httpx
import pytest

from budgets import ballot_services, domain, services, tallying
from budgets.jobs import tally_budget
from budgets.models import BallotKind as StoredKind
from budgets.models import Budget, Phase, TallyResult
from budgets.models import Project as StoredProject
from participation.accounts.models import User
from participation.residents import services as residents
from participation.settings import Settings
from tally import pabulib, tally
from tally.election import Ballot, Election, ElectionError, Project, VoteType
from tests.budgets.factories import CENSUS, budget_in_voting, open_and_count, verified
from tests.conftest import log_in
from tests.tally.test_pabulib import SAMPLE

# 70 to spend; a (50) is ranked first twice, b (40) is ranked by three voters, last twice
PROJECTS = (Project("a", 50), Project("b", 40), Project("c", 30))
RANKINGS = [("a", "c", "b"), ("a", "c", "b"), ("b",)]


def _ranking(rank_points: tuple[int, ...] | None) -> Election:
    return Election(
        projects=PROJECTS,
        ballots=tuple(Ballot(str(n), r) for n, r in enumerate(RANKINGS)),
        budget=70,
        kind=VoteType.ORDINAL,
        rank_points=rank_points,
    )


def test_rank_points_change_the_winner() -> None:
    # counted as approvals: b 3, a 2, c 2 -> b (40) then c (30); with 3,2,1 points: a 6, b 5,
    # c 4 -> a (50), and neither b nor c fits what is left (20)
    assert tally(_ranking(None), "greedy").selected == ("b", "c")
    borda = tally(_ranking((3, 2, 1)), "greedy")
    assert borda.selected == ("a",)
    assert [(e.project_id, e.score) for e in borda.explanations] == [
        ("a", 6),
        ("b", 5),
        ("c", 4),
    ]
    # equal shares pays with the supporters' money (rankings are support); points set the
    # tie order and the scores it reports
    shares = tally(_ranking((3, 2, 1)), "equal-shares", completion="none")
    assert shares.explanation("a").score == 6


def test_negative_rank_points_are_refused() -> None:
    with pytest.raises(ElectionError, match="negative points"):
        tally(_ranking((1, -1)), "greedy")


def test_scoring_fn_reads_and_writes_rank_points() -> None:
    ordinal = SAMPLE.replace("approval", "ordinal")
    assert pabulib.loads(ordinal).rank_points is None  # Kraków: every rank counts 1
    points = pabulib.loads(ordinal.replace("rule;greedy", "rule;greedy\nscoring_fn;3,2,1"))
    assert points.rank_points == (3, 2, 1)
    borda = ordinal.replace("rule;greedy", "rule;greedy\nscoring_fn;Borda\nmax_length;2")
    assert pabulib.loads(borda).rank_points == (2, 1)
    text = pabulib.write(_ranking((3, 2, 1)))
    assert "scoring_fn;3,2,1\n" in text and "project_id;cost;score;" in text
    assert pabulib.loads(text).rank_points == (3, 2, 1)
    assert "scoring_fn" not in pabulib.write(_ranking(None))
    with pytest.raises(pabulib.PabulibError) as caught:
        pabulib.loads(ordinal.replace("rule;greedy", "rule;greedy\nscoring_fn;exp(-rank)"))
    assert (caught.value.line, caught.value.field) == (7, "scoring_fn")


async def _ranking_budget(settings: Settings) -> tuple[Budget, dict[str, StoredProject]]:
    """The factory budget as a ranking of 3; the city-wide envelope has 70,000 €: Skatepark
    (50,000) is ranked first twice, Jardin partagé (40,000) by three voters, last twice."""
    budget, projects = await budget_in_voting(StoredKind.RANKING, ranking_length=3)
    by_title = {p.title: p for p in projects}
    await residents.import_census(settings, CENSUS.encode())
    rankings = {
        "VB-001": ["Skatepark", "Piste cyclable", "Jardin partagé"],
        "VB-002": ["Skatepark", "Piste cyclable", "Jardin partagé"],
        "VB-004": ["Jardin partagé"],
    }
    born = {"VB-001": "1984-03-21", "VB-002": "1990-12-01", "VB-004": "1975-01-30"}
    for identifier, titles in rankings.items():
        entry, birth = await residents.find_census_entry(
            settings, identifier, born[identifier], "44000"
        )
        voter = domain.Voter(True, birth, entry.district)
        choices = {by_title[t].id: rank for rank, t in enumerate(titles, start=1)}
        await ballot_services.cast_ballot(settings, budget.id, entry, voter, choices)
    return budget, by_title


async def test_a_ranking_budget_is_tallied_with_points_and_says_so(
    client: httpx.AsyncClient, settings: Settings, citizen: User
) -> None:
    budget, projects = await _ranking_budget(settings)
    await verified(settings, citizen)
    await log_in(client, citizen)
    ballot = await client.get(f"/budgets/{budget.id}/ballot")
    assert "votre rang 1 reçoit 3 points" in ballot.text

    await open_and_count(budget.id)  # the trustee's share opens the sealed ballots and counts
    stored = (await TallyResult.get(budget=budget, rule="greedy", is_official=False)).outcome
    names = {p.id: title for title, p in projects.items()}
    city = tallying.compute_outcome(await tallying.load_input(budget), "greedy")
    assert city["rank_points"] == [3, 2, 1]
    assert stored == json.dumps(city)
    assert [names[i] for i in city["envelopes"][0]["selected"]] == ["Skatepark"]
    # the same ballots counted as approvals would fund Jardin partagé and Piste cyclable
    data = replace(await tallying.load_input(budget), rank_points=None)
    approvals = tallying.compute_outcome(data, "greedy")
    assert [names[i] for i in approvals["envelopes"][0]["selected"]] == [
        "Jardin partagé",
        "Piste cyclable",
    ]

    await services.switch_phase(budget.id, Phase.RESULTS, by_user=None)
    page = await client.get(f"/budgets/{budget.id}/results")
    assert "Les rangs sont devenus des points, à partir du rang 1\u00a0: 3, 2, 1." in page.text
    exported = (await client.get(f"/budgets/{budget.id}/ballots.pb")).text
    assert "scoring_fn;3,2,1" in exported
    file = pabulib.parse(exported)
    assert tally(file.election, "greedy").selected == file.selected
    assert [p.name for p in file.election.projects if p.id in (file.selected or ())] == [
        "Skatepark"
    ]


KRAKOW = """META
key;value
description;Kraków-like ranking
budget;70
vote_type;ordinal
rule;greedy
PROJECTS
project_id;cost;votes;name;selected
a;50;2;A;0
b;40;3;B;1
c;30;2;C;1
VOTES
voter_id;vote
1;a,c,b
2;a,c,b
3;b
"""


async def test_an_imported_ranking_keeps_the_citys_count(
    client: httpx.AsyncClient, admin: User
) -> None:
    from tests.budgets.test_import import upload

    await log_in(client, admin)
    assert (await upload(client, KRAKOW.encode(), "krakow.pb")).status_code == 303
    budget = await Budget.get(imported_from="krakow.pb")
    await tally_budget({}, budget.id)
    await services.switch_phase(budget.id, Phase.RESULTS, by_user=None)
    page = await client.get(f"/budgets/{budget.id}/results")
    assert "identique au résultat publié par la ville" in page.text
    assert "chaque projet classé compte une voix, quel que soit son rang" in page.text
