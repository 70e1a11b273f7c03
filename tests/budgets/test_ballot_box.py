"""The ballot box of a budget: the key ceremony, voting that needs the key, the count with
the trustees' shares (web and CLI), receipts (issue #15)."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from typing import Any

import httpx
import pytest
from tortoise import timezone

from budgets import ballot_box, ballot_services, domain, services, urn
from budgets.jobs import open_budget_ballots
from budgets.models import (
    Ballot,
    Budget,
    BudgetTrustee,
    Phase,
    SealedBallot,
    TallyResult,
    VoterRegister,
)
from participation.accounts.models import Role, User
from participation.refusals import Refused
from participation.residents import services as residents
from participation.settings import Settings
from tests.budgets.factories import (
    CENSUS,
    PERSON,
    SHARES,
    ballots_of,
    budget_in_voting,
    budget_without_key,
    resident_at_ballot,
    with_ballot_box,
)
from tests.conftest import create_user, csrf_token, log_in, logged_in, post_form


async def _cast(settings: Settings, budget: Budget, identifier: str, project_id: int) -> str:
    born = {"VB-001": "1984-03-21", "VB-002": "1990-12-01", "VB-004": "1975-01-30"}[identifier]
    entry, birth = await residents.find_census_entry(settings, identifier, born, "44000")
    voter = domain.Voter(True, birth, entry.district)
    return await ballot_services.cast_ballot(settings, budget.id, entry, voter, {project_id: 1})


# --- voting needs the key --------------------------------------------------------------------


async def test_voting_cannot_open_without_the_ballot_box_key(
    client: httpx.AsyncClient, admin: User
) -> None:
    budget, _ = await budget_without_key()
    await log_in(client, admin)
    page = f"/admin/budgets/{budget.id}"
    switched = await post_form(client, f"{page}/phase", {"phase": "voting"}, page)
    assert switched.status_code == 303
    shown = await client.get(page)
    assert "l’urne n’a pas encore de clé" in shown.text or "urne n'a pas encore de clé" in (
        shown.text.replace("’", "'")
    )
    assert (await Budget.get(id=budget.id)).phase == Phase.PREPARATION

    # the schedule does not open it either, and the budget's page tells staff why
    now = timezone.now()
    await Budget.filter(id=budget.id).update(voting_opens_at=now - timedelta(minutes=1))
    assert await services.apply_phase_schedule(now) == []
    assert (await Budget.get(id=budget.id)).phase == Phase.PREPARATION
    warning = await client.get(page)
    assert "la date du vote est arrivée" in warning.text.lower()

    await with_ballot_box(budget.id)
    assert await services.apply_phase_schedule(timezone.now()) == [budget.id]


# --- the ceremony on the web -----------------------------------------------------------------


async def _trustees(settings: Settings, n: int) -> list[User]:
    return [
        await create_user(settings, f"agent{k}@mairie.fr", Role.ADMIN, display_name=f"Agent {k}")
        for k in range(1, n + 1)
    ]


async def _pick_up(app: Any, budget: Budget, trustee: User) -> httpx.Response:
    async with logged_in(app, trustee) as own_screen:
        page = f"/admin/budgets/{budget.id}"
        return await post_form(own_screen, f"{page}/key-share", {}, page)


async def test_the_key_ceremony_gives_each_trustee_their_share_once(
    app: Any, client: httpx.AsyncClient, settings: Settings, admin: User
) -> None:
    budget, _ = await budget_without_key()
    trustees = await _trustees(settings, 3)
    await log_in(client, admin)
    page = f"/admin/budgets/{budget.id}"
    token = await csrf_token(client, page)
    refused = await client.post(
        f"{page}/key",
        data={"trustee": [str(t.id) for t in trustees], "threshold": "4", "csrf_token": token},
    )
    assert refused.status_code == 422 and "entre 1 et 3" in refused.text
    citizen = await create_user(settings, "habitant@example.org")
    not_staff = await client.post(
        f"{page}/key", data={"trustee": [str(citizen.id)], "threshold": "1", "csrf_token": token}
    )
    assert not_staff.status_code == 422 and "agents de la collectivité" in not_staff.text
    assert (await Budget.get(id=budget.id)).ballot_public_key is None

    done = await client.post(
        f"{page}/key",
        data={"trustee": [str(t.id) for t in trustees], "threshold": "2", "csrf_token": token},
    )
    assert done.status_code == 303
    budget = await Budget.get(id=budget.id)
    assert budget.ballot_public_key and budget.ballot_key_threshold == 2
    rows = await BudgetTrustee.filter(budget=budget).order_by("position")
    assert [r.user_id for r in rows] == [t.id for t in trustees]

    texts = []
    for trustee in trustees:
        shown = await _pick_up(app, budget, trustee)
        assert shown.status_code == 200 and shown.headers["cache-control"] == "no-store"
        found = re.search(r'<pre class="receipt" id="share">([^<]+)</pre>', shown.text)
        assert found
        texts.append(found.group(1))
        again = await _pick_up(app, budget, trustee)  # shown once only
        assert again.status_code == 303
    shares = [urn.parse_share(text) for text in texts]
    assert urn.check_key(urn.combine(shares[1:]), budget.ballot_public_key)
    # nothing of the shares in the database: only their commitments
    for share, row in zip(shares, rows, strict=True):
        assert row.commitment == urn.commitment(share)
        assert f"{share.y:x}" not in str(await Budget.filter(id=budget.id).values())
    assert all(row.kept_at is not None for row in await BudgetTrustee.filter(budget=budget))
    # no second ceremony once voting has opened: ballots may be sealed to this key
    assert await services.switch_phase(budget.id, Phase.VOTING, by_user=admin)
    with pytest.raises(Refused) as late:
        await ballot_box.generate_key(budget.id, [trustees[0]], 1)
    assert late.value.problems[0].message.startswith("Voting has opened")


async def test_a_missed_share_pick_up_is_mended_by_a_new_ceremony_before_voting_opens(
    app: Any, client: httpx.AsyncClient, settings: Settings, admin: User
) -> None:
    """Scenario: two of three trustees must hold their share; only one showed it within the
    15 minutes. Voting must not open (nobody could ever count its ballots): staff hold the
    ceremony again, the old key and its shares become useless, and voting opens once two
    trustees hold a share of the new key."""
    budget, _ = await budget_without_key()
    first, second, third = await _trustees(settings, 3)
    await log_in(client, admin)
    page = f"/admin/budgets/{budget.id}"

    async def ceremony(trustees: list[User]) -> httpx.Response:
        form = {"trustee": [str(t.id) for t in trustees], "threshold": "2"}
        token = await csrf_token(client, page)
        return await client.post(f"{page}/key", data={**form, "csrf_token": token})

    assert (await ceremony([first, second, third])).status_code == 303
    old_key = (await Budget.get(id=budget.id)).ballot_public_key
    assert old_key
    shown = await _pick_up(app, budget, first)
    old_share = re.search(r'id="share">([^<]+)<', shown.text)
    assert old_share

    listed = (await client.get(page)).text
    assert listed.count("n’a pas encore affiché sa part") == 2
    assert listed.count("détient sa part") == 1
    refused = await post_form(client, f"{page}/phase", {"phase": "voting"}, page)
    assert refused.status_code == 303
    told = (await client.get(page)).text
    assert "détenues par les dépositaires, 1 sur les 2 nécessaires" in told
    assert (await Budget.get(id=budget.id)).phase == Phase.PREPARATION
    # the schedule does not open it either
    await Budget.filter(id=budget.id).update(voting_opens_at=timezone.now() - timedelta(minutes=1))
    assert await services.apply_phase_schedule(timezone.now()) == []

    # the ceremony again, without the third trustee: their stale share is gone
    assert (await ceremony([first, second])).status_code == 303
    budget = await Budget.get(id=budget.id)
    assert budget.ballot_public_key not in (None, old_key)
    assert (await _pick_up(app, budget, third)).status_code == 303  # nothing waits
    with pytest.raises(Refused):  # a share of the old key opens nothing
        await ballot_box.check_share(budget.id, old_share.group(1))
    for trustee in (first, second):
        assert (await _pick_up(app, budget, trustee)).status_code == 200
    assert await services.apply_phase_schedule(timezone.now()) == [budget.id]
    assert (await Budget.get(id=budget.id)).phase == Phase.VOTING


async def test_a_share_of_a_replaced_key_is_not_shown_and_counts_for_nothing(
    app: Any, settings: Settings
) -> None:
    redis = app.state.redis
    budget, _ = await budget_without_key()
    [trustee] = await _trustees(settings, 1)
    old = await ballot_box.generate_key(budget.id, [trustee], 1, held_for_pickup=True)
    new = await ballot_box.generate_key(budget.id, [trustee], 1, held_for_pickup=True)
    # a pick-up of the old key still in Redis (a ceremony's hand-out racing another)
    await ballot_box.hold_shares_for_pickup(redis, budget.id, old)
    assert await ballot_box.pick_up_share(redis, budget.id, trustee.id) is None
    assert not await BudgetTrustee.filter(budget_id=budget.id, kept_at__isnull=False).exists()
    await ballot_box.hold_shares_for_pickup(redis, budget.id, new)
    assert await ballot_box.pick_up_share(redis, budget.id, trustee.id) == new[0][1].text()
    assert await BudgetTrustee.filter(budget_id=budget.id, kept_at__isnull=False).count() == 1


# --- the count --------------------------------------------------------------------------------


async def test_too_few_shares_or_a_wrong_one_store_nothing(app: Any, settings: Settings) -> None:
    budget, projects = await budget_without_key()
    shares = await with_ballot_box(budget.id, trustees=3, threshold=2)
    await services.switch_phase(budget.id, Phase.VOTING, by_user=None)
    await residents.import_census(settings, CENSUS.encode())
    await _cast(settings, budget, "VB-001", projects[0].id)
    await services.switch_phase(budget.id, Phase.TALLY, by_user=None)

    with pytest.raises(Refused) as too_few:
        await ballot_box.open_ballots(budget.id, shares[:1])
    assert too_few.value.problems[0].values == {"given": 1, "needed": 2}
    wrong = shares[1][:-1] + ("0" if shares[1][-1] != "0" else "1")
    with pytest.raises(Refused) as refused:
        await ballot_box.open_ballots(budget.id, [shares[0], wrong])
    assert refused.value.problems[0].values == {"position": 2}
    other_budget, _ = await budget_in_voting()
    with pytest.raises(Refused):
        await ballot_box.open_ballots(budget.id, [shares[0], SHARES[other_budget.id][0]])
    assert await Ballot.filter(budget=budget).count() == 0
    assert await SealedBallot.filter(budget=budget).count() == 1
    assert not await TallyResult.filter(budget=budget).exists()

    assert await ballot_box.open_ballots(budget.id, [shares[2], shares[0]]) == 1
    assert await SealedBallot.filter(budget=budget).count() == 0
    [ballot] = await Ballot.filter(budget=budget)
    assert ballot.token is None and ballot.cast_on is None
    assert await TallyResult.filter(budget=budget).count() == 2
    with pytest.raises(Refused):  # once only
        await ballot_box.open_ballots(budget.id, shares)
    with pytest.raises(Refused):  # and voting cannot open again
        await services.switch_phase(budget.id, Phase.VOTING, by_user=None)


async def test_trustees_enter_their_shares_on_the_web_one_at_a_time(
    app: Any, client: httpx.AsyncClient, settings: Settings, admin: User
) -> None:
    budget, projects = await budget_without_key()
    shares = await with_ballot_box(budget.id, trustees=3, threshold=2)
    await services.switch_phase(budget.id, Phase.VOTING, by_user=None)
    await residents.import_census(settings, CENSUS.encode())
    for identifier, project in (("VB-001", projects[0]), ("VB-002", projects[1])):
        await _cast(settings, budget, identifier, project.id)
    expected = sorted(b.choices for b in await ballots_of(budget.id))
    await log_in(client, admin)
    page = f"/admin/budgets/{budget.id}"
    early = await post_form(client, f"{page}/shares", {"share": shares[0]}, page)
    assert early.status_code == 422 and "une fois le vote clos" in early.text
    await services.switch_phase(budget.id, Phase.TALLY, by_user=None)

    wrong = await post_form(client, f"{page}/shares", {"share": shares[1][:-2] + "00"}, page)
    assert wrong.status_code in (422,) and "dépositaire numéro 2" in wrong.text
    first = await post_form(client, f"{page}/shares", {"share": shares[1]}, page)
    assert first.status_code == 303
    redis = app.state.redis
    assert await ballot_box.shares_held(redis, budget.id) == 1
    assert await redis.ttl(ballot_box.SHARES_KEY.format(budget=budget.id)) > 0
    second = await post_form(client, f"{page}/shares", {"share": shares[2]}, page)
    assert second.status_code == 303
    assert await open_budget_ballots({"redis": redis}, budget.id) == "opened 2"
    assert await ballot_box.shares_held(redis, budget.id) == 0  # forgotten
    assert sorted(b.choices for b in await Ballot.filter(budget=budget)) == expected
    assert await TallyResult.filter(budget=budget).count() == 2


# --- receipts (issue #15) -------------------------------------------------------------------


async def test_the_receipt_shown_is_the_stored_ballots_after_concurrent_submissions(
    client: httpx.AsyncClient, settings: Settings, citizen: User
) -> None:
    budget, projects = await resident_at_ballot(client, settings, citizen)
    page = f"/budgets/{budget.id}/ballot"
    token = await csrf_token(client, page)

    async def submit(project_id: int) -> httpx.Response:
        data = {"project": str(project_id), "action": "cast", "csrf_token": token}
        return await client.post(page, data=data)

    for _round in range(3):
        answers = await asyncio.gather(*(submit(p.id) for p in projects[:4]))
        assert all(a.status_code == 303 for a in answers)
        shown = await client.get(f"{page}/receipt")
        code = re.search(r"<strong>([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})</strong>", shown.text)
        assert code
        [stored] = await ballots_of(budget.id)
        assert stored.receipt == code.group(1)
    assert await VoterRegister.filter(budget=budget).count() == 1


async def test_the_receipt_links_the_check_page_by_its_whole_address(
    client: httpx.AsyncClient, settings: Settings, citizen: User
) -> None:
    budget, projects = await resident_at_ballot(client, settings, citizen)
    page = f"/budgets/{budget.id}/ballot"
    cast = await post_form(client, page, {"project": str(projects[0].id), "action": "cast"})
    assert cast.status_code == 303
    shown = (await client.get(f"{page}/receipt", headers={"Accept-Language": "fr"})).text
    check = settings.base_url.rstrip("/") + f"/budgets/{budget.id}/receipt-check"
    assert f'<a href="{check}">Vérifier mon bulletin</a>' in shown
    assert "tapez votre code sur cette page pour vérifier votre bulletin" in shown
    assert "receipt=" not in shown  # the code goes in no address


async def test_the_receipt_check_accepts_codes_without_dashes_in_any_case(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    budget, projects = await budget_in_voting()
    await residents.import_census(settings, CENSUS.encode())
    receipt = await _cast(settings, budget, PERSON["identifier"], projects[0].id)
    page = f"/budgets/{budget.id}/receipt-check"
    before = await client.get(page, params={"receipt": receipt})
    assert "avec les résultats" in before.text  # the check opens with the results
    await services.switch_phase(budget.id, Phase.TALLY, by_user=None)
    await ballot_box.open_ballots(budget.id, SHARES[budget.id])
    await services.switch_phase(budget.id, Phase.RESULTS, by_user=None)
    for typed in (receipt, receipt.lower(), receipt.replace("-", ""), receipt.replace("-", " ")):
        found = await client.get(page, params={"receipt": f" {typed.lower()} "})
        assert "Votre bulletin est compté" in found.text, typed
    missing = await client.get(page, params={"receipt": "zzzz zzzz zzzz"})
    assert "Votre bulletin est compté" not in missing.text
