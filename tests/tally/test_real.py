"""Real elections: the rules give the outcome the cities published."""

from __future__ import annotations

from pathlib import Path

import pytest

from tally import tally
from tally.pabulib import read_with_outcome
from tests.tally.data import PABULIB, need, needs_pabulib, pabulib_files

GREEDY_FAMILY = ("greedy", "greedy-no-skip", "greedy-threshold")


def _published(kinds: tuple[str, ...]) -> list[Path]:
    """The files of a rule in `kinds` whose PROJECTS section has a `selected` column."""
    found = []
    for path in pabulib_files():
        head, _, rest = path.read_text(encoding="utf-8-sig").partition("PROJECTS")
        columns = rest.lstrip().split("\n", 1)[0].strip().lower().split(";")
        rule = next(
            (
                line.split(";", 1)[1].strip()
                for line in head.splitlines()
                if line.startswith("rule;")
            ),
            "",
        )
        if rule in kinds and "selected" in columns:
            found.append(path)
    return found


@needs_pabulib
@pytest.mark.parametrize("path", _published(GREEDY_FAMILY), ids=lambda p: p.stem)
def test_greedy_family_reproduces_the_published_outcome(path: Path) -> None:
    file = read_with_outcome(path)
    assert file.selected is not None
    outcome = tally(file.election, file.rule)
    assert sorted(outcome.selected) == sorted(file.selected)
    assert outcome.cost <= file.election.exact_budget


@needs_pabulib
@pytest.mark.parametrize("name", ["Poland_Swiecie_2023.pb", "Netherlands_Assen_2024.pb"])
def test_equal_shares_add1_reproduces_swiecie_and_assen(name: str) -> None:
    file = read_with_outcome(need(PABULIB / name))
    assert file.rule == "equalshares/add1" and file.selected is not None
    outcome = tally(file.election, "equal-shares", utility="cost", completion="add1")
    assert sorted(outcome.selected) == sorted(file.selected)


@needs_pabulib
def test_the_sample_has_published_outcomes_to_check() -> None:
    assert len(_published(GREEDY_FAMILY)) >= 10


@needs_pabulib
def test_wroclaw_2015_every_rule_fits_the_budget() -> None:
    file = read_with_outcome(need(PABULIB / "Poland_Wroclaw_2015_150_-_500.pb"))
    assert file.election.kind == "choose-1" and len(file.election.ballots) == 131_778
    for rule in ("greedy", "greedy-no-skip", "equal-shares"):
        outcome = tally(file.election, rule)
        assert outcome.cost <= outcome.budget == 7_500_000
