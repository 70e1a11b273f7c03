"""Staff import a Pabulib file as a closed budget; its results page shows the official outcome
next to the recomputed one. Bad files are refused whole, with the line to fix."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from budgets import services
from budgets.jobs import tally_budget
from budgets.models import Ballot, Budget, Phase, Project, TallyResult
from participation.accounts.models import User
from tally import pabulib
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


async def test_votes_naming_a_project_twice_are_imported_once_with_a_warning(
    client: httpx.AsyncClient, admin: User
) -> None:
    # 22 of the 1,746 files of the public library (Warszawa 2026...): `242928;1379,1379,382`
    await log_in(client, admin)
    repeated = SMALL.replace("v2;1,2,3", "v2;1,1,2,3").replace("v3;1", "v3;1,1")
    response = await upload(client, repeated.encode())
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    assert "2 votes citent un projet plus d&#39;une fois (le premier à la ligne 21)" in page.text
    budget = await Budget.get(title="Quartier des Tests 2024")
    stored = sorted(b.choices for b in await Ballot.filter(budget=budget))
    ids = dict(await Project.filter(budget=budget).values_list("external_id", "id"))
    assert stored == sorted(
        [
            f'{{"{ids["1"]}": 1, "{ids["2"]}": 1}}',
            f'{{"{ids["1"]}": 1, "{ids["2"]}": 1, "{ids["3"]}": 1}}',
            f'{{"{ids["1"]}": 1}}',
        ]
    )


LONG = "p" * 64


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (("2;50;2;", f"{LONG}x;50;2;"), "Ligne 16\u00a0: l’identifiant de projet"),
        # two ids that share their first 64 characters (once cut, they would be one)
        (
            ("1;60;3;Aire de jeux;1\n2;50;2;", f"1;60;3;Aire de jeux;1\n{LONG};50;2;"),
            "Ligne 17\u00a0: l’identifiant de projet",
        ),
        (("2;50;2;", "2;1e308;2;"), "Ligne 16\u00a0: cost 1e308 est trop grand"),
        (("2;50;2;", "2;9223372036854775808;2;"), "Ligne 16\u00a0: cost 9223372036854775808"),
        (("2;50;2;", "2;2^63;2;"), "ligne 16, cost"),
        (("budget;100", "budget;1e30"), "Ligne 9\u00a0: budget 1e30 est trop grand"),
        (
            ("Piste cyclable", "Piste\x00cyclable"),
            "Ligne 16\u00a0: le fichier contient un caractère NUL",
        ),
        (("\n2;50;2;", "\n2\x00;50;2;"), "Ligne 16\u00a0: le fichier contient un caractère NUL"),
        (("des Tests", "des\x00Tests"), "Ligne 3\u00a0: le fichier contient un caractère NUL"),
    ],
)
async def test_values_the_database_cannot_hold_are_refused_naming_their_line(
    client: httpx.AsyncClient, admin: User, change: tuple[str, str], words: str
) -> None:
    await log_in(client, admin)
    broken = SMALL.replace(*change)
    if change[1].startswith("1;60;3"):  # the second id: 64 characters, then 65
        broken = broken.replace("3;40;1;Bancs;1", f"{LONG}x;40;1;Bancs;1")
        broken = broken.replace("v2;1,2,3", f"v2;1,{LONG},{LONG}x").replace("v1;1,2", "v1;1")
    else:
        broken = broken.replace("v2;1,2,3", "v2;1,3").replace("v1;1,2", "v1;1")
        if LONG in change[1]:
            broken = broken.replace("v1;1", f"v1;1,{LONG}x")
    response = await upload(client, broken.encode())
    assert response.status_code == 422, response.text
    assert words in response.text
    assert 'aria-invalid="true"' in response.text
    assert await Budget.all().count() == 0
    assert await Project.all().count() == 0 and await Ballot.all().count() == 0


async def test_points_beyond_the_columns_still_import(
    client: httpx.AsyncClient, admin: User
) -> None:
    # the ballot rule columns are 32-bit: a file's points only describe its ballots there
    await log_in(client, admin)
    cumulative = (
        SMALL.replace("vote_type;approval", "vote_type;cumulative")
        .replace("voter_id;vote", "voter_id;vote;points")
        .replace("v1;1,2", "v1;1,2;3000000000,1")
        .replace("v2;1,2,3", "v2;1,2,3;1,1,1")
        .replace("v3;1", "v3;1;2")
    )
    assert (await upload(client, cumulative.encode())).status_code == 303
    budget = await Budget.get(title="Quartier des Tests 2024")
    assert budget.points_total == 2**31 - 1 and budget.points_per_project == 2**31 - 1
    await tally_budget({}, budget.id)
    assert await TallyResult.filter(budget=budget).count() == 3
