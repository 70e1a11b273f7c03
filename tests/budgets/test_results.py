"""After the vote: the background tally, publication, the public results page, the downloads
and the receipt check; a Pabulib file exported from a closed budget re-tallies the same."""

from __future__ import annotations

import csv
import io
import json
import re

import httpx

import tally
from budgets import ballot_services, domain, services, tallying
from budgets.jobs import sweep_tallies, tally_budget
from budgets.models import Budget, Phase, Project, TallyResult, WinnerRule
from participation import licence
from participation.accounts.models import User
from participation.outbox import JobState, OutboxJob
from participation.residents import services as residents
from participation.settings import Settings
from tally import pabulib
from tests.budgets.factories import CENSUS, budget_in_voting, open_and_count
from tests.conftest import log_in, post_form

# census row -> projects chosen (titles); VB-002 lives in Sud, the others in Nord
CHOICES = {
    "VB-001": ["Jardin partagé", "Skatepark", "Bancs du parc Nord"],
    "VB-002": ["Skatepark", "Piste cyclable"],
    "VB-003": ["Skatepark", "Fontaine"],
    "VB-004": ["Jardin partagé", "Skatepark", "Fontaine"],
}
BIRTH = {"VB-001": "1984-03-21", "VB-002": "1990-12-01", "VB-003": "2012-06-15"}


async def closed_budget(
    settings: Settings, winner: WinnerRule = WinnerRule.GREEDY
) -> tuple[Budget, dict[str, Project], dict[str, str]]:
    """The factory budget after four residents voted; returns it, projects by title, receipts."""
    budget, projects = await budget_in_voting(winner=winner)
    by_title = {p.title: p for p in projects}
    await residents.import_census(settings, CENSUS.encode())
    receipts = {}
    for identifier, titles in CHOICES.items():
        entry, born = await residents.find_census_entry(
            settings, identifier, BIRTH.get(identifier, "1975-01-30"), "44000"
        )
        voter = domain.Voter(True, born, entry.district)
        receipts[identifier] = await ballot_services.cast_ballot(
            settings, budget.id, entry, voter, {by_title[t].id: 1 for t in titles}
        )
    await open_and_count(budget.id)  # closes the vote; the trustees open and count
    return await Budget.get(id=budget.id), by_title, receipts


async def published_budget(
    settings: Settings,
) -> tuple[Budget, dict[str, Project], dict[str, str]]:
    """Scenario: `closed_budget`, counted, its results published."""
    budget, projects, receipts = await closed_budget(settings)
    await tally_budget({}, budget.id)
    await services.switch_phase(budget.id, Phase.RESULTS, by_user=None)
    return budget, projects, receipts


def titles_of(outcome: dict, projects: dict[str, Project]) -> set[str]:
    names = {p.id: title for title, p in projects.items()}
    return {names[pid] for envelope in outcome["envelopes"] for pid in envelope["selected"]}


async def test_the_tally_job_stores_both_rules_and_is_idempotent(
    app: object, settings: Settings
) -> None:
    budget, projects, _ = await closed_budget(settings)
    await TallyResult.filter(budget=budget).delete()  # as if the count had not run yet
    assert await tally_budget({}, budget.id) == "stored"
    stored = {r.rule: r for r in await TallyResult.filter(budget=budget)}
    assert set(stored) == {"greedy", "equal-shares"}
    greedy = json.loads(stored["greedy"].outcome)
    # city-wide 70,000 €: Skatepark (4 votes, 50,000 €) leaves 20,000 €: Jardin and Piste
    # do not fit; Nord 30,000 €: Fontaine (2 votes) then Bancs (1 vote)
    assert titles_of(greedy, projects) == {"Skatepark", "Fontaine", "Bancs du parc Nord"}
    city = greedy["envelopes"][0]
    assert city["name"] is None and city["amount"] == 70_000 and city["spent"] == 50_000
    assert city["voters"] == 4
    reasons = {p["id"]: p["reason"] for p in city["projects"]}
    assert reasons[projects["Jardin partagé"].id] == "does-not-fit"
    assert greedy["envelopes"][1]["voters"] == 3  # VB-002 chose nothing in Nord

    # a second run changes nothing, not even the computation time
    before = [(r.rule, r.outcome, r.computed_at) for r in await TallyResult.all().order_by("id")]
    assert await tally_budget({}, budget.id) == "unchanged"
    after = [(r.rule, r.outcome, r.computed_at) for r in await TallyResult.all().order_by("id")]
    assert before == after


async def test_the_stored_outcome_is_the_engines_on_each_envelope(
    app: object, settings: Settings
) -> None:
    budget, _, _ = await closed_budget(settings, WinnerRule.EQUAL_SHARES)
    await tally_budget({}, budget.id)
    data = await tallying.load_input(budget)
    stored = json.loads((await TallyResult.get(budget=budget, rule="equal-shares")).outcome)
    for envelope in stored["envelopes"]:
        election = tallying.envelope_election(data, envelope["name"])
        direct = tally.tally(election, rule="equal-shares")
        assert envelope["selected"] == [int(pid) for pid in direct.selected]


def test_ballot_order_does_not_change_the_input_digest() -> None:
    projects = (tallying.TallyProject(1, 10, None), tallying.TallyProject(2, 20, None))
    ballots = (tallying.TallyBallot(1, {1: 1}), tallying.TallyBallot(2, {1: 1, 2: 1}))
    forward = tallying.TallyInput(domain.BallotKind.APPROVAL, {None: 25}, projects, ballots)
    backward = tallying.TallyInput(domain.BallotKind.APPROVAL, {None: 25}, projects, ballots[::-1])
    assert forward.digest("greedy") == backward.digest("greedy")
    assert forward.digest("greedy") != forward.digest("equal-shares")


async def test_a_lost_tally_job_is_enqueued_again_by_the_sweeper(
    app: object, settings: Settings
) -> None:
    budget, _, _ = await closed_budget(settings)
    await TallyResult.filter(budget=budget).delete()  # in the tally phase, no result yet
    # its tally job is pending in the outbox, which enqueues it again itself: no second job
    assert await sweep_tallies({}) == 0
    assert await OutboxJob.filter(name=services.TALLY_JOB).count() == 1
    await OutboxJob.filter(name=services.TALLY_JOB).update(state=JobState.FAILED)  # gave up
    assert await sweep_tallies({}) == 1
    assert await OutboxJob.filter(name=services.TALLY_JOB, state=JobState.PENDING).count() == 1
    await tally_budget({}, budget.id)
    assert await sweep_tallies({}) == 0


async def test_results_are_published_by_staff_then_public(
    client: httpx.AsyncClient, settings: Settings, admin: User
) -> None:
    budget, projects, _ = await closed_budget(settings)
    await tally_budget({}, budget.id)
    page = f"/budgets/{budget.id}/results"
    assert (await client.get(page)).status_code == 404  # not published yet
    assert (await client.get(f"/budgets/{budget.id}/results.csv")).status_code == 404
    assert (await client.get(f"/budgets/{budget.id}/ballots.pb")).status_code == 404

    await log_in(client, admin)
    preview = await client.get(page)
    assert preview.status_code == 200 and "pas encore publiés" in preview.text
    admin_page = f"/admin/budgets/{budget.id}"
    response = await post_form(client, f"{admin_page}/phase", {"phase": "results"}, page=admin_page)
    assert response.status_code == 303
    assert (await Budget.get(id=budget.id)).results_published_at is not None
    await client.post("/account/logout", data={})

    public = await client.get(page)
    assert public.status_code == 200
    text = public.text
    assert "4 bulletins" in text
    assert "Financé\u00a0: il tenait dans l’argent restant" in text  # Skatepark, by greedy
    assert "Non financé\u00a0: il coûte plus que l’argent restant" in text  # Jardin partagé
    assert "ce qui change" in text  # the two rules compared
    assert 'class="bar-chart"' in text and '<table class="stack">' in text  # chart and table
    # the chart names every project in full (a label that wraps, never a truncated one)
    assert set(projects) <= set(re.findall(r'<span class="bar-name">([^<]+)</span>', text))


async def _counted_with(
    settings: Settings, choices: dict[str, list[str]]
) -> tuple[Budget, dict[str, Project]]:
    """The factory budget after the census's residents voted `choices`, counted and published."""
    budget, projects = await budget_in_voting()
    by_title = {p.title: p for p in projects}
    await residents.import_census(settings, CENSUS.encode())
    for identifier, titles in choices.items():
        entry, born = await residents.find_census_entry(
            settings, identifier, BIRTH.get(identifier, "1975-01-30"), "44000"
        )
        voter = domain.Voter(True, born, entry.district)
        await ballot_services.cast_ballot(
            settings, budget.id, entry, voter, {by_title[t].id: 1 for t in titles}
        )
    await open_and_count(budget.id)
    await tally_budget({}, budget.id)
    await services.switch_phase(budget.id, Phase.RESULTS, by_user=None)
    return budget, by_title


def comparison_of(page: str) -> str:
    return page.split('<section aria-labelledby="compare-title">', 1)[1].split("</section>", 1)[0]


async def test_the_two_rules_compared_show_only_what_differs_and_why(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    # two residents want the garden, one the skatepark, one the skatepark and the cycle lane:
    # the most voted first fund the garden and then the lane that still fits; with equal
    # shares the lane's one supporter cannot pay for it
    budget, projects = await _counted_with(
        settings,
        {
            "VB-001": ["Jardin partagé"],
            "VB-002": ["Jardin partagé"],
            "VB-003": ["Skatepark"],
            "VB-004": ["Piste cyclable", "Skatepark"],
        },
    )
    stored = {r.rule: json.loads(r.outcome) for r in await TallyResult.filter(budget=budget)}
    greedy, shares = (
        titles_of(stored["greedy"], projects),
        titles_of(stored["equal-shares"], projects),
    )
    assert greedy != shares
    page = (
        await client.get(f"/budgets/{budget.id}/results", headers={"Accept-Language": "fr"})
    ).text
    compared = comparison_of(page)
    assert "Le plus de voix d’abord ou parts égales : ce qui change" in compared
    assert "glouton" not in compared.lower()
    rows = re.findall(r"<tr><th scope=\"row\"><a [^>]+>([^<]+)</a></th>(.*?)</tr>", compared, re.S)
    assert {title for title, _ in rows} == greedy ^ shares  # only what differs
    for title, cells in rows:
        sentences = re.findall(r"<td data-label=\"[^\"]+\">([^<]+)</td>", cells)
        assert len(sentences) == 2, cells  # one sentence per rule, from its explanation
        funded, refused = sentences if title in greedy else reversed(sentences)
        assert funded.startswith("Financé") and refused.startswith("Non financé"), sentences
    assert "Piste cyclable" in dict(rows)
    assert "Les deux règles financent les mêmes projets" not in compared


async def test_when_both_rules_fund_the_same_projects_the_page_says_so(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    budget, _, _ = await published_budget(settings)  # both fund Skatepark, Fontaine and Bancs
    page = (
        await client.get(f"/budgets/{budget.id}/results", headers={"Accept-Language": "fr"})
    ).text
    compared = comparison_of(page)
    assert "Les deux règles financent les mêmes projets." in compared
    assert "<table" not in compared


async def test_results_csv_lists_every_feasible_project(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    budget, projects, _ = await published_budget(settings)
    response = await client.get(f"/budgets/{budget.id}/results.csv")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text), delimiter=";"))
    by_title = {row["title"]: row for row in rows}
    assert set(by_title) == set(projects)
    assert by_title["Skatepark"]["score"] == "4" and by_title["Skatepark"]["selected"] == "1"
    assert by_title["Jardin partagé"]["selected"] == "0"
    # the licence inside the saved file (participation/licence.py), as the open-data files
    assert all(row["licence"] == licence.VALUE for row in rows)
    assert 'rel="license"' in response.headers["link"]


async def test_exported_pabulib_files_retally_to_the_published_outcome(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    budget, projects, receipts = await published_budget(settings)
    stored = json.loads((await TallyResult.get(budget=budget, rule="greedy")).outcome)
    for envelope in stored["envelopes"]:
        query = f"?district={envelope['name']}" if envelope["name"] else ""
        response = await client.get(f"/budgets/{budget.id}/ballots.pb{query}")
        assert response.status_code == 200
        text = response.text
        for receipt in receipts.values():  # anonymised: no receipt, no census identifier
            assert receipt not in text
        assert "VB-00" not in text
        election = pabulib.loads(text)
        assert len(election.ballots) == envelope["voters"]
        outcome = tally.tally(election, rule="greedy")
        assert sorted(int(pid) for pid in outcome.selected) == sorted(envelope["selected"])


async def test_a_voter_finds_their_ballot_with_the_receipt(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    budget, projects, receipts = await closed_budget(settings)
    await tally_budget({}, budget.id)
    page = f"/budgets/{budget.id}/receipt-check"
    # before publication nothing is revealed: the check opens with the results
    early = await client.get(page, params={"receipt": receipts["VB-002"]})
    assert "ouvre avec les résultats" in early.text and "Piste cyclable" not in early.text
    await services.switch_phase(budget.id, Phase.RESULTS, by_user=None)

    found = await client.get(page, params={"receipt": receipts["VB-002"].lower()})
    assert "Votre bulletin est compté" in found.text
    assert "Piste cyclable" in found.text and "Skatepark" in found.text
    number = int(re.search(r"n°\s*(\d+)", found.text).group(1))  # type: ignore[union-attr]
    exported = pabulib.loads((await client.get(f"/budgets/{budget.id}/ballots.pb")).text)
    mine = next(b for b in exported.ballots if b.voter_id == str(number))
    assert len(mine.choices) == 2  # Piste cyclable and Skatepark, as cast

    # the same voter numbers in every envelope's file: VB-002 chose nothing in Nord, so the Nord
    # file skips a number rather than renumbering
    nord = await client.get(page, params={"receipt": receipts["VB-001"]})
    nord_number = re.search(r"n°\s*(\d+)", nord.text).group(1)  # type: ignore[union-attr]
    exported_nord = pabulib.loads(
        (await client.get(f"/budgets/{budget.id}/ballots.pb", params={"district": "Nord"})).text
    )
    assert str(number) not in {b.voter_id for b in exported_nord.ballots}
    nord_ballot = next(b for b in exported_nord.ballots if b.voter_id == nord_number)
    assert nord_ballot.choices == (str(projects["Bancs du parc Nord"].id),)

    missing = await client.get(page, params={"receipt": "AAAA-BBBB-CCCC"})
    assert "Aucun bulletin publié" in missing.text
