"""`participation tally-budget ID`: the trustees' count from the command line."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest

from participation.cli import main
from participation.residents import services as residents


async def _closed_budget_with_a_ballot() -> tuple[int, list[str]]:
    from budgets import ballot_services, domain, services
    from budgets.models import Phase
    from participation.db import close_database, init_database
    from participation.settings import Settings
    from tests.budgets.factories import CENSUS, budget_without_key, with_ballot_box

    settings = Settings.from_env()
    await init_database(settings)
    try:
        budget, projects = await budget_without_key()
        shares = await with_ballot_box(budget.id, trustees=3, threshold=2)
        await services.switch_phase(budget.id, Phase.VOTING, by_user=None)
        await residents.import_census(settings, CENSUS.encode())
        entry, born = await residents.find_census_entry(settings, "VB-001", "1984-03-21", "44000")
        voter = domain.Voter(True, born, entry.district)
        await ballot_services.cast_ballot(settings, budget.id, entry, voter, {projects[0].id: 1})
        await services.switch_phase(budget.id, Phase.TALLY, by_user=None)
        return budget.id, shares
    finally:
        await close_database()


async def _counted(budget_id: int) -> tuple[int, int]:
    from budgets.models import Ballot, TallyResult
    from participation.db import close_database, init_database
    from participation.settings import Settings

    await init_database(Settings.from_env())
    try:
        return (
            await Ballot.filter(budget_id=budget_id).count(),
            await TallyResult.filter(budget_id=budget_id).count(),
        )
    finally:
        await close_database()


def test_the_trustees_count_from_the_command_line(
    fresh_installation: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    budget_id, shares = asyncio.run(_closed_budget_with_a_ballot())
    capsys.readouterr()

    monkeypatch.setattr("sys.stdin", io.StringIO(shares[0] + "\n"))  # not a terminal
    assert main(["tally-budget", str(budget_id)]) == 1
    assert "1 parts de clé sur les 2 nécessaires" in capsys.readouterr().err
    wrong = shares[1][:-1] + ("0" if shares[1][-1] != "0" else "1")
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{shares[0]}\n{wrong}\n"))
    assert main(["tally-budget", str(budget_id)]) == 1
    assert "dépositaire numéro 2" in capsys.readouterr().err
    assert asyncio.run(_counted(budget_id)) == (0, 0)  # nothing stored

    monkeypatch.setattr("sys.stdin", io.StringIO(f"\n{shares[2]}\n{shares[0]}\n"))
    assert main(["tally-budget", str(budget_id)]) == 0
    assert "1 ballots opened and counted" in capsys.readouterr().out
    assert asyncio.run(_counted(budget_id)) == (1, 2)
    assert main(["tally-budget", "999"]) == 2
