"""Where the real Pabulib elections live (../shared/pabulib next to the repository)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tally.election import Ballot, Election, Project

PABULIB = Path(__file__).resolve().parents[2] / ".." / "shared" / "pabulib"


def pabulib_files() -> list[Path]:
    return sorted(PABULIB.glob("*.pb")) if PABULIB.is_dir() else []


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path.name} is not in {PABULIB.resolve()} (real Pabulib data absent)")
    return path


needs_pabulib = pytest.mark.skipif(
    not PABULIB.is_dir(), reason=f"real Pabulib elections absent: {PABULIB} does not exist"
)


def approval_election(costs: list[int], ballots: list[list[int]], budget: int) -> Election:
    """An approval election written small: project i costs costs[i]; voter n approves the
    projects numbered in ballots[n]."""
    return Election(
        projects=tuple(Project(id=str(i), cost=c) for i, c in enumerate(costs)),
        ballots=tuple(
            Ballot(voter_id=str(n), choices=tuple(str(c) for c in b)) for n, b in enumerate(ballots)
        ),
        budget=budget,
    )
