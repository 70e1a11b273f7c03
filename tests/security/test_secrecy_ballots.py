"""The attacker holds a copy of the database (and, in some tests, SECRET_KEY too): can they
tell who cast which budget ballot? (issue #16; docs/security.md, "Bulletins de vote").

A few hundred ballots are cast concurrently in three budgets (some changed, some on paper),
then the trustees open them. The attacker uses only SQL over the tables: insertion and
physical order (SQLite `rowid`, PostgreSQL `ctid` and `xmin`), ids, dates, sizes, receipts and
tokens, and tries to pair each register row with a ballot. The channel of a ballot is
published (web or paper), so the attacker pairs within each (budget, channel) group; a ballot
stores no district (its choices may tell the district, as the published results do).

The statistical check: if the stored order is a uniformly random permutation within each of
the G groups, the number of correct pairs S of any order-based pairing is a sum of the fixed
points of G independent random permutations, whose k-th factorial moment is at most G^k; so
P(S >= k) <= G^k / k! (Markov's inequality on the binomial moment). We assert S < k for the
smallest k with G^k / k! < 1e-9: a secret layout fails the test with probability below 1e-9,
while a layout that keeps the order (as before this fix: 536 of 536 pairs) fails it at once.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import math
import random
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any

from tortoise import connections

from budgets import ballot_box, ballot_services, domain, services
from budgets.models import Ballot, Channel, Phase, SealedBallot, VoterRegister
from participation.residents import services as residents
from participation.settings import Settings
from tests.budgets.factories import SHARES, budget_in_voting

PEOPLE = 120
BUDGETS = 3
FALSE_FAILURE = 1e-9


def census(people: int = PEOPLE) -> bytes:
    lines = ["identifiant;date_naissance;code_postal;quartier"]
    for n in range(people):
        lines.append(f"S-{n:04d};1980-01-{n % 28 + 1:02d};44000;{'Nord' if n % 2 else ''}")
    return ("\n".join(lines) + "\n").encode()


def bound(groups: int) -> int:
    """The smallest k with groups^k / k! < FALSE_FAILURE."""
    k = 1
    while groups**k / math.factorial(k) >= FALSE_FAILURE:
        k += 1
    return k


async def rows(sql: str) -> list[dict[str, Any]]:
    _, found = await connections.get("default").execute_query(sql)
    return [dict(row) for row in found]


def postgres() -> bool:
    return connections.get("default").capabilities.dialect == "postgres"


async def cast_everything(settings: Settings) -> tuple[list[int], dict[tuple[int, int], str]]:
    """Three budgets; every person votes in each, 20 at a time, a quarter change their ballot
    later, one in eight on paper. Returns the budgets and, per (budget, census entry), the
    receipt of the ballot that stays."""
    rng = random.Random(16)
    budget_ids, truth = [], {}
    await residents.import_census(settings, census())
    from participation.residents.models import CensusEntry

    entries = await CensusEntry.all().order_by("id")
    budgets = [await budget_in_voting() for _ in range(BUDGETS)]
    for budget, _ in budgets:
        budget_ids.append(budget.id)

    async def cast(budget_id: int, entry: Any, paper: bool) -> None:
        budget, projects = next(b for b in budgets if b[0].id == budget_id)
        allowed = [p.id for p in projects if p.district_id is None or entry.district == "Nord"]
        chosen = rng.sample(allowed, rng.randint(1, 2))
        voter = domain.Voter(True, date(1980, 1, 1), entry.district)
        receipt = await ballot_services.cast_ballot(
            settings,
            budget_id,
            entry.id,
            voter,
            {project_id: 1 for project_id in chosen},
            Channel.PAPER if paper else Channel.WEB,
        )
        truth[(budget_id, entry.id)] = receipt

    jobs = [(budget_id, entry, entry.id % 8 == 0) for entry in entries for budget_id in budget_ids]
    rng.shuffle(jobs)
    for start in range(0, len(jobs), 20):  # concurrent casts, across people and budgets
        await asyncio.gather(*(cast(b, e, paper) for b, e, paper in jobs[start : start + 20]))
    changes = [(b, e, p) for b, e, p in jobs if not p and rng.random() < 0.25]
    for start in range(0, len(changes), 20):
        await asyncio.gather(*(cast(b, e, p) for b, e, p in changes[start : start + 20]))
    return budget_ids, truth


async def register_rows(order: str) -> list[dict[str, Any]]:
    return await rows(
        'SELECT r."budget_id", r."census_entry_id", r."channel" '
        f'FROM "budgets_voter_register" r ORDER BY {order}'
    )


async def ballot_rows(order: str) -> list[dict[str, Any]]:
    return await rows(
        'SELECT b."budget_id", b."receipt", b."channel", b."district" '
        f'FROM "budgets_ballot" b ORDER BY {order}'
    )


def group_of(row: dict[str, Any]) -> tuple[int, str]:
    return (int(row["budget_id"]), str(row["channel"]))


def correct_pairs(
    register: list[dict[str, Any]],
    ballots: list[dict[str, Any]],
    truth: dict[tuple[int, int], str],
) -> tuple[int, int, int]:
    """Zip register rows and ballots in their given orders within each group; (correct pairs,
    pairs tried, groups)."""
    by_group: dict[tuple[int, str], list[list[dict[str, Any]]]] = defaultdict(lambda: [[], []])
    for row in register:
        by_group[group_of(row)][0].append(row)
    for row in ballots:
        by_group[group_of(row)][1].append(row)
    correct = tried = 0
    for people, cast in by_group.values():
        for person, ballot in zip(people, cast, strict=False):
            tried += 1
            correct += (
                truth[(int(person["budget_id"]), int(person["census_entry_id"]))]
                == (ballot["receipt"])
            )
    return correct, tried, len(by_group)


ORDERS_SQLITE = {
    "rowid": ("r.rowid", "b.rowid"),
    "id": ('r."id"', 'b."id"'),
    "receipt": ('r."id"', 'b."receipt"'),
    "reverse rowid": ("r.rowid DESC", "b.rowid"),
}
ORDERS_POSTGRES = {
    "ctid": ("r.ctid", "b.ctid"),
    "xmin": ("r.xmin::text::bigint, r.ctid", "b.xmin::text::bigint, b.ctid"),
    "id": ('r."id"', 'b."id"'),
    "receipt": ('r."id"', 'b."receipt"'),
}


async def test_after_the_count_no_order_or_column_pairs_ballots_with_people(
    app: object, settings: Settings
) -> None:
    budget_ids, truth = await cast_everything(settings)
    assert len(truth) == PEOPLE * BUDGETS
    for budget_id in budget_ids:
        await services.switch_phase(budget_id, Phase.TALLY, by_user=None)
        await ballot_box.open_ballots(budget_id, SHARES[budget_id])
    assert await Ballot.all().count() == PEOPLE * BUDGETS
    assert await SealedBallot.all().count() == 0
    orders = ORDERS_POSTGRES if postgres() else ORDERS_SQLITE
    for name, (register_order, ballot_order) in orders.items():
        register = await register_rows(register_order)
        ballots = await ballot_rows(ballot_order)
        correct, tried, groups = correct_pairs(register, ballots, truth)
        assert tried == PEOPLE * BUDGETS
        assert correct < bound(groups), (name, correct, tried, groups)

    if postgres():  # one transaction per register row; all ballots stored by one other
        joined = await rows(
            'SELECT r."census_entry_id", b."receipt", r."budget_id" FROM "budgets_ballot" b '
            'JOIN "budgets_voter_register" r ON r.xmin = b.xmin AND r."budget_id" = b."budget_id"'
        )
        assert joined == []

    # dates: the register keeps the day, the ballots none
    assert {str(r["cast_on"]) for r in await rows('SELECT "cast_on" FROM "budgets_ballot"')} == {
        "None"
    }
    days = await rows('SELECT DISTINCT "voted_on" FROM "budgets_voter_register"')
    assert len(days) == 1
    # no token on a counted ballot: SECRET_KEY finds nothing to link
    assert await Ballot.filter(token__isnull=False).count() == 0
    assert await Ballot.filter(district__isnull=False).count() == 0  # nor any district


async def test_before_the_count_the_database_holds_ciphertexts_only(
    app: object, settings: Settings
) -> None:
    """With SECRET_KEY the attacker finds each person's sealed ballot (that is what lets a voter
    replace it): all they get is a ciphertext of the same size as every other, and no receipt
    or choice appears anywhere in the database."""
    budget_ids, truth = await cast_everything(settings)
    dump = await database_text()
    for receipt in truth.values():
        assert receipt not in dump
    sizes = {len(bytes(row.sealed)) for row in await SealedBallot.all()}
    assert len(sizes) == 1  # one size for every ballot: the length says nothing
    assert await Ballot.all().count() == 0  # nothing in clear
    # the attacker with SECRET_KEY: tokens lead to ciphertexts, never to a choice
    key = settings.secret_key.encode()
    register = await VoterRegister.all()
    found = 0
    for row in register:
        token = hmac.new(
            key, f"ballot|{row.budget_id}|{row.census_entry_id}".encode(), hashlib.sha256
        ).hexdigest()
        sealed = await SealedBallot.get_or_none(token=token)
        if sealed is not None:
            found += 1
            assert sealed.receipt_box is None or truth[(row.budget_id, row.census_entry_id)][
                :4
            ].encode() not in bytes(sealed.receipt_box)
    assert found == len([r for r in register if r.channel == Channel.WEB])
    # and nothing of the ballot box key is stored, only commitments of the shares
    for budget_id in budget_ids:
        for share in SHARES[budget_id]:
            digits = share.split("-", 3)[3].replace("-", "")
            assert digits not in dump and digits.lstrip("0")[:40] not in dump


async def database_text() -> str:
    """Every row of every table, as text: what a dump shows."""
    if postgres():
        tables = [
            row["tablename"]
            for row in await rows("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ]
    else:
        tables = [
            row["name"] for row in await rows("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
    parts = []
    for table in tables:
        for row in await rows(f'SELECT * FROM "{table}"'):
            parts.append(" ".join(_text(value) for value in row.values()))
    return "\n".join(parts)


def _text(value: Any) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex() + " " + bytes(value).decode("latin-1")
    return str(value)


def test_the_bound_is_what_the_docstring_says() -> None:
    assert bound(1) == 13  # 1/13! < 1e-9 <= 1/12!
    check: Callable[[int], bool] = lambda g: g ** bound(g) / math.factorial(bound(g)) < 1e-9  # noqa: E731
    assert all(check(g) for g in (1, 6, 12))


def test_the_check_catches_a_layout_that_keeps_the_order() -> None:
    """The pairing the tests above use finds every ballot of a layout that follows the
    register (as before the fix), and about one per group of a shuffled one."""
    register = [
        {"budget_id": 1, "census_entry_id": n, "channel": "web", "district": None}
        for n in range(300)
    ]
    truth = {(1, n): f"R{n}" for n in range(300)}
    leaky = [
        {"budget_id": 1, "receipt": f"R{n}", "channel": "web", "district": None} for n in range(300)
    ]
    assert correct_pairs(register, leaky, truth) == (300, 300, 1)
    shuffled = leaky[:]
    random.Random(1).shuffle(shuffled)
    correct, _, groups = correct_pairs(register, shuffled, truth)
    assert correct < bound(groups)
