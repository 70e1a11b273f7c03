"""Budgets in the states the tests need, built through the services (not raw rows)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import httpx
from tortoise import connections, timezone

from budgets import ballot_services, domain, services
from budgets.models import BallotKind, Budget, Channel, Feasibility, Phase, Project, WinnerRule
from participation.accounts.models import User
from participation.residents import services as residents
from participation.settings import Settings
from tests.conftest import browser_of, create_user, log_in

CENSUS = (
    "identifiant;date_naissance;code_postal;quartier\n"
    "VB-001;1984-03-21;44000;Nord\n"
    "VB-002;1990-12-01;44000;Sud\n"
    "VB-003;2012-06-15;44000;Nord\n"
    "VB-004;1975-01-30;44000;Nord\n"
)
PERSON = {"identifier": "VB-001", "birth_date": "1984-03-21", "postcode": "44000"}
SOUTH = {**PERSON, "identifier": "VB-002", "birth_date": "1990-12-01"}  # a Sud resident


async def budget_in_voting(
    kind: BallotKind = BallotKind.APPROVAL,
    winner: WinnerRule = WinnerRule.GREEDY,
    **rule: int,
) -> tuple[Budget, list[Project]]:
    """A 100,000 € budget with a Nord district (30,000 €), five feasible projects, voting,
    its ballot box key held by one trustee (the share in SHARES)."""
    budget, projects = await budget_without_key(kind, winner, **rule)
    await with_ballot_box(budget.id)
    await services.switch_phase(budget.id, Phase.VOTING, by_user=None)
    await budget.refresh_from_db()
    return budget, projects


async def budget_taking_projects() -> Budget:
    """Scenario: the budget of `budget_in_voting`, back in the submission phase (residents
    submit projects)."""
    budget, _ = await budget_in_voting()
    await Budget.filter(id=budget.id).update(phase=Phase.SUBMISSION)
    await budget.refresh_from_db()
    return budget


async def budget_without_key(
    kind: BallotKind = BallotKind.APPROVAL,
    winner: WinnerRule = WinnerRule.GREEDY,
    **rule: int,
) -> tuple[Budget, list[Project]]:
    """`budget_in_voting()` before its key ceremony: in preparation, voting cannot open."""
    form = services.BudgetForm(
        title="Budget participatif 2026",
        description="Des idées pour Villebelle",
        total_amount=100_000,
        districts={"Nord": 30_000},
        categories=("Nature", "Sport"),
        rule=domain.BallotRule(kind, **rule),
        winner_rule=winner,
    )
    budget = await services.save_budget(form)
    districts = {d.name: d for d in await budget.districts.all()}
    specs = [
        ("Jardin partagé", 40_000, None),
        ("Piste cyclable", 30_000, None),
        ("Skatepark", 50_000, None),
        ("Bancs du parc Nord", 20_000, "Nord"),
        ("Fontaine", 5_000, "Nord"),
    ]
    projects = [
        await Project.create(
            budget=budget,
            title=title,
            description="<p>Détails</p>",
            cost=cost,
            district=districts.get(district) if district else None,
            feasibility=Feasibility.FEASIBLE,
        )
        for title, cost, district in specs
    ]
    await Budget.filter(id=budget.id).update(voting_closes_at=timezone.now() + timedelta(days=7))
    await budget.refresh_from_db()
    return budget, projects


# the key shares of the budgets the factories made, as their trustees would keep them
SHARES: dict[int, list[str]] = {}


async def with_ballot_box(budget_id: int, trustees: int = 1, threshold: int = 1) -> list[str]:
    """The key ceremony with trustees that have no account; their shares go to SHARES."""
    from budgets import ballot_box

    shares = await ballot_box.generate_key(budget_id, [None] * trustees, threshold)
    SHARES[budget_id] = [share.text() for _, share in shares]
    return SHARES[budget_id]


async def open_and_count(budget_id: int) -> int:
    """Close the vote of a factory budget and open its ballots with its trustees' shares."""
    from budgets import ballot_box

    budget = await Budget.get(id=budget_id)
    if budget.phase == Phase.VOTING:
        await services.switch_phase(budget_id, Phase.TALLY, by_user=None)
    return await ballot_box.open_ballots(budget_id, SHARES[budget_id])


async def budget_in_preparation_due_to_vote() -> Budget:
    """`budget_in_voting()` put back in preparation with dates that open its vote a minute ago:
    the next run of the phase schedule moves it straight to voting."""
    budget, _ = await budget_in_voting()
    now = timezone.now()
    await Budget.filter(id=budget.id).update(
        phase=Phase.PREPARATION,
        phase_changed_at=None,
        submission_opens_at=now - timedelta(days=3),
        review_opens_at=now - timedelta(days=2),
        voting_opens_at=now - timedelta(minutes=1),
        voting_closes_at=now + timedelta(days=1),
    )
    return budget


async def verified(settings: Settings, user: User, person: dict[str, str] = PERSON) -> None:
    await residents.import_census(settings, CENSUS.encode())
    await residents.verify_residency(
        settings, user, person["identifier"], person["birth_date"], person["postcode"]
    )


async def signed_in_voters(
    settings: Settings, app: object, people: list[dict[str, str]], prefix: str = "voter"
) -> list[tuple[object, httpx.AsyncClient]]:
    """A browser for each verified person, signed in, the "logged in" message seen: (context,
    client) pairs; the caller closes each context."""
    voters = []
    for n, person in enumerate(people):
        user = await create_user(settings, f"{prefix}{n}@example.org", display_name=f"Voter {n}")
        await verified(settings, user, person)
        context = browser_of(app)
        client = await context.__aenter__()
        await log_in(client, user)
        await client.get("/")  # the "logged in" message seen
        voters.append((context, client))
    return voters


async def resident_at_ballot(
    client: httpx.AsyncClient,
    settings: Settings,
    user: User,
    kind: BallotKind = BallotKind.APPROVAL,
    person: dict[str, str] | None = PERSON,
    **rule: int,
) -> tuple[Budget, list[Project]]:
    """Scenario: a budget in voting (`budget_in_voting`), `user` logged in on `client` and
    verified as `person` (a Nord resident; None: not verified)."""
    budget, projects = await budget_in_voting(kind, WinnerRule.GREEDY, **rule)
    if person is not None:
        await verified(settings, user, person)
    await log_in(client, user)
    return budget, projects


async def budget_with_a_ballot(settings: Settings, voter: User) -> tuple[Budget, list[Project]]:
    """Scenario: a budget in voting (`budget_in_voting`) where `voter`, verified, chose its
    first project: what locks its rules and its projects' rows."""
    budget, projects = await budget_in_voting()
    await verified(settings, voter)
    person, residency = await residents.resident_of(voter)
    assert residency is not None
    await ballot_services.cast_ballot(
        settings, budget.id, residency.census_entry, person, {projects[0].id: 1}
    )
    return budget, projects


async def south_resident(settings: Settings, citizen: User) -> User:
    """Scenario: two verified voters, `citizen` in Nord and the returned one in Sud."""
    south = await create_user(settings, "sud@example.org")
    await verified(settings, citizen)
    await verified(settings, south, SOUTH)
    return south


def with_ids(fields: dict[str, object], projects: list[Project]) -> dict[str, object]:
    """Form fields written with P0, P1… (names or values) for the projects' real ids."""

    def real(value: str) -> str:
        return re.sub(r"P(\d)", lambda m: str(projects[int(m.group(1))].id), value)

    return {
        real(k): ([real(v) for v in value] if isinstance(value, list) else real(str(value)))
        for k, value in fields.items()
    }


@dataclass(frozen=True)
class OpenedBallot:
    """A sealed ballot as the trustees would read it (tests only: nothing is stored)."""

    id: str
    receipt: str
    choices: str  # JSON, as Ballot.choices
    channel: Channel


async def ballots_of(budget_id: int) -> list[OpenedBallot]:
    """The budget's sealed ballots, opened in memory with the factory trustees' shares."""
    from budgets import urn
    from budgets.models import SealedBallot

    shares = [urn.parse_share(text) for text in SHARES[budget_id]]
    opener = urn.Opener(urn.combine(shares))
    opened = []
    for row in await SealedBallot.filter(budget_id=budget_id):
        content = opener.open(bytes(row.sealed))
        opened.append(
            OpenedBallot(str(row.id), content.receipt, content.choices, Channel(content.channel))
        )
    return opened


async def register_and_ballots_share_no_transaction(budget_id: int, ballots: int) -> bool:
    """PostgreSQL: the budget has `ballots` sealed ballots, and none was written by the
    transaction of a register row (`xmin`): identity and ballot never in one transaction."""
    db = connections.get("default")
    _, registered = await db.execute_query(
        'SELECT xmin::text AS "x" FROM "budgets_voter_register" WHERE "budget_id" = $1',
        [budget_id],
    )
    _, sealed = await db.execute_query(
        'SELECT xmin::text AS "x" FROM "budgets_sealed_ballot" WHERE "budget_id" = $1',
        [budget_id],
    )
    return len(sealed) == ballots and not {r["x"] for r in registered} & {r["x"] for r in sealed}
