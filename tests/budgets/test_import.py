"""Staff import a Pabulib file as a closed budget; its results page shows the official outcome
next to the recomputed one. Bad files are refused whole, with the line to fix."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from budgets import pabulib, services
from budgets.jobs import tally_budget
from budgets.models import Ballot, Budget, Phase, Project, TallyResult
from participation.accounts.models import User
from tests.conftest import log_in

PABULIB = Path(__file__).resolve().parents[2].parent / "shared" / "pabulib"

# 3 voters, budget 100: greedy takes A (3 votes, 60), skips B (2 votes, 50), takes C (1, 40)
SMALL = """META
key;value
description;Quartier des Tests 2024
country;France
unit;Testville
instance;2024
num_projects;3
num_votes;3
budget;100
vote_type;approval
rule;greedy
date_end;30.06.2024
PROJECTS
project_id;cost;votes;name;selected
1;60;3;Aire de jeux;1
2;50;2;Piste cyclable;0
3;40;1;Bancs;1
VOTES
voter_id;vote
v1;1,2
v2;1,2,3
v3;1
"""


async def upload(
    client: httpx.AsyncClient, content: bytes, name: str = "test.pb"
) -> httpx.Response:
    page = await client.get("/admin/budgets/import")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    return await client.post(
        "/admin/budgets/import",
        data={"csrf_token": token},
        files={"file": (name, content, "text/plain")},
    )


async def test_an_imported_file_shows_official_and_recomputed_outcomes(
    client: httpx.AsyncClient, admin: User
) -> None:
    await log_in(client, admin)
    response = await upload(client, SMALL.encode())
    assert response.status_code == 303
    budget = await Budget.get(title="Quartier des Tests 2024")
    assert budget.phase == Phase.TALLY and budget.imported_from == "test.pb"
    assert await Project.filter(budget=budget).count() == 3
    assert await Ballot.filter(budget=budget, token__isnull=True).count() == 3

    await tally_budget({}, budget.id)
    assert await TallyResult.filter(budget=budget).count() == 3  # official, greedy, equal shares
    await services.switch_phase(budget.id, Phase.RESULTS, by_user=None)
    page = await client.get(f"/budgets/{budget.id}/results")
    assert page.status_code == 200
    assert "identique au résultat publié par la ville" in page.text
    assert "Aire de jeux" in page.text


async def test_a_malformed_file_is_refused_whole_with_its_line(
    client: httpx.AsyncClient, admin: User
) -> None:
    await log_in(client, admin)
    broken = SMALL.replace("2;50;2;Piste cyclable;0", "2;cinquante;2;Piste cyclable;0")
    response = await upload(client, broken.encode())
    assert response.status_code == 422
    assert "pas un fichier Pabulib valide" in response.text
    assert "ligne 16" in response.text  # the PROJECTS row of project 2
    assert 'aria-invalid="true"' in response.text
    assert await Budget.all().count() == 0 and await Ballot.all().count() == 0

    not_text = await upload(client, b"\xff\xfe\x00garbage")
    assert not_text.status_code == 422 and "UTF-8" in not_text.text


async def test_a_file_with_an_unknown_rule_is_refused_naming_it(
    client: httpx.AsyncClient, admin: User
) -> None:
    await log_in(client, admin)
    response = await upload(client, SMALL.replace("rule;greedy", "rule;phragmen").encode())
    assert response.status_code == 422
    assert "La règle du fichier, phragmen, n’est pas une règle" in response.text
    assert "greedy-no-skip" in response.text and "equalshares/add1" in response.text
    assert 'aria-describedby="file-error"' in response.text
    assert await Budget.all().count() == 0


async def test_only_staff_can_import(client: httpx.AsyncClient, citizen: User) -> None:
    assert (await client.get("/admin/budgets/import")).status_code in (302, 303, 401, 403)
    await log_in(client, citizen)
    assert (await client.get("/admin/budgets/import")).status_code == 403


@pytest.mark.skipif(not PABULIB.is_dir(), reason="../shared/pabulib is not on this machine")
@pytest.mark.parametrize(
    "name",
    [
        "Netherlands_Assen_2024.pb",  # equal shares with add1
        "Poland_Katowice_2022_Zarzecze.pb",  # cumulative, greedy-threshold
        "Poland_Gdynia_2025_Babie_Doly__large.pb",  # greedy-no-skip
    ],
)
async def test_a_real_city_file_recomputes_to_its_published_outcome(
    client: httpx.AsyncClient, admin: User, name: str
) -> None:
    path = PABULIB / name
    await log_in(client, admin)
    assert (await upload(client, path.read_bytes(), path.name)).status_code == 303
    budget = await Budget.get(imported_from=path.name)
    await tally_budget({}, budget.id)
    await services.switch_phase(budget.id, Phase.RESULTS, by_user=None)
    page = await client.get(f"/budgets/{budget.id}/results")
    assert "identique au résultat publié par la ville" in page.text
    # the export names the file's own rule (so `participation tally --rule auto` agrees) and
    # marks the same projects selected (ids are ours; names are the city's)
    exported = pabulib.parse((await client.get(f"/budgets/{budget.id}/ballots.pb")).text)
    original = pabulib.read_with_outcome(path)

    def selected_names(file: pabulib.PabulibFile) -> list[str]:
        chosen = set(file.selected or ())
        return sorted(p.name for p in file.election.projects if p.id in chosen)

    assert exported.rule == original.rule
    assert selected_names(exported) == selected_names(original)
