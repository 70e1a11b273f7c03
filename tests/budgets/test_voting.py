"""Voting through HTTP: residency, every ballot rule, changing a vote, closing, secrecy."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import httpx
import pytest
from tortoise import timezone
from tortoise.transactions import in_transaction

from budgets import ballot_services
from budgets.models import Ballot, BallotKind, Budget, Channel, Phase, SealedBallot, VoterRegister
from participation.accounts.models import Role, User
from participation.residents import services as residents
from participation.residents.models import Residency
from participation.settings import Settings
from tests.budgets.factories import (
    CENSUS,
    PERSON,
    ballots_of,
    budget_in_voting,
    register_and_ballots_share_no_transaction,
    resident_at_ballot,
    south_resident,
    verified,
    with_ids,
)
from tests.conftest import (
    browser_of,
    create_user,
    csrf_token,
    log_in,
    logged_in,
    logged_queries,
    post_form,
)


async def vote(
    client: httpx.AsyncClient, budget: Budget, fields: dict[str, object], action: str = "cast"
) -> httpx.Response:
    page = f"/budgets/{budget.id}/ballot"
    token = await csrf_token(client, page)
    return await client.post(page, data={**fields, "action": action, "csrf_token": token})


async def check_residency(client: httpx.AsyncClient, fields: dict[str, str]) -> httpx.Response:
    """The account's residency form, filled with `fields` and sent."""
    return await post_form(client, "/account/residency", fields, page="/account/residency")


async def test_residents_verify_once_with_their_census_details(
    client: httpx.AsyncClient, settings: Settings, citizen: User
) -> None:
    await log_in(client, citizen)

    await residents.import_census(settings, CENSUS.encode())
    wrong = await check_residency(client, {**PERSON, "birth_date": "1984-03-22"})
    assert wrong.status_code == 422 and "Nous n’avons trouvé aucun habitant" in wrong.text
    empty = await check_residency(client, {"identifier": "", "birth_date": "hier", "postcode": ""})
    assert empty.status_code == 422
    for name in ("identifier", "birth_date", "postcode"):
        assert f'id="{name}-error"' in empty.text
    ok = await check_residency(
        client, {"identifier": " vb001 ", "birth_date": "21/03/1984", "postcode": "44 000"}
    )
    assert ok.status_code == 303
    assert await Residency.filter(user=citizen).count() == 1

    # the same census row cannot verify a second account
    other = await create_user(settings, "voisin@example.org")
    await post_form(client, "/account/logout", {})
    await log_in(client, other)
    reused = await check_residency(client, PERSON)
    assert reused.status_code == 422 and "déjà été utilisées" in reused.text
    assert await Residency.all().count() == 1


async def test_a_refused_census_check_still_leads_back_to_the_ballot(
    client: httpx.AsyncClient, settings: Settings, citizen: User
) -> None:
    """Found by the browser journey: after a typo, the resident landed on their account page."""
    budget, _ = await resident_at_ballot(client, settings, citizen, person=None)

    await residents.import_census(settings, CENSUS.encode())
    back = f"/budgets/{budget.id}/ballot"
    form_page = f"/account/residency?next={back}"
    wrong = await post_form(
        client, "/account/residency", {**PERSON, "postcode": "44001", "next": back}, form_page
    )
    assert wrong.status_code == 422 and f'name="next" value="{back}"' in wrong.text
    ok = await post_form(client, "/account/residency", {**PERSON, "next": back}, form_page)
    assert ok.status_code == 303 and ok.headers["location"] == back


async def test_vote_then_change_the_vote(
    client: httpx.AsyncClient, settings: Settings, citizen: User
) -> None:
    budget, projects = await resident_at_ballot(
        client, settings, citizen, BallotKind.APPROVAL, min_choices=1, max_choices=3
    )
    page = await client.get(f"/budgets/{budget.id}/ballot")
    assert page.status_code == 200
    # a Nord resident sees city-wide and Nord projects, not other districts' projects
    assert "Bancs du parc Nord" in page.text and "Jardin partagé" in page.text

    first = await vote(client, budget, {"project": [str(projects[0].id), str(projects[3].id)]})
    assert first.status_code == 303
    receipt_page = await client.get(first.headers["location"])
    first_receipt = re.search(
        r"<strong>([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})</strong>", receipt_page.text
    )
    assert first_receipt

    again = await client.get(f"/budgets/{budget.id}/ballot")
    assert "Vous avez déjà voté" in again.text
    # a sealed ballot cannot be read back, not even for its voter: the form starts empty
    assert not re.search(rf'value="{projects[0].id}" checked', again.text)

    second = await vote(client, budget, {"project": [str(projects[1].id)]})
    assert second.status_code == 303
    ballots = await ballots_of(budget.id)
    assert len(ballots) == 1 and json.loads(ballots[0].choices) == {str(projects[1].id): 1}
    assert ballots[0].receipt != first_receipt.group(1)
    assert await VoterRegister.filter(budget=budget).count() == 1


@pytest.mark.parametrize(
    ("kind", "rule", "fields", "message"),
    [
        (
            BallotKind.APPROVAL,
            {"max_choices": 1},
            {"project": ["P0", "P1"]},
            "Choisissez au plus un projet (vous en avez choisi 2).",
        ),
        (
            BallotKind.APPROVAL,
            {"min_choices": 2},
            {"project": ["P0"]},
            "Choisissez au moins 2 projets",
        ),
        (BallotKind.KNAPSACK, {}, {"project": ["P0", "P1", "P2"]}, "plus que les 70\u202f000"),
        (
            BallotKind.KNAPSACK,
            {"min_spent_percent": 50},
            {"project": ["P1"]},
            "Dépensez au moins 50",
        ),
        (
            BallotKind.CUMULATIVE,
            {"points_total": 10, "points_per_project": 5},
            {"points-P0": "6"},
            "au plus 5 points",
        ),
        (
            BallotKind.CUMULATIVE,
            {"points_total": 10, "points_per_project": 5},
            {"points-P0": "5", "points-P1": "5", "points-P2": "2"},
            "retirez-en 2",
        ),
        (BallotKind.CUMULATIVE, {}, {"points-P0": "trois"}, "nombres entiers"),
        (
            BallotKind.RANKING,
            {"ranking_length": 2},
            {"rank-P0": "1", "rank-P1": "1"},
            "chaque rang une fois",
        ),
        (BallotKind.APPROVAL, {}, {"project": ["999999"]}, "ne figurent pas sur ce bulletin"),
    ],
)
async def test_invalid_ballots_are_refused_with_what_to_fix(
    client: httpx.AsyncClient,
    settings: Settings,
    citizen: User,
    kind: BallotKind,
    rule: dict[str, int],
    fields: dict[str, object],
    message: str,
) -> None:
    budget, projects = await resident_at_ballot(client, settings, citizen, kind, **rule)
    data = with_ids(fields, projects)
    response = await vote(client, budget, data)
    assert response.status_code == 422
    assert message in response.text
    assert await SealedBallot.all().count() == 0 and await VoterRegister.all().count() == 0


@pytest.mark.parametrize(
    ("kind", "rule", "fields"),
    [
        (BallotKind.APPROVAL, {"max_choices": 2}, {"project": ["P0", "P3"]}),
        (BallotKind.KNAPSACK, {"min_spent_percent": 50}, {"project": ["P0", "P1", "P3"]}),
        (
            BallotKind.CUMULATIVE,
            {"points_total": 10, "points_per_project": 5},
            {"points-P0": "5", "points-P3": "5"},
        ),
        (BallotKind.RANKING, {"ranking_length": 3}, {"rank-P2": "1", "rank-P0": "2"}),
    ],
)
async def test_valid_ballots_of_every_rule_are_recorded(
    client: httpx.AsyncClient,
    settings: Settings,
    citizen: User,
    kind: BallotKind,
    rule: dict[str, int],
    fields: dict[str, object],
) -> None:
    budget, projects = await resident_at_ballot(client, settings, citizen, kind, **rule)
    data = with_ids(fields, projects)
    preview = await vote(client, budget, data, action="preview")  # POST, redirect, GET
    assert preview.status_code == 303 and await SealedBallot.all().count() == 0
    assert (await client.get(preview.headers["location"])).status_code == 200
    response = await vote(client, budget, data)
    assert response.status_code == 303, response.text[-2000:]
    assert len(await ballots_of(budget.id)) == 1


async def test_the_meter_updates_with_htmx_and_without_javascript(
    client: httpx.AsyncClient, settings: Settings, citizen: User
) -> None:
    budget, projects = await resident_at_ballot(client, settings, citizen, BallotKind.KNAPSACK)
    token = await csrf_token(client, f"/budgets/{budget.id}/ballot")
    data = {"project": [str(projects[0].id), str(projects[2].id)], "action": "preview"}
    fragment = await client.post(
        f"/budgets/{budget.id}/ballot",
        data=data,
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div id="meter"')
    assert "90\u202f000\xa0€" in fragment.text  # 40,000 + 50,000
    assert fragment.headers["vary"].startswith("HX-Request")
    full = await client.post(f"/budgets/{budget.id}/ballot", data={**data, "csrf_token": token})
    # without JavaScript: POST, redirect, GET, so the back button never resends the form
    assert full.status_code == 303
    assert full.headers["location"] == f"/budgets/{budget.id}/ballot#meter"
    shown = await client.get(full.headers["location"])
    assert "<html" in shown.text and "90\u202f000\xa0€" in shown.text
    assert "checked" in shown.text  # the choices are ticked again
    again = await client.get(f"/budgets/{budget.id}/ballot")  # shown once
    assert "90\u202f000\xa0€" not in again.text
    assert await Ballot.all().count() == 0


async def test_voting_is_refused_outside_the_voting_phase_and_after_closing(
    client: httpx.AsyncClient, settings: Settings, citizen: User
) -> None:
    budget, projects = await resident_at_ballot(client, settings, citizen)
    # the closing time passed, the cron has not switched the phase yet: refused all the same
    await Budget.filter(id=budget.id).update(voting_closes_at=timezone.now() - timedelta(seconds=1))
    page = await client.get(f"/budgets/{budget.id}/ballot")
    assert page.status_code == 403 and "Le vote est clos" in page.text
    await client.get("/")
    token = await csrf_token(client, "/")
    late = await client.post(
        f"/budgets/{budget.id}/ballot",
        data={"project": [str(projects[0].id)], "action": "cast", "csrf_token": token},
    )
    assert late.status_code == 403
    await Budget.filter(id=budget.id).update(phase=Phase.TALLY)
    assert (await client.get(f"/budgets/{budget.id}/ballot")).status_code == 403
    assert await SealedBallot.all().count() == 0


async def test_unverified_and_ineligible_residents_cannot_vote(
    client: httpx.AsyncClient, settings: Settings, citizen: User
) -> None:
    budget, _ = await resident_at_ballot(client, settings, citizen, person=None)
    page = await client.get(f"/budgets/{budget.id}/ballot")
    assert page.status_code == 403 and "/account/residency" in page.text
    young = {"identifier": "VB-003", "birth_date": "2012-06-15", "postcode": "44000"}
    await verified(settings, citizen, young)
    await Budget.filter(id=budget.id).update(minimum_age=16)
    refused = await client.get(f"/budgets/{budget.id}/ballot")
    assert refused.status_code == 403 and "16 ans ou plus" in refused.text


async def test_anonymous_visitors_are_sent_to_log_in(client: httpx.AsyncClient) -> None:
    budget, _ = await budget_in_voting()
    response = await client.get(f"/budgets/{budget.id}/ballot")
    assert response.status_code == 303 and "/account/login" in response.headers["location"]


async def test_ballots_hold_no_link_to_the_voter(
    client: httpx.AsyncClient, settings: Settings, citizen: User
) -> None:
    budget, projects = await resident_at_ballot(client, settings, citizen)
    await vote(client, budget, {"project": [str(projects[0].id)]})
    [ballot] = await SealedBallot.filter(budget=budget)
    stored = json.dumps(dict(ballot.__dict__), default=str)
    residency = await Residency.get(user=citizen)
    for secret in (str(citizen.id), citizen.email, residency.census_entry_id):
        assert f'"{secret}"' not in stored
    field_names = set(SealedBallot._meta.fields_map) | set(Ballot._meta.fields_map)
    assert not field_names & {"user", "user_id", "census_entry", "census_entry_id", "voter"}
    # the register says who voted, not how; and records the day, not the time, on the ballot
    register = await VoterRegister.get(budget=budget)
    assert register.channel == Channel.WEB
    register_fields = set(VoterRegister._meta.fields_map)
    assert "voted_on" in register_fields
    assert not {"created_at", "cast_at", "voted_at"} & (field_names | register_fields)


async def test_the_ballot_page_says_who_can_open_the_ballots_and_the_limits(
    client: httpx.AsyncClient, settings: Settings, citizen: User
) -> None:
    budget, _ = await resident_at_ballot(client, settings, citizen)  # one trustee
    page = (await client.get(f"/budgets/{budget.id}/ballot")).text
    assert "par la personne dépositaire de la clé, mélangé" in page
    assert "Limites\u00a0: votre bulletin est chiffré sur le serveur" in page
    assert "la personne dépositaire de la clé, avec une copie de la base" in page
    await Budget.filter(id=budget.id).update(ballot_key_threshold=3)
    page = (await client.get(f"/budgets/{budget.id}/ballot")).text
    assert "par 3 dépositaires de la clé ensemble" in page
    assert "Et 3 dépositaires ensemble, avec une copie de la base" in page


async def test_my_activity_never_shows_a_ballot(
    client: httpx.AsyncClient, settings: Settings, citizen: User
) -> None:
    """The account's activity lists what is tied to the person; a secret ballot is not, not
    even that the person voted (the register says so to staff, never on a page of theirs)."""
    budget, projects = await resident_at_ballot(client, settings, citizen)
    assert (await vote(client, budget, {"project": [str(projects[0].id)]})).status_code == 303
    page = (await client.get("/account/activity")).text
    assert budget.title not in page and projects[0].title not in page
    assert "/budgets/" not in page


async def test_staff_record_paper_ballots_once_per_person(
    client: httpx.AsyncClient, settings: Settings, admin: User
) -> None:
    budget, projects = await budget_in_voting()

    await residents.import_census(settings, CENSUS.encode())
    await log_in(client, admin)
    page = f"/admin/budgets/{budget.id}/paper-ballot"
    identity = {"identifier": "VB-004", "birth_date": "1975-01-30", "postcode": "44000"}
    # first screen: the register; second screen: the choices, without the identity
    checked_in = await post_form(client, page, identity, page=page)
    assert checked_in.status_code == 303
    choices_url = checked_in.headers["location"]
    assert choices_url.endswith("/paper-ballot/choices")
    choices_page = await client.get(choices_url)
    assert choices_page.status_code == 200
    assert "VB-004" not in choices_page.text and "1975" not in choices_page.text
    ballot = {"project": [str(projects[1].id)], "action": "cast"}
    first = await post_form(client, choices_url, ballot, page=choices_url)
    assert first.status_code == 303 and first.headers["location"].endswith("/receipt")
    shown = await client.get(first.headers["location"])
    code = re.search(r"<strong>([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})</strong>", shown.text)
    assert code and "<details" in shown.text  # hidden until the resident opens it
    assert (await client.get(first.headers["location"])).status_code == 303  # shown once
    [paper] = await ballots_of(budget.id)
    assert paper.channel == Channel.PAPER and paper.receipt == code.group(1)
    # the ticket is used: no second ballot without a new check-in, which is refused
    assert (await client.get(choices_url)).status_code == 303
    again = await post_form(client, page, identity, page=page)
    assert again.status_code == 422 and "a déjà voté" in again.text
    assert len([b for b in await ballots_of(budget.id) if b.channel == Channel.PAPER]) == 1

    # the same person cannot then vote online with a verified account
    resident = await create_user(settings, "vb004@example.org", Role.CITIZEN)
    await residents.verify_residency(settings, resident, "VB-004", "1975-01-30", "44000")
    await post_form(client, "/account/logout", {})
    await log_in(client, resident)
    online = await vote(client, budget, {"project": [str(projects[0].id)]})
    assert online.status_code == 422 and "bureau de vote de la mairie" in online.text
    assert len(await ballots_of(budget.id)) == 1


async def test_ballot_and_register_rows_cannot_be_paired_by_order(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    """An autoincrement id on ballots would follow the register's order and link them."""
    from budgets import ballot_services
    from tests.budgets.factories import CENSUS

    budget, projects = await budget_in_voting()
    await residents.import_census(settings, CENSUS.encode())
    people = [("VB-001", "1984-03-21"), ("VB-002", "1990-12-01"), ("VB-004", "1975-01-30")]
    for n, (identifier, born) in enumerate(people):
        user = await create_user(settings, f"voter{n}@example.org")
        await residents.verify_residency(settings, user, identifier, born, "44000")
        voter, residency = await residents.resident_of(user)
        assert residency is not None
        await ballot_services.cast_ballot(
            settings, budget.id, residency.census_entry, voter, {projects[n].id: 1}
        )
    ballot_ids = [str(b.id) for b in await ballots_of(budget.id)]
    assert all(len(i) == 36 for i in ballot_ids)  # random UUIDs, no sequence


class Abandoned(Exception):
    pass


async def test_a_ballot_cast_inside_a_callers_transaction_rolls_back_with_it(
    app: object, settings: Settings
) -> None:
    """The one-round-trip ballot ends with its own COMMIT, which would commit a caller's open
    transaction: inside one, the ballot takes the two-step path and goes with the caller."""
    budget, projects = await budget_in_voting()
    await residents.import_census(settings, CENSUS.encode())
    user = await create_user(settings, "voter@example.org")
    await residents.verify_residency(settings, user, "VB-001", "1984-03-21", "44000")
    voter, residency = await residents.resident_of(user)
    assert residency is not None
    with pytest.raises(Abandoned):
        async with in_transaction():
            await ballot_services.cast_ballot(
                settings, budget.id, residency.census_entry, voter, {projects[0].id: 1}
            )
            raise Abandoned
    assert await VoterRegister.filter(budget=budget).count() == 0
    assert await SealedBallot.filter(budget_id=budget.id).count() == 0


async def test_ballots_after_the_first_are_checked_against_projects_kept_in_memory(
    app: object, settings: Settings, citizen: User
) -> None:
    """Once a budget has a ballot its projects cannot change, so web processes keep them."""
    budget, projects = await budget_in_voting(BallotKind.APPROVAL, min_choices=1, max_choices=2)
    south = await south_resident(settings, citizen)
    queries: list[list[str]] = []
    for voter, choice in ((citizen, projects[0]), (south, projects[1])):
        async with logged_in(app, voter) as client:
            if voter is south:  # checked as strictly as the first ballot
                nord_project = await vote(client, budget, {"project": [str(projects[3].id)]})
                assert nord_project.status_code == 422
                assert "ceux de votre quartier" in nord_project.text
                too_many = [str(p.id) for p in projects[:3]]
                assert (await vote(client, budget, {"project": too_many})).status_code == 422
            counted, response = await ballot_post_queries(client, budget, choice.id)
            assert response.status_code == 303
            queries.append(counted)
    reads_projects = ['FROM "budgets_project"' in sql for sql in queries[0] + queries[1]]
    assert any(reads_projects[: len(queries[0])]) and not any(reads_projects[len(queries[0]) :])
    assert len(await ballots_of(budget.id)) == 2


async def ballot_post_queries(
    client: httpx.AsyncClient, budget: Budget, project_id: int
) -> tuple[list[str], httpx.Response]:
    token = await csrf_token(client, f"/budgets/{budget.id}")
    with logged_queries() as queries:
        response = await client.post(
            f"/budgets/{budget.id}/ballot",
            data={"project": str(project_id), "action": "cast", "csrf_token": token},
        )
    return queries, response


async def test_envelopes_changed_after_the_first_ballot_apply_to_the_next_ones(
    app: object, settings: Settings, citizen: User
) -> None:
    """Projects are kept in memory once a budget has ballots, envelope amounts are not."""
    budget, projects = await budget_in_voting(BallotKind.KNAPSACK)
    south = await south_resident(settings, citizen)
    async with logged_in(app, citizen) as client:
        assert (await vote(client, budget, {"project": [str(projects[0].id)]})).status_code == 303
    # staff lower the budget while voting is open: 90,000 €, so 60,000 € city-wide
    await Budget.filter(id=budget.id).update(total_amount=90_000)
    async with logged_in(app, south) as client:
        both = [str(projects[0].id), str(projects[1].id)]  # 40,000 € + 30,000 €
        assert (await vote(client, budget, {"project": both})).status_code == 422
        assert (await vote(client, budget, {"project": both[:1]})).status_code == 303


async def test_the_ballot_page_reads_the_projects_once(
    client: httpx.AsyncClient, settings: Settings, citizen: User
) -> None:
    """Every meter update (a preview POST) builds the ballot page again: one projects query."""
    budget, projects = await resident_at_ballot(client, settings, citizen)
    with logged_queries() as queries:
        preview = await vote(client, budget, {"project": [str(projects[0].id)]}, "preview")
        shown = await client.get(preview.headers["location"])  # POST, redirect, GET
    assert preview.status_code == 303 and "Jardin partagé" in shown.text
    reads = [sql for sql in queries if 'FROM "budgets_project"' in sql]
    assert len(reads) == 2  # the GET that `vote` makes for its token, then the preview's GET


async def test_a_ballot_reads_everything_with_the_session_then_writes_once(
    app: object, settings: Settings, citizen: User
) -> None:
    """Casting or changing a ballot: the session lookup also reads the budget, the residency
    and the envelopes; then two statements, each its own transaction, store the register row
    and the sealed ballot (on PostgreSQL: both in one round trip, two in all; once the ballot
    page's note is in the session, one round trip in all: tests/budgets/test_fast_cast.py)."""
    budget, projects = await budget_in_voting(BallotKind.APPROVAL, min_choices=1, max_choices=2)
    south = await south_resident(settings, citizen)
    async with browser_of(app) as client:
        await log_in(client, citizen)  # the first ballot of the budget keeps its projects
        assert (await ballot_post_queries(client, budget, projects[0].id))[1].status_code == 303
    async with logged_in(app, south) as client:
        for project in (projects[0], projects[1]):  # cast, then change
            queries, response = await ballot_post_queries(client, budget, project.id)
            assert response.status_code == 303
            if project == projects[1] and settings.database_url.startswith("postgres"):
                # the first cast left the ballot page's note: no lookup, one statement
                assert len(queries) == 1, queries
                assert queries[0].startswith("BEGIN; EXECUTE budgets_register_fast(")
                assert "COMMIT; EXECUTE budgets_store_fast(" in queries[0]
                continue
            reads = [sql for sql in queries if 'FROM "accounts_session"' in sql]
            assert len(reads) == 1 and '"budgets_residency"' in reads[0]
            assert not any('FROM "budgets_budget"' in sql for sql in queries)
            if settings.database_url.startswith("postgres"):
                assert len(queries) == 2, queries
                assert queries[1].startswith("BEGIN; EXECUTE budgets_register_web(")
                assert "COMMIT; EXECUTE budgets_store_web(" in queries[1]
    stored = {b.choices for b in await ballots_of(budget.id)}
    assert stored == {json.dumps({str(p.id): 1}) for p in projects[:2]}  # the second changed
    assert await VoterRegister.filter(budget=budget).count() == 2
    if settings.database_url.startswith("postgres"):  # never one transaction (docs/security.md)
        assert await register_and_ballots_share_no_transaction(budget.id, 2)


async def test_a_forged_csrf_token_in_the_ballot_form_is_refused(
    client: httpx.AsyncClient, settings: Settings, citizen: User
) -> None:
    """The form is parsed once, by the CSRF check, for the route: a forged token in the body
    is still refused, and nothing is stored."""
    budget, projects = await resident_at_ballot(client, settings, citizen)
    await client.get(f"/budgets/{budget.id}/ballot")
    fields = {"project": str(projects[0].id), "action": "cast"}
    forged = await client.post(f"/budgets/{budget.id}/ballot", data={**fields, "csrf_token": "x"})
    assert forged.status_code == 403
    missing = await client.post(f"/budgets/{budget.id}/ballot", data=fields)
    assert missing.status_code == 403
    assert len(await ballots_of(budget.id)) == 0
    assert (await vote(client, budget, {"project": [str(projects[0].id)]})).status_code == 303


async def test_blocked_residents_cannot_cast_a_ballot(
    client: httpx.AsyncClient, settings: Settings, citizen: User
) -> None:
    """The block is read with the ballot's own reads (one query): still refused."""
    from moderation.models import UserBlock

    budget, projects = await resident_at_ballot(client, settings, citizen)
    await UserBlock.create(user_id=citizen.id, reason="Propos injurieux répétés.")
    refused = await vote(client, budget, {"project": [str(projects[0].id)]})
    assert refused.status_code == 403 and "Propos injurieux répétés." in refused.text
    assert len(await ballots_of(budget.id)) == 0


async def test_a_missing_budget_or_a_draft_has_no_ballot_page(
    client: httpx.AsyncClient, settings: Settings, citizen: User
) -> None:
    budget, _ = await resident_at_ballot(client, settings, citizen)
    assert (await client.get("/budgets/999999/ballot")).status_code == 404
    assert (await client.get("/budgets/12345678901/ballot")).status_code == 404
    await Budget.filter(id=budget.id).update(phase=Phase.PREPARATION)
    assert (await client.get(f"/budgets/{budget.id}/ballot")).status_code == 404
