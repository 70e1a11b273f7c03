"""A ballot cast in one round trip after the ballot page (budgets/fast_cast.py, PostgreSQL).

Each test first puts a voter where the one-statement cast applies (the budget has a ballot in
this process, the voter has seen the ballot page), then changes one thing the ballot page's
decision rested on, and checks that the cast answers exactly as the ordinary path does (it ran:
the session lookup is among the statements), with nothing stored that should not be."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
import itsdangerous
import pytest
from tortoise import timezone

from budgets import ballot_services, fast_cast
from budgets.domain import Voter
from budgets.models import (
    BallotKind,
    Budget,
    BudgetDistrict,
    Phase,
    Project,
    SealedBallot,
    VoterRegister,
)
from participation.accounts.models import User, UserSession
from participation.residents.models import CensusEntry, Residency
from participation.settings import Settings
from participation.spaces.domain import Audience
from participation.spaces.models import Space
from tests.budgets.factories import (
    ballots_of,
    budget_in_voting,
    register_and_ballots_share_no_transaction,
    south_resident,
)
from tests.conftest import csrf_token, logged_in, logged_queries
from tests.spaces.factories import space_open_with_a_vote

COOKIE = "participation_session"


@pytest.fixture(autouse=True)
def _postgres_only(settings: Settings) -> None:
    if not settings.database_url.startswith("postgres"):
        pytest.skip("the one-statement cast is PostgreSQL's; SQLite takes the ordinary path")


def session_of(client: httpx.AsyncClient) -> dict[str, object]:
    """What the browser's session cookie holds (signed, not encrypted)."""
    signed = client.cookies[COOKIE].encode()
    payload = signed.rsplit(b".", 2)[0]
    return json.loads(base64.b64decode(payload))  # type: ignore[no-any-return]


async def cast(
    client: httpx.AsyncClient, budget: Budget, project_ids: list[int]
) -> tuple[list[str], httpx.Response]:
    """A cast ballot (the token taken from the budget's page, not the ballot page: the ballot
    page would write a new note); the statements it ran."""
    token = await csrf_token(client, f"/budgets/{budget.id}")
    fields = {"project": [str(i) for i in project_ids], "action": "cast", "csrf_token": token}
    with logged_queries() as queries:
        response = await client.post(f"/budgets/{budget.id}/ballot", data=fields)
    return queries, response


def ordinary(queries: list[str]) -> bool:
    """Whether the ordinary path ran (its session lookup)."""
    return any('FROM "accounts_session" JOIN "accounts_user"' in sql for sql in queries)


@asynccontextmanager
async def at_the_ballot(
    app: object,
    settings: Settings,
    citizen: User,
    kind: BallotKind = BallotKind.APPROVAL,
    minimum_age: int = 0,
) -> AsyncIterator[tuple[Budget, list[Project], httpx.AsyncClient]]:
    """`citizen` (Nord) signed in, having seen the ballot page of a budget where a Sud resident
    already voted (its projects are frozen in this process): the next cast is one statement."""
    budget, projects = await budget_in_voting(kind)
    if minimum_age:
        await Budget.filter(id=budget.id).update(minimum_age=minimum_age)
    south = await south_resident(settings, citizen)
    async with logged_in(app, south) as other:
        _, first = await cast(other, budget, [projects[1].id])
        assert first.status_code == 303
    async with logged_in(app, citizen) as client:
        assert (await client.get(f"/budgets/{budget.id}/ballot")).status_code == 200
        assert "cast" in session_of(client)
        yield budget, projects, client


async def test_after_the_ballot_page_a_cast_is_one_statement_and_changes_stay_secret(
    app: object, settings: Settings, citizen: User
) -> None:
    async with at_the_ballot(app, settings, citizen) as (budget, projects, client):
        for project in (projects[0], projects[2]):  # cast, then change
            queries, response = await cast(client, budget, [project.id])
            assert response.status_code == 303
            assert len(queries) == 1 and not ordinary(queries), queries
            assert queries[0].startswith("BEGIN; EXECUTE budgets_register_fast(")
            receipt = await client.get(response.headers["location"])
            code = session_of(client).get("receipt") or {}
            assert receipt.status_code == 200
            assert isinstance(code, dict) and code.get("code") in receipt.text
    stored = sorted(b.choices for b in await ballots_of(budget.id))
    assert stored == sorted(json.dumps({str(p.id): 1}) for p in (projects[1], projects[2]))
    assert await VoterRegister.filter(budget_id=budget.id).count() == 2
    # the register row and the sealed ballot are still two transactions (docs/security.md)
    assert await register_and_ballots_share_no_transaction(budget.id, 2)


async def test_a_refused_ballot_takes_the_ordinary_path_and_says_why(
    app: object, settings: Settings, citizen: User
) -> None:
    async with at_the_ballot(app, settings, citizen, BallotKind.KNAPSACK) as (
        budget,
        projects,
        client,
    ):
        over = [p.id for p in projects]  # more than the budget
        queries, response = await cast(client, budget, over)
        assert response.status_code == 422 and ordinary(queries)
    assert len(await ballots_of(budget.id)) == 1


# --- one change after the page: the statement writes nothing, the ordinary path answers ------


async def end_the_session_elsewhere(budget: Budget, citizen: User) -> None:
    """Logged out in another tab (the session row deleted), though the person is still signed
    in on another device (a session of their own)."""
    await UserSession.filter(user_id=citizen.id).delete()
    tomorrow = timezone.now() + timedelta(days=1)
    await UserSession.create(token_hash="0" * 64, user_id=citizen.id, expires_at=tomorrow)


async def let_the_session_expire(budget: Budget, citizen: User) -> None:
    past = timezone.now() - timedelta(minutes=1)
    await UserSession.filter(user_id=citizen.id).update(expires_at=past)


async def revoke_the_residency(budget: Budget, citizen: User) -> None:
    await Residency.filter(user_id=citizen.id).update(revoked_at=timezone.now())


async def close_the_vote(budget: Budget, citizen: User) -> None:
    await Budget.filter(id=budget.id).update(phase=Phase.TALLY)


async def lower_the_envelopes(budget: Budget, citizen: User) -> None:
    """Staff lower the Nord envelope: the new amount decides."""
    await BudgetDistrict.filter(budget_id=budget.id).update(amount=1)


async def move_to_sud(budget: Budget, citizen: User) -> None:
    """A Nord project is not on a Sud resident's ballot."""
    residency = await Residency.get(user_id=citizen.id)
    await CensusEntry.filter(id=residency.census_entry_id).update(district="Sud")


async def vote_at_the_desk(budget: Budget, citizen: User) -> None:
    residency = await Residency.get(user_id=citizen.id)
    await VoterRegister.create(
        budget_id=budget.id,
        census_entry_id=residency.census_entry_id,
        channel="paper",
        voted_on=timezone.now().date(),
    )


SIGNED_OUT = (302, 303, 403)  # the ordinary path's answer to a cookie without a session


@pytest.mark.parametrize(
    ("change", "kind", "statuses", "shown"),
    [
        (end_the_session_elsewhere, BallotKind.APPROVAL, SIGNED_OUT, ""),
        (let_the_session_expire, BallotKind.APPROVAL, SIGNED_OUT, ""),
        (revoke_the_residency, BallotKind.APPROVAL, (403,), ""),
        (close_the_vote, BallotKind.APPROVAL, (403,), ""),
        (lower_the_envelopes, BallotKind.KNAPSACK, (422,), ""),
        (move_to_sud, BallotKind.KNAPSACK, (422,), ""),
        (vote_at_the_desk, BallotKind.APPROVAL, (422,), "bureau de vote de la mairie"),
    ],
)
async def test_a_change_after_the_page_is_answered_by_the_ordinary_path(
    app: object,
    settings: Settings,
    citizen: User,
    change: Callable[[Budget, User], Awaitable[None]],
    kind: BallotKind,
    statuses: tuple[int, ...],
    shown: str,
) -> None:
    async with at_the_ballot(app, settings, citizen, kind) as (budget, projects, client):
        [nord] = [p for p in projects if p.district_id is not None][:1]
        await change(budget, citizen)
        queries, response = await cast(client, budget, [nord.id])
        assert response.status_code in statuses and ordinary(queries)
        assert "/receipt" not in response.headers.get("location", "")
        assert shown in response.text
    assert len(await ballots_of(budget.id)) == 1  # the other voter's only
    assert await VoterRegister.filter(budget_id=budget.id).count() == (
        2 if change is vote_at_the_desk else 1
    )


async def test_a_blocked_resident_cannot_cast(
    app: object, settings: Settings, citizen: User
) -> None:
    from moderation.models import UserBlock

    async with at_the_ballot(app, settings, citizen) as (budget, projects, client):
        await UserBlock.create(user_id=citizen.id, reason="Propos injurieux répétés.")
        queries, response = await cast(client, budget, [projects[0].id])
        assert response.status_code == 403 and "Propos injurieux répétés." in response.text
        assert ordinary(queries)
        # a block that ended no longer stops the one-statement cast
        await UserBlock.filter(user_id=citizen.id).update(ends_at=timezone.now())
        queries, response = await cast(client, budget, [projects[0].id])
        assert response.status_code == 303 and len(queries) == 1
    assert len(await ballots_of(budget.id)) == 2


async def test_a_residency_expiring_is_compared_with_the_time_of_the_cast(
    app: object, settings: Settings, citizen: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No row changes when an expiry passes: the statement compares it with the cast's time
    (here an hour after the page, on the one-statement path's clock only)."""
    async with at_the_ballot(app, settings, citizen) as (budget, projects, client):
        soon = timezone.now() + timedelta(minutes=30)
        await Residency.filter(user_id=citizen.id).update(expires_at=soon)
        assert (await client.get(f"/budgets/{budget.id}/ballot")).status_code == 200
        later = timezone.now() + timedelta(hours=1)
        monkeypatch.setattr(fast_cast.timezone, "now", lambda: later)
        queries, response = await cast(client, budget, [projects[0].id])
        # the statement wrote nothing (nothing in Python looks at the expiry on that path):
        # the ordinary path, an hour later too, refuses
        assert response.status_code == 403 and ordinary(queries)
        monkeypatch.undo()
        queries, response = await cast(client, budget, [projects[2].id])
        assert response.status_code == 303 and len(queries) == 1
    assert len(await ballots_of(budget.id)) == 2


async def test_a_note_naming_another_person_casts_nothing_for_them(
    app: object, settings: Settings, citizen: User
) -> None:
    """With SECRET_KEY, an attacker can sign any session cookie: a note naming someone else's
    census row makes the statement write nothing (the session's person has another row), and
    the ordinary path casts the session's own person's ballot."""
    async with at_the_ballot(app, settings, citizen) as (budget, projects, client):
        mine = (await Residency.get(user_id=citizen.id)).census_entry_id
        voted = await VoterRegister.filter(budget_id=budget.id).values_list(
            "census_entry_id", flat=True
        )
        other = await CensusEntry.exclude(id__in=[mine, *voted]).first()
        assert other is not None
        session = session_of(client)
        note = list(session["cast"])  # type: ignore[call-overload]
        note[1] = other.id
        forged = base64.b64encode(json.dumps({**session, "cast": note}).encode())
        signed = itsdangerous.TimestampSigner(settings.secret_key).sign(forged).decode()
        [jar_cookie] = [c for c in client.cookies.jar if c.name == COOKIE]
        client.cookies.set(COOKIE, signed, domain=jar_cookie.domain, path=jar_cookie.path)
        queries, response = await cast(client, budget, [projects[0].id])
        assert response.status_code == 303 and ordinary(queries)
    registered = {r.census_entry_id for r in await VoterRegister.filter(budget_id=budget.id)}
    assert other.id not in registered and mine in registered
    token = ballot_services.ballot_token(settings, budget.id, mine)
    assert await SealedBallot.filter(token=token).exists()


async def page_then_rule_change(
    app: object, settings: Settings, citizen: User, change: Callable[[Budget], Awaitable[None]]
) -> tuple[Budget, list[Project], list[str], httpx.Response]:
    """`citizen` (Nord) sees the ballot page; the budget's rules change (`change`); a Sud
    resident then sees the ballot page (this process's budget is the changed one); `citizen`
    casts: the statements and the answer."""
    budget, projects = await budget_in_voting()
    south = await south_resident(settings, citizen)
    async with logged_in(app, south) as other:
        assert (await cast(other, budget, [projects[1].id]))[1].status_code == 303
        async with logged_in(app, citizen) as client:
            assert (await client.get(f"/budgets/{budget.id}/ballot")).status_code == 200
            assert "cast" in session_of(client)
            await change(budget)
            assert (await other.get(f"/budgets/{budget.id}/ballot")).status_code == 200
            queries, response = await cast(client, budget, [projects[0].id])
    return budget, projects, queries, response


async def test_a_budget_restricted_after_the_page_refuses_the_others(
    app: object, settings: Settings, citizen: User
) -> None:
    """Staff restrict the vote to Sud while it is open (the rules but the ballot's are not
    locked): a Nord resident who saw the page before is refused, as by the ordinary path,
    even once this process holds the changed budget (a Sud resident saw its page)."""

    async def to_south(budget: Budget) -> None:
        await Budget.filter(id=budget.id).update(restricted_to_district="Sud")

    budget, _, queries, response = await page_then_rule_change(app, settings, citizen, to_south)
    assert response.status_code == 403 and ordinary(queries)
    assert len(await ballots_of(budget.id)) == 1


async def test_a_space_narrowed_after_the_page_refuses_the_others(
    app: object, settings: Settings, citizen: User
) -> None:
    """The budget's space opened to Sud residents only while the vote is open: as above."""

    async def in_a_southern_space(budget: Budget) -> None:
        space = await space_open_with_a_vote(audience=Audience.RESIDENTS, districts=["Sud"])
        await Budget.filter(id=budget.id).update(space_id=space.id)

    budget, _, queries, response = await page_then_rule_change(
        app, settings, citizen, in_a_southern_space
    )
    assert response.status_code == 403 and ordinary(queries)
    assert len(await ballots_of(budget.id)) == 1


async def test_a_space_changed_after_the_page_is_checked_again(
    app: object, settings: Settings, citizen: User
) -> None:
    """The budget's space's own row changes (its audience narrowed to Sud) after the page:
    the statement writes nothing (the space's row version), the ordinary path refuses."""
    budget, projects = await budget_in_voting()
    space = await space_open_with_a_vote(audience=Audience.RESIDENTS)
    await Budget.filter(id=budget.id).update(space_id=space.id)
    south = await south_resident(settings, citizen)
    async with logged_in(app, south) as other:
        assert (await cast(other, budget, [projects[1].id]))[1].status_code == 303
    async with logged_in(app, citizen) as client:
        assert (await client.get(f"/budgets/{budget.id}/ballot")).status_code == 200
        await Space.filter(id=space.id).update(districts=["Sud"])
        queries, response = await cast(client, budget, [projects[0].id])
        assert response.status_code == 403 and ordinary(queries)
    assert len(await ballots_of(budget.id)) == 1


async def test_a_residency_row_changed_after_the_page_is_decided_again(
    app: object, settings: Settings, citizen: User
) -> None:
    """The record's birth date corrected at the desk (now under the budget's minimum age):
    the statement writes nothing (the residency row's version), the ordinary path refuses."""
    async with at_the_ballot(app, settings, citizen, minimum_age=16) as (
        budget,
        projects,
        client,
    ):
        young = timezone.now().date() - timedelta(days=365 * 10)
        await Residency.filter(user_id=citizen.id).update(birth_date=young)
        queries, response = await cast(client, budget, [projects[0].id])
        assert response.status_code == 403 and ordinary(queries)
    assert len(await ballots_of(budget.id)) == 1


async def test_a_vote_whose_closing_time_passed_takes_the_ordinary_path(
    app: object, settings: Settings, citizen: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No row changes when the vote closes at its time: the cast compares it with its own
    time (here a minute after the close, on the one-statement path's clock only)."""
    async with at_the_ballot(app, settings, citizen) as (budget, projects, client):
        closes = timezone.now() + timedelta(minutes=30)
        await Budget.filter(id=budget.id).update(voting_closes_at=closes)
        assert (await client.get(f"/budgets/{budget.id}/ballot")).status_code == 200
        later = closes + timedelta(minutes=1)
        monkeypatch.setattr(fast_cast.timezone, "now", lambda: later)
        queries, _ = await cast(client, budget, [projects[0].id])
        assert ordinary(queries)  # which, on the real clock, still takes it


@pytest.mark.parametrize(
    ("public_key", "method"),
    [(None, "census"), ("k" * 44, "letter")],
    ids=["clear ballots", "letter"],
)
async def test_no_note_for_clear_ballots_nor_a_letter_verification(
    citizen: User, public_key: str | None, method: str
) -> None:
    """A budget whose ballots are stored in clear (sealing needs its key) and a voter verified
    by letter (the page's decision rests on whether a census file is loaded, which no row
    version says) take the ordinary path: the page leaves no note, and removes an older one."""
    budget, _ = await budget_in_voting()
    budget.ballot_public_key = public_key
    versions = ballot_services.RowVersions("7", "8", "9", None, None)
    state = ballot_services.VotingState(
        budget, Voter(True, None, "Nord"), 42, [], None, method, versions
    )
    session: dict[str, object] = {"cast": [budget.id, 42, "Nord", "1", "2", "0" * 16]}
    await fast_cast.remember(session, state)
    assert "cast" not in session
    budget.ballot_public_key = "k" * 44
    await fast_cast.remember(
        session,
        ballot_services.VotingState(
            budget, Voter(True, None, "Nord"), 42, [], None, "census", versions
        ),
    )
    assert session["cast"][:3] == [budget.id, 42, "Nord"]  # the same state, sealed and linked
