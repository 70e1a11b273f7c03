"""Migration budgets.0003 on a database whose budget is already in voting with clear ballots:
the register keeps the day of each vote, the clear ballots keep working and are counted as
before, and that budget cannot get a key (it ends as it started)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from tortoise import connections

from budgets import ballot_box, ballot_services, domain, services, tallying
from budgets.models import Ballot, Budget, Phase, SealedBallot, TallyResult, VoterRegister
from participation.refusals import Refused
from tests.conftest import database_at, upgrade


async def test_budgets_in_voting_keep_their_clear_ballots_and_the_register_keeps_the_day(
    tmp_path: Path, redis_url: str
) -> None:
    async with database_at(tmp_path, redis_url, "budgets.0002_project_moderation") as settings:
        client = connections.get("default")
        postgres = not settings.uses_sqlite

        def marks(n: int) -> str:
            return ", ".join(f"${i}" if postgres else "?" for i in range(1, n + 1))

        voted_at = datetime(2026, 11, 30, 23, 59, 58, 123456, tzinfo=UTC)
        closes = datetime.now(UTC) + timedelta(days=3)
        await client.execute_query(
            'INSERT INTO "budgets_budget" ("id", "title", "description", "currency", '
            '"total_amount", "phase", "ballot_kind", "min_choices", "min_spent_percent", '
            '"points_total", "points_per_project", "ranking_length", "winner_rule", '
            f'"minimum_age", "created_at", "voting_closes_at") VALUES ({marks(16)})',
            [1, "Budget 2026", "", "EUR", 100_000, "voting", "approval", 1, 0, 10, 5, 3,
             "greedy", 0, voted_at, closes],
        )  # fmt: skip
        await client.execute_query(
            'INSERT INTO "budgets_project" ("id", "budget_id", "title", "description", "cost", '
            '"feasibility", "feasibility_reason", "location", "moderation_state", "created_at") '
            f"VALUES ({marks(10)})",
            [1, 1, "Jardin", "", 40_000, "feasible", "", "", "visible", voted_at],
        )
        for n in (1, 2):
            await client.execute_query(
                'INSERT INTO "budgets_census_entry" ("id", "lookup_hash", "district", '
                f'"birth_year", "imported_at") VALUES ({marks(5)})',
                [n, f"hash-{n}", None, 1980, voted_at],
            )
        await client.execute_query(
            'INSERT INTO "budgets_voter_register" ("budget_id", "census_entry_id", "channel", '
            f'"voted_at") VALUES ({marks(4)})',
            [1, 1, "web", voted_at],
        )
        token = ballot_services.ballot_token(settings, 1, 1)
        await client.execute_query(
            'INSERT INTO "budgets_ballot" ("id", "budget_id", "token", "receipt", "district", '
            f'"channel", "choices", "cast_on") VALUES ({marks(8)})',
            [
                uuid.uuid4() if postgres else str(uuid.uuid4()),
                1,
                token,
                "AAAA-BBBB-CCCC",
                None,
                "web",
                json.dumps({"1": 1}),
                date(2026, 11, 30),
            ],
        )

        await upgrade(settings)

        [row] = await VoterRegister.all()
        assert row.voted_on == date(2026, 11, 30)
        assert "voted_at" not in VoterRegister._meta.fields_map
        # the vote goes on, in clear, as it started: a second voter, and the first one changes
        budget = await Budget.get(id=1)
        assert budget.ballot_public_key is None
        voter = domain.Voter(True, date(1980, 1, 1), None)
        await ballot_services.cast_ballot(settings, 1, 2, voter, {1: 1})
        await ballot_services.cast_ballot(settings, 1, 1, voter, {1: 1})
        assert await Ballot.filter(budget_id=1).count() == 2
        assert await SealedBallot.all().count() == 0
        with pytest.raises(Refused):
            await ballot_box.generate_key(1, [None], 1)
        # and is counted as before, with no trustee
        await services.switch_phase(1, Phase.TALLY, by_user=None)
        assert await tallying.tally_and_store(1) == "stored"
        result = await TallyResult.get(budget_id=1, rule="greedy")
        assert result.ballots_count == 2


async def test_trustees_of_a_key_generated_before_budgets_0004_hold_their_share(
    tmp_path: Path, redis_url: str
) -> None:
    """Scenario: the key ceremony was held under the previous release (which showed each share
    at once); after the upgrade, voting still opens with that key."""
    async with database_at(tmp_path, redis_url, "budgets.0003_sealed_ballots") as settings:
        client = connections.get("default")
        postgres = not settings.uses_sqlite

        def marks(n: int) -> str:
            return ", ".join(f"${i}" if postgres else "?" for i in range(1, n + 1))

        now = datetime.now(UTC)
        await client.execute_query(
            'INSERT INTO "budgets_budget" ("id", "title", "description", "currency", '
            '"total_amount", "phase", "ballot_kind", "min_choices", "min_spent_percent", '
            '"points_total", "points_per_project", "ranking_length", "winner_rule", '
            '"minimum_age", "created_at", "voting_closes_at", "ballot_public_key", '
            f'"ballot_key_threshold") VALUES ({marks(18)})',
            [1, "Budget 2027", "", "EUR", 100_000, "review", "approval", 1, 0, 10, 5, 3,
             "greedy", 0, now, now + timedelta(days=9), "ab" * 32, 2],
        )  # fmt: skip
        for position in (1, 2):
            await client.execute_query(
                'INSERT INTO "budgets_trustee" ("budget_id", "position", "commitment") '
                f"VALUES ({marks(3)})",
                [1, position, f"c{position}"],
            )
        await upgrade(settings)

        assert await services.switch_phase(1, Phase.VOTING, by_user=None)
        assert (await Budget.get(id=1)).phase == Phase.VOTING
