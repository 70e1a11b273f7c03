"""Our rules agree with pabutools (a test-only dependency) on the real files small enough."""

from __future__ import annotations

from pathlib import Path

import pytest

from tally import tally
from tally.pabulib import read
from tests.tally.data import needs_pabulib, pabulib_files

pabutools = pytest.importorskip("pabutools", reason="pabutools is a dev extra")

from pabutools.election import Cost_Sat, parse_pabulib  # noqa: E402
from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares  # noqa: E402


def _small_approval_files() -> list[Path]:
    found = []
    for path in pabulib_files():
        if path.stat().st_size > 120_000:
            continue
        head = path.read_text(encoding="utf-8-sig").split("PROJECTS", 1)[0]
        if "vote_type;approval" in head or "vote_type;choose-1" in head:
            found.append(path)
    return found


@needs_pabulib
@pytest.mark.parametrize("path", _small_approval_files(), ids=lambda p: p.stem)
def test_equal_shares_and_greedy_match_pabutools(path: Path) -> None:
    election = read(path)
    instance, profile = parse_pabulib(str(path))
    theirs_mes = {p.name for p in method_of_equal_shares(instance, profile, sat_class=Cost_Sat)}
    ours_mes = tally(election, "equal-shares", utility="cost", completion="none")
    assert set(ours_mes.selected) == theirs_mes
    # pabutools' greedy ranks by satisfaction per cost: with cost satisfaction, by approvals
    theirs = {p.name for p in greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)}
    assert set(tally(election, "greedy").selected) == theirs
